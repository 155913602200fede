"""A room's owner hands it over and archives it: subscribers see `room_updated` with the new
`owner` and `archived` live and on resume, and an archived room answers writes with
`room_archived` while it stays readable (docs/protocol.md)."""

import uuid

import pytest
from asgiref.sync import sync_to_async

from chat.services.messages import message_post
from chat.services.room_admin import room_archive, room_owner_transfer, room_unarchive
from chat.services.rooms import room_create, room_join

pytestmark = pytest.mark.django_db(transaction=True)

V2 = "/ws/?protocol=2"


async def hello(open_socket, token, path=V2):
    connected, socket = await open_socket(path, token=token)
    assert connected
    assert (await socket.recv())["type"] == "hello"
    return socket


async def subscribe(socket, room, since=None):
    await socket.send(type="subscribe", room=room, **({} if since is None else {"since": since}))
    return await socket.recv_until("subscribed")


async def test_a_handover_and_an_archive_reach_subscribers_live(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    grace, _ = await sync_to_async(user_with_token)("grace")
    room = await sync_to_async(room_create)(owner=ada, name="Ops", slug="ops")
    await sync_to_async(room_join)(room=room, user=grace)
    socket = await hello(open_socket, token)
    await subscribe(socket, "ops")
    await sync_to_async(room_owner_transfer)(room=room, by=ada, username="grace")
    handed = await socket.recv_until("room_updated")
    assert handed["owner"]["username"] == "grace"
    assert (handed["name"], handed["archived"], handed["user"]["username"]) == ("Ops", False, "ada")
    await sync_to_async(room_archive)(room=room, by=grace)
    archived = await socket.recv_until("room_updated")
    assert archived["archived"] is True and archived["seq"] == handed["seq"] + 1
    assert archived["owner"]["username"] == "grace"


async def test_a_resuming_client_is_replayed_the_archive(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    room = await sync_to_async(room_create)(owner=ada, name="Ops", slug="ops")
    await sync_to_async(message_post)(author=ada, room=room, body="one", client_id=uuid.uuid4())
    await sync_to_async(room_archive)(room=room, by=ada)
    socket = await hello(open_socket, token)
    assert (await subscribe(socket, "ops", since=1))["last_seq"] == 2
    replayed = await socket.recv()
    assert (replayed["type"], replayed["seq"], replayed["archived"]) == ("room_updated", 2, True)


@pytest.mark.parametrize("path", [V2, "/ws/"])
async def test_an_archived_room_refuses_posts_and_stays_readable(
    open_socket, user_with_token, path
):
    ada, token = await sync_to_async(user_with_token)("ada")
    room = await sync_to_async(room_create)(owner=ada, name="Ops", slug="ops")
    message, _ = await sync_to_async(message_post)(
        author=ada, room=room, body="kept", client_id=uuid.uuid4()
    )
    socket = await hello(open_socket, token, path)
    await subscribe(socket, "ops")
    await sync_to_async(room_archive)(room=room, by=ada)
    await socket.send(type="post", room="ops", body="more", client_id=str(uuid.uuid4()), ref="p")
    error = await socket.recv_until("error")
    assert (error["code"], error["ref"]) == ("room_archived", "p")
    if path == V2:
        await socket.send(type="react", room="ops", id=message.pk, emoji="👍", ref="r")
        error = await socket.recv_until("error")
        assert (error["code"], error["ref"]) == ("room_archived", "r")
    await socket.send(type="history", room="ops")
    history = await socket.recv_until("history")
    assert [m["body"] for m in history["messages"]] == ["kept"]
    await sync_to_async(room_unarchive)(room=room, by=ada)
    ack = await socket.post("ops", "back")
    assert ack["type"] == "ack"
