"""Protocol v2's `ready` frame and the user's own stream: read markers across one user's
sockets, DMs reaching their members, mentions, and no change missed between the state and the
stream (register, then read, then apply)."""

import uuid

import pytest
from asgiref.sync import sync_to_async

from chat.models import Room
from chat.services.conversations import dm_open
from chat.services.messages import message_post
from chat.services.rooms import room_create, room_invite, room_join
from realtime import sessions

pytestmark = pytest.mark.django_db(transaction=True)

V2 = "/ws/?protocol=2"


async def connect(open_socket, token, path=V2) -> tuple:
    connected, socket = await open_socket(path, token=token)
    assert connected and (await socket.recv())["type"] == "hello"
    if path == V1:
        return socket, None
    ready = await socket.recv()
    assert ready["type"] == "ready", ready
    return socket, ready


V1 = "/ws/"


def post(user, room, body):
    return message_post(author=user, room=room, body=body, client_id=uuid.uuid4())[0]


async def test_ready_lists_the_conversations_with_their_counts(open_socket, user_with_token):
    ada, _ = await sync_to_async(user_with_token)("ada")
    bob, token = await sync_to_async(user_with_token)("bob")
    room = await sync_to_async(room_create)(owner=ada, name="General", slug="general")
    await sync_to_async(room_join)(room=room, user=bob)
    await sync_to_async(post)(ada, room, "hi @bob")
    await sync_to_async(post)(ada, room, "and more")
    dm, _ = await sync_to_async(dm_open)(by=ada, usernames=["bob"])
    await sync_to_async(post)(ada, dm, "psst")
    _, ready = await connect(open_socket, token)
    by_room = {c["room"]: c for c in ready["conversations"]}
    general = by_room["general"]
    assert (general["kind"], general["unread"], general["mentions"]) == ("channel", 2, 1)
    assert general["seq"] == 3 and general["last_read"] == 1  # bob joined at event 1
    assert (by_room[dm.slug]["kind"], by_room[dm.slug]["unread"]) == ("dm", 1)
    assert by_room[dm.slug]["name"] == "ada" and by_room[dm.slug]["with"] == ada.pk


async def test_a_marker_moved_in_one_tab_moves_in_every_other(open_socket, user_with_token):
    ada, _ = await sync_to_async(user_with_token)("ada")
    bob, token = await sync_to_async(user_with_token)("bob")
    room = await sync_to_async(room_create)(owner=ada, name="General", slug="general")
    await sync_to_async(room_join)(room=room, user=bob)
    first = await sync_to_async(post)(ada, room, "one")
    await sync_to_async(post)(ada, room, "two")
    tab, _ = await connect(open_socket, token)
    other, _ = await connect(open_socket, token)
    await tab.send(type="read", room="general", seq=first.event_seq, ref="r")
    done = await tab.recv()
    assert (done["type"], done["seq"], done["ref"]) == ("done", first.event_seq, "r")
    for socket in (tab, other):
        moved = await socket.recv_until("read_marker")
        assert (moved["room"], moved["last_read"], moved["unread"]) == ("general", 2, 1)
        assert "user_id" not in moved
    await other.send(type="read", room="general")
    assert (await other.recv())["seq"] == 3
    assert (await tab.recv_until("read_marker"))["unread"] == 0


