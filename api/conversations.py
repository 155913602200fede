"""Conversations: the caller's sidebar (rooms and direct messages with their unread counts),
direct messages, read markers and notification settings. The same state and changes as the
`ready` frame and the user's own stream on the WebSocket (docs/protocol.md)."""

from ninja import Router, Status

from chat.selectors import conversation_list
from chat.services.conversations import dm_open
from chat.services.reading import marker_read, marker_unread_from, markers_read_all, notify_set

from .auth import AuthenticatedRequest
from .rooms import room_visible
from .schemas import (
    ConversationListOut,
    ConversationOut,
    DirectMessageIn,
    MarkerOut,
    NotifyIn,
    NotifyOut,
    ReadAllOut,
    ReadIn,
    UnreadIn,
    errors,
)

router = Router(tags=["conversations"])


@router.get("/conversations", response={200: ConversationListOut, **errors(401)}, by_alias=True)
def conversations(request: AuthenticatedRequest):
    """The caller's rooms and DMs by name, each with its read marker, unread and mention counts."""
    return {"conversations": conversation_list(user=request.auth)}


@router.post("/conversations/read", response={200: ReadAllOut, **errors(401)})
def conversations_read(request: AuthenticatedRequest):
    """Mark all read: every conversation's marker moves to its newest event."""
    return {"moved": markers_read_all(user=request.auth)}


@router.post(
    "/dms",
    response={200: ConversationOut, 201: ConversationOut, **errors(400, 401, 403, 404)},
    by_alias=True,
)
def dm_new(request: AuthenticatedRequest, data: DirectMessageIn):
    """Open the DM between the caller and `usernames`: 201 when it is new, 200 when these
    people already have one (the same conversation)."""
    room, created = dm_open(by=request.auth, usernames=data.usernames)
    (conversation,) = conversation_list(user=request.auth, room_ids=[room.pk])
    return Status(201 if created else 200, conversation)


@router.post("/rooms/{slug}/read", response={200: MarkerOut, **errors(400, 401, 404)})
def room_read(request: AuthenticatedRequest, slug: str, data: ReadIn | None = None):
    """Mark the room read up to event seq `seq` (everything without it); forward only."""
    room = room_visible(slug=slug, user=request.auth)
    marker = marker_read(user=request.auth, room=room, seq=data.seq if data else None)
    return {"room": room.slug, "last_read": marker}


@router.post("/rooms/{slug}/unread", response={200: MarkerOut, **errors(400, 401, 404)})
def room_unread(request: AuthenticatedRequest, slug: str, data: UnreadIn):
    """Mark the room unread from message `id` on."""
    room = room_visible(slug=slug, user=request.auth)
    marker = marker_unread_from(user=request.auth, room=room, message_id=data.id)
    return {"room": room.slug, "last_read": marker}


@router.put("/rooms/{slug}/notify", response={200: NotifyOut, **errors(400, 401, 404)})
def room_notify(request: AuthenticatedRequest, slug: str, data: NotifyIn):
    """How the room notifies the caller: `all`, `mentions`, `none`, or "" for the default."""
    room = room_visible(slug=slug, user=request.auth)
    return {
        "room": room.slug,
        "notify": notify_set(user=request.auth, room=room, notify=data.notify),
    }
