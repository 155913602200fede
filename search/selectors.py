"""The one search of messages, for every transport (REST `GET /search`, the `search` frame):
only what the caller may read now, ranked by the engine (search/engines.py), a page at a time.

Who reads what, as the room's history does (chat/selectors.py `room_can_see`): every public
room (archived ones too); the private rooms and DMs the caller is in now (not ones they left,
not others' DMs); guests and anonymous visitors, public rooms only. Deleted messages never;
an edited one by its current text only (the index holds nothing else); thread replies too.
"""

import base64
import binascii
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from accounts.payloads import moment_payload, user_payload
from chat.models import Attachment, Membership, Message, Room
from chat.selectors import room_can_see, room_find_visible, room_missing
from parley.errors import BadRequest, NotFound
from parley.text import text_is_storable

from .engines import engine_search
from .query import Query, query_parse
from .snippets import snippet_html, snippet_plain

LIMIT_DEFAULT, LIMIT_MAX = 20, 100
# How deep a search pages: its best RESULTS_MAX results (each page re-ranks the matches).
RESULTS_MAX = 1000


def _has_file(messages: QuerySet[Message]) -> QuerySet[Message]:
    """`has:file`: the messages with a file attached."""
    return messages.filter(Exists(Attachment.objects.filter(message=OuterRef("pk"))))


def _cursor_offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(cursor.encode("ascii")).decode().partition(":")
        offset = int(number)
    except (ValueError, UnicodeError, binascii.Error):
        offset = -1
        kind = ""
    if kind != "o" or not 0 <= offset <= RESULTS_MAX:
        raise BadRequest("cursor: not a cursor this search gave.")
    return offset


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode()


def _readable(user: User) -> Q:
    """The messages of the rooms `user` may read now."""
    public = Room.objects.filter(private=False).values("id")
    if not user.is_authenticated or user.is_guest:
        return Q(room_id__in=public)
    joined = Membership.objects.filter(user=user).values("room_id")
    return Q(room_id__in=public) | Q(room_id__in=joined)


def _dm_with(*, user: User, username: str) -> Room:
    """The DM of two between `user` and `username`; NotFound alike when that person or that
    conversation does not exist, or the caller may not read it."""
    missing = NotFound(f"There is no conversation with {username!r}.")
    if not user.is_authenticated or user.is_guest or not text_is_storable(username):
        raise missing
    other = User.objects.filter(username=username).first()
    if other is None:
        raise missing
    key = ",".join(str(pk) for pk in sorted({user.pk, other.pk}))
    room = Room.objects.filter(dm_key=key).first()
    if room is None or not room_can_see(room=room, user=user):
        raise missing
    return room


def _filtered(query: Query, *, user: User) -> QuerySet[Message]:
    """The messages the caller may read that pass the query's filters (not its words)."""
    messages = Message.objects.filter(_readable(user), deleted_at__isnull=True)
    if query.rooms or query.dms:
        rooms = []
        for slug in query.rooms:
            room = room_find_visible(slug=slug, user=user)
            if room is None:
                raise room_missing(slug)
            rooms.append(room.pk)
        rooms += [_dm_with(user=user, username=name).pk for name in query.dms]
        messages = messages.filter(room_id__in=rooms)
    if query.authors:
        authors = {}
        for name in query.authors:
            found = User.objects.filter(username=name).first() if text_is_storable(name) else None
            if found is None:
                raise NotFound(f"There is no user {name!r}.")
            authors[name] = found.pk
        messages = messages.filter(author_id__in=authors.values())
    if "link" in query.has:
        messages = messages.filter(html__contains='<a href="')
    if "file" in query.has:
        messages = _has_file(messages)
    if "thread" in query.is_:
        messages = messages.filter(Q(thread_root__isnull=False) | Q(reply_count__gt=0))
    if query.before is not None:
        messages = messages.filter(created_at__lt=datetime.combine(query.before, time(), UTC))
    if query.after is not None:
        day_after = query.after + timedelta(days=1)
        messages = messages.filter(created_at__gte=datetime.combine(day_after, time(), UTC))
    return messages


def _where(messages: QuerySet[Message]) -> tuple[str, list]:
    """The queryset's conditions as SQL on chat_message, for the engine's query."""
    compiler = messages.query.get_compiler(connection=connection)
    sql, params = compiler.compile(messages.query.where)
    return sql or "1 = 1", list(params)


def result_payload(message: Message, *, snippet: str) -> dict[str, Any]:
    """One search result: where the message is (its room, its number in the room's timeline
    `seq`, null for a thread reply shown only in its thread, and its `thread_root`), who wrote
    it and when, and its `snippet` as safe HTML (matches in <mark>)."""
    room = message.room
    return {
        "id": message.pk,
        "room": {"slug": room.slug, "name": room.name, "kind": room.kind, "private": room.private},
        "seq": message.seq,
        "thread_root": message.thread_root_id,
        "author": user_payload(message.author),
        "created_at": moment_payload(message.created_at),
        "edited_at": moment_payload(message.edited_at),
        "snippet": snippet,
    }


def message_search(
    *, user: User, query: str, limit: int = LIMIT_DEFAULT, cursor: str | None = None
) -> dict[str, Any]:
    """The messages `user` may read now that match `query` (search/query.py), best first (by
    newest first when the query has filters only), `limit` (at most LIMIT_MAX) after `cursor`
    (a previous page's `next_cursor`): {"results": [result_payload...], "next_cursor": str or
    None}. Raises BadRequest for a query that does not parse or a bad cursor, NotFound for an
    `in:` room or conversation the caller may not read (as for one that does not exist) and a
    `from:` user nobody is."""
    parsed = query_parse(query)
    limit = max(1, min(limit, LIMIT_MAX))
    offset = _cursor_offset(cursor)
    messages = _filtered(parsed, user=user)
    if (parsed.dropped and parsed.empty) or messages.query.is_empty():
        return {"results": [], "next_cursor": None}
    want = min(limit + 1, RESULTS_MAX - offset)
    if want <= 0:
        return {"results": [], "next_cursor": None}
    if parsed.text:
        where, params = _where(messages)
        hits = engine_search(parsed, where=where, params=params, limit=want, offset=offset)
        snippets = {hit.id: snippet_html(hit.snippet) for hit in hits}
        ids = [hit.id for hit in hits]
    else:
        page = list(messages.order_by("-id").values_list("id", "body")[offset : offset + want])
        snippets = {pk: snippet_plain(body) for pk, body in page}
        ids = [pk for pk, _ in page]
    more = len(ids) > limit
    ids = ids[:limit]
    found = Message.objects.select_related("author", "room").in_bulk(ids)
    return {
        "results": [result_payload(found[pk], snippet=snippets[pk]) for pk in ids if pk in found],
        "next_cursor": _cursor(offset + limit) if more else None,
    }
