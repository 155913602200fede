"""Posting, editing and deleting messages: each stored first, in the room's event stream, and
broadcast after commit. A thread reply is a message that names its root.

A change to an existing message takes the room's next event seq first thing in its transaction
(`stream.allocate`): the room row's lock then queues every change to the room's messages, so
each reads the message as the one committed before it left it, and the stream's order is the
commit order (concurrent edits of one message: the last to commit is the body everyone ends
with, and each earlier body is in its edit history once).
"""

import time
from functools import cache
from typing import Any, NamedTuple
from uuid import UUID

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Field, Max, Q
from django.utils import timezone

from accounts.models import User
from parley import events, metrics
from parley.errors import BadRequest, Conflict, Forbidden, RoomArchived, TooLong
from parley.text import text_check_storable
from throttle.services import post_admit

from .. import markdown
from ..models import Membership, Mention, Message, MessageEdit, Notify, Reaction, Room
from ..payloads import attachment_payload, message_payload, thread_summary, user_payload
from ..selectors import (
    ID_MAX,
    message_get,
    message_missing,
    room_can_see,
    room_check_open,
    thread_repliers,
)
from . import stream
from .attachments import attachments_attach, attachments_remove
from .previews import previews_drop, previews_enqueue
from .rooms import member_changed, room_open


def _join_if_new(*, room: Room, user: User) -> bool:
    """Make `user` a member of `room` if they are not one yet, in one statement; True when
    they were not (INSERT ... ON CONFLICT DO NOTHING RETURNING: SQLite >= 3.35, PostgreSQL)."""
    table = Membership._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (room_id, user_id, joined_at, last_read, notify) "
            "VALUES (%s, %s, %s, 0, '') ON CONFLICT (room_id, user_id) DO NOTHING RETURNING id",
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


@cache
def _insert_sql(vendor: str) -> tuple[str, tuple[Field, ...]]:
    """The INSERT of a message row, and the fields whose values it takes, in order."""
    fields = tuple(f for f in Message._meta.concrete_fields if not f.primary_key)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {Message._meta.db_table} ({columns}) VALUES ({marks}) RETURNING id"
    return sql, fields


