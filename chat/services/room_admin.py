"""What a room's owner (or a Parley administrator) does to the room as a whole: hand it over,
archive it, unarchive it. Renaming (`room_update`) and removing members (`member_remove`) live
with the room's other writes in chat/services/rooms.py and ask `room_may_manage` too.

Each change is a `room_updated` in the room's event stream carrying the room's name, topic,
owner and archived state after it (`room_updated_record`), so that live and resuming clients
set all four from one frame.
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from parley import events
from parley.errors import Forbidden, NotFound

from ..models import Room
from ..payloads import user_payload
from . import stream


def room_may_manage(*, room: Room, by: User) -> bool:
    """Who renames a room, changes its topic, removes its members, hands it over and archives
    it: its owner, or a Parley administrator (staff or superuser). A room whose owner's account
    is gone (`owner` None) is managed by administrators only. A DM is nobody's to manage: it
    is its people's, as they are."""
    if room.kind == Room.Kind.DM:
        return False
    return by.is_active and (room.owner_id == by.pk or by.is_staff or by.is_superuser)


def room_updated_record(*, room: Room, seq: int, by: User) -> events.RoomChange:
    """Record `room` as it now is (name, topic, owner, archived, wide mentions) at `seq`,
    changed by `by`.
    Call inside the change's transaction, after `stream.allocate` gave `seq`."""
    room.last_event_seq = seq
    owner = room.owner
    return stream.record(
        events.RoomUpdated,
        room=room,
        seq=seq,
        name=room.name,
        topic=room.topic,
        owner=user_payload(owner) if owner is not None else None,
        archived=room.archived_at is not None,
        wide_mentions=room.wide_mentions,
        user=user_payload(by),
    )


def room_owner_transfer(*, room: Room, by: User, username: str) -> Room:
    """Make member `username` the room's owner; the old owner stays a member. An archived
    room can be handed over too (its owner may want to leave it). Handing it to its owner
    changes and records nothing. Forbidden unless `by` may manage the room; NotFound when
    `username` is not a member (a guest or a deactivated account never is one)."""
    if not room_may_manage(room=room, by=by):
        raise Forbidden("Only the room's owner or an administrator hands it over.")
    with transaction.atomic():
        _, seq = stream.allocate(room, archived_ok=True)
        heir = User.objects.filter(
            username=username, memberships__room=room, is_active=True, is_guest=False
        ).first()
        if heir is None:
            raise NotFound(f"{username!r} is not a member of #{room.slug}: invite them first.")
        current = _locked_copy(room)
        if current.owner_id == heir.pk:
            transaction.set_rollback(True)  # nothing changes: give the event seq back
            current.last_event_seq = seq - 1
        else:
            current.owner = heir
            Room.objects.filter(pk=room.pk).update(owner=heir)
            room_updated_record(room=current, seq=seq, by=by)
    _copy_state(current, to=room)
    return room


def room_archive(*, room: Room, by: User) -> Room:
    """Archive the room: read-only (posts, edits, reactions, pins, renames, joins and
    invitations are refused with `room_archived`), left out of listings, its history kept and
    readable by whoever could read it. Archiving an archived room changes nothing."""
    return _archived_set(room=room, by=by, archived=True)


def room_unarchive(*, room: Room, by: User) -> Room:
    """Open an archived room again, as it was."""
    return _archived_set(room=room, by=by, archived=False)


def _archived_set(*, room: Room, by: User, archived: bool) -> Room:
    """Forbidden unless `by` may manage the room."""
    if not room_may_manage(room=room, by=by):
        raise Forbidden("Only the room's owner or an administrator archives or unarchives it.")
    with transaction.atomic():
        _, seq = stream.allocate(room, archived_ok=True)
        current = _locked_copy(room)
        if (current.archived_at is not None) == archived:
            transaction.set_rollback(True)  # nothing changes: give the event seq back
            current.last_event_seq = seq - 1
        else:
            current.archived_at = timezone.now() if archived else None
            Room.objects.filter(pk=room.pk).update(archived_at=current.archived_at)
            room_updated_record(room=current, seq=seq, by=by)
    _copy_state(current, to=room)
    return room


def _locked_copy(room: Room) -> Room:
    """The room as committed, read after `stream.allocate` (which holds its lock)."""
    return Room.objects.select_related("owner").get(pk=room.pk)


def _copy_state(current: Room, *, to: Room) -> None:
    """Bring the caller's `to` up to date with what the service left in `current`."""
    for field in ("name", "sort_name", "topic", "owner", "archived_at", "last_event_seq"):
        setattr(to, field, getattr(current, field))
