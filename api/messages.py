"""A room's messages: read a page of history, post one (idempotently, by client_id)."""

from ninja import Query, Router, Status

from chat.payloads import message_payload
from chat.selectors import HISTORY_MAX, message_history
from chat.services.messages import message_post
from throttle.services import reader_key, replay_charge

from .auth import AuthenticatedRequest
from .rooms import room_visible
from .schemas import MessageIn, MessageOut, MessagePageOut, errors

router = Router(tags=["messages"])


@router.get("/rooms/{slug}/messages", response={200: MessagePageOut, **errors(400, 401, 404, 429)})
def message_list(
    request: AuthenticatedRequest,
    slug: str,
    before: int | None = Query(None, ge=0, description="Only messages with a seq below this."),
    after: int | None = Query(None, ge=0, description="Only messages with a seq above this."),
    limit: int = Query(50, ge=1, le=HISTORY_MAX),
):
    """Up to `limit` messages, ascending by seq: the newest ones (before `before`, when given),
    or, with `after`, the oldest ones after it (and before `before`, when both are given).
    `has_more` says whether more lie beyond the page in that direction: older ones without
    `after`; with `after`, newer ones (below `before`, when given)."""
    room = room_visible(slug=slug, user=request.auth)
    messages, has_more = message_history(room=room, before=before, after=after, limit=limit)
    replay_charge(reader=reader_key(user_id=request.auth.pk, address=None), messages=len(messages))
    return {
        "messages": [message_payload(message, room_slug=room.slug) for message in messages],
        "has_more": has_more,
    }


@router.post(
    "/rooms/{slug}/messages",
    response={200: MessageOut, 201: MessageOut, **errors(400, 401, 403, 404, 409, 413, 429)},
)
def message_new(request: AuthenticatedRequest, slug: str, data: MessageIn):
    """Post a message: 201 once stored (and broadcast to the room's sockets). A retry with the
    same client_id stores nothing and answers 200 with the original message."""
    room = room_visible(slug=slug, user=request.auth)
    message, created = message_post(
        author=request.auth, room=room, body=data.body, client_id=data.client_id
    )
    return Status(201 if created else 200, message_payload(message, room_slug=room.slug))
