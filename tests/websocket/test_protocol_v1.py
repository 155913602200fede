"""`/ws/`, protocol v1: every row of the protocol table (docs/protocol.md)."""

import uuid

import orjson
import pytest
from asgiref.sync import sync_to_async

from accounts.payloads import AVATAR_NOBODY, avatar_color, user_payload
from accounts.services import token_revoke
from chat.models import Message
from chat.services.messages import message_post
from chat.services.rooms import room_create, room_invite

pytestmark = pytest.mark.django_db(transaction=True)


async def hello(open_socket, token=None, **kwargs):
    connected, socket = await open_socket(token=token, **kwargs)
    assert connected
    frame = await socket.recv()
    assert frame["type"] == "hello" and frame["protocol"] == 1
    return socket, frame


async def test_hello_names_the_token_user(open_socket, user_with_token):
    user, token = await sync_to_async(user_with_token)("ada", "Ada L.")
    _, frame = await hello(open_socket, token)
    assert frame["user"] == {
        "id": user.pk,
        "username": "ada",
        "display_name": "Ada L.",
        "avatar": {"initials": "AL", "color": avatar_color(user.pk), "url": None},
    }


async def test_session_cookie_authenticates(open_socket, make_user, client):
    user = await sync_to_async(make_user)("cookie")
    await sync_to_async(client.force_login)(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    _, frame = await hello(open_socket, cookie=cookie)
    assert frame["user"]["username"] == "cookie"


async def test_invalid_or_revoked_token_closes_4401(open_socket, user_with_token):
    _, token = await sync_to_async(user_with_token)()
    connected, socket = await open_socket(token="prl_not-a-token")
    assert connected and await socket.closed_with() == 4401
    await sync_to_async(token_revoke)(secret=token)
    connected, socket = await open_socket(token=token)
    assert await socket.closed_with() == 4401


async def test_anonymous_socket_is_a_guest_from_its_first_write(open_socket):
    from accounts.models import User

    socket, frame = await hello(open_socket)
    assert frame["user"] == {
        "id": None,
        "username": None,
        "display_name": "Anonymous",
        "avatar": {"initials": "A", "color": AVATAR_NOBODY, "url": None},
    }
    await socket.send(type="subscribe", room="lobby")
    assert (await socket.recv())["code"] == "not_found"
    assert not await sync_to_async(
        User.objects.filter(is_guest=True).exists
    )()  # reading costs no row
    await sync_to_async(room_create)(owner=None, name="Lobby", slug="lobby")
    await socket.send(type="subscribe", room="lobby")
    await socket.recv()
    await socket.post("lobby", "hi")
    author = (await socket.recv())["author"]
    assert author["display_name"] == "Anonymous" and author["username"].startswith("guest-")
    await socket.post("lobby", "again")
    assert (await socket.recv())["author"] == author  # one guest per socket
    assert await sync_to_async(User.objects.filter(is_guest=True).count)() == 1


async def test_writing_to_a_missing_room_makes_no_guest(
    open_socket, make_legacy_private_room, make_user
):
    from accounts.models import User

    owner = await sync_to_async(make_user)()
    await sync_to_async(make_legacy_private_room)(owner, "hidden")
    socket, _ = await hello(open_socket)
    for slug in ("no-such-room", "hidden"):
        await socket.send(type="post", room=slug, body="x", client_id=str(uuid.uuid4()), ref="p")
        assert (await socket.recv())["code"] == "not_found"
        await socket.send(type="typing", room=slug, ref="t")
        assert (await socket.recv())["code"] == "not_found"
    assert not await sync_to_async(User.objects.filter(is_guest=True).exists)()


async def test_new_guests_are_limited_per_address(open_socket, settings):
    from django.core.cache import cache

    await sync_to_async(cache.clear)()
    settings.PARLEY_GUESTS_PER_HOUR = 1
    await sync_to_async(room_create)(owner=None, name="Lobby", slug="lobby")
    address = ("203.0.113.7", 50000)
    first, _ = await hello(open_socket, client=address)
    assert (await first.post("lobby", "hi"))["seq"] == 1
    second, _ = await hello(open_socket, client=address)
    await second.send(type="name", display_name="Eve", ref="n")
    frame = await second.recv()
    assert (frame["code"], frame["ref"]) == ("rate_limited", "n") and 0 < frame[
        "retry_after"
    ] <= 3600
    await sync_to_async(cache.clear)()


async def test_browser_keeps_its_session_guest(open_socket, client):
    from accounts.services import guest_for_session

    await sync_to_async(client.get)("/")  # a visit; the room page gives the session its guest
    session = await sync_to_async(lambda: client.session)()
    guest = await sync_to_async(guest_for_session)(session)
    cookie = f"sessionid={session.session_key}"
    _, frame = await hello(open_socket, cookie=cookie)
    assert frame["user"]["id"] == guest.pk


async def test_guests_off_refuses_anonymous_with_4401(open_socket, settings):
    settings.PARLEY_GUESTS = False
    connected, socket = await open_socket()
    assert connected and await socket.closed_with() == 4401


async def test_cross_origin_handshake_is_refused(open_socket, user_with_token):
    _, token = await sync_to_async(user_with_token)()
    connected, _ = await open_socket(token=token, origin=b"http://evil.example")
    assert not connected


async def test_handshake_without_origin_is_a_program_and_allowed(open_socket, user_with_token):
    _, token = await sync_to_async(user_with_token)()
    await hello(open_socket, token, origin=None)


async def test_subscribe_post_ack_message(open_socket, user_with_token):
    ada, ada_token = await sync_to_async(user_with_token)("ada")
    _, bob_token = await sync_to_async(user_with_token)("bob")
    await sync_to_async(room_create)(owner=ada, name="General", slug="general")
    a, _ = await hello(open_socket, ada_token)
    b, _ = await hello(open_socket, bob_token)
    for socket in (a, b):
        await socket.send(type="subscribe", room="general", ref="s1")
        assert await socket.recv() == {
            "type": "subscribed",
            "room": "general",
            "last_seq": 0,
            "ref": "s1",
        }
    client_id = str(uuid.uuid4())
    await b.send(type="post", room="general", body=" hello ", client_id=client_id, ref="p1")
    ack = await b.recv()
    stored = await sync_to_async(Message.objects.get)(client_id=client_id)
    assert ack == {
        "type": "ack",
        "client_id": client_id,
        "room": "general",
        "seq": 1,
        "id": stored.pk,
        "ref": "p1",
    }
    for socket in (a, b):  # every subscriber, the sender too
        # bob's first post made him a member: that is announced first.
        joined = await socket.recv()
        assert (joined["type"], joined["change"], joined["user"]["username"]) == (
            "member",
            "joined",
            "bob",
        )
        message = await socket.recv()
        assert message["type"] == "message" and message["seq"] == 1 and message["body"] == "hello"
        assert message["author"]["username"] == "bob" and message["client_id"] == client_id
        assert set(message) == {
            "type",
            "room",
            "seq",
            "id",
            "author",
            "body",
            "created_at",
            "client_id",
            # What messages that change added (docs/protocol.md, "The message object").
            "html",
            "is_action",
            "mentions_wide",
            "event_seq",
            "edited_at",
            "deleted",
            "thread_root",
            "in_room",
            "reply_count",
            "last_reply_at",
            "repliers",
            "pinned",
            "reactions",
            "previews",
            "attachments",  # files (docs/protocol.md, "The message object")
            "version",
        }


async def test_author_comes_from_the_connection_not_the_frame(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    socket, _ = await hello(open_socket, token)
    await socket.send(
        type="post", room="g", body="x", client_id=str(uuid.uuid4()), author={"id": 999}
    )
    assert (await socket.recv())["code"] == "bad_request"
    assert await sync_to_async(Message.objects.count)() == 0


async def test_retry_with_same_client_id_acks_same_seq_and_broadcasts_once(
    open_socket, user_with_token
):
    ada, token = await sync_to_async(user_with_token)("ada")
    await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    watcher, _ = await hello(open_socket, token)
    await watcher.send(type="subscribe", room="g")
    await watcher.recv()
    poster, _ = await hello(open_socket, token)
    client_id = str(uuid.uuid4())
    first = await poster.post("g", "once", client_id)
    again = await poster.post("g", "once", client_id)
    assert first["seq"] == again["seq"] == 1 and first["id"] == again["id"]
    assert (await watcher.recv())["seq"] == 1
    assert await watcher.silent()
    assert await sync_to_async(Message.objects.count)() == 1


async def test_resume_replays_the_gap_in_order(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    for i in range(1, 8):
        await sync_to_async(message_post)(
            author=ada, room=room, body=f"m{i}", client_id=uuid.uuid4()
        )
    socket, _ = await hello(open_socket, token)
    await socket.send(type="subscribe", room="g", since=3)
    assert (await socket.recv())["last_seq"] == 7
    assert [(await socket.recv())["seq"] for _ in range(4)] == [4, 5, 6, 7]
    assert await socket.silent()
    await socket.post("g", "live")
    assert (await socket.recv())["seq"] == 8


async def test_resume_beyond_the_replay_limit_or_from_the_future_resets(
    open_socket, user_with_token, settings
):
    settings.PARLEY_REPLAY_LIMIT = 3
    ada, token = await sync_to_async(user_with_token)("ada")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    for i in range(5):
        await sync_to_async(message_post)(
            author=ada, room=room, body=f"m{i}", client_id=uuid.uuid4()
        )
    socket, _ = await hello(open_socket, token)
    for since in (1, 99):
        await socket.send(type="subscribe", room="g", since=since)
        assert (await socket.recv())["type"] == "subscribed"
        assert await socket.recv() == {"type": "reset", "room": "g", "last_seq": 5}
        assert await socket.silent()
    await socket.send(type="subscribe", room="g", since=2)  # exactly the limit: replayed
    await socket.recv()
    assert [(await socket.recv())["seq"] for _ in range(3)] == [3, 4, 5]


async def test_unsubscribe_stops_delivery(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    socket, _ = await hello(open_socket, token)
    await socket.send(type="subscribe", room="g")
    await socket.recv()
    await socket.send(type="unsubscribe", room="g", ref="u")
    assert await socket.recv() == {"type": "unsubscribed", "room": "g", "ref": "u"}
    await socket.post("g", "after")
    assert await socket.silent()


async def test_history_pages_backwards_ascending(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    for i in range(1, 6):
        await sync_to_async(message_post)(
            author=ada, room=room, body=f"m{i}", client_id=uuid.uuid4()
        )
    socket, _ = await hello(open_socket, token)
    await socket.send(type="history", room="g", limit=2, ref="h")
    page = await socket.recv()
    assert (
        [m["seq"] for m in page["messages"]] == [4, 5] and page["has_more"] and page["ref"] == "h"
    )
    await socket.send(type="history", room="g", before=4, limit=10)
    page = await socket.recv()
    assert [m["seq"] for m in page["messages"]] == [1, 2, 3] and not page["has_more"]
    await socket.send(type="history", room="g", limit=101)
    assert (await socket.recv())["code"] == "bad_request"


async def test_typing_reaches_others_not_the_typist(open_socket, user_with_token):
    ada, ada_token = await sync_to_async(user_with_token)("ada")
    _, bob_token = await sync_to_async(user_with_token)("bob")
    await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    a, _ = await hello(open_socket, ada_token)
    b, _ = await hello(open_socket, bob_token)
    for socket in (a, b):
        await socket.send(type="subscribe", room="g")
        await socket.recv()
    await a.send(type="typing", room="g")
    frame = await b.recv()
    assert frame["type"] == "typing" and frame["room"] == "g" and frame["user"]["username"] == "ada"
    assert await a.silent()


async def test_ping_pong(open_socket):
    socket, _ = await hello(open_socket)
    await socket.send(type="ping", ref="42")
    assert await socket.recv() == {"type": "pong", "ref": "42"}


async def test_name_renames_the_connection_user(open_socket):
    socket, _ = await hello(open_socket)
    await socket.send(type="name", display_name="Zed")
    assert (await socket.recv())["user"]["display_name"] == "Zed"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not json", "bad_request"),
        ("[1, 2]", "bad_request"),
        ('{"no": "type"}', "bad_request"),
        ('{"type": "dance", "ref": "r"}', "unknown_type"),
        ('{"type": "ping", "extra": 1}', "bad_request"),
        ('{"type": "subscribe", "room": "g", "since": "3"}', "bad_request"),
        ('{"type": "subscribe", "room": 5}', "bad_request"),
        ('{"type": "post", "room": "g", "body": "x", "client_id": "not-a-uuid"}', "bad_request"),
        ('{"type": "post", "room": "g", "body": "x"}', "bad_request"),
        ('{"type": "history", "room": "g", "limit": 0}', "bad_request"),
    ],
)
async def test_malformed_frames_get_bad_request_or_unknown_type(open_socket, text, code):
    socket, _ = await hello(open_socket)
    await socket.send_text(text)
    frame = await socket.recv()
    assert frame["type"] == "error" and frame["code"] == code and frame["message"]
    if '"ref"' in text:
        assert frame["ref"] == "r"


async def test_binary_frames_get_bad_request(open_socket):
    socket, _ = await hello(open_socket)
    await socket.communicator.send_to(bytes_data=b"\x00\x01")
    assert (await socket.recv())["code"] == "bad_request"


async def test_errors_for_missing_and_too_long(open_socket, user_with_token):
    ada, _ada_token = await sync_to_async(user_with_token)("ada")
    _, bob_token = await sync_to_async(user_with_token)("bob")
    await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    bob, _ = await hello(open_socket, bob_token)
    await bob.send(type="subscribe", room="nope", ref="1")
    assert (await bob.recv())["code"] == "not_found"
    await bob.send(type="post", room="g", body="x" * 4001, client_id=str(uuid.uuid4()))
    assert (await bob.recv())["code"] == "too_long"
    assert await sync_to_async(Message.objects.count)() == 0


@pytest.mark.parametrize("legacy", [False, True], ids=["suffixed", "legacy-slug"])
async def test_an_invisible_private_room_answers_as_a_missing_one(
    open_socket, user_with_token, make_legacy_private_room, legacy
):
    ada, _ada_token = await sync_to_async(user_with_token)("ada")
    _, bob_token = await sync_to_async(user_with_token)("bob")
    if legacy:
        room = await sync_to_async(make_legacy_private_room)(ada, "secret")
    else:
        room = await sync_to_async(room_create)(owner=ada, name="Secret", private=True)
    await sync_to_async(message_post)(author=ada, room=room, body="hidden", client_id=uuid.uuid4())
    bob, _ = await hello(open_socket, bob_token)

    async def answers(slug: str) -> list[dict]:
        frames = []
        for frame in (
            {"type": "subscribe", "room": slug},
            {"type": "subscribe", "room": slug, "since": 0},
            {"type": "history", "room": slug},
            {"type": "typing", "room": slug},
            {"type": "post", "room": slug, "body": "x", "client_id": str(uuid.uuid4())},
        ):
            await bob.send(**frame, ref="f")
            frames.append(
                orjson.loads(orjson.dumps(await bob.recv()).decode().replace(slug, "NAME"))
            )
        return frames

    missing = await answers("no-such-room")
    assert {frame["code"] for frame in missing} == {"not_found"}
    assert await answers(room.slug) == missing
    assert await sync_to_async(Message.objects.count)() == 1


async def test_invited_member_may_use_private_room(open_socket, user_with_token):
    ada, _ = await sync_to_async(user_with_token)("ada")
    _, bob_token = await sync_to_async(user_with_token)("bob")
    room = await sync_to_async(room_create)(owner=ada, name="s", slug="secret", private=True)
    await sync_to_async(room_invite)(room=room, by=ada, username="bob")
    bob, _ = await hello(open_socket, bob_token)
    assert (await bob.post(room.slug, "in"))["seq"] == 1


async def test_post_rate_limit_answers_rate_limited_with_retry_after(
    open_socket, user_with_token, settings
):
    settings.PARLEY_POST_RATE = (1.0, 2)
    ada, token = await sync_to_async(user_with_token)("ada")
    await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    socket, _ = await hello(open_socket, token)
    await socket.post("g", "1")
    await socket.post("g", "2")
    await socket.send(type="post", room="g", body="3", client_id=str(uuid.uuid4()), ref="r")
    frame = await socket.recv()
    assert frame["code"] == "rate_limited" and 0 < frame["retry_after"] <= 1 and frame["ref"] == "r"
    assert await sync_to_async(Message.objects.count)() == 2


async def test_frame_flood_closes_4429(open_socket, settings):
    settings.PARLEY_FRAME_RATE = (1.0, 5)
    socket, _ = await hello(open_socket)
    for _ in range(6):
        await socket.send(type="ping")
    codes = [(await socket.communicator.receive_output(3)) for _ in range(6)]
    assert (codes[-1]["type"], codes[-1]["code"]) == ("websocket.close", 4429)


async def test_oversized_frame_closes_1009(open_socket):
    socket, _ = await hello(open_socket)
    await socket.send(type="ping", ref="x" * (64 * 1024))
    assert await socket.closed_with() == 1009


async def test_repeated_garbage_closes_4400(open_socket):
    socket, _ = await hello(open_socket)
    for _ in range(21):
        await socket.send_text("garbage")
    outputs = [await socket.communicator.receive_output(3) for _ in range(21)]
    assert (outputs[-1]["type"], outputs[-1]["code"]) == ("websocket.close", 4400)


async def test_database_failure_answers_unavailable_and_never_acks(
    open_socket, user_with_token, monkeypatch
):
    from django.db import OperationalError

    from realtime import sessions

    def down(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(sessions, "post", down)
    await sync_to_async(room_create)(owner=None, name="g", slug="g")
    socket, _ = await hello(open_socket)
    await socket.send(type="post", room="g", body="x", client_id=str(uuid.uuid4()), ref="p")
    assert (await socket.recv())["code"] == "unavailable"
    assert await socket.silent()


async def test_member_frames_follow_joins_and_leaves(open_socket, user_with_token):
    from chat.services.rooms import room_join, room_leave

    ada, token = await sync_to_async(user_with_token)("ada")
    bob, _ = await sync_to_async(user_with_token)("bob")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    socket, _ = await hello(open_socket, token)
    await socket.send(type="subscribe", room="g")
    await socket.recv()
    _, tutorial = await open_socket("/ws/chat/g/")
    await sync_to_async(room_join)(room=room, user=bob)
    await sync_to_async(room_leave)(room=room, user=bob)
    user = user_payload(bob)
    assert await socket.recv() == {"type": "member", "room": "g", "user": user, "change": "joined"}
    assert await socket.recv() == {"type": "member", "room": "g", "user": user, "change": "left"}
    assert await tutorial.silent()  # the tutorial protocol has no member frames
