"""Rooms and their members.

A private room the caller is not in is invisible: every call on it answers 404, as for a room
that does not exist, so its name cannot be probed.
"""

from ninja import Query, Router, Status

from accounts.models import User
from chat.models import Room
from chat.payloads import user_payload
from chat.selectors import (
    room_browse,
    room_get_visible,
    room_is_member,
    room_list_joined,
    room_members,
)
from chat.services.room_admin import room_archive, room_owner_transfer, room_unarchive
from chat.services.rooms import (
    member_remove,
    room_create,
    room_invite,
    room_join,
    room_leave,
    room_update,
)
from parley.errors import BadRequest

from .auth import AuthenticatedRequest
from .schemas import (
    MemberIn,
    MemberLeaveIn,
    MemberListOut,
    MembershipOut,
    OwnerIn,
    Page,
    RoomBrowse,
    RoomIn,
    RoomListOut,
    RoomOut,
    RoomUpdateIn,
    errors,
)

router = Router(tags=["rooms"])


def room_visible(*, slug: str, user: User) -> Room:
    """The room at `slug` if `user` may see it; NotFound otherwise, private or not."""
    return room_get_visible(slug=slug, user=user)


def page_of(items, page: Page) -> tuple[list, dict]:
    """One page of `items` (an ordered queryset) and the paging fields of the answer."""
    start = (page.page - 1) * page.page_size
    rows = list(items[start : start + page.page_size + 1])
    return rows[: page.page_size], {
        "page": page.page,
        "page_size": page.page_size,
        "has_more": len(rows) > page.page_size,
    }


def _time(moment) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment is not None else None


def room_payload(room: Room, *, member: bool, member_count: int | None = None) -> dict:
    """A room as the API answers it; `member` says whether the caller is in it.
    `member_count`: counted here when the caller has not (a list counts its page at once)."""
    if member_count is None:
        member_count = room_members(room=room).count()
    return {
        "slug": room.slug,
        "name": room.name,
        "topic": room.topic,
        "private": room.private,
        "owner": user_payload(room.owner) if room.owner else None,
        "last_seq": room.last_seq,
        "last_event_seq": room.last_event_seq,
        "created_at": _time(room.created_at),
        "archived_at": _time(room.archived_at),
        "wide_mentions": room.wide_mentions,
        "member": member,
        "member_count": member_count,
    }


def room_answer(room: Room, user: User) -> dict:
    """The room after a change by `user`."""
    return room_payload(room, member=room_is_member(room=room, user=user))


@router.get("/rooms", response={200: RoomListOut, **errors(400, 401)})
def room_list(request: AuthenticatedRequest, browse: Query[RoomBrowse]):
    """The rooms the caller may see (public rooms and the private rooms they are in), by name,
    a page at a time (`page` from 1, `page_size` at most 100), each with its member count:
    those whose name contains `q`, open ones unless `archived`. Their DMs are in GET
    /conversations."""
    found = room_browse(user=request.auth, q=browse.q, archived=browse.archived)
    rooms, paging = page_of(found.select_related("owner"), browse)
    shown = [room.pk for room in rooms]
    joined = set(
        room_list_joined(user=request.auth).filter(pk__in=shown).values_list("pk", flat=True)
    )
    return {
        "rooms": [
            room_payload(room, member=room.pk in joined, member_count=room.member_count)
            for room in rooms
        ],
        **paging,
    }


@router.post("/rooms", response={201: RoomOut, **errors(400, 401, 403, 409, 413, 429)})
def room_new(request: AuthenticatedRequest, data: RoomIn):
    """A new room owned by the caller, who becomes its first member. 409 `conflict` when the
    slug is taken, `name_taken` when a room the caller may see has the name."""
    room = room_create(
        owner=request.auth, name=data.name, slug=data.slug, topic=data.topic, private=data.private
    )
    return Status(201, room_payload(room, member=True))


@router.get("/rooms/{slug}", response={200: RoomOut, **errors(401, 404)})
def room_detail(request: AuthenticatedRequest, slug: str):
    return room_answer(room_visible(slug=slug, user=request.auth), request.auth)


@router.patch("/rooms/{slug}", response={200: RoomOut, **errors(400, 401, 403, 404, 409, 413)})
def room_change(request: AuthenticatedRequest, slug: str, data: RoomUpdateIn):
    """Rename the room and/or change its topic (a field absent stays as it is): its owner or an
    administrator. The slug stays. 200 with the room; 409 `name_taken` for a name another room
    the caller may see has, `room_archived` in an archived room."""
    room = room_visible(slug=slug, user=request.auth)
    room = room_update(
        room=room,
        by=request.auth,
        name=data.name,
        topic=data.topic,
        wide_mentions=data.wide_mentions,
    )
    return room_answer(room, request.auth)


@router.post("/rooms/{slug}/owner", response={200: RoomOut, **errors(400, 401, 403, 404, 413)})
def room_owner_change(request: AuthenticatedRequest, slug: str, data: OwnerIn):
    """Hand the room over to member `username`: its owner or an administrator. 200 with the
    room; 404 when `username` is not a member."""
    room = room_visible(slug=slug, user=request.auth)
    room = room_owner_transfer(room=room, by=request.auth, username=data.username)
    return room_answer(room, request.auth)


@router.post("/rooms/{slug}/archive", response={200: RoomOut, **errors(401, 403, 404)})
def room_archive_set(request: AuthenticatedRequest, slug: str):
    """Archive the room (read-only, left out of lists): its owner or an administrator."""
    room = room_archive(room=room_visible(slug=slug, user=request.auth), by=request.auth)
    return room_answer(room, request.auth)


@router.post("/rooms/{slug}/unarchive", response={200: RoomOut, **errors(401, 403, 404)})
def room_unarchive_set(request: AuthenticatedRequest, slug: str):
    """Open an archived room again: its owner or an administrator."""
    room = room_unarchive(room=room_visible(slug=slug, user=request.auth), by=request.auth)
    return room_answer(room, request.auth)


@router.get("/rooms/{slug}/members", response={200: MemberListOut, **errors(400, 401, 404)})
def member_list(request: AuthenticatedRequest, slug: str, page: Query[Page]):
    """The room's members by username, a page at a time (`page` from 1, `page_size` at most 100)."""
    room = room_visible(slug=slug, user=request.auth)
    members, paging = page_of(room_members(room=room), page)
    return {"members": [user_payload(user) for user in members], **paging}


@router.post(
    "/rooms/{slug}/members",
    response={200: MembershipOut, 201: MembershipOut, **errors(400, 401, 403, 404, 409, 413)},
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


@router.delete(
    "/rooms/{slug}/members", response={204: None, **errors(400, 401, 403, 404, 409, 413)}
)
def member_delete(request: AuthenticatedRequest, slug: str, data: MemberLeaveIn | None = None):
    """Leave the room (no `username`, or the caller's own), or remove `username` from it: the
    room's owner or an administrator may; the owner cannot be removed. The owner of a private
    room leaving names its `new_owner` (409 `new_owner_required` without one). The user's open
    sockets stop receiving a private room at once."""
    caller: User = request.auth
    room = room_visible(slug=slug, user=caller)
    username = data.username if data and data.username else caller.username
    new_owner = data.new_owner if data else None
    if new_owner is not None and username != caller.username:
        raise BadRequest("`new_owner` goes with leaving: a removal names only `username`.")
    if username == caller.username:
        room_leave(room=room, user=caller, new_owner=new_owner)
    else:
        member_remove(room=room, by=caller, username=username)
    return Status(204, None)
