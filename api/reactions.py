"""Reactions and pins on a room's messages. Each change is idempotent: adding what is there, or
removing what is not, changes nothing and answers as if it had. 403 only for a session call
without its CSRF token: any signed-up user who may see a room reacts and pins there."""

from ninja import Query, Router, Status

from chat.payloads import pin_payload
from chat.selectors import message_list_pinned, message_payloads
from chat.services.pins import message_pin, message_unpin
from chat.services.reactions import reaction_add, reaction_remove

from .auth import AuthenticatedRequest
from .messages import message_out
from .rooms import page_of, room_visible
from .schemas import MessageOut, Page, PinListOut, ReactionStateOut, errors

router = Router(tags=["reactions and pins"])


@router.put(
    "/rooms/{slug}/messages/{id}/reactions/{emoji}",
    response={200: ReactionStateOut, **errors(400, 401, 403, 404, 409)},
)
def reaction_put(request: AuthenticatedRequest, slug: str, id: int, emoji: str):
    """React to the message with `emoji` (one emoji, URL-encoded). 200 with the emoji as stored
    and its count, whether the reaction is new or was there."""
    room = room_visible(slug=slug, user=request.auth)
    state = reaction_add(by=request.auth, room=room, message_id=id, emoji=emoji)
    return {"emoji": state.emoji, "count": state.count, "me": state.mine}


@router.delete(
    "/rooms/{slug}/messages/{id}/reactions/{emoji}",
    response={204: None, **errors(400, 401, 403, 404, 409)},
)
def reaction_delete(request: AuthenticatedRequest, slug: str, id: int, emoji: str):
    """Take the caller's `emoji` back from the message; 204 whether it was there or not."""
    room = room_visible(slug=slug, user=request.auth)
    reaction_remove(by=request.auth, room=room, message_id=id, emoji=emoji)
    return Status(204, None)


@router.put(
    "/rooms/{slug}/messages/{id}/pin", response={200: MessageOut, **errors(400, 401, 403, 404, 409)}
)
def pin_put(request: AuthenticatedRequest, slug: str, id: int):
    """Pin the message to the room; 200 with the message, whether it was pinned already or not."""
    room = room_visible(slug=slug, user=request.auth)
    return message_out(message_pin(by=request.auth, room=room, message_id=id), viewer=request.auth)


@router.delete(
    "/rooms/{slug}/messages/{id}/pin", response={204: None, **errors(400, 401, 403, 404, 409)}
)
def pin_delete(request: AuthenticatedRequest, slug: str, id: int):
    """Unpin the message; 204 whether it was pinned or not."""
    room = room_visible(slug=slug, user=request.auth)
    message_unpin(by=request.auth, room=room, message_id=id)
    return Status(204, None)


@router.get("/rooms/{slug}/pins", response={200: PinListOut, **errors(400, 401, 404)})
def pin_list(request: AuthenticatedRequest, slug: str, page: Query[Page]):
    """The room's pinned messages, the newest pin first, a page at a time."""
    room = room_visible(slug=slug, user=request.auth)
    pinned, paging = page_of(message_list_pinned(room=room), page)
    payloads = message_payloads(pinned, viewer=request.auth, room_slug=room.slug)
    pins = [
        pin_payload(message, payload=payload)
        for message, payload in zip(pinned, payloads, strict=True)
    ]
    return {"pins": pins, **paging}
