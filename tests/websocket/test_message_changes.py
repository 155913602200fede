"""The frames that change messages (edit, delete, react, unreact, pin, unpin, thread posts
and thread history) on both versions: answered with `done`, delivered as room changes on
version 2 only, and resumed like everything else."""

import uuid

import pytest
from asgiref.sync import sync_to_async

from chat.models import Message, MessageEdit, Reaction
from chat.services.messages import message_post
from chat.services.rooms import room_create

pytestmark = pytest.mark.django_db(transaction=True)

V2 = "/ws/?protocol=2"


async def connect(open_socket, token, path=V2):
    connected, socket = await open_socket(path, token=token)
    assert connected and (await socket.recv())["type"] == "hello"
    if "protocol=2" in path:
        assert (await socket.recv())["type"] == "ready"
    return socket


async def subscribe(socket, room, since=None):
    extra = {} if since is None else {"since": since}
    await socket.send(type="subscribe", room=room, **extra)
    frame = await socket.recv()
    assert frame["type"] == "subscribed", frame
    return frame


@pytest.fixture
async def room_of_two(open_socket, user_with_token):
    """ada (owner) and bob in public room "g", each with a v2 socket subscribed, ada's first
    message posted (event 1) and bob's membership (event 2) seen."""
    ada, ada_token = await sync_to_async(user_with_token)("ada")
    bob, bob_token = await sync_to_async(user_with_token)("bob")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    first, _ = await sync_to_async(message_post)(
        author=ada, room=room, body="first", client_id=uuid.uuid4()
    )
    a, b = await connect(open_socket, ada_token), await connect(open_socket, bob_token)
    await subscribe(a, "g")
    await subscribe(b, "g")
    return {
        "ada": ada,
        "bob": bob,
        "room": room,
        "first": first,
        "a": a,
        "b": b,
        "tokens": (ada_token, bob_token),
    }


async def test_an_edit_is_done_then_delivered_to_every_v2_socket(room_of_two, open_socket):
    a, b, first = room_of_two["a"], room_of_two["b"], room_of_two["first"]
    old = await connect(open_socket, room_of_two["tokens"][1], "/ws/")
    await subscribe(old, "g")
    await a.send(type="edit", room="g", id=first.pk, body="first, *edited*", ref="e")
    done = await a.recv()
    assert done == {"type": "done", "room": "g", "seq": 2, "ref": "e"}
    for socket in (a, b):
        frame = await socket.recv()
        assert (frame["type"], frame["seq"]) == ("message_edited", 2)
        message = frame["message"]
        assert message["body"] == "first, *edited*" and message["edited_at"] is not None
        assert message["version"] == 2
    assert await old.silent()  # version 1 sees no change frame...
    await old.send(type="history", room="g")
    history = await old.recv()  # ...but its history shows the message as it is now
    assert history["messages"][0]["body"] == "first, *edited*"
    assert await sync_to_async(MessageEdit.objects.filter(message=first).count)() == 1


async def test_only_the_author_edits_and_a_missing_message_is_not_found(room_of_two):
    b, first = room_of_two["b"], room_of_two["first"]
    await b.send(type="edit", room="g", id=first.pk, body="mine now", ref="1")
    assert (await b.recv())["code"] == "forbidden"
    await b.send(type="edit", room="g", id=first.pk + 1000, body="x", ref="2")
    assert (await b.recv())["code"] == "not_found"
    await b.send(type="edit", room="g", id=0, body="x", ref="3")
    assert (await b.recv())["code"] == "bad_request"


async def test_a_message_in_a_room_you_cannot_see_is_not_found_like_a_missing_one(
    room_of_two, open_socket, user_with_token
):
    ada, b = room_of_two["ada"], room_of_two["b"]
    secret = await sync_to_async(room_create)(owner=ada, name="s", private=True)
    hidden, _ = await sync_to_async(message_post)(
        author=ada, room=secret, body="hidden", client_id=uuid.uuid4()
    )
    answers = []
    for slug, message_id in ((secret.slug, hidden.pk), ("nope", hidden.pk)):
        await b.send(type="react", room=slug, id=message_id, emoji="👍")
        answers.append(await b.recv())
    assert answers[0] == {**answers[1], "message": answers[0]["message"]}
    assert answers[0]["code"] == "not_found"
    await b.send(type="react", room="g", id=hidden.pk, emoji="👍")  # right id, wrong room
    assert (await b.recv())["code"] == "not_found"


async def test_reactions_toggle_once_per_person_and_emoji(room_of_two):
    a, b, first = room_of_two["a"], room_of_two["b"], room_of_two["first"]
    await b.send(type="react", room="g", id=first.pk, emoji="👍", ref="r")
    assert (await b.recv())["seq"] == 2
    for socket in (a, b):
        frame = await socket.recv()
        assert frame["type"] == "reaction_added" and frame["seq"] == 2
        assert (frame["message_id"], frame["emoji"], frame["count"]) == (first.pk, "👍", 1)
        assert frame["user"]["username"] == "bob"
    await b.send(type="react", room="g", id=first.pk, emoji="👍", ref="again")
    assert await b.recv() == {"type": "done", "room": "g", "seq": 2, "ref": "again"}
    assert await a.silent()  # nothing changed, nothing recorded
    await b.send(type="react", room="g", id=first.pk, emoji="not an emoji")
    assert (await b.recv())["code"] == "bad_request"
    await b.send(type="unreact", room="g", id=first.pk, emoji="👍")
    assert (await b.recv())["seq"] == 3
    frame = await a.recv()
    assert (frame["type"], frame["seq"], frame["count"]) == ("reaction_removed", 3, 0)
    assert await sync_to_async(Reaction.objects.count)() == 0