async def test_unread_from_a_message_and_errors(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    room = await sync_to_async(room_create)(owner=ada, name="General", slug="general")
    message = await sync_to_async(post)(ada, room, "one")
    socket, _ = await connect(open_socket, token)
    await socket.send(type="unread", room="general", id=message.pk)
    assert (await socket.recv())["seq"] == message.event_seq - 1
    await socket.send(type="unread", room="general", id=10**9)
    assert (await socket.recv_until("error"))["code"] == "not_found"
    await socket.send(type="read", room="nowhere")
    assert (await socket.recv_until("error"))["code"] == "not_found"
    await socket.send(type="read", room="general", seq=-1)
    assert (await socket.recv_until("error"))["code"] == "bad_request"


async def test_a_dm_reaches_its_members_at_once_and_no_one_else(open_socket, user_with_token):
    ada, _ = await sync_to_async(user_with_token)("ada")
    _bob, bob_token = await sync_to_async(user_with_token)("bob")
    _eve, eve_token = await sync_to_async(user_with_token)("eve")
    bob_socket, _ = await connect(open_socket, bob_token)
    eve_socket, _ = await connect(open_socket, eve_token)
    dm, _ = await sync_to_async(dm_open)(by=ada, usernames=["bob"])
    added = await bob_socket.recv()
    assert added["type"] == "conversation_added"
    assert (added["conversation"]["room"], added["conversation"]["kind"]) == (dm.slug, "dm")
    assert await eve_socket.silent()
    await eve_socket.send(type="subscribe", room=dm.slug)
    assert (await eve_socket.recv())["code"] == "not_found"


async def test_a_mention_is_a_frame_for_the_one_mentioned(open_socket, user_with_token):
    ada, _ = await sync_to_async(user_with_token)("ada")
    bob, token = await sync_to_async(user_with_token)("bob")
    room = await sync_to_async(room_create)(owner=ada, name="General", slug="general")
    await sync_to_async(room_join)(room=room, user=bob)
    socket, _ = await connect(open_socket, token)
    message = await sync_to_async(post)(ada, room, "@bob look")
    mentioned = await socket.recv()
    assert mentioned == {
        "type": "mentioned",
        "room_id": room.pk,
        "room": "general",
        "id": message.pk,
    }


async def test_version_1_gets_no_frames_of_the_users_stream(open_socket, user_with_token):
    ada, _ = await sync_to_async(user_with_token)("ada")
    _bob, token = await sync_to_async(user_with_token)("bob")
    socket, _ = await connect(open_socket, token, V1)
    await sync_to_async(dm_open)(by=ada, usernames=["bob"])
    assert await socket.silent()


async def test_a_change_committed_while_the_state_is_read_comes_after_ready(
    open_socket, user_with_token, monkeypatch
):
    """The state is read, then (before `ready` is sent) bob is invited to a room: the
    invitation is not in the state, so it must come as a frame, and after `ready`, which a
    client applies first. Without the hold it was written before `ready` and lost under it."""
    ada, _ = await sync_to_async(user_with_token)("ada")
    _bob, token = await sync_to_async(user_with_token)("bob")
    room = await sync_to_async(room_create)(owner=ada, name="Secret", private=True)
    read_state = sessions.conversations

    def read_then_invite(*, user):
        state = read_state(user=user)
        room_invite(room=Room.objects.get(pk=room.pk), by=ada, username="bob")
        return state

    monkeypatch.setattr(sessions, "conversations", read_then_invite)
    connected, socket = await open_socket(V2, token=token)
    assert connected and (await socket.recv())["type"] == "hello"
    ready = await socket.recv()
    assert ready["type"] == "ready" and ready["conversations"] == []
    added = await socket.recv()
    assert (added["type"], added["conversation"]["room"]) == ("conversation_added", room.slug)


async def test_a_dm_on_the_tutorial_endpoint_is_a_missing_room_to_others(
    open_socket, user_with_token
):
    """A DM's slug typed on the tutorial endpoint: silent to a stranger and to an anonymous
    visitor, as a name no room has; a message there does not reach the DM."""
    from chat.models import Message

    ada, ada_token = await sync_to_async(user_with_token)("ada")
    await sync_to_async(user_with_token)("bob")
    _, eve_token = await sync_to_async(user_with_token)("eve")
    dm, _ = await sync_to_async(dm_open)(by=ada, usernames=["bob"])
    for token in (eve_token, None):
        connected, socket = await open_socket(f"/ws/chat/{dm.slug}/", token=token)
        assert connected and await socket.silent()
    _, member = await open_socket(f"/ws/chat/{dm.slug}/", token=ada_token)
    _, stranger = await open_socket(f"/ws/chat/{dm.slug}/", token=eve_token)
    await stranger.send(message="let me in")
    assert "error" in await stranger.recv()
    assert await member.silent()
    assert not await sync_to_async(Message.objects.filter(room=dm).exists)()


async def test_ready_carries_the_presence_of_the_people_your_dms_are_with(
    open_socket, user_with_token
):
    ada, ada_token = await sync_to_async(user_with_token)("ada")
    bob, bob_token = await sync_to_async(user_with_token)("bob")
    await sync_to_async(user_with_token)("cy")
    await sync_to_async(dm_open)(by=bob, usernames=["ada"])
    await sync_to_async(dm_open)(by=bob, usernames=["ada", "cy"])
    ada_socket, _ = await connect(open_socket, ada_token)
    bob_socket, ready = await connect(open_socket, bob_token)
    cy = await sync_to_async(lambda: type(bob).objects.get(username="cy").pk)()
    assert ready["presence"] == {str(ada.pk): "online", str(cy): "offline"}
    # Watched from then on: ada leaving is told without a presence_watch.
    await ada_socket.communicator.disconnect()
    frame = await bob_socket.recv_until("presence", timeout=5)
    assert frame["users"] == {str(ada.pk): "offline"}
