"""Creating rooms and changing who is in them."""

import math
import re
import secrets
from contextvars import ContextVar
from datetime import timedelta
from typing import Literal

from anyascii import anyascii
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from parley import events
from parley.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NameTaken,
    NewOwnerRequired,
    NotFound,
    RateLimited,
)
from parley.text import text_check_name, text_check_storable

from ..models import Membership, Room
from ..payloads import conversation_payload, user_payload
from ..selectors import room_check_open, room_find_visible, room_name_holder
from . import stream
from .room_admin import room_archive, room_may_manage, room_owner_transfer, room_updated_record

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


def slug_for_name(name: str) -> str:
    """The slug a room name makes, for any script: transliterated to ASCII ("Москва" ->
    "moskva", "日本語" -> "ribenyu", "Café" -> "cafe"), so that everyone typing a name reaches
    the same room and slugs stay `[a-z0-9_-]` (no look-alike letters from other scripts, URLs
    as typed). "" when nothing is left (only punctuation)."""
    return slugify(anyascii(name)).strip("-_")[:64].strip("-_")


def _slug_from_name(name: str) -> str:
    base = slug_for_name(name)[:56].strip("-_") or f"room-{secrets.token_hex(3)}"
    slug, n = base, 1
    while Room.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


# A private room's slug ends in "-" and this many random characters the server chooses.
PRIVATE_SUFFIX_LENGTH = 6
_SUFFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


def _private_slug(base: str) -> str:
    """`base` with a random suffix (`design-review-k3x9q2`). Public and private rooms share one
    slug namespace, so a private room whose slug anyone could pick would be revealed by the
    409 that picking it gives; with the suffix, no name anyone chooses meets a private room's
    unless they already know it (36^6 suffixes per base)."""
    suffix = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(PRIVATE_SUFFIX_LENGTH))
    base = base[: 64 - PRIVATE_SUFFIX_LENGTH - 1].rstrip("-_") or "room"
    return f"{base}-{suffix}"


