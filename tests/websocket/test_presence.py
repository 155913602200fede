"""Presence on `/ws/?protocol=2`: combined over a user's sockets, told only to the sockets that
watch the user, batched; and typing that ends (docs/protocol.md, "Presence", `typing_stopped`)."""

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer

from chat.services.rooms import room_create, room_join
from realtime.presence.tracker import tracker_for_loop

pytestmark = pytest.mark.django_db(transaction=True)

V2 = "/ws/?protocol=2"


@pytest.fixture(autouse=True)
async def _quick(settings):
    """Changes written as soon as they come; the shared backend left empty afterwards (the
    Redis pass shares one prefix between tests)."""
    settings.PARLEY_PRESENCE_BATCH = 0.01
    yield
    await tracker_for_loop(get_channel_layer()).backend.clear()


async def opened(open_socket, token, path=V2):
    connected, socket = await open_socket(path, token=token)
    assert connected
    assert (await socket.recv())["type"] == "hello"
    if path == V2:
        assert (await socket.recv())["type"] == "ready"
    return socket


async def watch(socket, *users) -> dict:
    """Watch `users`; the answer's states, by user id."""
    await socket.send(type="presence_watch", users=[user.pk for user in users], ref="w")
    frame = await socket.recv_until("presence")
    assert frame["ref"] == "w"
    return {int(user): state for user, state in frame["users"].items()}


async def say(socket, state: str) -> None:
    """Send `presence` and wait until the server has handled it (frames are handled in order)."""
    await socket.send(type="presence", state=state)
    await socket.send(type="ping", ref="sync")
    assert (await socket.recv_until("pong"))["ref"] == "sync"


async def change(socket) -> dict:
    frame = await socket.recv_until("presence")
    assert "ref" not in frame, frame
    return {int(user): state for user, state in frame["users"].items()}


async def test_watching_answers_every_watched_users_state_at_once(open_socket, user_with_token):
    _, ada_token = await sync_to_async(user_with_token)("ada")
    bob, bob_token = await sync_to_async(user_with_token)("bob")
    cy, _ = await sync_to_async(user_with_token)("cy")
    await opened(open_socket, bob_token, "/ws/")  # version 1 sockets count as online
    watcher = await opened(open_socket, ada_token)
    assert await watch(watcher, bob, cy) == {bob.pk: "online", cy.pk: "offline"}


async def test_a_user_with_two_tabs_is_away_only_when_both_are_and_offline_after_the_last_closes(
    open_socket, user_with_token
):
    _, ada_token = await sync_to_async(user_with_token)("ada")
    bob, bob_token = await sync_to_async(user_with_token)("bob")
    watcher = await opened(open_socket, ada_token)
    assert await watch(watcher, bob) == {bob.pk: "offline"}
    first = await opened(open_socket, bob_token)
    assert await change(watcher) == {bob.pk: "online"}
    second = await opened(open_socket, bob_token)

    await say(first, "away")
    assert await watch(watcher, bob) == {bob.pk: "online"}  # the second tab is in use
    await say(second, "away")
    assert await change(watcher) == {bob.pk: "away"}
    await say(first, "online")
    assert await change(watcher) == {bob.pk: "online"}

    await first.close()
    assert await watch(watcher, bob) == {bob.pk: "away"}  # only the away tab is left
    await second.close()
    assert await change(watcher) == {bob.pk: "offline"}


async def test_changes_reach_only_the_sockets_that_watch_the_user(open_socket, user_with_token):
    _, ada_token = await sync_to_async(user_with_token)("ada")
    bob, bob_token = await sync_to_async(user_with_token)("bob")
    cy, cy_token = await sync_to_async(user_with_token)("cy")
    watching_bob = await opened(open_socket, ada_token)
    watching_cy = await opened(open_socket, ada_token)
    await watch(watching_bob, bob)
    await watch(watching_cy, cy)
    await opened(open_socket, bob_token)
    await opened(open_socket, cy_token)
    assert await change(watching_bob) == {bob.pk: "online"}
    assert await change(watching_cy) == {cy.pk: "online"}
    # A new watch replaces the old one: bob's changes no longer come.
    assert await watch(watching_bob, cy) == {cy.pk: "online"}


