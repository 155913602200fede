"""Direct messages: a private room of two to PARLEY_DM_MAX_MEMBERS people, found by its member
set. Opening a DM with the same people again opens the same conversation, as in Slack; adding
someone makes another one. Everything else (seq, resume, idempotency, history, privacy) is a
room's."""

import secrets

from django.conf import settings
from django.db import IntegrityError, transaction

from accounts.models import User
from parley.errors import BadRequest, Forbidden, NotFound
from parley.text import text_check_storable

from ..models import Membership, Room
from .rooms import conversation_added, member_changed


def _dm_key(user_ids: set[int]) -> str:
    return ",".join(str(pk) for pk in sorted(user_ids))


def _people(by: User, usernames: list[str]) -> list[User]:
    """`by` and the people named, each once; NotFound for a name that is no signed-up, active
    user (guests cannot be messaged directly)."""
    names = {text_check_storable(name, field="username").strip() for name in usernames}
    names.discard(by.username)
    found = {
        user.username: user
        for user in User.objects.filter(username__in=names, is_active=True, is_guest=False)
    }
    if missing := sorted(names - set(found)):
        raise NotFound(f"There is no user {missing[0]!r}.")
    return [by, *sorted(found.values(), key=lambda user: user.pk)]


def dm_find(*, by: User, usernames: list[str]) -> Room | None:
    """The DM between `by` and `usernames` if they have one with all of them in it; NotFound
    for an unknown name. A DM someone left before leaving was refused is not found (None): only
    `dm_open` writes, and it brings them back."""
    if not by.is_authenticated or by.is_guest:
        return None
    people = _people(by, usernames)
    room = Room.objects.filter(dm_key=_dm_key({user.pk for user in people})).first()
    if room is None or Membership.objects.filter(room=room).count() != len(people):
        return None
    return room


def dm_open(*, by: User, usernames: list[str]) -> tuple[Room, bool]:
    """The DM between `by` and `usernames` (a DM with oneself when none), made when it does
    not exist yet: (room, created). Each member hears it on their own stream when it is made.
    Its people are its identity: nobody leaves a DM (`room_leave` refuses), and one who left it
    before that was refused (or whose membership was deleted in the admin) is back in it when
    it is opened again, so that opening it always reaches a conversation of all of them.

    Guests cannot start DMs (Forbidden); more than PARLEY_DM_MAX_MEMBERS people is BadRequest."""
    if not by.is_authenticated or by.is_guest:
        raise Forbidden("Guests cannot send direct messages; sign up first.")
    if not isinstance(usernames, list) or not all(isinstance(n, str) for n in usernames):
        raise BadRequest("usernames is a list of usernames.")
    people = _people(by, usernames)
    if len(people) > settings.PARLEY_DM_MAX_MEMBERS:
        raise BadRequest(
            f"A direct message has at most {settings.PARLEY_DM_MAX_MEMBERS} people, you included."
        )
    key = _dm_key({user.pk for user in people})
    if (room := Room.objects.filter(dm_key=key).first()) is not None:
        _people_restore(room=room, by=by, people=people)
        return room, False
    try:
        with transaction.atomic():
            room = Room.objects.create(
                slug=f"dm-{secrets.token_hex(8)}",
                name=", ".join(user.username for user in people)[:80],
                private=True,
                kind=Room.Kind.DM,
                dm_key=key,
            )
            Membership.objects.bulk_create([Membership(room=room, user=user) for user in people])
            for user in people:
                conversation_added(room=room, user=user)
    except IntegrityError:
        # The same people opened it at the same moment elsewhere: that one is the DM.
        return Room.objects.get(dm_key=key), False
    return room, True


def _people_restore(*, room: Room, by: User, people: list[User]) -> None:
    """Put back in the DM those of its `people` who are no longer in it: `by` rejoins, the
    others are brought back by them. Each is announced as a join or an invitation is: a
    `member` change in the DM's stream, and `conversation_added` on their own stream, with
    everything in it read (chat.services.rooms.member_changed)."""
    present = set(Membership.objects.filter(room=room).values_list("user_id", flat=True))
    missing = [user for user in people if user.pk not in present]
    if not missing:
        return
    with transaction.atomic():
        for user in missing:
            _, created = Membership.objects.get_or_create(room=room, user=user)
            if created:
                member_changed(room=room, user=user, change="joined" if user == by else "invited")
