"""Where each member has read up to in each conversation, and how it notifies them.

One source of truth, on the server: a read marker per (user, room) (`Membership.last_read`, a
room event seq). Moving it in one tab or device moves it in every other at once
(`ReadMarkerMoved` on the user's stream, with the server's counts at the new marker).
"""

from django.db import transaction
from django.db.models import F

from accounts.models import User
from parley import events
from parley.errors import BadRequest

from ..models import Membership, Message, Notify, Room
from ..selectors import conversation_memberships, message_missing, room_missing


def _membership(*, user: User, room: Room) -> Membership:
    """The user's membership of the room; NotFound (the room's own error, as for a room that
    does not exist) when they are not a member: only members have markers."""
    membership = Membership.objects.filter(room=room, user=user).first()
    if membership is None or not user.is_authenticated:
        raise room_missing(room.slug)
    return membership


def _announce(*, user: User, room_ids: list[int]) -> None:
    """Tell every socket of `user` where its markers in these rooms are now, with the counts."""
    for membership in conversation_memberships(user=user, room_ids=room_ids):
        events.publish_on_commit(
            events.ReadMarkerMoved(
                user_id=user.pk,
                room_id=membership.room_id,
                room=membership.room.slug,
                last_read=membership.last_read,
                unread=membership.unread,  # type: ignore[attr-defined]
                mentions=membership.mentions,  # type: ignore[attr-defined]
            )
        )


def marker_read(*, user: User, room: Room, seq: int | None = None) -> int:
    """Mark the room read up to event seq `seq` (everything when None). The marker only moves
    forward here (a tab that read less than another does not undo it) and never past the
    room's newest event. Returns the marker."""
    if seq is not None and seq < 0:
        raise BadRequest("seq is a room event seq, 0 or more.")
    with transaction.atomic():
        membership = _membership(user=user, room=room)
        newest = Room.objects.values_list("last_event_seq", flat=True).get(pk=room.pk)
        target = newest if seq is None else min(seq, newest)
        if target <= membership.last_read:
            return membership.last_read
        Membership.objects.filter(pk=membership.pk, last_read__lt=target).update(last_read=target)
        _announce(user=user, room_ids=[room.pk])
    return target


def marker_unread_from(*, user: User, room: Room, message_id: int) -> int:
    """Mark the room unread from message `message_id` on ("mark unread from here"): the marker
    moves back to just before it. Returns the marker."""
    with transaction.atomic():
        membership = _membership(user=user, room=room)
        message = Message.objects.filter(pk=message_id, room=room, deleted_at__isnull=True).first()
        if message is None:
            raise message_missing(message_id)
        membership.last_read = message.event_seq - 1
        membership.save(update_fields=["last_read"])
        _announce(user=user, room_ids=[room.pk])
    return membership.last_read


def markers_read_all(*, user: User) -> int:
    """Mark every conversation of the user read ("mark all read"); how many markers moved."""
    with transaction.atomic():
        behind = list(
            Membership.objects.filter(user=user, last_read__lt=F("room__last_event_seq"))
            .select_for_update()
            .values_list("pk", "room_id", "room__last_event_seq")
        )
        for pk, _, newest in behind:
            Membership.objects.filter(pk=pk).update(last_read=newest)
        if behind:
            _announce(user=user, room_ids=[room_id for _, room_id, _ in behind])
    return len(behind)


def notify_set(*, user: User, room: Room, notify: str) -> str:
    """Choose how the room notifies the user: "all", "mentions", "none", or "" for the
    default. Returns the setting."""
    if notify not in {"", *Notify.values}:
        raise BadRequest('notify is one of "all", "mentions", "none" or "" (the default).')
    with transaction.atomic():
        membership = _membership(user=user, room=room)
        membership.notify = notify
        membership.save(update_fields=["notify"])
    return notify
