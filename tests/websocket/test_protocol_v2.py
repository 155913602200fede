"""`/ws/?protocol=2`: one cursor per room over every durable change, and version 1 beside it
unchanged (docs/protocol.md, "Versions")."""

import uuid

import pytest
from asgiref.sync import sync_to_async

from chat.services.messages import message_post
from chat.services.rooms import room_create, room_invite, room_join, room_leave

pytestmark = pytest.mark.django_db(transaction=True)

V2 = "/ws/?protocol=2"


async def hello(open_socket, token, path=V2):
    connected, socket = await open_socket(path, token=token)
    assert connected
    frame = await socket.recv()
    assert frame["type"] == "hello"
    if frame["protocol"] == 2:
        assert (await socket.recv())["type"] == "ready"
    return socket, frame


async def subscribed(socket, room, since=None):
    await socket.send(type="subscribe", room=room, **({} if since is None else {"since": since}))
    frame = await socket.recv()
    assert frame["type"] == "subscribed", frame
    return frame


async def test_hello_says_the_version_asked_for(open_socket, user_with_token):
    _, token = await sync_to_async(user_with_token)("ada")
    assert (await hello(open_socket, token, "/ws/"))[1]["protocol"] == 1
    assert (await hello(open_socket, token, "/ws/?protocol=1"))[1]["protocol"] == 1
    assert (await hello(open_socket, token, V2))[1]["protocol"] == 2


@pytest.mark.parametrize("query", ["protocol=3", "protocol=two", "protocol=0"])
async def test_an_unknown_version_is_refused_with_4400(open_socket, user_with_token, query):
    _, token = await sync_to_async(user_with_token)("ada")
    connected, socket = await open_socket(f"/ws/?{query}", token=token)
    assert connected and await socket.closed_with() == 4400


async def test_every_change_takes_the_rooms_next_seq_and_v1_counts_messages_only(
    open_socket, user_with_token
):
    ada, token = await sync_to_async(user_with_token)("ada")
    bob, _ = await sync_to_async(user_with_token)("bob")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    v2, _ = await hello(open_socket, token)
    v1, _ = await hello(open_socket, token, "/ws/")
    assert (await subscribed(v2, "g"))["last_seq"] == 0
    assert (await subscribed(v1, "g"))["last_seq"] == 0
    await sync_to_async(message_post)(author=ada, room=room, body="one", client_id=uuid.uuid4())
    await sync_to_async(room_join)(room=room, user=bob)
    await sync_to_async(message_post)(author=bob, room=room, body="two", client_id=uuid.uuid4())
    await sync_to_async(room_leave)(room=room, user=bob)
    frames = [await v2.recv() for _ in range(4)]
    assert [(f["type"], f["seq"]) for f in frames] == [
        ("message", 1),
        ("member", 2),
        ("message", 3),
        ("member", 4),
    ]
    assert [f["message"]["seq"] for f in frames if f["type"] == "message"] == [1, 2]
    assert [f["change"] for f in frames if f["type"] == "member"] == ["joined", "left"]
    old = [await v1.recv() for _ in range(4)]
    assert [(f["type"], f.get("seq")) for f in old] == [
        ("message", 1),
        ("member", None),
        ("message", 2),
        ("member", None),
    ]
    assert await v1.silent() and await v2.silent()


async def test_a_v2_ack_counts_events_and_names_the_message_number(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    await sync_to_async(user_with_token)("bob")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g", private=True)
    await sync_to_async(room_invite)(room=room, by=ada, username="bob")  # event 1
    v2, _ = await hello(open_socket, token)
    ack = await v2.post(room.slug, "hi")
    assert (ack["seq"], ack["number"]) == (2, 1)
    v1, _ = await hello(open_socket, token, "/ws/")
    ack = await v1.post(room.slug, "again")
    assert ack["seq"] == 2 and "number" not in ack


async def test_resume_replays_every_kind_in_order_once(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    bob, _ = await sync_to_async(user_with_token)("bob")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    v2, _ = await hello(open_socket, token)
    await subscribed(v2, "g")
    await v2.post("g", "before")
    await v2.recv_until("message")
    await v2.close()
    # Away: a member joins and posts, then leaves.
    await sync_to_async(room_join)(room=room, user=bob)
    await sync_to_async(message_post)(author=bob, room=room, body="while", client_id=uuid.uuid4())
    await sync_to_async(room_leave)(room=room, user=bob)
    back, _ = await hello(open_socket, token)
    assert (await subscribed(back, "g", since=1))["last_seq"] == 4
    replayed = [await back.recv() for _ in range(3)]
    assert [(f["type"], f["seq"]) for f in replayed] == [
        ("member", 2),
        ("message", 3),
        ("member", 4),
    ]
    assert replayed[1]["message"]["body"] == "while"
    assert await back.silent()
    # Nothing to replay when it is current; reset when it is ahead of the room.
    again, _ = await hello(open_socket, token)
    await subscribed(again, "g", since=4)
    assert await again.silent()
    await again.send(type="subscribe", room="g", since=99)
    await again.recv()
    assert (await again.recv())["type"] == "reset"
