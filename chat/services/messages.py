"""Posting messages: stored first with a contiguous per-room seq, broadcast after commit."""

import time
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import User
from parley import events, metrics
from parley.errors import BadRequest, Conflict, Forbidden, TooLong
from parley.text import text_check_storable
from throttle.services import post_admit

from ..models import Membership, Message, Room
from ..payloads import message_payload, user_payload
from ..selectors import room_can_see
from . import stream
from .rooms import member_changed, room_open


def _join_if_new(*, room: Room, user: User) -> bool:
    """Make `user` a member of `room` if they are not one yet, in one statement; True when
    they were not (INSERT ... ON CONFLICT DO NOTHING RETURNING: SQLite >= 3.35, PostgreSQL)."""
    table = Membership._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (room_id, user_id, joined_at) VALUES (%s, %s, %s) "
            "ON CONFLICT (room_id, user_id) DO NOTHING RETURNING id",
            [room.pk, user.pk, timezone.now()],
        )
        return cursor.fetchone() is not None


def _clean_body(body: str) -> str:
    body = text_check_storable(body, field="body").strip()
    if not body:
        raise BadRequest("A message needs a body.")
    if len(body) > settings.PARLEY_MAX_BODY:
        raise TooLong(f"A message is at most {settings.PARLEY_MAX_BODY} characters.")
    return body


def _original(*, author: User, room: Room, client_id: UUID, body: str) -> Message | None:
    """The message a retry repeats. Raises Conflict when the client_id was used for another
    message (another room or another body), as idempotency keys do: the new one would be lost."""
    original = (
        Message.objects.select_related("author", "room")
        .filter(author=author, client_id=client_id)
        .first()
    )
    if original is not None and original.room_id != room.pk:
        raise Conflict("This client_id was already used for a message in another room.")
    if original is not None and original.body != body:
        raise Conflict("This client_id was already used for a message with a different body.")
    return original


def message_post(*, author: User, room: Room, body: str, client_id: UUID) -> tuple[Message, bool]:
    """Store a message and broadcast it once committed. Returns (message, created).

    Raises RateLimited when the author is over PARLEY_POST_RATE. A retry with a `client_id`
    the author used before returns the original message with created=False and stores and
    broadcasts nothing; Conflict when that message is in another room or has another body
    (compared after trimming). The caller may acknowledge once this
    returns: the transaction has committed by then.

    A first post costs four statements: the seq, the message, the membership (inserted or
    ignored; a new member is announced) and the commit. A retry is found by the unique (author, client_id) constraint,
    which rolls its transaction back, rather than by a lookup before every post.
    """
    body = _clean_body(body)
    if not room_can_see(room=room, user=author):
        raise Forbidden(f"You are not a member of {room.slug!r}.")
    # Per user, whichever transport the post came by; a retry counts too. Raises RateLimited.
    post_admit(user_id=author.pk)
    started = time.perf_counter()
    try:
        with transaction.atomic():
            if not author.is_guest and not room.private and _join_if_new(room=room, user=author):
                member_changed(room=room, user=author, change="joined")
            seq, event_seq = stream.allocate(room, message=True)
            message = Message.objects.create(
                room=room,
                seq=seq,
                event_seq=event_seq,
                version=event_seq,
                author=author,
                body=body,
                client_id=client_id,
            )
            message.room = room
            events.publish_on_commit(
                events.MessagePosted(
                    room_id=room.pk,
                    room=room.slug,
                    seq=event_seq,
                    number=seq,
                    message=message_payload(message, room_slug=room.slug),
                )
            )
    except IntegrityError:
        # A retry, or the same client_id racing in on another connection that committed first.
        original = _original(author=author, room=room, client_id=client_id, body=body)
        if original is None:
            raise
        metrics.POSTS_RETRIED.inc()
        return original, False
    metrics.POST_COMMIT_SECONDS.observe(time.perf_counter() - started)
    metrics.POSTS_STORED.inc()
    return message, True


def message_post_opening(
    *, author: User, slug: str, body: str, client_id: UUID
) -> tuple[Message, bool]:
    """Post to the room at `slug`, creating it (public, owned by `author`) with this first
    message when there is none: the Channels tutorial's rooms exist from their first stored
    message. The room and the message are committed together or not at all. A slug held by a
    room `author` may not see is Conflict, as a taken slug is (room_open)."""
    body = _clean_body(body)
    with transaction.atomic():
        room = room_open(slug=slug, user=author)
        return message_post(author=author, room=room, body=body, client_id=client_id)


def typing_notify(*, user: User, room: Room, origin: str | None = None) -> None:
    """Tell the room's other subscribers that `user` is typing. Stores nothing. `origin`
    names the connection it came from, which is not told."""
    if not room_can_see(room=room, user=user):
        raise Forbidden(f"You are not a member of {room.slug!r}.")
    events.publish_now(
        events.Typing(room_id=room.pk, room=room.slug, user=user_payload(user), origin=origin)
    )