async def test_delete_removes_the_body_and_the_owner_may_delete_anyones(room_of_two):
    a, b, room = room_of_two["a"], room_of_two["b"], room_of_two["room"]
    ack = await b.post("g", "a secret I regret")
    await a.recv_until("message")
    await b.recv_until("message")
    await a.send(type="delete", room="g", id=ack["id"], ref="d")  # ada owns the room
    done = await a.recv()
    assert done["type"] == "done" and done["seq"] == ack["seq"] + 1
    for socket in (a, b):
        frame = await socket.recv()
        assert frame["type"] == "message_deleted" and frame["message"]["deleted"] is True
        assert frame["message"]["body"] == "" and frame["message"]["html"] == ""
    stored = await sync_to_async(Message.objects.get)(pk=ack["id"])
    assert stored.body == "" and stored.deleted_at is not None
    await a.send(type="delete", room="g", id=ack["id"])
    assert (await a.recv())["code"] == "not_found"
    assert room.pk  # the room stays


async def test_pins_are_room_changes(room_of_two):
    a, b, first = room_of_two["a"], room_of_two["b"], room_of_two["first"]
    await b.send(type="pin", room="g", id=first.pk)
    assert (await b.recv())["type"] == "done"
    frame = await a.recv()
    assert (frame["type"], frame["message_id"], frame["user"]["username"]) == (
        "message_pinned",
        first.pk,
        "bob",
    )
    assert (await b.recv())["type"] == "message_pinned"
    await a.send(type="unpin", room="g", id=first.pk)
    assert (await a.recv())["type"] == "done"
    assert (await b.recv())["type"] == "message_unpinned"


async def test_a_thread_reply_reaches_v2_with_its_roots_summary_and_skips_v1(
    room_of_two, open_socket
):
    a, b, first = room_of_two["a"], room_of_two["b"], room_of_two["first"]
    old = await connect(open_socket, room_of_two["tokens"][0], "/ws/")
    await subscribe(old, "g")
    ack = await b.post("g", "in the thread", thread_root=first.pk)
    assert ack["number"] is None
    frame = await a.recv_until("message")
    assert frame["message"]["thread_root"] == first.pk and frame["message"]["seq"] is None
    assert frame["root"]["id"] == first.pk and frame["root"]["reply_count"] == 1
    assert (await old.recv())["type"] == "member"  # bob's first post made him a member
    assert await old.silent()  # a reply not sent to the room has no number: v1 never sees it
    ack = await b.post("g", "to the room too", thread_root=first.pk, also_to_room=True)
    assert ack["number"] == 2
    shown = await old.recv_until("message")
    assert (shown["seq"], shown["body"], shown["thread_root"]) == (2, "to the room too", first.pk)
    await a.send(type="history", room="g", thread=first.pk, ref="t")
    thread = await a.recv_until("history")
    assert thread["thread"] == first.pk
    assert [m["body"] for m in thread["messages"]] == ["first", "in the thread", "to the room too"]
    replies = [m for m in thread["messages"] if m["thread_root"] == first.pk]
    await a.send(type="history", room="g", thread=first.pk, after=replies[0]["id"])
    page = await a.recv_until("history")
    assert [m["body"] for m in page["messages"]] == ["to the room too"]
    await a.send(type="history", room="g")
    timeline = await a.recv_until("history")
    assert [m["body"] for m in timeline["messages"]] == ["first", "to the room too"]
    await a.send(type="history", room="g", after=3)
    assert (await a.recv())["code"] == "bad_request"


async def test_resume_replays_every_kind_of_change(room_of_two, open_socket):
    a, b, first, bob = room_of_two["a"], room_of_two["b"], room_of_two["first"], room_of_two["bob"]
    await a.close()
    await b.send(type="react", room="g", id=first.pk, emoji="🎉")
    reply = await b.post("g", "reply", thread_root=first.pk)
    await b.send(type="pin", room="g", id=first.pk)
    await b.recv_until("done")
    await b.send(type="edit", room="g", id=reply["id"], body="reply, edited")
    await b.recv_until("done")
    await b.send(type="delete", room="g", id=reply["id"])
    await b.recv_until("done")
    back = await connect(open_socket, room_of_two["tokens"][0])
    subscribed = await subscribe(back, "g", since=1)
    frames = [await back.recv() for _ in range(subscribed["last_seq"] - 1)]
    assert [f["seq"] for f in frames] == list(range(2, subscribed["last_seq"] + 1))
    assert [f["type"] for f in frames] == [
        "reaction_added",
        "member",  # bob's first post made him a member
        "message",
        "message_pinned",
        "message_edited",
        "message_deleted",
    ]
    # Replayed as they are now: the deleted reply's body is in no frame.
    assert all("reply, edited" not in str(f) and "'reply'" not in str(f) for f in frames)
    assert await back.silent()
    assert bob.pk
