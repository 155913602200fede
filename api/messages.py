"""A room's messages: read a page of history, post one (idempotently, by client_id; a thread
reply too), edit or delete one."""

from ninja import Query, Router, Status

from accounts.models import User
from chat.models import Message
from chat.selectors import (
    HISTORY_MAX,
    message_history,
    message_history_around,
    message_payloads,
)
from chat.services.messages import message_delete, message_edit, message_post
from parley.errors import BadRequest
from throttle.services import reader_key, replay_charge

from .auth import AuthenticatedRequest
from .rooms import room_visible
from .schemas import MessageEditIn, MessageIn, MessageOut, MessagePageOut, errors

router = Router(tags=["messages"])


def message_out(message: Message, *, viewer: User) -> dict:
    """The message as it is now, as `viewer` sees it (`me` in its reactions)."""
    return message_payloads([message], viewer=viewer, room_slug=message.room.slug)[0]


def reader(user: User) -> str:
    """Whose replay budget a read spends."""
    return reader_key(user_id=user.pk, address=None)


@router.get("/rooms/{slug}/messages", response={200: MessagePageOut, **errors(400, 401, 404, 429)})
def message_list(
    request: AuthenticatedRequest,
    slug: str,
    before: int | None = Query(None, ge=0, description="Only messages with a seq below this."),
    after: int | None = Query(None, ge=0, description="Only messages with a seq above this."),
    around: int | None = Query(
        None, ge=0, description="The page around the message with this seq (alone)."
    ),
    limit: int = Query(50, ge=1, le=HISTORY_MAX),
):
    """Up to `limit` messages of the room's timeline, ascending by seq, each as it is now: the
    newest ones (before `before`, when given), or, with `after`, the oldest ones after it (and
    before `before`, when both are given). `has_more` says whether more lie beyond the page in
    that direction: older ones without `after`; with `after`, newer ones (below `before`, when
    given). With `around` (alone): the page holding that message, about half of it before it,
    `has_more` for older ones (newer ones: after the page's last seq up to the room's). Thread replies not also sent to
    the room are not in it."""
    if around is not None and (before is not None or after is not None):
        raise BadRequest("around: send it alone, without before or after.")
    room = room_visible(slug=slug, user=request.auth)
    if around is not None:
        messages, has_more = message_history_around(room=room, seq=around, limit=limit)
    else:
        messages, has_more = message_history(room=room, before=before, after=after, limit=limit)
    replay_charge(reader=reader(request.auth), messages=len(messages))
    return {
        "messages": message_payloads(messages, viewer=request.auth, room_slug=room.slug),
        "has_more": has_more,
    }


@router.post(
    "/rooms/{slug}/messages",
    response={200: MessageOut, 201: MessageOut, **errors(400, 401, 403, 404, 409, 413, 429)},
)
def message_new(request: AuthenticatedRequest, slug: str, data: MessageIn):
    """Post a message, or a reply in a thread (`thread_root`), with the caller's pending uploads
    in this room named in `files` (the body may then be empty): 201 once stored (and broadcast
    to the room's sockets). A retry with the same client_id stores nothing and answers 200 with the
    original message."""
    room = room_visible(slug=slug, user=request.auth)
    message, created = message_post(
        author=request.auth,
        room=room,
        body=data.body,
        client_id=data.client_id,
        thread_root=data.thread_root,
        also_to_room=data.also_to_room,
        files=data.files,
    )
    return Status(201 if created else 200, message_out(message, viewer=request.auth))


@router.patch(
    "/rooms/{slug}/messages/{id}",
    response={200: MessageOut, **errors(400, 401, 403, 404, 409, 413, 429)},
)
def message_change(request: AuthenticatedRequest, slug: str, id: int, data: MessageEditIn):
    """Edit the caller's own message: its body is replaced and the earlier one kept in its
    history (administrators read it). 200 with the message as it is now."""
    room = room_visible(slug=slug, user=request.auth)
    message = message_edit(by=request.auth, room=room, message_id=id, body=data.body)
    return message_out(message, viewer=request.auth)


@router.delete(
    "/rooms/{slug}/messages/{id}", response={204: None, **errors(400, 401, 403, 404, 409)}
)
def message_remove(request: AuthenticatedRequest, slug: str, id: int):
    """Delete a message (the author, the room's owner or an administrator): its body is removed
    from the database and a tombstone stays in its place. 404 when it is already deleted."""
    room = room_visible(slug=slug, user=request.auth)
    message_delete(by=request.auth, room=room, message_id=id)
    return Status(204, None)
