"""Reads on rooms and messages, each answering for one user (who may be a guest)."""

from collections import defaultdict
from typing import Any

from django.db.models import Count, F, Func, IntegerField, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from accounts.models import User
from parley import events
from parley.errors import NotFound, RoomArchived
from parley.text import text_is_storable

from . import markdown
from .models import (
    Attachment,
    LinkPreview,
    Membership,
    Mention,
    Message,
    Reaction,
    Room,
    RoomEvent,
    name_sort_key,
)
from .payloads import (
    attachment_payload,
    conversation_payload,
    message_payload,
    preview_payload,
    thread_summary,
    user_payload,
)

HISTORY_MAX = 100


def room_is_member(*, room: Room, user: User) -> bool:
    return Membership.objects.filter(room=room, user=user).exists()


def membership_notify(*, room: Room, user: User) -> str | None:
    """How the room notifies its member `user` ("" for the default), or None for a non-member."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(room=room, user=user).values_list("notify", flat=True).first()


def room_can_see(*, room: Room, user: User) -> bool:
    if not room.private:
        return True
    return user.is_authenticated and not user.is_guest and room_is_member(room=room, user=user)


def room_missing(slug: str) -> NotFound:
    """The one error for a room that does not exist and for one the caller may not see, so
    that every transport answers both alike and private rooms' names cannot be probed."""
    return NotFound(f"There is no room {slug!r}.")


def room_read_only(room: Room) -> RoomArchived:
    """The one error for a change an archived room refuses, on every transport."""
    return RoomArchived(
        f"#{room.slug} is archived: it is read-only until its owner or an administrator "
        "unarchives it."
    )


def room_check_open(room: Room) -> None:
    """Raise RoomArchived when `room` (as read) is archived."""
    if room.archived_at is not None:
        raise room_read_only(room)


def _room_at(slug: str) -> Room | None:
    """The room at `slug`, whoever may see it. A slug no engine can store (U+0000, a lone
    surrogate) names no room: PostgreSQL would refuse the query itself."""
    if not text_is_storable(slug):
        return None
    return Room.objects.filter(slug=slug.lower()).first()


def room_get(*, slug: str) -> Room:
    room = _room_at(slug)
    if room is None:
        raise room_missing(slug)
    return room


def room_find_visible(*, slug: str, user: User) -> Room | None:
    """The room at `slug` if `user` may see it, else None (missing and invisible alike)."""
    room = _room_at(slug)
    if room is None or not room_can_see(room=room, user=user):
        return None
    return room


def room_get_visible(*, slug: str, user: User) -> Room:
    """The room, for a user who may see it. Raises NotFound, the same for a private room the
    user is not in as for a room that does not exist."""
    room = room_find_visible(slug=slug, user=user)
    if room is None:
        raise room_missing(slug)
    return room


def room_list_visible(*, user: User) -> QuerySet[Room]:
    """Public rooms and the private rooms the user is in, by name as people sort it
    (models.name_sort_key)."""
    rooms = Room.objects.all()
    if not user.is_authenticated or user.is_guest:
        rooms = rooms.filter(private=False)
    else:
        rooms = rooms.filter(Q(private=False) | Q(memberships__user=user)).distinct()
    return rooms.order_by("sort_name", "slug")


def room_list_joined(*, user: User, archived: bool | None = None) -> QuerySet[Room]:
    """The channels `user` is in, by name (their DMs are conversations: `conversation_list`);
    only the archived ones or only the others when `archived` says which."""
    rooms = Room.objects.filter(memberships__user=user, kind=Room.Kind.CHANNEL)
    if archived is not None:
        rooms = rooms.filter(archived_at__isnull=not archived)
    return rooms.order_by("sort_name", "slug")


# The longest search a browse takes (a room name is at most 80 characters).
BROWSE_QUERY_MAX = 80


def room_browse(*, user: User, q: str = "", archived: bool = False) -> QuerySet[Room]:
    """The rooms `user` may see (room_list_visible), by name, each with `member_count`:
    those whose name contains `q` (without case or accents, as names sort: "cafe" finds
    "Café"), and either the open ones or, with `archived`, the archived ones. A private room
    the user is not in is never among them, whatever `q` says. A `q` no engine can store
    (U+0000, a lone surrogate) is in no name: it finds nothing (PostgreSQL would refuse it)."""
    rooms = room_list_visible(user=user).filter(
        kind=Room.Kind.CHANNEL, archived_at__isnull=not archived
    )
    if not text_is_storable(q):
        rooms = rooms.none()
    elif key := name_sort_key(" ".join(q.split())[:BROWSE_QUERY_MAX]):
        rooms = rooms.filter(sort_name__contains=key)
    members = (
        Membership.objects.filter(room=OuterRef("pk"))
        .order_by()
        .values("room")
        .annotate(count=Count("id"))
        .values("count")
    )
    return rooms.annotate(member_count=Coalesce(Subquery(members, output_field=IntegerField()), 0))