def _message_insert(**values: Any) -> Message:
    """Store a new message in one statement and return it. The ORM's `create` compiles every
    one of the model's twenty columns on every call, which cost a post a fifth of its CPU
    (docs/performance.md, "Messages that change"); this prepares each value as the ORM would
    (`get_db_prep_save`) and reuses the statement."""
    message = Message(created_at=timezone.now(), **values)
    sql, fields = _insert_sql(connection.vendor)
    params = [f.get_db_prep_save(getattr(message, f.attname), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (message.pk,) = cursor.fetchone()
    message._state.adding, message._state.db = False, connection.alias
    return message


class Composed(NamedTuple):
    """A body as it is stored: its Markdown source, the source's HTML, whether it is a `/me`
    action, the ids of the people it mentions, and whether it says `@room` or `@here`."""

    body: str
    html: str
    is_action: bool
    mentioned: frozenset[int] = frozenset()
    wide: bool = False
    linked: bool = False  # it links to an http(s) address (link previews)


def _compose(typed: str) -> Composed:
    """What is stored for a typed body: `/me` and `/shrug` applied (markdown.action_and_body),
    then the body rules, then the HTML. A mention links to a user who exists; a `#slug` to a
    public room (a private room's name in a message never says whether it exists)."""
    is_action, body = markdown.action_and_body(_clean_body(typed))
    body = _clean_body(body)
    people: dict[str, int] = {}

    def users(usernames: set[str]) -> set[str]:
        people.update(
            User.objects.filter(username__in=usernames, is_active=True, is_guest=False)
            .values_list("username", "pk")
            .iterator()
        )
        return set(people)

    html = markdown.render(body, mentions=users, rooms=_public_rooms)
    # Only the renderer writes a group mention's span (raw HTML in a body is escaped): the
    # HTML says whether the body has one, without parsing the body again.
    wide = markdown.GROUP_MENTION_MARK in html
    linked = markdown.LINK_MARK in html
    return Composed(body, html, is_action, frozenset(people.values()), wide, linked)


def _mentions_record(*, message: Message, room: Room, composed: Composed, author: User) -> None:
    """Store whom `message` mentions (the members of its room named in it, not its author) and
    tell each of them; inside the post's or the edit's transaction. Costs nothing for a message
    that mentions nobody."""
    mentioned = composed.mentioned - {author.pk}
    if not mentioned:
        return
    members = dict(
        Membership.objects.filter(room=room, user_id__in=mentioned)
        .exclude(user_id__in=Mention.objects.filter(message=message).values("user_id"))
        .values_list("user_id", "notify")
    )
    Mention.objects.bulk_create(
        [
            Mention(message=message, user_id=user_id, room=room, event_seq=message.event_seq)
            for user_id in members
        ],
        ignore_conflicts=True,
    )
    for user_id, notify in members.items():
        if notify != Notify.NONE:
            events.publish_on_commit(
                events.Mentioned(user_id=user_id, room=room.slug, room_id=room.pk, id=message.pk)
            )


def _public_rooms(slugs: set[str]) -> set[str]:
    return set(Room.objects.filter(slug__in=slugs, private=False).values_list("slug", flat=True))


def _original(
    *, author: User, room: Room, client_id: UUID, body: str, thread_root: int | None
) -> Message | None:
    """The message a retry repeats, as it is now (edited, or a tombstone). Raises Conflict when
    the client_id was used for another message (another room, another body as it was posted,
    another thread), as idempotency keys do: the new one would be lost."""
    original = (
        Message.objects.select_related("author", "room")
        .filter(author=author, client_id=client_id)
        .first()
    )
    if original is None:
        return None
    if original.room_id != room.pk:
        raise Conflict("This client_id was already used for a message in another room.")
    if original.deleted_at is None and _posted_body(original) != body:
        raise Conflict("This client_id was already used for a message with a different body.")
    if not _same_thread(original, thread_root):
        raise Conflict("This client_id was already used for a message in another thread.")
    return original


def _posted_body(message: Message) -> str:
    """The body `message` was posted with: before any edit."""
    if message.edited_at is None:
        return message.body
    first = message.edits.order_by("replaced_at", "id").values_list("body", flat=True).first()
    return first if first is not None else message.body


def _same_thread(original: Message, thread_root: int | None) -> bool:
    """Whether `original` is in the thread a retry names (by its root or by one of its replies)."""
    if original.thread_root_id is None or thread_root is None:
        return original.thread_root_id is None and thread_root is None
    return thread_root == original.thread_root_id or (
        0 < thread_root <= ID_MAX
        and Message.objects.filter(pk=thread_root, thread_root_id=original.thread_root_id).exists()
    )


def message_post(
    *,
    author: User,
    room: Room,
    body: str,
    client_id: UUID,
    thread_root: int | None = None,
    also_to_room: bool = False,
    files: list[int] | None = None,
) -> tuple[Message, bool]:
    """Store a message and broadcast it once committed. Returns (message, created).

    `files`: ids of the author's pending uploads in this room (chat/services/attachments.py),
    which the message takes in its transaction (NotFound, and nothing stored, when one is not
    such an upload); a message with files may have an empty body.

    With `thread_root` (a message id) it is a reply in that message's thread: the root must be
    a message of this room that is not deleted (a reply names its thread's root; naming a
    reply attaches to that reply's root, as in Slack), else NotFound. A reply takes a message
    number (`seq`) only with `also_to_room`, which shows it in the room's timeline too; every
    reply takes an event seq, and updates its root's reply count, last reply time and version
    in the same transaction (`MessagePosted.root` carries the root's new summary).

    Raises RoomArchived in an archived room (stream.allocate), RateLimited when the author is
    over PARLEY_POST_RATE. A retry with a `client_id`
    the author used before returns the original message with created=False and stores and
    broadcasts nothing; Conflict when that message is in another room, has another body
    (compared after trimming) or is in another thread. The caller may acknowledge once this
    returns: the transaction has committed by then.

    A first top-level post costs four statements: the seq, the message, the membership
    (inserted or ignored; a new member is announced) and the commit. A retry is found by the
    unique (author, client_id) constraint, which rolls its transaction back, rather than by a
    lookup before every post.
    """
    if files and not text_check_storable(body, field="body").strip():
        composed = Composed(body="", html="", is_action=False)
    else:
        composed = _compose(body)
    body, html, is_action = composed.body, composed.html, composed.is_action
    if also_to_room and thread_root is None:
        raise BadRequest("Only a thread reply is also sent to the room.")
    if not room_can_see(room=room, user=author):
        raise Forbidden(f"You are not a member of {room.slug!r}.")
    # Per user, whichever transport the post came by; a retry counts too. Raises RateLimited.
    post_admit(user_id=author.pk)
    started = time.perf_counter()
    try:
        with transaction.atomic():
            if not author.is_guest and not room.private and _join_if_new(room=room, user=author):
                member_changed(room=room, user=author, change="joined")
            if thread_root is None:
                seq, event_seq = stream.allocate(room, message=True)
                message = _message_insert(
                    room=room,
                    seq=seq,
                    event_seq=event_seq,
                    version=event_seq,
                    author=author,
                    body=body,
                    html=html,
                    is_action=is_action,
                    mentions_wide=composed.wide and room.wide_mentions,
                    client_id=client_id,
                )
                root = None
            else:
                message, root = _reply_create(
                    author=author,
                    room=room,
                    composed=composed,
                    client_id=client_id,
                    thread_root=thread_root,
                    also_to_room=also_to_room,
                )
            message.room = room
            _mentions_record(message=message, room=room, composed=composed, author=author)
            if composed.linked:
                previews_enqueue(message)
            attached = (
                [
                    attachment_payload(attachment)
                    for attachment in attachments_attach(
                        message=message, author=author, room=room, ids=files
                    )
                ]
                if files
                else None
            )
            events.publish_on_commit(
                events.MessagePosted(
                    room_id=room.pk,
                    room=room.slug,
                    seq=message.event_seq,
                    number=message.seq,
                    message=message_payload(message, room_slug=room.slug, attachments=attached),
                    root=root,
                )
            )
    except (IntegrityError, RoomArchived):
        # A retry, or the same client_id racing in on another connection that committed first;
        # a retry of a post stored before its room was archived gets its original too.
        original = _original(
            author=author, room=room, client_id=client_id, body=body, thread_root=thread_root
        )
        if original is None:
            raise
        metrics.POSTS_RETRIED.inc()
        return original, False
    metrics.POST_COMMIT_SECONDS.observe(time.perf_counter() - started)
    metrics.POSTS_STORED.inc()
    return message, True


def _reply_create(
    *,
    author: User,
    room: Room,
    composed: Composed,
    client_id: UUID,
    thread_root: int,
    also_to_room: bool,
) -> tuple[Message, dict]:
    """Store a reply in the thread of message `thread_root` and update its root; (the reply,
    the root's new summary). Call inside the post's transaction."""
    seq, event_seq = stream.allocate(room, message=also_to_room)
    # Read under the room's lock: a root deleted meanwhile is seen deleted.
    named = (
        Message.objects.filter(pk=thread_root, room=room, deleted_at__isnull=True)
        .select_related("thread_root")
        .first()
        if 0 < thread_root <= ID_MAX
        else None
    )
    root = named.thread_root if named is not None and named.thread_root else named
    if root is None or root.deleted_at is not None:
        raise message_missing(thread_root)
    message = _message_insert(
        room=room,
        seq=seq if also_to_room else None,
        event_seq=event_seq,
        version=event_seq,
        author=author,
        body=composed.body,
        html=composed.html,
        is_action=composed.is_action,
        mentions_wide=composed.wide and room.wide_mentions,
        client_id=client_id,
        thread_root=root,
        in_room=also_to_room,
    )
    Message.objects.filter(pk=root.pk).update(
        reply_count=F("reply_count") + 1, last_reply_at=message.created_at, version=event_seq
    )
    root.reply_count += 1
    root.last_reply_at, root.version = message.created_at, event_seq
    return message, thread_summary(root, repliers=thread_repliers(root_ids=[root.pk]).get(root.pk))


def message_edit(*, by: User, room: Room, message_id: int, body: str) -> Message:
    """Replace the body of `by`'s own message; the body it had is kept in its edit history
    (MessageEdit, which the admin shows), and it is marked edited. Records MessageEdited.

    Body rules and the rate limit (PARLEY_POST_RATE) are those of a post. The same body again
    changes and records nothing (a retried edit). NotFound for a message that is missing,
    deleted, or in a room `by` may not see; Forbidden for someone else's message."""
    composed = _compose(body)
    post_admit(user_id=by.pk)
    with transaction.atomic():
        _, seq = stream.allocate(room)
        message = message_get(room=room, message_id=message_id, user=by)
        if message.author_id != by.pk:
            raise Forbidden("You can edit only your own messages.")
        if (message.body, message.is_action) == (composed.body, composed.is_action):
            transaction.set_rollback(True)
            return message
        MessageEdit.objects.create(message=message, body=message.body)
        linked_before = markdown.LINK_MARK in message.html
        message.body, message.html, message.is_action = composed[:3]
        message.mentions_wide = composed.wide and room.wide_mentions
        message.edited_at = timezone.now()
        message.save(update_fields=["body", "html", "is_action", "mentions_wide", "edited_at"])
        # Someone newly named is told, as in Zulip; who is no longer named keeps the mention.
        _mentions_record(message=message, room=room, composed=composed, author=by)
        if linked_before or composed.linked:  # previews to add, or to drop with their link
            previews_enqueue(message)
        stream.record(events.MessageEdited, room=room, seq=seq, message=message)
    return message


def message_updated(*, room: Room, message: Message) -> None:
    """Record that what the server attached to `message` changed (a thumbnail, a link
    preview), inside the caller's transaction, so that every client's copy follows, live or on
    resume (MessageUpdated). The caller changes the attachment rows first."""
    with transaction.atomic():
        _, seq = stream.allocate(room, archived_ok=True)
        stream.record(events.MessageUpdated, room=room, seq=seq, message=message)


def message_may_delete(*, message: Message, room: Room, by: User) -> bool:
    """Who deletes a message: its author, the room's owner, or a Parley administrator."""
    return by.is_active and (
        message.author_id == by.pk or room.owner_id == by.pk or by.is_staff or by.is_superuser
    )


def message_delete(*, by: User, room: Room, message_id: int, operator: bool = False) -> Message:
    """Delete a message: its body, HTML and edit history are removed from the database (not
    hidden), its reactions, pin and files go with them (the files' bytes once it commits), and
    it stays as a tombstone in its place. Records MessageDeleted, whose `message` is the
    tombstone; a deleted thread reply leaves its root with one reply fewer (`root`, its new
    summary). A thread root's replies stay.

    NotFound for a message that is missing, already deleted (as in Slack: a second delete
    finds nothing to delete), or in a room `by` may not see; Forbidden unless `by` may delete
    it (`message_may_delete`). Returns the tombstone.

    `operator`: the Django admin's deletion by staff, who may delete any message, also in a
    private room they are not in (the admin shows every message to them anyway)."""
    if operator and not (by.is_staff or by.is_superuser):
        raise Forbidden("Only Parley's administrators delete as operators.")
    with transaction.atomic():
        # An archived room is read-only, to its owner too; the admin's operators still delete
        # (unlawful content goes, archived or not).
        _, seq = stream.allocate(room, archived_ok=operator)
        if operator:
            message = Message.objects.filter(
                pk=message_id, room=room, deleted_at__isnull=True
            ).first()
            if message is None:
                raise message_missing(message_id)
            message.room = room
        else:
            message = message_get(room=room, message_id=message_id, user=by)
        if not message_may_delete(message=message, room=room, by=by):
            raise Forbidden("Only its author, the room's owner or an administrator deletes it.")
        if markdown.LINK_MARK in message.html:
            previews_drop(message)
        MessageEdit.objects.filter(message=message).delete()
        Reaction.objects.filter(message=message).delete()
        Mention.objects.filter(message=message).delete()
        attachments_remove(message=message)
        message.body = message.html = ""
        message.deleted_at, message.pinned_at, message.pinned_by = timezone.now(), None, None
        message.mentions_wide = False
        message.save(
            update_fields=["body", "html", "deleted_at", "pinned_at", "pinned_by", "mentions_wide"]
        )
        root = _root_recount(message.thread_root_id, seq=seq) if message.thread_root_id else None
        stream.record(events.MessageDeleted, room=room, seq=seq, message=message, root=root)
    return message


def _root_recount(root_id: int, *, seq: int) -> dict:
    """Recount a thread root's replies that are not deleted, and set its version to `seq`;
    its new summary."""
    root = Message.objects.get(pk=root_id)
    live = Q(replies__deleted_at__isnull=True)
    counted = Message.objects.filter(pk=root_id).aggregate(
        count=Count("replies", filter=live), last=Max("replies__created_at", filter=live)
    )
    root.reply_count, root.last_reply_at, root.version = counted["count"], counted["last"], seq
    root.save(update_fields=["reply_count", "last_reply_at", "version"])
    return thread_summary(root, repliers=thread_repliers(root_ids=[root_id]).get(root_id))


def message_post_opening(
    *, author: User, slug: str, body: str, client_id: UUID
) -> tuple[Message, bool]:
    """Post to the room at `slug`, creating it (public, owned by `author`) with this first
    message when there is none: the Channels tutorial's rooms exist from their first stored
    message. The room and the message are committed together or not at all. A slug held by a
    room `author` may not see is Conflict, as a taken slug is (room_open)."""
    body = _clean_body(body)
    with transaction.atomic():
        # Tutorial rooms are found by slug: one named like another room is refused, not followed.
        room = room_open(slug=slug, user=author, follow_name=False)
        return message_post(author=author, room=room, body=body, client_id=client_id)


def typing_notify(*, user: User, room: Room, origin: str | None = None) -> None:
    """Tell the room's other subscribers that `user` is typing. Stores nothing. `origin`
    names the connection it came from, which is not told."""
    if not room_can_see(room=room, user=user):
        raise Forbidden(f"You are not a member of {room.slug!r}.")
    room_check_open(room)
    events.publish_now(
        events.Typing(room_id=room.pk, room=room.slug, user=user_payload(user), origin=origin)
    )


def typing_stop(*, user: User, room_id: int, room: str, origin: str | None = None) -> None:
    """Tell the room's other subscribers that `user` stopped typing there (they posted, their
    socket closed, or its typing expired). Called only after `typing_notify` succeeded for the
    room from `origin`, so it checks nothing and reads nothing: it may run on the event loop."""
    events.publish_now(
        events.Typing(
            room_id=room_id, room=room, user=user_payload(user), origin=origin, stopped=True
        )
    )
