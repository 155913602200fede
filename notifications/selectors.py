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

from collections import defaultdict
from datetime import datetime, timedelta
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, QuerySet, Value, When

from accounts.models import User
from chat.models import Membership, Mention, Message, Notify, Room

from .models import EmailedMessage, EmailPreference

DIGEST_MAX_AGE = timedelta(days=7)


class Window:
    """The messages old enough to email at `now` and young enough to: created in (oldest,
    newest]. `first_id` bounds them by id too (ids grow with time), so that a read of a
    conversation far behind its marker walks an index from a week ago, not from the marker."""

    def __init__(self, now: datetime):
        self.now = now
        self.oldest = now - DIGEST_MAX_AGE
        self.newest = now - timedelta(seconds=settings.PARLEY_EMAIL_DELAY)
        self.first_id = _first_id_after(self.oldest)

    def messages(self, messages: QuerySet[Message], *, user: Any, inner_user: Any) -> QuerySet:
        """Of `messages`, those in the window, not deleted, not by `user`, and not listed in an
        earlier digest to them. `user` names the user at the level of `messages`, `inner_user`
        one subquery deeper: the user's id twice, or OuterRef and OuterRef(OuterRef)."""
        return (
            messages.filter(
                pk__gte=self.first_id,
                created_at__gt=self.oldest,
                created_at__lte=self.newest,
                deleted_at__isnull=True,
            )
            .exclude(author=user)
            .exclude(Exists(EmailedMessage.objects.filter(message=OuterRef("pk"), user=inner_user)))
        )

    @cached_property
    def wide(self) -> dict[int, list[int]]:
        """The `@room`/`@here` messages in the window, their ids by room: few, read once a run
        (by id from `first_id`: `mentions_wide` has no index), so that a member far behind in a
        busy room is checked against these alone rather than every message after the marker."""
        found: dict[int, list[int]] = defaultdict(list)
        wide = Message.objects.filter(
            pk__gte=self.first_id,
            created_at__gt=self.oldest,
            created_at__lte=self.newest,
            mentions_wide=True,
            in_room=True,
            deleted_at__isnull=True,
        )
        for pk, room_id in wide.values_list("pk", "room_id"):
            found[room_id].append(pk)
        return dict(found)


def _first_id_after(moment: datetime) -> int:
    """An id at or below that of the first message created after `moment`: a binary search on
    the primary key (some 40 indexed reads, where created_at has no index of its own)."""
    newest = Message.objects.order_by("-pk").values_list("pk", flat=True).first()
    low, high = 0, (newest or 0) + 1
    while low < high:
        middle = (low + high) // 2
        found = (
            Message.objects.filter(pk__gte=middle)
            .order_by("pk")
            .values_list("pk", "created_at")
            .first()
        )
        if found is None or found[1] > moment:
            high = middle
        else:
            low = found[0] + 1
    return low


