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
    assert not await sync_to_async(Room.objects.exists)()  # connecting creates nothing
    await a.send(message="hello")
    assert await a.recv() == {"message": "hello"}
    assert await b.recv() == {"message": "hello"}
    room = await sync_to_async(Room.objects.get)(slug="lobby")
    assert not room.private  # the first stored message creates the room, public
    assert await sync_to_async(list)(Message.objects.values_list("seq", "body")) == [(1, "hello")]
    await b.send(message="and back")
    assert await a.recv() == {"message": "and back"}
    assert await b.recv() == {"message": "and back"}


async def test_a_name_opened_elsewhere_reaches_the_waiting_socket(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    _, waiting = await open_socket("/ws/chat/later/")
    await sync_to_async(room_create)(owner=ada, name="Later", slug="later")
    _, v1 = await open_socket(token=token)
    await v1.recv()
    await v1.post("later", "opened over v1")
    assert await waiting.recv() == {"message": "opened over v1"}


async def test_connecting_anonymously_makes_no_guest_and_no_room(open_socket):
    from accounts.models import User

    for n in range(5):
        connected, _ = await open_socket(f"/ws/chat/room-{n}/")
        assert connected
    assert not await sync_to_async(User.objects.exists)()
    assert not await sync_to_async(Room.objects.exists)()


async def test_an_invisible_private_name_is_accepted_as_a_missing_one(
    open_socket, user_with_token, make_legacy_private_room
):
    ada, _ = await sync_to_async(user_with_token)("ada")
    _, bob_token = await sync_to_async(user_with_token)("bob")
    secret = await sync_to_async(room_create)(owner=ada, name="Secret", private=True)
    await sync_to_async(make_legacy_private_room)(ada, "hidden")
    for token in (bob_token, None):  # a signed-up outsider, an anonymous visitor
        for slug in (secret.slug, "hidden", "no-such-room"):
            connected, socket = await open_socket(f"/ws/chat/{slug}/", token=token)
            assert connected and await socket.silent()
    # Posting to the new private room's name is impossible without knowing it; a legacy slug,
    # one anyone could type, answers as a taken name (docs/protocol.md).
    _, socket = await open_socket("/ws/chat/hidden/", token=bob_token)
    await socket.send(message="hi")
    assert (await socket.recv())["error"] == "conflict"
    assert await sync_to_async(Message.objects.count)() == 0


async def test_the_member_of_a_private_room_uses_it_from_the_tutorial_endpoint(
    open_socket, user_with_token
):
    ada, token = await sync_to_async(user_with_token)("ada")
    secret = await sync_to_async(room_create)(owner=ada, name="Secret", private=True)
    _, socket = await open_socket(f"/ws/chat/{secret.slug}/", token=token)
    await socket.send(message="mine")
    assert await socket.recv() == {"message": "mine"}


async def test_guests_made_by_first_writes_are_limited_per_address(open_socket, settings):
    from accounts.models import User

    settings.PARLEY_GUESTS_PER_HOUR = 2
    address = ("203.0.113.7", 50000)
    for n in range(2):
        _, socket = await open_socket("/ws/chat/lobby/", client=address)
        await socket.send(message=f"guest {n}")
        assert await socket.recv() == {"message": f"guest {n}"}
    _, socket = await open_socket("/ws/chat/lobby/", client=address)
    await socket.send(message="one too many")
    frame = await socket.recv()
    assert frame["error"] == "rate_limited" and 0 < frame["retry_after"] <= 3600
    _, other = await open_socket("/ws/chat/lobby/", client=("203.0.113.8", 50000))
    await other.send(message="another address")
    assert await other.recv() == {"message": "another address"}
    assert await sync_to_async(User.objects.filter(is_guest=True).count)() == 3


async def test_tutorial_and_v1_share_the_room_both_ways(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    await sync_to_async(room_create)(owner=ada, name="Lobby", slug="lobby")
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
    ada, token = await sync_to_async(user_with_token)()
    await sync_to_async(room_create)(owner=ada, name="Lobby", slug="lobby")
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
