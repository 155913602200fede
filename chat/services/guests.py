"""Cleaning up guests: the identities anonymous visitors get on their first write.

A guest who never posted or reacted is deleted once idle. One who did is kept, because its
messages must keep their author (and the name they were shown with), and its reactions their
user (deleting them would change rooms without a change in their event streams), but
deactivated: no session or socket becomes that guest again, and a returning visitor's next
write makes a new guest. Nothing is ever lost.
"""

from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.models import User

from ..models import Message, Reaction


def guest_cleanup(*, idle: timedelta) -> tuple[int, int]:
    """Clean up guests made more than `idle` ago with no message or reaction within `idle`.
    Returns (deleted, deactivated). Safe to run from several processes at once."""
    cutoff = timezone.now() - idle
    messages = Message.objects.filter(author=OuterRef("pk"))
    reactions = Reaction.objects.filter(user=OuterRef("pk"))
    idle_guests = User.objects.filter(is_guest=True, date_joined__lt=cutoff)
    silent = idle_guests.filter(~Exists(messages) & ~Exists(reactions))
    _, per_model = silent.delete()
    deleted = per_model.get(User._meta.label, 0)
    quiet = idle_guests.filter(is_active=True).filter(
        (Exists(messages) | Exists(reactions))
        & ~Exists(messages.filter(created_at__gte=cutoff))
        & ~Exists(reactions.filter(created_at__gte=cutoff))
    )
    deactivated = quiet.update(is_active=False)
    return deleted, deactivated
