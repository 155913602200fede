"""Reactions: one emoji of one user on one message, at most once each.

Adding a reaction that is there, or removing one that is not, changes and records nothing: a
retry is harmless. Each real change is a ReactionAdded or ReactionRemoved in the room's stream,
with the emoji's new count on the message.
"""

from dataclasses import dataclass
from typing import Literal

from django.db import transaction
from django.db.models import Count, Min, Q

from accounts.models import User
from parley import events
from parley.errors import BadRequest, Forbidden
from parley.text import emoji_one, text_check_storable
from throttle.services import post_admit

from ..models import Reaction, Room
from ..payloads import user_payload
from ..selectors import message_get
from . import stream


@dataclass(frozen=True, kw_only=True, slots=True)
class ReactionState:
    """One user's reaction with one emoji on one message, after a call: `emoji` as stored (fully
    qualified), `count` how many have reacted so, `mine` whether the user has."""

    message_id: int
    emoji: str
    count: int
    mine: bool


def emoji_clean(value: str) -> str:
    """`value` if it is exactly one emoji (Unicode's list, from the `emoji` package), in its
    fully qualified form, so that "❤" and "❤️" are one reaction; BadRequest otherwise."""
    text_check_storable(value, field="emoji")
    if (emoji := emoji_one(value)) is None:
        raise BadRequest("A reaction is one emoji, such as 👍.")
    return emoji


def reaction_may_add(*, user: User) -> bool:
    """Who reacts, in the rooms they may see: whoever may post there (a guest in a public room
    too), never an anonymous visitor without an identity."""
    return user.is_authenticated


def reaction_add(*, by: User, room: Room, message_id: int, emoji: str) -> ReactionState:
    """`by` reacts to the message with `emoji`."""
    return _react(by=by, room=room, message_id=message_id, emoji=emoji, want="add")


def reaction_remove(*, by: User, room: Room, message_id: int, emoji: str) -> ReactionState:
    """`by` takes their `emoji` back from the message."""
    return _react(by=by, room=room, message_id=message_id, emoji=emoji, want="remove")


def reaction_toggle(*, by: User, room: Room, message_id: int, emoji: str) -> ReactionState:
    """Add `by`'s `emoji` to the message, or remove it when it is there."""
    return _react(by=by, room=room, message_id=message_id, emoji=emoji, want="toggle")


def _react(
    *,
    by: User,
    room: Room,
    message_id: int,
    emoji: str,
    want: Literal["add", "remove", "toggle"],
) -> ReactionState:
    """NotFound for a
    message that is missing, deleted or in a room `by` may not see; Forbidden for a user who
    may not react (`reaction_may_add`); BadRequest for anything but one emoji."""
    emoji = emoji_clean(emoji)
    if not reaction_may_add(user=by):
        raise Forbidden("Sign up, or post as a guest, to react.")
    # Every change to a room is a write a flood could make: reactions count as posts.
    post_admit(user_id=by.pk)
    with transaction.atomic():
        _, seq = stream.allocate(room)
        message = message_get(room=room, message_id=message_id, user=by)
        reactions = Reaction.objects.filter(message=message, emoji=emoji)
        now = reactions.aggregate(
            count=Count("id"), mine=Count("id", filter=Q(user=by)), since=Min("since_seq")
        )
        mine, count = bool(now["mine"]), now["count"]
        add = not mine if want == "toggle" else want == "add"
        if add == mine:
            transaction.set_rollback(True)  # nothing changes: give the event seq back
            return ReactionState(message_id=message.pk, emoji=emoji, count=count, mine=mine)
        if add:
            # Joins the emoji's current run, or starts one (chat.models.Reaction.since_seq).
            Reaction.objects.create(
                message=message, user=by, emoji=emoji, since_seq=now["since"] or seq
            )
            count += 1
        else:
            reactions.filter(user=by).delete()
            count -= 1
        stream.record(
            events.ReactionAdded if add else events.ReactionRemoved,
            room=room,
            seq=seq,
            message=message,
            message_id=message.pk,
            emoji=emoji,
            user=user_payload(by),
            count=count,
        )
    return ReactionState(message_id=message.pk, emoji=emoji, count=count, mine=add)
