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


def _notified_memberships() -> QuerySet[Membership]:
    """Memberships that may have something due: of people who may get email, notified, with
    something after the read marker."""
    return (
        Membership.objects.filter(
            user__is_active=True,
            user__is_guest=False,
            last_read__lt=F("room__last_event_seq"),
        )
        .exclude(user__email="")
        .exclude(notify=Notify.NONE)
        .exclude(Exists(EmailPreference.objects.filter(user=OuterRef("user_id"), enabled=False)))
    )


def digest_recipients(*, now: datetime) -> list[int]:
    """The ids of the users with something due at `now` whose last digest is at least
    PARLEY_EMAIL_INTERVAL old. One query: per membership an index range past its read marker,
    as the unread counts read it."""
    since_last = now - timedelta(seconds=settings.PARLEY_EMAIL_INTERVAL)
    due = _due(
        Message.objects.filter(room=OuterRef("room_id"), event_seq__gt=OuterRef("last_read")),
        user=OuterRef("user_id"),
        inner_user=OuterRef(OuterRef("user_id")),
        now=now,
    )
    recent = EmailPreference.objects.filter(user=OuterRef("user_id"), last_digest_at__gt=since_last)
    return list(
        _notified_memberships()
        .filter(Exists(due))
        .exclude(Exists(recent))
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )


def digest_messages(*, user: User, now: datetime) -> list[Message]:
    """The messages due for `user` at `now`, by room, oldest first in each."""
    markers = _notified_memberships().filter(user=user).values_list("room_id", "last_read")
    past_markers = Q()
    for room_id, last_read in markers:
        past_markers |= Q(room_id=room_id, event_seq__gt=last_read)
    if not past_markers:
        return []
    due = _due(Message.objects.filter(past_markers), user=user.pk, inner_user=user.pk, now=now)
    return list(
        due.select_related("room", "author").order_by("room__sort_name", "room_id", "event_seq")
    )


def email_notifications(*, user: User) -> dict[str, Any]:
    """The user's email notifications: where they go (blank: nowhere) and whether they are on."""
    preference = EmailPreference.objects.filter(user=user).first()
    return {"email": user.email, "enabled": preference is None or preference.enabled}
