"""`/ws/chat/<room>/`: the Channels tutorial's protocol on the same rooms, storage and broadcast."""

import uuid

import pytest
from asgiref.sync import sync_to_async

from chat.models import Message, Room
from chat.services.rooms import room_create

pytestmark = pytest.mark.django_db(transaction=True)


async def test_tutorial_clients_chat_and_messages_are_stored(open_socket):
    connected_a, a = await open_socket("/ws/chat/lobby/")
    connected_b, b = await open_socket("/ws/chat/lobby/")
    assert connected_a and connected_b
    await a.send(message="hello")
    assert await a.recv() == {"message": "hello"}
    assert await b.recv() == {"message": "hello"}
    room = await sync_to_async(Room.objects.get)(slug="lobby")
    assert not room.private  # visiting a missing room creates it, public
    assert await sync_to_async(list)(Message.objects.values_list("seq", "body")) == [(1, "hello")]


async def test_tutorial_and_v1_share_the_room_both_ways(open_socket, user_with_token):
    _, token = await sync_to_async(user_with_token)("ada")
    _, tutorial = await open_socket("/ws/chat/lobby/")
    _, v1 = await open_socket(token=token)
    await v1.recv()  # hello
    await v1.send(type="subscribe", room="lobby")
    await v1.recv()
    await tutorial.send(message="from the tutorial")
    frame = await v1.recv()
    assert (frame["type"], frame["seq"], frame["body"]) == ("message", 1, "from the tutorial")
    await v1.post("lobby", "from v1")
    assert await tutorial.recv() == {"message": "from the tutorial"}
    assert await tutorial.recv() == {"message": "from v1"}


async def test_name_command_renames_the_guest(open_socket, user_with_token):
    _, token = await sync_to_async(user_with_token)()
    _, tutorial = await open_socket("/ws/chat/lobby/")
    await tutorial.send(message="/name Grace Hopper")
    assert await tutorial.recv() == {"message": "[set your username to Grace Hopper]"}
    _, v1 = await open_socket(token=token)
    await v1.recv()
    await v1.send(type="subscribe", room="lobby")
    await v1.recv()
    await tutorial.send(message="hi")
    assert (await v1.recv())["author"]["display_name"] == "Grace Hopper"
    assert await sync_to_async(Message.objects.count)() == 1  # the command is not a message


async def test_bad_input_gets_a_clear_error_and_stores_nothing(open_socket):
    _, socket = await open_socket("/ws/chat/lobby/")
    for text in ("nope", '{"msg": "x"}', '{"message": 5}'):
        await socket.send_text(text)
        frame = await socket.recv()
        assert frame["error"] == "bad_request" and frame["message"]
    await socket.send(message="x" * 4001)
    assert (await socket.recv())["error"] == "too_long"
    await socket.send(message="   ")
    assert (await socket.recv())["error"] == "bad_request"
    assert await sync_to_async(Message.objects.count)() == 0


async def test_private_room_closes_4403_for_outsiders(open_socket, user_with_token):
    ada, _ = await sync_to_async(user_with_token)("ada")
    _, bob_token = await sync_to_async(user_with_token)("bob")
    await sync_to_async(room_create)(owner=ada, name="s", slug="secret", private=True)
    connected, socket = await open_socket("/ws/chat/secret/", token=bob_token)
    assert connected and await socket.closed_with() == 4403
    connected, socket = await open_socket("/ws/chat/secret/")
    assert await socket.closed_with() == 4403


async def test_invalid_room_name_closes_4400(open_socket):
    _connected, socket = await open_socket("/ws/chat/has%20space/")
    assert await socket.closed_with() == 4400


async def test_guests_off_refuses_anonymous_with_4401(open_socket, settings):
    settings.PARLEY_GUESTS = False
    _, socket = await open_socket("/ws/chat/lobby/")
    assert await socket.closed_with() == 4401


async def test_cross_origin_handshake_is_refused(open_socket):
    connected, _ = await open_socket("/ws/chat/lobby/", origin=b"https://evil.example")
    assert not connected


async def test_v1_client_ids_do_not_collide_with_tutorial_posts(open_socket, user_with_token):
    _, token = await sync_to_async(user_with_token)()
    _, v1 = await open_socket(token=token)
    await v1.recv()
    _, tutorial = await open_socket("/ws/chat/lobby/")
    await tutorial.send(message="a")
    await tutorial.recv()
    ack = await v1.post("lobby", "b", str(uuid.uuid4()))
    assert ack["seq"] == 2
