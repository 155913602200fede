"""Rooms and their members.

A private room the caller is not in is invisible: every call on it answers 404, as for a room
that does not exist, so its name cannot be probed.
"""

from ninja import Router, Status
from ninja.responses import codes_4xx

from accounts.models import User
from chat.models import Room
from chat.payloads import user_payload
from chat.selectors import (
    room_get_visible,
    room_is_member,
    room_list_joined,
    room_list_visible,
    room_members,
)
from chat.services.rooms import room_create, room_invite, room_join, room_leave
from parley.errors import Forbidden, NotFound

from .auth import AuthenticatedRequest
from .schemas import ErrorOut, MemberIn, MemberListOut, MembershipOut, RoomIn, RoomListOut, RoomOut

router = Router(tags=["rooms"])


def room_visible(*, slug: str, user: User) -> Room:
    """The room at `slug` if `user` may see it; NotFound otherwise, private or not."""
    try:
        return room_get_visible(slug=slug, user=user)
    except Forbidden as error:
        raise NotFound(f"There is no room {slug!r}.") from error


def room_payload(room: Room, *, member: bool) -> dict:
    """A room as the API answers it; `member` says whether the caller is in it."""
    return {
        "slug": room.slug,
        "name": room.name,
        "topic": room.topic,
        "private": room.private,
        "owner": user_payload(room.owner) if room.owner else None,
        "last_seq": room.last_seq,
        "created_at": room.created_at.isoformat().replace("+00:00", "Z"),
        "member": member,
    }


@router.get("/rooms", response={200: RoomListOut, codes_4xx: ErrorOut})
def room_list(request: AuthenticatedRequest):
    """Public rooms and the private rooms the caller is in, by name."""
    joined = set(room_list_joined(user=request.auth).values_list("pk", flat=True))
    rooms = room_list_visible(user=request.auth).select_related("owner")
    return {"rooms": [room_payload(room, member=room.pk in joined) for room in rooms]}


@router.post("/rooms", response={201: RoomOut, codes_4xx: ErrorOut})
def room_new(request: AuthenticatedRequest, data: RoomIn):
    """A new room owned by the caller, who becomes its first member. 409 when the slug is taken."""
    room = room_create(
        owner=request.auth, name=data.name, slug=data.slug, topic=data.topic, private=data.private
    )
    return Status(201, room_payload(room, member=True))


@router.get("/rooms/{slug}", response={200: RoomOut, codes_4xx: ErrorOut})
def room_detail(request: AuthenticatedRequest, slug: str):
    room = room_visible(slug=slug, user=request.auth)
    return room_payload(room, member=room_is_member(room=room, user=request.auth))


@router.get("/rooms/{slug}/members", response={200: MemberListOut, codes_4xx: ErrorOut})
def member_list(request: AuthenticatedRequest, slug: str):
    room = room_visible(slug=slug, user=request.auth)
    return {"members": [user_payload(user) for user in room_members(room=room)]}


@router.post(
    "/rooms/{slug}/members", response={200: MembershipOut, 201: MembershipOut, codes_4xx: ErrorOut}
)
def member_add(request: AuthenticatedRequest, slug: str, data: MemberIn | None = None):
    """Join the room (no `username`, or the caller's own) or invite `username` into it.

    Anyone joins a public room; a private one is joined by invitation. In a private room only
    the owner invites; in a public room any member does. 201 when the membership is new, 200
    when the user was already in the room.
    """
    caller: User = request.auth
    room = room_visible(slug=slug, user=caller)
    username = data.username if data and data.username else caller.username
    already = room_members(room=room).filter(username=username).exists()
    if username == caller.username:
        membership = room_join(room=room, user=caller)
    else:
        membership = room_invite(room=room, by=caller, username=username)
    return Status(
        200 if already else 201, {"room": room.slug, "user": user_payload(membership.user)}
    )


@router.delete("/rooms/{slug}/members", response={204: None, codes_4xx: ErrorOut})
def member_remove(request: AuthenticatedRequest, slug: str, data: MemberIn | None = None):
    """Leave the room. API v1 removes only the caller: naming anyone else is 403."""
    caller: User = request.auth
    room = room_visible(slug=slug, user=caller)
    if data and data.username and data.username != caller.username:
        raise Forbidden("Members leave rooms themselves; removing someone else is not supported.")
    room_leave(room=room, user=caller)
    return Status(204, None)
