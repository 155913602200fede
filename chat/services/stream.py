"""A room's event stream: every durable change takes the room's next event seq, in the
transaction that makes it, and is published after that transaction commits.

A post is counted twice in one statement (`allocate(room, message=True)`): its message number
(`Message.seq`, what protocol v1 and REST count) and its event seq. Every other change is a
`RoomEvent` row (`record`). The room row's write lock, taken by the UPDATE, queues concurrent
changes to one room until each commits, so both counters stay contiguous and the stream's order
is the commit order: concurrent edits of one message are decided by it, everywhere alike.
"""

from typing import Any

from django.db import connection, transaction

from parley import events

from ..models import Message, Room, RoomEvent
from ..selectors import message_payloads, room_read_only


def allocate(room: Room, *, message: bool = False, archived_ok: bool = False) -> tuple[int, int]:
    """(the room's message count, its next event seq), taking the event seq, and a message
    number too when `message`. Call inside the transaction that stores the change.

    Raises RoomArchived when the room is archived, unless `archived_ok` (what an archived room
    still allows: handing it over, unarchiving it, members leaving): read under the room's
    lock, so a change racing an archive is refused once the archive has committed, and the
    raise rolls the taken seq back with the caller's transaction. Sets `room.wide_mentions`
    as it is now too (a socket holds its rooms for as long as it is open)."""
    table = Room._meta.db_table
    counted = "last_seq = last_seq + 1, " if message else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {counted}last_event_seq = last_event_seq + 1 WHERE id = %s "
            "RETURNING last_seq, last_event_seq, archived_at, wide_mentions",
            [room.pk],
        )
        last_seq, event_seq, archived_at, room.wide_mentions = cursor.fetchone()
    if archived_at is not None and not archived_ok:
        raise room_read_only(room)
    return last_seq, event_seq


# Fields of a change that are read as they are now, never stored: the changed message's payload
# (so a deleted body is gone from the stream too) and its thread root's summary.
DERIVED = ("message", "root")


def record(
    change: type[events.RoomChange],
    /,
    *,
    room: Room,
    seq: int | None = None,
    message: Message | None = None,
    **fields: Any,
) -> events.RoomChange:
    """Store a change (other than a post) at the room's next event seq, or at `seq` when the
    caller took it already (`allocate`, first thing in its transaction, to hold the room's lock
    while it reads what it changes), and publish it once the surrounding transaction commits.
    `message` is the message it changes, whose `version` becomes this seq. A change with a
    `message` field (`MessageEdited`, `MessageDeleted`) carries the message's payload as it is
    after the change, and a `root` field its thread root's summary (the caller passes it);
    neither is stored: a replay reads them as they are then (`chat.selectors.stream_range`)."""
    with transaction.atomic():
        if seq is None:
            # Only membership changes are recorded without a seq taken: members may leave an
            # archived room (joining and inviting are refused before this).
            _, seq = allocate(room, archived_ok=True)
        RoomEvent.objects.create(
            room=room,
            seq=seq,
            type=change.type,
            message=message,
            data={name: value for name, value in fields.items() if name not in DERIVED},
        )
        if message is not None:
            Message.objects.filter(pk=message.pk).update(version=seq)
            message.version = seq
            if "message" in change.__dataclass_fields__:
                fields["message"] = message_payloads([message], room_slug=room.slug)[0]
        event = change(room_id=room.pk, room=room.slug, seq=seq, **fields)
        events.publish_on_commit(event)
    return event