def room_name_holder(*, name: str, user: User | None, exclude: Room | None = None) -> Room | None:
    """A room other than `exclude` named `name` (without case or accents) that `user` may see:
    a public one (archived too: its name comes back when it is unarchived) or a private one
    `user` is in; None when there is none. A private room `user` is not in never holds a name
    for them, so that refusing a name cannot reveal it (docs/api.md, "Room names")."""
    holders = Room.objects.filter(sort_name=name_sort_key(name), kind=Room.Kind.CHANNEL)
    if exclude is not None:
        holders = holders.exclude(pk=exclude.pk)
    seen = Q(private=False)
    if user is not None and user.is_authenticated and not user.is_guest:
        seen |= Q(pk__in=Membership.objects.filter(user=user).values("room_id"))
    return holders.filter(seen).order_by("private", "pk").first()


def room_members(*, room: Room) -> QuerySet[User]:
    return User.objects.filter(memberships__room=room).order_by("username")


def message_history(
    *, room: Room, before: int | None = None, after: int | None = None, limit: int = 50
) -> tuple[list[Message], bool]:
    """Up to `limit` messages of the room's timeline (at most HISTORY_MAX), ascending by seq,
    and whether more lie beyond them: before `before` when it is given without `after` (the
    newest page first), otherwise after `after`. Thread replies not also sent to the room have
    no seq and are not in it (`thread_replies` reads them)."""
    limit = max(1, min(limit, HISTORY_MAX))
    messages = Message.objects.filter(room=room, seq__isnull=False).select_related("author")
    if before is not None:
        messages = messages.filter(seq__lt=before)
    if after is not None:
        messages = messages.filter(seq__gt=after)
        page = list(messages.order_by("seq")[: limit + 1])
        return page[:limit], len(page) > limit
    page = list(messages.order_by("-seq")[: limit + 1])
    return page[:limit][::-1], len(page) > limit