def _due_memberships(*, window: Window) -> QuerySet[Membership]:
    """The memberships with something due in the window: of people who may get email, notified,
    with a due message past the read marker. Each kind is found by what finds it quickly: a
    mention by name by the mentions' index (user, room, event_seq); a DM message by the
    messages' (room, event_seq) from the marker, for DMs only; an `@room` among the window's
    few (`Window.wide`), for the rooms that have one. CASE keeps the last two from running for
    the memberships they cannot concern (PostgreSQL would otherwise evaluate them for all)."""
    user, inner_user = OuterRef("user_id"), OuterRef(OuterRef("user_id"))
    # A mention never names its message's author (chat.services.messages).
    named = Mention.objects.filter(
        user=user,
        room=OuterRef("room_id"),
        event_seq__gt=OuterRef("last_read"),
        message__created_at__gt=window.oldest,
        message__created_at__lte=window.newest,
        message__deleted_at__isnull=True,
    ).exclude(
        Exists(
            EmailedMessage.objects.filter(message=OuterRef("message_id"), user=OuterRef("user_id"))
        )
    )
    dm = window.messages(
        Message.objects.filter(
            room=OuterRef("room_id"), event_seq__gt=OuterRef("last_read"), in_room=True
        ),
        user=user,
        inner_user=inner_user,
    )
    wide = [
        When(
            room_id=room_id,
            then=Exists(
                window.messages(
                    Message.objects.filter(pk__in=ids, event_seq__gt=OuterRef("last_read")),
                    user=user,
                    inner_user=inner_user,
                )
            ),
        )
        for room_id, ids in window.wide.items()
    ]
    return (
        Membership.objects.filter(
            user__is_active=True,
            user__is_guest=False,
            last_read__lt=F("room__last_event_seq"),
        )
        .exclude(user__email="")
        .exclude(notify=Notify.NONE)
        .exclude(Exists(EmailPreference.objects.filter(user=OuterRef("user_id"), enabled=False)))
        .alias(
            dm_due=Case(
                When(room__kind=Room.Kind.DM, then=Exists(dm)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            wide_due=Case(*wide, default=Value(False), output_field=BooleanField())
            if wide
            else Value(False),
        )
        .filter(Exists(named) | Q(dm_due=True) | Q(wide_due=True))
    )


def digest_recipients(*, window: Window) -> list[int]:
    """The ids of the users with something due in the window whose last digest is at least
    PARLEY_EMAIL_INTERVAL old (at the window's `now`), in one query."""
    since_last = window.now - timedelta(seconds=settings.PARLEY_EMAIL_INTERVAL)
    recent = EmailPreference.objects.filter(user=OuterRef("user_id"), last_digest_at__gt=since_last)
    recipients = (
        _due_memberships(window=window)
        .exclude(Exists(recent))
        .values_list("user_id", flat=True)
        .distinct()
        .order_by("user_id")
    )
    # On PostgreSQL without JIT (config/settings/base.py POSTGRES_OPTIONS): compiling this
    # query's many subplans took 0.3 s of the 0.35 s it took over 40,000 memberships.
    return list(recipients)


# DM conversations read per query: each adds a term to one OR, and SQLite allows expressions
# only 1000 deep.
ROOMS_PER_QUERY = 100


def digest_messages(*, user: User, window: Window) -> list[Message]:
    """The messages due for `user` in the window, by conversation, oldest first in each. Found
    as `_due_memberships` finds them, but for one user: the mentions by name past their markers,
    the window's `@room`s in their rooms, every message past the marker in their DMs."""
    memberships = list(
        Membership.objects.filter(user=user, last_read__lt=F("room__last_event_seq"))
        .exclude(notify=Notify.NONE)
        .values_list("room_id", "last_read", "room__kind")
    )
    markers = {room_id: last_read for room_id, last_read, _ in memberships}
    if not markers:
        return []
    dms = [room_id for room_id, _, kind in memberships if kind == Room.Kind.DM]
    candidates = {
        message_id
        for message_id, room_id, seq in Mention.objects.filter(
            user=user, room_id__in=list(markers), event_seq__gt=min(markers.values())
        ).values_list("message_id", "room_id", "event_seq")
        if seq > markers[room_id]
    }
    for room_id, ids in window.wide.items():
        if room_id in markers:
            candidates.update(ids)
    for start in range(0, len(dms), ROOMS_PER_QUERY):
        past_markers = Q()
        for room_id in dms[start : start + ROOMS_PER_QUERY]:
            past_markers |= Q(room_id=room_id, event_seq__gt=markers[room_id])
        in_dms = Message.objects.filter(past_markers, pk__gte=window.first_id, in_room=True)
        candidates.update(in_dms.values_list("pk", flat=True))
    due = window.messages(
        Message.objects.filter(pk__in=list(candidates)), user=user.pk, inner_user=user.pk
    ).select_related("room", "author")
    return sorted(
        (message for message in due if message.event_seq > markers[message.room_id]),
        key=lambda message: (message.room.sort_name, message.room_id, message.event_seq),
    )


def email_notifications(*, user: User) -> dict[str, Any]:
    """The user's email notifications: where they go (blank: nowhere) and whether they are on."""
    preference = EmailPreference.objects.filter(user=user).first()
    return {"email": user.email, "enabled": preference is None or preference.enabled}
