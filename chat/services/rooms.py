"""Creating rooms and changing who is in them."""

import re
import secrets

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from accounts.models import User
from parley.errors import BadRequest, Conflict, Forbidden, NotFound

from .. import events
from ..models import Membership, Room
from ..payloads import user_payload
from ..selectors import room_can_see

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_NAME = 80
MAX_TOPIC = 250


def slug_clean(slug: str) -> str:
    slug = slug.strip().lower()
    if not SLUG_RE.match(slug):
        raise BadRequest(
            "A room slug is 1-64 characters of a-z, 0-9, '-' and '_', starting with a letter or digit."
        )
    return slug


def _slug_from_name(name: str) -> str:
    base = slugify(name)[:56].strip("-_") or f"room-{secrets.token_hex(3)}"
    slug, n = base, 1
    while Room.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def room_create(
    *, owner: User | None, name: str, slug: str | None = None, topic: str = "", private: bool = False
) -> Room:
    """A new room owned by `owner`, who becomes its first member. Guests may create public
    rooms only; a public room opened by an anonymous visitor has no owner (None)."""
    name = " ".join(name.split())
    if not name:
        raise BadRequest("A room needs a name.")
    if len(name) > MAX_NAME:
        raise BadRequest(f"A room name is at most {MAX_NAME} characters.")
    topic = topic.strip()
    if len(topic) > MAX_TOPIC:
        raise BadRequest(f"A topic is at most {MAX_TOPIC} characters.")
    anonymous = owner is None or owner.is_guest
    if private and anonymous:
        raise Forbidden("Guests cannot create private rooms; sign up first.")
    slug = slug_clean(slug) if slug else _slug_from_name(name)
    try:
        with transaction.atomic():
            room = Room.objects.create(slug=slug, name=name, topic=topic, private=private, owner=owner)
            if owner is not None and not owner.is_guest:
                Membership.objects.create(room=room, user=owner)
    except IntegrityError as error:
        raise Conflict(f"The slug {slug!r} is taken.") from error
    return room


def room_get_or_create_public(*, slug: str, user: User) -> Room:
    """The room at `slug`, made public on first visit, as in the Channels tutorial where
    visiting /chat/<room>/ opens that room. Raises Forbidden for a private room `user` may not
    see."""
    slug = slug_clean(slug)
    room = Room.objects.filter(slug=slug).first()
    if room is None:
        try:
            room = room_create(owner=user if user.is_authenticated else None, name=slug, slug=slug)
        except Conflict:  # created by someone else in the meantime
            room = Room.objects.get(slug=slug)
    if not room_can_see(room=room, user=user):
        raise Forbidden(f"You are not a member of {slug!r}.")
    return room


def member_changed(*, room: Room, user: User, change: str) -> None:
    """Tell the room's subscribers, once committed, that `user` joined or left."""
    events.publish_on_commit(
        {"kind": "member", "room_id": room.pk, "room": room.slug, "user": user_payload(user), "change": change}
    )


def room_join(*, room: Room, user: User) -> Membership:
    """Join a public room. Private rooms are joined by invitation only."""
    if user.is_guest:
        raise Forbidden("Guests cannot join rooms; sign up first.")
    membership = Membership.objects.filter(room=room, user=user).first()
    if membership:
        return membership
    if room.private:
        raise Forbidden("Private rooms are joined by invitation.")
    membership, created = Membership.objects.get_or_create(room=room, user=user)
    if created:
        member_changed(room=room, user=user, change="joined")
    return membership


def room_invite(*, room: Room, by: User, username: str) -> Membership:
    """Add `username` to the room. In a private room only the owner invites; in a public
    room any member may."""
    if room.private and room.owner_id != by.pk:
        raise Forbidden("Only the room's owner invites people to a private room.")
    if not room.private and not Membership.objects.filter(room=room, user=by).exists():
        raise Forbidden("Join the room before inviting others.")
    invitee = User.objects.filter(username=username, is_guest=False, is_active=True).first()
    if invitee is None:
        raise NotFound(f"There is no user {username!r}.")
    membership, created = Membership.objects.get_or_create(room=room, user=invitee)
    if created:
        member_changed(room=room, user=invitee, change="joined")
    return membership


def room_leave(*, room: Room, user: User) -> None:
    deleted, _ = Membership.objects.filter(room=room, user=user).delete()
    if not deleted:
        raise NotFound(f"You are not a member of {room.slug!r}.")
    member_changed(room=room, user=user, change="left")