def message_history_around(*, room: Room, seq: int, limit: int = 50) -> tuple[list[Message], bool]:
    """The page of the room's timeline around message number `seq` (a search result shown in
    context): up to `limit` messages (at most HISTORY_MAX), ascending, about half of them
    before it and the rest from it on (more before it when fewer follow), and whether older
    ones lie beyond the page."""
    limit = max(1, min(limit, HISTORY_MAX))
    messages = Message.objects.filter(room=room, seq__isnull=False).select_related("author")
    older = list(messages.filter(seq__lt=seq).order_by("-seq")[:limit])
    newer = list(messages.filter(seq__gte=seq).order_by("seq")[:limit])
    newer = newer[: limit - min(len(older), limit // 2)]
    kept = limit - len(newer)
    return older[:kept][::-1] + newer, len(older) > kept


# The largest id a row may have (a 64-bit integer): a larger one names no message, on any engine.
ID_MAX = 2**63 - 1


def message_missing(message_id: int) -> NotFound:
    """The one error for a message that does not exist, is in another room, was deleted (for
    what changes it), or is in a room the caller may not see."""
    return NotFound(f"There is no message {message_id}.")


def message_get(
    *, room: Room, message_id: int, user: User, include_deleted: bool = False
) -> Message:
    """Message `message_id` of `room`, for a user who may see the room; a deleted one only
    with `include_deleted`. Raises NotFound alike when it is missing, in another room, deleted,
    or the room is invisible. A service that changes the message calls this after
    `stream.allocate`, so that it reads the message as the last change left it."""
    message = (
        Message.objects.filter(pk=message_id, room=room).select_related("author").first()
        if 0 < message_id <= ID_MAX and room_can_see(room=room, user=user)
        else None
    )
    if message is None or (message.deleted_at is not None and not include_deleted):
        raise message_missing(message_id)
    message.room = room
    return message


def message_range(
    *, room_id: int, after: int, upto: int, limit: int | None = None
) -> list[Message]:
    """Messages with after < seq <= upto (the first `limit` of them), ascending: a gap to
    refill or a resume to replay."""
    messages = (
        Message.objects.filter(room_id=room_id, seq__gt=after, seq__lte=upto)
        .select_related("author", "room")
        .order_by("seq")
    )
    return list(messages[:limit] if limit is not None else messages)


# Who is named in a reaction summary (the count counts everyone), and in a thread's repliers.
REACTION_USERS = 50
THREAD_REPLIERS = 5


def reaction_summaries(
    *, message_ids: list[int], viewer: User | None = None
) -> dict[int, list[dict[str, Any]]]:
    """Each message's reactions: [{"emoji", "count", "users": [user_payload, ...] (the first
    REACTION_USERS to react, in order), "me" (only with a `viewer`)}], emoji in the order their
    current run began (`Reaction.since_seq`): the order a client replaying the stream keeps."""
    summaries: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    reactions = Reaction.objects.filter(message_id__in=message_ids).select_related("user")
    for reaction in reactions.order_by("message_id", "since_seq", "id"):
        entry = summaries[reaction.message_id].setdefault(
            reaction.emoji, {"emoji": reaction.emoji, "count": 0, "users": []}
        )
        entry["count"] += 1
        if len(entry["users"]) < REACTION_USERS:
            entry["users"].append(user_payload(reaction.user))
        if viewer is not None:
            entry["me"] = entry.get("me", False) or reaction.user_id == viewer.pk
    if viewer is not None:
        for by_emoji in summaries.values():
            for entry in by_emoji.values():
                entry.setdefault("me", False)
    return {message_id: list(by_emoji.values()) for message_id, by_emoji in summaries.items()}


def thread_repliers(*, root_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each thread root's repliers (the first THREAD_REPLIERS, by their first reply that is
    not deleted)."""
    firsts = (
        Message.objects.filter(thread_root_id__in=root_ids, deleted_at__isnull=True)
        .values_list("thread_root_id", "author_id")
        .annotate(first=Min("event_seq"))
        .order_by("thread_root_id", "first")
    )
    chosen: dict[int, list[int]] = defaultdict(list)
    for root_id, author_id, _ in firsts:
        if len(chosen[root_id]) < THREAD_REPLIERS:
            chosen[root_id].append(author_id)
    users = User.objects.in_bulk([pk for authors in chosen.values() for pk in authors])
    return {
        root_id: [user_payload(users[pk]) for pk in authors] for root_id, authors in chosen.items()
    }


def attachment_payloads(*, message_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """The files of these messages, by message id, in the order they were uploaded: one query
    for the lot (none for no messages)."""
    if not message_ids:
        return {}
    files: dict[int, list[dict[str, Any]]] = {}
    for attachment in Attachment.objects.filter(message_id__in=message_ids).order_by("id"):
        files.setdefault(attachment.message_id or 0, []).append(attachment_payload(attachment))
    return files


def message_payloads(
    messages: list[Message], *, viewer: User | None = None, room_slug: str | None = None
) -> list[dict[str, Any]]:
    """The messages as they are now, with their reactions and thread repliers read in two
    queries for the lot (`viewer`: whose `me` the reaction summaries carry)."""
    ids = [message.pk for message in messages]
    reactions = reaction_summaries(message_ids=ids, viewer=viewer)
    roots = [message.pk for message in messages if message.reply_count]
    repliers = thread_repliers(root_ids=roots) if roots else {}
    # Only a message whose HTML links out may have previews: most pages read none.
    linked = [message.pk for message in messages if markdown.LINK_MARK in message.html]
    previews = preview_payloads(message_ids=linked) if linked else {}
    files = attachment_payloads(message_ids=ids)
    return [
        message_payload(
            message,
            room_slug=room_slug,
            reactions=reactions.get(message.pk),
            repliers=repliers.get(message.pk),
            previews=previews.get(message.pk),
            attachments=files.get(message.pk),
        )
        for message in messages
    ]


def preview_payloads(*, message_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Each message's link previews that are shown (not removed), in the order of its links."""
    found: dict[int, list[dict[str, Any]]] = defaultdict(list)
    previews = (
        LinkPreview.objects.filter(message_id__in=message_ids, removed_at__isnull=True)
        .select_related("message__room")
        .order_by("message_id", "position")
    )
    for preview in previews:
        found[preview.message_id].append(
            preview_payload(preview, room_slug=preview.message.room.slug)
        )
    return found


def preview_image(*, room: Room, message_id: int, preview_id: int, user: User) -> LinkPreview:
    """A shown preview's thumbnail, for a user who may read its message; NotFound alike when
    the room, the message or the preview is missing or not theirs to see."""
    message = message_get(room=room, message_id=message_id, user=user)
    preview = (
        LinkPreview.objects.filter(pk=preview_id, message=message, removed_at__isnull=True)
        .exclude(image="")
        .first()
        if 0 < preview_id <= ID_MAX
        else None
    )
    if preview is None:
        raise NotFound(f"There is no preview {preview_id} on message {message_id}.")
    return preview


def stream_range(
    *, room_id: int, after: int, upto: int, limit: int | None = None
) -> list[events.RoomChange]:
    """The room's changes with after < event seq <= upto (the first `limit`), in order: what a
    protocol v2 socket is replayed or refilled. Posts are read from the messages, every other
    change from its RoomEvent row. A message a change carries is read as it is now (its
    `version` says which changes it holds); a thread root's summary too, but its `version` is
    the seq of the change that carries it, as when it was published: the root's other fields
    may be older."""
    posted = list(
        Message.objects.filter(room_id=room_id, event_seq__gt=after, event_seq__lte=upto)
        .select_related("author", "room")
        .order_by("event_seq")[:limit]
    )
    changed = list(
        RoomEvent.objects.filter(room_id=room_id, seq__gt=after, seq__lte=upto)
        .select_related("room", "message", "message__author")
        .order_by("seq")[:limit]
    )
    if not posted and not changed:
        return []
    slug = posted[0].room.slug if posted else changed[0].room.slug
    carried = [row.message for row in changed if row.message is not None]
    payloads = {
        payload["id"]: payload for payload in message_payloads([*posted, *carried], room_slug=slug)
    }
    root_ids = {m.thread_root_id for m in [*posted, *carried] if m.thread_root_id is not None}
    summaries = thread_summaries(root_ids=list(root_ids)) if root_ids else {}
    stream: list[events.RoomChange] = [
        events.MessagePosted(
            room_id=room_id,
            room=slug,
            seq=message.event_seq,
            number=message.seq,
            message=payloads[message.pk],
            root=(
                {**summaries[message.thread_root_id], "version": message.event_seq}
                if message.thread_root_id
                else None
            ),
        )
        for message in posted
    ]
    change_types = events.room_change_types()
    for row in changed:
        change = change_types[row.type]
        fields = dict(row.data)
        if row.message is not None and "message" in change.__dataclass_fields__:
            fields["message"] = payloads[row.message.pk]
        if row.message is not None and row.message.thread_root_id is not None:
            if "root" in change.__dataclass_fields__:
                fields["root"] = {**summaries[row.message.thread_root_id], "version": row.seq}
        stream.append(change(room_id=room_id, room=slug, seq=row.seq, **fields))
    stream.sort(key=lambda change: change.seq)
    return stream[:limit] if limit is not None else stream


def posts_range(
    *, room_id: int, after: int, upto: int, limit: int | None = None
) -> list[events.MessagePosted]:
    """The room messages numbered after < seq <= upto (the first `limit`), as they are now,
    as the changes that posted them: what a protocol v1 socket is replayed or refilled."""
    messages = message_range(room_id=room_id, after=after, upto=upto, limit=limit)
    return [
        events.MessagePosted(
            room_id=room_id,
            room=message.room.slug,
            seq=message.event_seq,
            number=message.seq,
            message=payload,
        )
        for message, payload in zip(messages, message_payloads(messages), strict=True)
    ]


def thread_summaries(*, root_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Each thread root's summary as it is now (chat.payloads.thread_summary)."""
    repliers = thread_repliers(root_ids=root_ids)
    return {
        root.pk: thread_summary(root, repliers=repliers.get(root.pk))
        for root in Message.objects.filter(pk__in=root_ids)
    }


def thread_get(*, room: Room, message_id: int, user: User) -> Message:
    """The root of the thread message `message_id` belongs to (itself when it is not a reply),
    deleted or not, for a user who may see the room; NotFound as `message_get`."""
    message = message_get(room=room, message_id=message_id, user=user, include_deleted=True)
    if message.thread_root_id is None:
        return message
    return message_get(
        room=room, message_id=message.thread_root_id, user=user, include_deleted=True
    )


def thread_replies(
    *,
    root: Message,
    after: int | None = None,
    after_reply: int | None = None,
    limit: int = 50,
) -> tuple[list[Message], bool]:
    """Up to `limit` replies of the thread (at most HISTORY_MAX) in the order they were posted
    (by event seq), and whether more follow: after event seq `after` (a protocol v2 client's
    cursor), or after the reply with id `after_reply` (what a REST client holds; none when it
    is not a reply in this thread)."""
    limit = max(1, min(limit, HISTORY_MAX))
    replies = Message.objects.filter(thread_root=root).select_related("author")
    if after is not None:
        replies = replies.filter(event_seq__gt=after)
    if after_reply is not None:
        cursor = Message.objects.filter(pk=min(after_reply, ID_MAX), thread_root=root)
        replies = replies.filter(event_seq__gt=Subquery(cursor.values("event_seq")[:1]))
    page = list(replies.order_by("event_seq")[: limit + 1])
    return page[:limit], len(page) > limit


def thread_list_participated(*, user: User) -> QuerySet[Message]:
    """The threads `user` took part in (wrote the root, or a reply that is not deleted), in the
    rooms they may still see, by newest reply first: their roots."""
    replied = Message.objects.filter(author=user, deleted_at__isnull=True).values("thread_root_id")
    return (
        Message.objects.filter(room__in=room_list_visible(user=user).order_by(), reply_count__gt=0)
        .filter(Q(author=user) | Q(pk__in=replied))
        .select_related("author", "room")
        .order_by("-last_reply_at", "-id")
    )


def message_list_pinned(*, room: Room) -> QuerySet[Message]:
    """The room's pinned messages, the newest pin first."""
    return (
        Message.objects.filter(room=room, pinned_at__isnull=False)
        .select_related("author", "pinned_by")
        .order_by("-pinned_at", "-id")
    )


# Conversations: what a user's sidebar lists, with their unread counts.


def _count(queryset: QuerySet) -> Coalesce:
    """A correlated COUNT(*) of `queryset` (filtered on OuterRef), 0 when it finds nothing."""
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


def _unread(*, outer_user: Any, wide_only: bool = False) -> Coalesce:
    later = Message.objects.filter(
        room=OuterRef("room_id"),
        event_seq__gt=OuterRef("last_read"),
        in_room=True,
        deleted_at__isnull=True,
    ).exclude(author=outer_user)
    if wide_only:
        later = later.filter(mentions_wide=True)
    return _count(later)


def conversation_counts(*, user: User, room_ids: list[int] | None = None) -> QuerySet[Membership]:
    """The query `conversation_memberships` runs (bench.unread explains it)."""
    memberships = Membership.objects.filter(user=user).select_related("room", "user")
    if room_ids is not None:
        memberships = memberships.filter(room_id__in=room_ids)
    mentions = Mention.objects.filter(
        user=OuterRef("user_id"),
        room=OuterRef("room_id"),
        event_seq__gt=OuterRef("last_read"),
        message__mentions_wide=False,  # counted with the wide ones: a message counts once
    )
    return memberships.annotate(
        unread=_unread(outer_user=OuterRef("user_id")),
        named=_count(mentions),
        wide=_unread(outer_user=OuterRef("user_id"), wide_only=True),
    ).order_by("room__sort_name", "room__slug")


def conversation_memberships(*, user: User, room_ids: list[int] | None = None) -> list[Membership]:
    """The user's memberships (the rooms and DMs they are in), each with its counts: `unread`,
    the messages in the room's timeline after their read marker that others wrote and are not
    deleted; `mentioned`, those that mention them by name (Mention) or by `@room`/`@here`.
    One query for all of them, however many: each count reads an index range past the marker,
    (room, event_seq) on messages or (user, room, event_seq) on mentions."""
    counted: list[Membership] = list(conversation_counts(user=user, room_ids=room_ids))
    for membership in counted:
        # Every unread message of a DM is for them, as a mention is.
        dm = membership.room.kind == Room.Kind.DM
        membership.mentions = membership.unread if dm else membership.named + membership.wide  # type: ignore[attr-defined]
    return counted


def conversation_list(*, user: User, room_ids: list[int] | None = None) -> list[dict[str, Any]]:
    """The user's conversations as their sidebar shows them (chat.payloads.conversation_payload):
    two queries, the counts and the DMs' members."""
    memberships = conversation_memberships(user=user, room_ids=room_ids)
    dm_ids = [m.room_id for m in memberships if m.room.kind == Room.Kind.DM]
    members: dict[int, list[User]] = defaultdict(list)
    if dm_ids:
        for membership in Membership.objects.filter(room_id__in=dm_ids).select_related("user"):
            members[membership.room_id].append(membership.user)
    return [
        conversation_payload(
            membership,
            unread=membership.unread,  # type: ignore[attr-defined]
            mentions=membership.mentions,  # type: ignore[attr-defined]
            members=members.get(membership.room_id),
        )
        for membership in memberships
    ]
