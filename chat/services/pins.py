"""Pinning messages in a room (chat.selectors.message_list_pinned lists them).

Pinning a pinned message, or unpinning one that is not, changes and records nothing. A deleted
message loses its pin with its body (chat.services.messages.message_delete).
"""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from parley import events
from parley.errors import Forbidden
from throttle.services import post_admit

from ..models import Message, Room
from ..payloads import user_payload
from ..selectors import message_get
from . import stream


def pin_may_change(*, user: User) -> bool:
    """Who pins and unpins, in the rooms they may see (anyone signed up in a public room, a
    member in a private one): a signed-up user, not a guest."""
    return user.is_authenticated and not user.is_guest


def message_pin(*, by: User, room: Room, message_id: int) -> Message:
    """Pin the message to the room. Records MessagePinned."""
    return _pin(by=by, room=room, message_id=message_id, pinned=True)


def message_unpin(*, by: User, room: Room, message_id: int) -> Message:
    """Unpin the message. Records MessageUnpinned."""
    return _pin(by=by, room=room, message_id=message_id, pinned=False)


def _pin(*, by: User, room: Room, message_id: int, pinned: bool) -> Message:
    """NotFound for a message that is missing, deleted or in a room `by` may not see;
    Forbidden for a user who may not pin (`pin_may_change`)."""
    if not pin_may_change(user=by):
        raise Forbidden("Guests cannot pin messages; sign up first.")
    post_admit(user_id=by.pk)  # pins count as posts, as every change to a room does
    with transaction.atomic():
        _, seq = stream.allocate(room)
        message = message_get(room=room, message_id=message_id, user=by)
        if (message.pinned_at is not None) == pinned:
            transaction.set_rollback(True)  # nothing changes: give the event seq back
            return message
        message.pinned_at = timezone.now() if pinned else None
        message.pinned_by = by if pinned else None
        message.save(update_fields=["pinned_at", "pinned_by"])
        stream.record(
            events.MessagePinned if pinned else events.MessageUnpinned,
            room=room,
            seq=seq,
            message=message,
            message_id=message.pk,
            user=user_payload(by),
        )
    return message
