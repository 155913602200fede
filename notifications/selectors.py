"""Which messages an email digest tells a user about.

A message is *due* for a user when all of these hold:
- it is for them: a message of a DM they are in (shown in the room, not only in a thread), one
  that names them (`Mention`), or an `@room`/`@here` (`Message.mentions_wide`) in a room they
  are in, where their `Membership.notify` is not `none`;
- it is unread: after their read marker (`Membership.last_read`), not written by them, not
  deleted;
- it is older than PARLEY_EMAIL_DELAY (read it in the app meanwhile and no email goes), and
  younger than DIGEST_MAX_AGE (a digest is news, not an archive of everything ever missed);
- no earlier digest listed it (`EmailedMessage`).
The recipients are active people (not guests) with an email address who did not turn email
notifications off.
"""

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from accounts.models import User
from chat.models import Membership, Mention, Message, Notify, Room

from .models import EmailedMessage, EmailPreference

DIGEST_MAX_AGE = timedelta(days=7)


def _window(now: datetime) -> tuple[datetime, datetime]:
    """Messages created in (oldest, newest] are old enough to email and young enough to."""
    return now - DIGEST_MAX_AGE, now - timedelta(seconds=settings.PARLEY_EMAIL_DELAY)


def _due(messages: QuerySet[Message], *, user: Any, inner_user: Any, now: datetime) -> QuerySet:
    """Of `messages` (already past the user's read marker in rooms where they are notified),
    the due ones. `user` names the user at the level of `messages`, `inner_user` one subquery
    deeper: the user's id twice, or OuterRef and OuterRef(OuterRef) when counted per membership."""
    oldest, newest = _window(now)
    return (
        messages.filter(created_at__gt=oldest, created_at__lte=newest, deleted_at__isnull=True)
        .exclude(author=user)
        .filter(
            Q(room__kind=Room.Kind.DM, in_room=True)
            | Q(mentions_wide=True, in_room=True)
            | Exists(Mention.objects.filter(message=OuterRef("pk"), user=inner_user))
        )
        .exclude(Exists(EmailedMessage.objects.filter(message=OuterRef("pk"), user=inner_user)))
    )


def _due_memberships(*, now: datetime) -> QuerySet[Membership]:
    """The memberships with something due at `now`: of people who may get email, notified,
    with a due message past the read marker (an index range on (room, event_seq), as the unread
    counts read it)."""
    due = _due(
        Message.objects.filter(room=OuterRef("room_id"), event_seq__gt=OuterRef("last_read")),
        user=OuterRef("user_id"),
        inner_user=OuterRef(OuterRef("user_id")),
        now=now,
    )
    return (
        Membership.objects.filter(
            user__is_active=True,
            user__is_guest=False,
            last_read__lt=F("room__last_event_seq"),
        )
        .exclude(user__email="")
        .exclude(notify=Notify.NONE)
        .exclude(Exists(EmailPreference.objects.filter(user=OuterRef("user_id"), enabled=False)))
        .filter(Exists(due))
    )


def digest_recipients(*, now: datetime) -> list[int]:
    """The ids of the users with something due at `now` whose last digest is at least
    PARLEY_EMAIL_INTERVAL old, in one query."""
    since_last = now - timedelta(seconds=settings.PARLEY_EMAIL_INTERVAL)
    recent = EmailPreference.objects.filter(user=OuterRef("user_id"), last_digest_at__gt=since_last)
    return list(
        _due_memberships(now=now)
        .exclude(Exists(recent))
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )


# Conversations read per query: each adds a term to one OR, and SQLite allows expressions
# only 1000 deep.
ROOMS_PER_QUERY = 100


def digest_messages(*, user: User, now: datetime) -> list[Message]:
    """The messages due for `user` at `now`, by conversation, oldest first in each."""
    markers = list(_due_memberships(now=now).filter(user=user).values_list("room_id", "last_read"))
    found: list[Message] = []
    for start in range(0, len(markers), ROOMS_PER_QUERY):
        past_markers = Q()
        for room_id, last_read in markers[start : start + ROOMS_PER_QUERY]:
            past_markers |= Q(room_id=room_id, event_seq__gt=last_read)
        due = _due(Message.objects.filter(past_markers), user=user.pk, inner_user=user.pk, now=now)
        found += due.select_related("room", "author")
    return sorted(
        found, key=lambda message: (message.room.sort_name, message.room_id, message.event_seq)
    )


def email_notifications(*, user: User) -> dict[str, Any]:
    """The user's email notifications: where they go (blank: nowhere) and whether they are on."""
    preference = EmailPreference.objects.filter(user=user).first()
    return {"email": user.email, "enabled": preference is None or preference.enabled}
