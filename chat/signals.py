"""A membership ends however it is deleted: by room_leave or member_remove, in the admin, or
with its room or user. Watching the row rather than the callers announces every one of them."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from parley import events

from .models import Membership
from .selectors import room_can_see
from .services.rooms import ending_reason, member_changed


@receiver(post_delete, sender=Membership)
def _membership_deleted(sender, instance: Membership, **kwargs) -> None:
    """Announce it after commit: to the room's subscribers (`member` left), and to the user's
    own stream, whose sockets stop delivering the room if the user may no longer see it."""
    room, user = instance.room, instance.user
    member_changed(room=room, user=user, change="left")
    events.publish_on_commit(
        events.membership_ended(
            user_id=user.pk,
            room_id=room.pk,
            room=room.slug,
            reason=ending_reason.get(),
            can_see=room_can_see(room=room, user=user),
        )
    )