async def test_an_entry_not_refreshed_expires_and_its_user_goes_offline(
    open_socket, user_with_token
):
    """A socket whose process was killed never closes: its entry stops being refreshed."""
    _, ada_token = await sync_to_async(user_with_token)("ada")
    bob, _ = await sync_to_async(user_with_token)("bob")
    watcher = await opened(open_socket, ada_token)
    await watch(watcher, bob)
    tracker = tracker_for_loop(get_channel_layer())
    await tracker._report(tracker.backend.put([(bob.pk, "killed", "online")], ttl=0.2))
    assert await change(watcher) == {bob.pk: "online"}
    await asyncio.sleep(0.3)
    await tracker.beat()  # the heartbeat's sweep
    assert await change(watcher) == {bob.pk: "offline"}


async def test_version_1_knows_no_presence_frames(open_socket, user_with_token):
    _, token = await sync_to_async(user_with_token)("ada")
    socket = await opened(open_socket, token, "/ws/")
    await socket.send(type="presence_watch", users=[1], ref="x")
    assert (await socket.recv())["code"] == "unknown_type"
    await socket.send(type="presence", state="away", ref="y")
    assert (await socket.recv())["code"] == "unknown_type"


async def test_a_watch_list_is_bounded(open_socket, user_with_token):
    _, token = await sync_to_async(user_with_token)("ada")
    socket = await opened(open_socket, token)
    await socket.send(type="presence_watch", users=list(range(1, 1002)), ref="x")
    assert (await socket.recv())["code"] == "bad_request"


# Typing.


@pytest.fixture
async def typing_room(open_socket, user_with_token):
    """(typist socket, v2 subscriber, v1 subscriber, typist) in room `t`."""
    ada, ada_token = await sync_to_async(user_with_token)("ada")
    bob, bob_token = await sync_to_async(user_with_token)("bob")
    room = await sync_to_async(room_create)(owner=ada, name="t", slug="t")
    await sync_to_async(room_join)(room=room, user=bob)
    sockets = []
    for token, path in ((ada_token, V2), (bob_token, V2), (bob_token, "/ws/")):
        socket = await opened(open_socket, token, path)
        await socket.send(type="subscribe", room="t")
        assert (await socket.recv())["type"] == "subscribed"
        sockets.append(socket)
    return *sockets, ada


async def started(typist, v2, v1) -> None:
    await typist.send(type="typing", room="t")
    assert (await v2.recv_until("typing"))["room"] == "t"
    assert (await v1.recv_until("typing"))["room"] == "t"


async def test_posting_stops_the_typing_indicator_on_version_2(typing_room):
    typist, v2, v1, ada = typing_room
    await started(typist, v2, v1)
    await typist.post("t", "done typing")
    frame = await v2.recv_until("typing_stopped")
    assert frame["room"] == "t" and frame["user"]["id"] == ada.pk
    # Version 1 gets its message, and no new frame type.
    assert (await v1.recv_until("message"))["body"] == "done typing"
    assert await v1.silent()


async def test_closing_the_typists_socket_stops_the_typing_indicator(typing_room):
    typist, v2, v1, ada = typing_room
    await started(typist, v2, v1)
    await typist.close()
    assert (await v2.recv_until("typing_stopped"))["user"]["id"] == ada.pk


async def test_typing_expires_after_its_ttl(typing_room, settings):
    settings.PARLEY_TYPING_TTL = 0.2
    typist, v2, v1, ada = typing_room
    await started(typist, v2, v1)
    assert (await v2.recv_until("typing_stopped"))["user"]["id"] == ada.pk
    assert await v1.silent()