def _check_room_quota(owner: User | None) -> None:
    """At most PARLEY_ROOMS_PER_HOUR rooms created by `owner` in the last hour (0: no limit).
    Rooms made without an owner (by an operator's command) do not count."""
    limit = settings.PARLEY_ROOMS_PER_HOUR
    if not limit or owner is None:
        return
    now = timezone.now()
    window = timedelta(hours=1)
    recent = list(
        Room.objects.filter(owner=owner, created_at__gt=now - window)
        .order_by("created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) >= limit:
        retry_after = max((recent[0] + window - now).total_seconds(), 1.0)
        raise RateLimited(
            f"You can create at most {limit} rooms an hour; "
            f"try again in {math.ceil(retry_after)} s.",
            retry_after=retry_after,
        )


def _clean_name(name: str) -> str:
    name = " ".join(text_check_name(name, field="name").split())
    if not name:
        raise BadRequest("A room needs a name.")
    if len(name) > MAX_NAME:
        raise BadRequest(f"A room name is at most {MAX_NAME} characters.")
    return name


def _clean_topic(topic: str) -> str:
    topic = text_check_storable(topic, field="topic").strip()
    if len(topic) > MAX_TOPIC:
        raise BadRequest(f"A topic is at most {MAX_TOPIC} characters.")
    return topic


def _check_name_free(*, name: str, user: User | None, room: Room | None = None) -> None:
    """NameTaken when a room other than `room` that `user` may see has this name, without case
    or accents ("general", "General" and "Général" are one name). Private rooms `user` is not in
    hold no name for them (chat.selectors.room_name_holder): their names are told apart by the
    Private badge and their slugs, never by refusing one that would reveal them."""
    holder = room_name_holder(name=name, user=user, exclude=room)
    if holder is not None:
        state = " (archived)" if holder.archived_at is not None else ""
        raise NameTaken(
            f"There is already a room named {holder.name!r}{state}: #{holder.slug}. "
            "Pick another name, or use that room."
        )


def room_create(
    *,
    owner: User | None,
    name: str,
    slug: str | None = None,
    topic: str = "",
    private: bool = False,
    quota: bool = True,
) -> Room:
    """A new room owned by `owner`, who becomes its first member. Guests may create public
    rooms only (and become no member); `owner` None is an operator's room.

    A private room's slug always gets a random suffix (`_private_slug`), an explicit `slug`
    too. A taken slug is Conflict, whether the room holding it is visible or not; a name a room
    `owner` may see has already is NameTaken (`_check_name_free`). Raises
    RateLimited beyond the owner's rooms per hour (PARLEY_ROOMS_PER_HOUR) unless `quota` is
    False (an operator's command)."""
    name, topic = _clean_name(name), _clean_topic(topic)
    anonymous = owner is None or owner.is_guest
    if private and anonymous:
        raise Forbidden("Guests cannot create private rooms; sign up first.")
    if private:
        slug = _private_slug(slug_clean(slug) if slug else slug_for_name(name))
    else:
        slug = slug_clean(slug) if slug else _slug_from_name(name)
    _check_name_free(name=name, user=owner)
    if quota:
        _check_room_quota(owner)
    try:
        with transaction.atomic():
            room = Room.objects.create(
                slug=slug, name=name, topic=topic, private=private, owner=owner
            )
            if owner is not None and not owner.is_guest:
                Membership.objects.create(room=room, user=owner)
                conversation_added(room=room, user=owner)
            if not private:
                # Wakes the tutorial endpoint's sockets that wait for this name.
                events.publish_on_commit(events.RoomOpened(room_id=room.pk, room=room.slug))
    except IntegrityError as error:
        raise Conflict(f"The slug {slug!r} is taken.") from error
    return room


def room_open(*, slug: str, user: User, name: str | None = None, follow_name: bool = True) -> Room:
    """The room at `slug` as `user` may see it, or a new public room there owned by `user`
    (a signed-up user or a guest) and named `name` (the slug when none): the Channels
    tutorial's rooms, which exist once someone enters them. With `follow_name`, a room `user`
    may see that has the name already is the one opened (the lobby's "enter a name": typing
    "General" finds #general-chat); without, that is NameTaken. A slug held by a room `user`
    may not see is Conflict, exactly as a taken slug is in room_create: never the room itself."""
    slug = slug_clean(slug)
    if (room := room_find_visible(slug=slug, user=user)) is not None:
        return room
    if follow_name and (room := room_name_holder(name=name or slug, user=user)) is not None:
        return room
    try:
        return room_create(owner=user, name=name or slug, slug=slug)
    except Conflict:
        # Created by someone else in the meantime, or held by a room `user` may not see.
        if (room := room_find_visible(slug=slug, user=user)) is None:
            raise
        return room


def room_update(
    *,
    room: Room,
    by: User,
    name: str | None = None,
    topic: str | None = None,
    wide_mentions: bool | None = None,
) -> Room:
    """Rename the room, change its topic and/or whether `@room` and `@here` notify everyone in
    it (None: unchanged), with room_create's rules for each (a name another room `by` may see
    has is NameTaken). The slug stays, so links to the room keep working. Records RoomUpdated,
    unless nothing changes. Forbidden unless `by` may manage the room (`room_may_manage`);
    RoomArchived in an archived room."""
    if not room_may_manage(room=room, by=by):
        raise Forbidden("Only the room's owner or an administrator changes its name or topic.")
    name = _clean_name(name) if name is not None else None
    topic = _clean_topic(topic) if topic is not None else None
    if name is not None:
        _check_name_free(name=name, user=by, room=room)
    with transaction.atomic():
        _, seq = stream.allocate(room)
        current = Room.objects.select_related("owner").get(pk=room.pk)
        before = (current.name, current.topic, current.wide_mentions)
        room.owner, room.archived_at = current.owner, current.archived_at
        room.name = current.name if name is None else name
        room.topic = current.topic if topic is None else topic
        room.wide_mentions = current.wide_mentions if wide_mentions is None else wide_mentions
        after = (room.name, room.topic, room.wide_mentions)
        if after == before:
            transaction.set_rollback(True)  # nothing changes: give the event seq back
            return room
        room.save(update_fields=["name", "topic", "wide_mentions"])
        room_updated_record(room=room, seq=seq, by=by)
    return room


def member_changed(*, room: Room, user: User, change: events.MemberChange) -> None:
    """Record in the room's stream that `user` joined, left, was invited or was removed; its
    subscribers hear it once committed. One who joined or was invited hears it on their own
    stream too (`conversation_added`)."""
    stream.record(events.MemberChanged, room=room, user=user_payload(user), change=change)
    if change in ("joined", "invited"):
        conversation_added(room=room, user=user)


def conversation_added(*, room: Room, user: User) -> None:
    """A new member of the room starts with everything in it read (its newest event seq now;
    a join records its own event first), and their sockets add it to their sidebar."""
    newest = Room.objects.filter(pk=room.pk).values_list("last_event_seq", flat=True)
    Membership.objects.filter(room=room, user=user).update(last_read=Subquery(newest[:1]))
    # Everything in it is read, so its counts are nought: the conversation is the membership's
    # payload as conversation_list makes it, without its counting query (a first post joins,
    # so this is on that post's path).
    membership = Membership.objects.select_related("room", "user").filter(room=room, user=user)
    joined = membership.first()
    if joined is None:
        return
    members = None
    if room.kind == Room.Kind.DM:
        members = [m.user for m in Membership.objects.filter(room=room).select_related("user")]
    conversation = conversation_payload(joined, members=members)
    events.publish_on_commit(events.ConversationAdded(user_id=user.pk, conversation=conversation))


def room_join(*, room: Room, user: User) -> Membership:
    """Join a public room. Private rooms are joined by invitation only."""
    if user.is_guest:
        raise Forbidden("Guests cannot join rooms; sign up first.")
    membership = Membership.objects.filter(room=room, user=user).first()
    if membership:
        return membership
    if room.private:
        raise Forbidden("Private rooms are joined by invitation.")
    room_check_open(room)
    membership, created = Membership.objects.get_or_create(room=room, user=user)
    if created:
        member_changed(room=room, user=user, change="joined")
    return membership


def room_invite(*, room: Room, by: User, username: str) -> Membership:
    """Add `username` to the room. In a private room only the owner invites; in a public
    room any member may. Nobody is added to a DM (a DM with one more person is another DM),
    and nobody invites into an archived room (RoomArchived)."""
    if room.kind == Room.Kind.DM:
        raise BadRequest("A direct message keeps its people: start a new one with everyone.")
    room_check_open(room)
    if room.private and room.owner_id != by.pk:
        raise Forbidden("Only the room's owner invites people to a private room.")
    if not room.private and not Membership.objects.filter(room=room, user=by).exists():
        raise Forbidden("Join the room before inviting others.")
    text_check_storable(username, field="username")
    invitee = User.objects.filter(username=username, is_guest=False, is_active=True).first()
    if invitee is None:
        raise NotFound(f"There is no user {username!r}.")
    membership, created = Membership.objects.get_or_create(room=room, user=invitee)
    if created:
        member_changed(room=room, user=invitee, change="invited")
    return membership


def room_leave(*, room: Room, user: User, new_owner: str | None = None) -> None:
    """`user` leaves the room. If it is private, their open sockets stop receiving it.

    The owner of a private room names its `new_owner` (a member), to whom it is handed over
    first, in the same transaction: otherwise nobody could invite anyone into it any more, and
    its owner would no longer see it. Leaving without one is NewOwnerRequired while others are
    in the room; the last member leaving an empty private room archives it, with its history,
    for administrators (who may hand it over in the admin). The owner of a public room may
    leave and stays its owner (it is visible to all, so they still manage it), or hands it over
    with `new_owner` as they go.

    Nobody leaves a direct message (BadRequest), as in Slack and Zulip: its people are what it
    is (`dm_key`), and opening a DM with them again must reach a conversation you are in. Its
    notifications can be set to nothing instead (chat.services.reading.notify_set)."""
    with transaction.atomic():
        if not Membership.objects.filter(room=room, user=user).exists():
            raise NotFound(f"You are not a member of {room.slug!r}.")
        if room.kind == Room.Kind.DM:
            raise BadRequest(
                "A direct message cannot be left: its people are what it is. "
                "Set its notifications to nothing instead."
            )
        if new_owner is not None and new_owner != user.username:
            room_owner_transfer(room=room, by=user, username=new_owner)
        elif room.private and room.owner_id == user.pk:
            if Membership.objects.filter(room=room).exclude(user=user).exists():
                raise NewOwnerRequired(
                    f"You own #{room.slug}: name a member as its new owner to leave it."
                )
            room_archive(room=room, by=user)
        _membership_end(room=room, user=user, reason="left")


def member_may_remove(*, room: Room, by: User) -> bool:
    """Who removes others from a room: its owner, or a Parley administrator."""
    return room_may_manage(room=room, by=by)


def member_remove(*, room: Room, by: User, username: str) -> None:
    """Remove `username` from the room (themselves: leave). Only the room's owner or an
    administrator removes others, and the owner cannot be removed; nobody is removed from a
    direct message (Forbidden), nor leaves it. If the room is private, the removed user's open
    sockets stop receiving it."""
    if username == by.username:
        room_leave(room=room, user=by)
        return
    if room.kind == Room.Kind.DM:
        raise Forbidden("Nobody is removed from a direct message: its people are what it is.")
    if not member_may_remove(room=room, by=by):
        raise Forbidden("Only the room's owner or an administrator removes members.")
    member = User.objects.filter(username=username, memberships__room=room).first()
    if member is None:
        raise NotFound(f"{username!r} is not a member of {room.slug!r}.")
    if member.pk == room.owner_id:
        raise Forbidden("The room's owner cannot be removed.")
    _membership_end(room=room, user=member, reason="removed")


# Why the membership being deleted ends (chat/signals.py announces it): set by the services for
# the deletions they make; any other deletion (the admin, a room or user deleted with its
# memberships) is a removal.
ending_reason: ContextVar[Literal["left", "removed"]] = ContextVar(
    "membership_ending_reason", default="removed"
)


def _membership_end(*, room: Room, user: User, reason: Literal["left", "removed"]) -> bool:
    """Delete the membership; False when there was none."""
    token = ending_reason.set(reason)
    try:
        deleted, _ = Membership.objects.filter(room=room, user=user).delete()
    finally:
        ending_reason.reset(token)
    return bool(deleted)
