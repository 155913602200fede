"""Reads on rooms and messages, each answering for one user (who may be a guest)."""

from django.db.models import Q, QuerySet

from accounts.models import User
from parley.errors import NotFound
from parley.text import text_is_storable

from .models import Membership, Message, Room

HISTORY_MAX = 100


def room_is_member(*, room: Room, user: User) -> bool:
    return Membership.objects.filter(room=room, user=user).exists()


def room_can_see(*, room: Room, user: User) -> bool:
    if not room.private:
        return True
    return user.is_authenticated and not user.is_guest and room_is_member(room=room, user=user)


def room_missing(slug: str) -> NotFound:
    """The one error for a room that does not exist and for one the caller may not see, so
    that every transport answers both alike and private rooms' names cannot be probed."""
    return NotFound(f"There is no room {slug!r}.")


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


def room_list_joined(*, user: User) -> QuerySet[Room]:
    return Room.objects.filter(memberships__user=user).order_by("sort_name", "slug")


def room_members(*, room: Room) -> QuerySet[User]:
    return User.objects.filter(memberships__room=room).order_by("username")


def message_history(
    *, room: Room, before: int | None = None, after: int | None = None, limit: int = 50
) -> tuple[list[Message], bool]:
    """Up to `limit` messages (at most HISTORY_MAX), ascending by seq, and whether more lie
    beyond them: before `before` when it is given without `after` (the newest page first),
    otherwise after `after`."""
    limit = max(1, min(limit, HISTORY_MAX))
    messages = Message.objects.filter(room=room).select_related("author")
    if before is not None:
        messages = messages.filter(seq__lt=before)
    if after is not None:
        messages = messages.filter(seq__gt=after)
        page = list(messages.order_by("seq")[: limit + 1])
        return page[:limit], len(page) > limit
    page = list(messages.order_by("-seq")[: limit + 1])
    return page[:limit][::-1], len(page) > limit


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
