"""`conversation_removed` on the user's own stream (docs/protocol.md): a member who leaves a
room or is removed from it is told on every protocol v2 socket of theirs, subscribed to the
room or not; a private room's frames stop reaching them, a public room's keep coming (it stays
readable), and nobody else hears of it."""

import pytest
from asgiref.sync import sync_to_async

from chat.services.rooms import member_remove, room_create, room_join, room_leave

from .conftest import post, private_room_with

pytestmark = pytest.mark.django_db(transaction=True)

V2 = "/ws/?protocol=2"


async def connect(open_socket, token):
    connected, socket = await open_socket(V2, token=token)
    assert connected
    assert (await socket.recv())["type"] == "hello"
    assert (await socket.recv())["type"] == "ready"
    return socket


async def subscribe(socket, slug: str) -> None:
    await socket.send(type="subscribe", room=slug)
    assert (await socket.recv_until("subscribed"))["room"] == slug


async def frames_until(socket, kind: str) -> list[dict]:
    """Every frame up to and including the first of type `kind`."""
    frames = [await socket.recv()]
    while frames[-1]["type"] != kind:
        frames.append(await socket.recv())
    return frames


@sync_to_async
def end_membership(room, owner, user, how: str) -> None:
    if how == "left":
        room_leave(room=room, user=user)
    else:
        member_remove(room=room, by=owner, username=user.username)


@pytest.mark.parametrize("how", ["left", "removed"])
async def test_every_socket_of_theirs_is_told_and_a_private_room_goes_quiet(
    open_socket, user_with_token, how
):
    ada, ada_token = await sync_to_async(user_with_token)("ada")
    bob, bob_token = await sync_to_async(user_with_token)("bob")
    room = await private_room_with(ada, bob)
    reading = await connect(open_socket, bob_token)  # a tab on the room
    await subscribe(reading, "secret")
    elsewhere = await connect(open_socket, bob_token)  # a tab on another page
    owner = await connect(open_socket, ada_token)
    await subscribe(owner, "secret")

    await end_membership(room, ada, bob, how)
    removed = {
        "type": "conversation_removed",
        "room_id": room.pk,
        "room": "secret",
        "reason": how,
        "can_see": False,
    }
    frames = await frames_until(reading, "conversation_removed")
    assert frames[-1] == removed
    assert {"type": "unsubscribed", "room": "secret", "reason": how} in frames
    assert await elsewhere.recv_until("conversation_removed") == removed

    # The room's frames stop reaching both; the owner, still a member, hears them.
    await post(ada, room, "after you went")
    assert (await owner.recv_until("message"))["message"]["body"] == "after you went"
    assert await reading.silent()
    assert await elsewhere.silent()
    for socket in (reading, elsewhere):
        await socket.send(type="subscribe", room="secret")
        assert (await socket.recv_until("error"))["code"] == "not_found"


async def test_nobody_else_is_told(open_socket, user_with_token):
    ada, ada_token = await sync_to_async(user_with_token)("ada")
    bob, _ = await sync_to_async(user_with_token)("bob")
    cy, cy_token = await sync_to_async(user_with_token)("cy")
    room = await private_room_with(ada, bob, cy)
    others = [await connect(open_socket, ada_token), await connect(open_socket, cy_token)]
    await sync_to_async(member_remove)(room=room, by=ada, username="bob")
    for socket in others:
        assert await socket.silent()


@pytest.mark.parametrize("how", ["left", "removed"])
async def test_a_public_room_stays_readable_after_it_is_removed(open_socket, user_with_token, how):
    ada, _ = await sync_to_async(user_with_token)("ada")
    bob, bob_token = await sync_to_async(user_with_token)("bob")
    room = await sync_to_async(room_create)(owner=ada, name="Open", slug="open")
    await sync_to_async(room_join)(room=room, user=bob)
    reading = await connect(open_socket, bob_token)
    await subscribe(reading, "open")
    elsewhere = await connect(open_socket, bob_token)

    await end_membership(room, ada, bob, how)
    for socket in (reading, elsewhere):
        removed = await socket.recv_until("conversation_removed")
        assert (removed["room"], removed["reason"], removed["can_see"]) == ("open", how, True)
    await post(ada, room, "public news")
    frames = await frames_until(reading, "message")
    assert "unsubscribed" not in [frame["type"] for frame in frames]
    assert frames[-1]["message"]["body"] == "public news"
