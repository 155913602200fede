"""A membership ends however it is deleted: by room_leave or member_remove, in the admin, or
with its room or user. Watching the row rather than the callers announces every one of them.
A link preview's stored image goes with its row however that is deleted, too; likewise a
file's stored bytes."""

import logging

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from parley import events
from parley.storage import files_storage

from .models import Attachment, LinkPreview, Membership, Room
from .selectors import room_can_see
from .services.previews import images_delete_on_commit
from .services.rooms import ending_reason, member_changed

logger = logging.getLogger(__name__)


@receiver(post_delete, sender=Membership)
def _membership_deleted(sender, instance: Membership, origin=None, **kwargs) -> None:
    """Record it in the room's stream (`member` left or removed), and tell the user's own
    stream, whose sockets stop delivering the room if the user may no longer see it. A room
    being deleted records nothing in its own stream (it goes with the room)."""
    room, user, reason = instance.room, instance.user, ending_reason.get()
    if not _deleting_room(origin):
        member_changed(room=room, user=user, change=reason)
    events.publish_on_commit(
        events.MembershipEnded(
            user_id=user.pk,
            room_id=room.pk,
            room=room.slug,
            reason=reason,
            can_see=room_can_see(room=room, user=user),
        )
    )


def _deleting_room(origin) -> bool:
    """Whether the deletion that removed the membership started at a room (or rooms)."""
    model = getattr(origin, "model", type(origin))
    return model is Room


@receiver(post_delete, sender=LinkPreview)
def _preview_deleted(sender, instance: LinkPreview, **kwargs) -> None:
    """Its thumbnail leaves the storage once the deletion commits (an edit dropping the link,
    the message deleted, or its room or author deleted in the admin)."""
    if instance.image:
        images_delete_on_commit([instance.image.name])


@receiver(post_delete, sender=Attachment)
def _bytes_delete(sender, instance: Attachment, **kwargs) -> None:
    """Delete a file's stored bytes once the deletion of its row commits (never before: a
    rolled-back deletion keeps them)."""
    names = [name for name in (instance.file.name, instance.thumbnail.name) if name]

    def delete() -> None:
        storage = files_storage()
        for name in names:
            try:
                storage.delete(name)
            except Exception:
                logger.exception("could not delete stored file %s", name)

    transaction.on_commit(delete)
