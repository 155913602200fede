"""The room's event stream rebuilds the room: a snapshot of its messages taken at event seq S,
with every change after S applied (as replayed by stream_range, or as published live), equals
the messages as the database holds them. The rules applied here are those docs/api.md gives
clients ("Applying changes")."""

import copy
import random
import uuid

import pytest

from chat.models import Message, Room
from chat.selectors import message_payloads, stream_range
from chat.services.messages import message_delete, message_edit, message_post
from chat.services.pins import message_pin, message_unpin
from chat.services.reactions import reaction_toggle
from chat.services.rooms import room_update
from parley import events
from parley.errors import NotFound
from realtime.delivery.encoders import v2_frame
from tests.timeline import Timeline

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot(room) -> dict:
    """What a client holds after reading the room: its messages (thread replies too) as they
    are now, by id, and the room's name, topic and event seq."""
    room = Room.objects.get(pk=room.pk)
    messages = list(Message.objects.filter(room=room).select_related("author").order_by("pk"))
    return {
        "seq": room.last_event_seq,
        "name": room.name,
        "topic": room.topic,
        "messages": {p["id"]: p for p in message_payloads(messages, room_slug=room.slug)},
    }


def apply(state: dict, change: events.RoomChange) -> None:
    """Apply one change as a client does (tests/timeline.py, on the change's v2 frame)."""
    timeline = Timeline(state["seq"])
    timeline.messages, timeline.name, timeline.topic = (
        state["messages"],
        state["name"],
        state["topic"],
    )
    timeline.apply(v2_frame(change))
    state.update(seq=timeline.seq, name=timeline.name, topic=timeline.topic)


def replayed(room, state: dict) -> dict:
    last = Room.objects.get(pk=room.pk).last_event_seq
    for change in stream_range(room_id=room.pk, after=state["seq"], upto=last):
        apply(state, change)
    return state


def live(state: dict, published: list[events.RoomChange]) -> dict:
    for change in published:
        if change.seq > state["seq"]:
            apply(state, change)
    return state


def test_every_kind_of_change_replays_to_the_current_state(make_user, make_room, post, published):
    ada, bob, carol = make_user(), make_user(), make_user()
    room = make_room(ada, name="Ops")
    root = post(ada, room, "root")
    old = post(bob, room, "old")
    reaction_toggle(by=carol, room=room, message_id=old.pk, emoji="👍")
    before = snapshot(room)
    published.clear()

    first = post(bob, room, "reply", thread_root=root.pk)
    post(carol, room, "also in the room", thread_root=root.pk, also_to_room=True)
    message_edit(by=bob, room=room, message_id=old.pk, body="old, edited")
    reaction_toggle(by=ada, room=room, message_id=old.pk, emoji="👍")
    reaction_toggle(by=carol, room=room, message_id=old.pk, emoji="👍")
    reaction_toggle(by=bob, room=room, message_id=root.pk, emoji="🎉")
    reaction_toggle(by=bob, room=room, message_id=first.pk, emoji="👀")
    message_pin(by=carol, room=room, message_id=root.pk)
    message_pin(by=carol, room=room, message_id=old.pk)
    message_unpin(by=ada, room=room, message_id=old.pk)
    message_edit(by=ada, room=room, message_id=root.pk, body="root, edited")
    message_delete(by=ada, room=room, message_id=first.pk)
    room_update(room=room, by=ada, name="Operations", topic="On call")
    late = post(ada, room, "edited after its reactions")
    reaction_toggle(by=bob, room=room, message_id=late.pk, emoji="✅")
    message_edit(by=ada, room=room, message_id=late.pk, body="edited last")
    message_delete(by=bob, room=room, message_id=old.pk)

    now = snapshot(room)
    assert replayed(room, copy.deepcopy(before)) == now
    assert live(copy.deepcopy(before), published) == now
    assert now["messages"][root.pk]["reply_count"] == 1
    assert now["messages"][old.pk]["deleted"]


def test_random_interleavings_replay_to_the_current_state(make_user, make_room, published):
    """Several users post, reply, edit, delete, react and pin at random; a client resuming from
    each of a few points, and one following live, end with the database's state."""
    rng = random.Random(8)
    users = [make_user() for _ in range(4)]
    room = make_room(users[0])
    ids: list[int] = []
    resumes = []
    for step in range(160):
        user = rng.choice(users)
        action = rng.choice(
            ["post", "reply", "reply", "edit", "delete", "react", "react", "react", "pin"]
        )
        if step % 40 == 0:
            resumes.append(snapshot(room))
        if action == "post" or not ids:
            message = message_post(author=user, room=room, body=f"m{step}", client_id=uuid.uuid4())[
                0
            ]
            ids.append(message.pk)
            continue
        target = rng.choice(ids[-6:])  # recent ones, so that changes meet
        try:
            if action == "reply":
                reply = message_post(
                    author=user,
                    room=room,
                    body=f"r{step}",
                    client_id=uuid.uuid4(),
                    thread_root=target,
                    also_to_room=rng.random() < 0.3,
                )[0]
                ids.append(reply.pk)
            elif action == "edit":
                author = Message.objects.get(pk=target).author
                message_edit(by=author, room=room, message_id=target, body=f"e{step}")
            elif action == "delete":
                message_delete(by=users[0], room=room, message_id=target)
            elif action == "react":
                emoji = rng.choice(["👍", "🎉"])
                reaction_toggle(by=user, room=room, message_id=target, emoji=emoji)
            else:
                pin = message_pin if rng.random() < 0.6 else message_unpin
                pin(by=user, room=room, message_id=target)
        except NotFound:
            pass  # a deleted message, or the root of a deleted thread: nothing changes
    now = snapshot(room)
    assert [e.seq for e in published] == list(range(1, now["seq"] + 1))
    for state in resumes:
        assert replayed(room, copy.deepcopy(state)) == now
    assert live(snapshot_empty(room), published) == now


def snapshot_empty(room) -> dict:
    """A client that held nothing before the room's first change."""
    return {"seq": 0, "name": Room.objects.get(pk=room.pk).name, "topic": "", "messages": {}}
