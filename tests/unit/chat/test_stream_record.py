"""Every service that changes a room: its change takes the room's next event seq, is stored
(RoomEvent, or the message's event_seq for a post), and is published only once the surrounding
transaction commits; a rolled-back one leaves nothing, not even a used seq."""

import uuid

import pytest
from django.db import transaction

from chat.models import Message, Room, RoomEvent
from chat.services.messages import message_delete, message_edit, message_post
from chat.services.pins import message_pin, message_unpin
from chat.services.reactions import reaction_add, reaction_remove
from chat.services.rooms import room_update

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scene(make_user, make_room, post):
    """(ada, room, message, reply): ada's room with her message, and a reply in its thread;
    ada has reacted 👍 to the message and pinned it, so every change below has something to
    change."""
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "message")
    reply = post(ada, room, "reply", thread_root=message.pk)
    reaction_add(by=ada, room=room, message_id=message.pk, emoji="👍")
    message_pin(by=ada, room=room, message_id=message.pk)
    return ada, room, message, reply


CHANGES = {
    "message": lambda ada, room, m, r: message_post(
        author=ada, room=room, body="new", client_id=uuid.uuid4()
    ),
    "reply": lambda ada, room, m, r: message_post(
        author=ada, room=room, body="re", client_id=uuid.uuid4(), thread_root=m.pk
    ),
    "message_edited": lambda ada, room, m, r: message_edit(
        by=ada, room=room, message_id=m.pk, body="edited"
    ),
    "message_deleted": lambda ada, room, m, r: message_delete(by=ada, room=room, message_id=r.pk),
    "reaction_added": lambda ada, room, m, r: reaction_add(
        by=ada, room=room, message_id=m.pk, emoji="🎉"
    ),
    "reaction_removed": lambda ada, room, m, r: reaction_remove(
        by=ada, room=room, message_id=m.pk, emoji="👍"
    ),
    "message_pinned": lambda ada, room, m, r: message_pin(by=ada, room=room, message_id=r.pk),
    "message_unpinned": lambda ada, room, m, r: message_unpin(by=ada, room=room, message_id=m.pk),
    "room_updated": lambda ada, room, m, r: room_update(room=room, by=ada, topic="new topic"),
}


def stream_seqs(room) -> list[int]:
    posts = Message.objects.filter(room=room).values_list("event_seq", flat=True)
    others = RoomEvent.objects.filter(room=room).values_list("seq", flat=True)
    return sorted([*posts, *others])


@pytest.mark.parametrize("kind", list(CHANGES))
def test_a_change_takes_the_next_seq_and_is_published_after_commit(kind, scene, published):
    ada, room, message, reply = scene
    before = Room.objects.get(pk=room.pk).last_event_seq
    published.clear()
    with transaction.atomic():
        CHANGES[kind](ada, room, message, reply)
        assert published == []
    [change] = published
    assert change.type == ("message" if kind == "reply" else kind)
    assert change.seq == before + 1 == Room.objects.get(pk=room.pk).last_event_seq
    assert stream_seqs(room) == list(range(1, before + 2))


@pytest.mark.parametrize("kind", list(CHANGES))
def test_a_rolled_back_change_leaves_nothing(kind, scene, published):
    ada, room, message, reply = scene
    before = Room.objects.get(pk=room.pk).last_event_seq
    rows = stream_seqs(room)
    published.clear()
    with pytest.raises(RuntimeError), transaction.atomic():
        CHANGES[kind](ada, room, message, reply)
        raise RuntimeError("the surrounding work failed")
    assert published == []
    assert Room.objects.get(pk=room.pk).last_event_seq == before
    assert stream_seqs(room) == rows
    message.refresh_from_db()
    assert (message.body, message.reply_count, message.pinned_at is not None) == (
        "message",
        1,
        True,
    )
