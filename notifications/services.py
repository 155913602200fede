"""Email digests: one email per user, at most once per PARLEY_EMAIL_INTERVAL, listing the
mentions and direct messages they left unread past PARLEY_EMAIL_DELAY (selectors.py says which).

`digests_send` is the work of the digest job (notifications/tasks.py), which the job workers
enqueue every PARLEY_EMAIL_RUN_INTERVAL seconds; `parley senddigests` calls it too. It is
idempotent and never on a request's path. Several runners (two workers, or a worker and
the command) may run it at once: each user's digest is claimed first by one
conditional UPDATE on their `EmailPreference` row, so one runner sends it, and no transaction
or lock is held while the mail server answers. A message is marked emailed only after the mail
server took the email: a failed send is retried on the next run, with everything still due.
"""

import logging
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import Truncator

from accounts.models import User
from chat.models import Message, Room

from .models import EmailedMessage, EmailPreference
from .selectors import Window, digest_messages, digest_recipients

logger = logging.getLogger(__name__)

# How long a claim holds: a runner that has not finished a user's digest by then is taken to
# have died, and another may send it. Well above EMAIL_TIMEOUT, so a slow send is not doubled.
CLAIM_LEASE = timedelta(minutes=10)
# Messages a digest shows; the rest are counted ("and 12 more").
DIGEST_SHOWN = 20
EXCERPT_CHARS = 200


def digests_send(*, now: datetime) -> int:
    """Send every digest due at `now`; returns how many were sent. A failure for one user is
    logged and retried on the next run; the others are sent meanwhile."""
    if not settings.PARLEY_EMAIL_DIGESTS:
        return 0
    sent = 0
    window = Window(now)
    for user_id in digest_recipients(window=window):
        try:
            sent += digest_send(user_id=user_id, window=window)
        except Exception:
            logger.exception(
                "email digest for user %d failed; it is tried again on the next run", user_id
            )
    return sent


def digest_send(*, user_id: int, window: Window) -> bool:
    """Claim, build and send one user's digest (what is due in `window`); whether one was
    sent. False when another runner holds the claim, the interval since the last digest has
    not passed, or nothing is due. Raises what sending raised, after releasing the claim."""
    now = window.now
    claim = _claim(user_id=user_id, now=now)
    if claim is None:
        return False
    try:
        user = User.objects.get(pk=user_id)
        messages = digest_messages(user=user, window=window) if user.email else []
        if messages:
            _digest_email(user=user, messages=messages).send()
    except BaseException:
        _release(user_id=user_id, claim=claim)
        raise
    if not messages:
        _release(user_id=user_id, claim=claim)
        return False
    with transaction.atomic():
        EmailedMessage.objects.bulk_create(
            [EmailedMessage(user_id=user_id, message=message) for message in messages],
            ignore_conflicts=True,
        )
        EmailPreference.objects.filter(user_id=user_id, claim=claim).update(
            last_digest_at=now, claim=None, claimed_until=None
        )
    return True


def _claim(*, user_id: int, now: datetime) -> uuid.UUID | None:
    """Take the user's digest for this runner: a token when it is ours, None when it is not due
    (sent within the interval, turned off) or another runner holds it."""
    EmailPreference.objects.bulk_create([EmailPreference(user_id=user_id)], ignore_conflicts=True)
    claim = uuid.uuid4()
    since_last = now - timedelta(seconds=settings.PARLEY_EMAIL_INTERVAL)
    taken = (
        EmailPreference.objects.filter(user_id=user_id, enabled=True)
        .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lte=since_last))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .update(claim=claim, claimed_until=now + CLAIM_LEASE)
    )
    return claim if taken else None


def _release(*, user_id: int, claim: uuid.UUID) -> None:
    EmailPreference.objects.filter(user_id=user_id, claim=claim).update(
        claim=None, claimed_until=None
    )


def _digest_email(*, user: User, messages: list[Message]) -> EmailMultiAlternatives:
    """The digest as an email: plain text, and the same as simple HTML."""
    site = settings.PARLEY_SITE_URL.rstrip("/")
    context = {
        "user": user,
        "count": len(messages),
        "items": [_item(message, site=site) for message in messages[:DIGEST_SHOWN]],
        "more": max(0, len(messages) - DIGEST_SHOWN),
        "site_url": site,
    }
    # One line: a header cannot hold a line break.
    subject = " ".join(render_to_string("notifications/digest_subject.txt", context).split())
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("notifications/digest.txt", context),
        to=[user.email],
    )
    email.attach_alternative(render_to_string("notifications/digest.html", context), "text/html")
    return email


def _item(message: Message, *, site: str) -> dict[str, Any]:
    room = message.room
    body = " ".join(message.body.split())
    return {
        "where": "a direct message" if room.kind == Room.Kind.DM else f"#{room.name}",
        "author": message.author.shown_name,
        "excerpt": Truncator(body).chars(EXCERPT_CHARS),
        "is_action": message.is_action,
        "link": site + reverse("web:room", kwargs={"slug": room.slug}),
    }


def email_notifications_set(*, user: User, enabled: bool) -> bool:
    """Turn the user's email digests on or off; returns the choice."""
    EmailPreference.objects.update_or_create(user=user, defaults={"enabled": enabled})
    return enabled
