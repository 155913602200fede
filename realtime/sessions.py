"""Sync helpers the consumers call through database_sync_to_async: one thread hop each.

Each one parses nothing and encodes nothing: it resolves the room for the user and calls one
domain service or selector.
"""

from uuid import UUID

from accounts.credentials import Credential, credential_active
from accounts.models import User
from accounts.services import guest_for_session, session_guest, user_rename
from chat.models import Message, Room
from chat.payloads import message_payload, user_payload
from chat.selectors import (
    message_history,
    message_range,
    room_can_see,
    room_find_visible,
    room_get_visible,
)
from chat.services.messages import message_post, message_post_opening, typing_notify
from chat.services.rooms import slug_clean
from parley.errors import NotAuthenticated
from throttle.services import replay_charge

from . import protocol
from .fanout import tutorial_frame

# Re-exported for the consumers.
__all__ = ["credential_active", "guest_for_session", "session_guest"]


def _still_valid(credential: Credential | None) -> None:
    """Raise NotAuthenticated when the socket's credential was revoked after it connected:
    a post that arrives before the revocation's close is refused, never stored."""
    if credential is not None and not credential_active(credential=credential):
        raise NotAuthenticated("Your session or token is no longer valid.")


def visible_room(*, user: User, slug: str) -> Room:
    return room_get_visible(slug=slug, user=user)


def rooms_not_visible(*, user: User, room_ids: list[int]) -> list[int]:
    """Which of these rooms the user may no longer see (deleted ones included)."""
    rooms = {room.pk: room for room in Room.objects.filter(pk__in=room_ids)}
    return [pk for pk in room_ids if pk not in rooms or not room_can_see(room=rooms[pk], user=user)]


def replay_state(
    *, room_id: int, since: int | None, limit: int, reader: str | None = None
) -> tuple[int, list[dict] | None]:
    """(the room's last_seq, the messages after `since` to replay as `message_frames` rows),
    where the messages are None when there is nothing to replay or more than `limit` of them
    (the client resets). A replay is charged to `reader`'s replay budget before it is read
    (RateLimited when the budget is short)."""
    last_seq = Room.objects.values_list("last_seq", flat=True).get(pk=room_id)
    if since is None or since >= last_seq or last_seq - since > limit:
        return last_seq, None
    if reader is not None:
        replay_charge(reader=reader, messages=last_seq - since)
    return last_seq, message_frames(room_id=room_id, after=since, upto=last_seq)


def message_frames(*, room_id: int, after: int, upto: int, limit: int | None = None) -> list[dict]:
    """The messages with after < seq <= upto (at most `limit`), ascending, each encoded once
    for each endpoint, with the keys of a room.message layer event: {"seq", "frame", "tutorial"}."""
    return [
        {
            "seq": m.seq,
            "frame": protocol.message(message_payload(m)),
            "tutorial": tutorial_frame(m.body),
        }
        for m in message_range(room_id=room_id, after=after, upto=upto, limit=limit)
    ]


def post(
    *, user: User, credential: Credential | None, slug: str, body: str, client_id: UUID
) -> tuple[Message, bool]:
    _still_valid(credential)
    room = room_get_visible(slug=slug, user=user)
    return message_post(author=user, room=room, body=body, client_id=client_id)


def post_to_room(
    *, user: User, credential: Credential | None, room: Room, body: str, client_id: UUID
) -> tuple[Message, bool]:
    _still_valid(credential)
    return message_post(author=user, room=room, body=body, client_id=client_id)


def history(
    *, user: User, slug: str, before: int | None, limit: int, reader: str
) -> tuple[list[dict], bool]:
    room = room_get_visible(slug=slug, user=user)
    messages, has_more = message_history(room=room, before=before, limit=limit)
    replay_charge(reader=reader, messages=len(messages))
    return [message_payload(m, room_slug=room.slug) for m in messages], has_more


def typing(*, user: User, slug: str, origin: str) -> None:
    typing_notify(user=user, room=room_get_visible(slug=slug, user=user), origin=origin)


def rename(*, user: User, display_name: str) -> dict:
    return user_payload(user_rename(user=user, display_name=display_name))


def find_room(*, user: User, slug: str) -> Room | None:
    """The room the tutorial endpoint opens, or None when there is none `user` may see: such
    a name is opened by its first stored message (`post_opening`). BadRequest for a name
    that cannot be a slug."""
    return room_find_visible(slug=slug_clean(slug), user=user)


def post_opening(
    *, user: User, credential: Credential | None, slug: str, body: str, client_id: UUID
) -> tuple[Message, bool]:
    _still_valid(credential)
    return message_post_opening(author=user, slug=slug, body=body, client_id=client_id)
