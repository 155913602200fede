"""Sync helpers the consumers call through database_sync_to_async: one thread hop each.

Each one parses nothing and encodes nothing: it resolves the room for the user and calls one
domain service or selector.
"""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from accounts.credentials import Credential, credential_active
from accounts.models import User
from accounts.services import guest_for_session, session_guest
from chat.models import Message, Room
from chat.payloads import user_payload
from chat.selectors import (
    conversation_list,
    message_get,
    message_history,
    message_missing,
    message_payloads,
    room_can_see,
    room_find_visible,
    room_get_visible,
    thread_replies,
)
from chat.services.messages import (
    message_delete,
    message_edit,
    message_post,
    message_post_opening,
    typing_notify,
    typing_stop,
)
from chat.services.people import profile_update
from chat.services.pins import message_pin, message_unpin
from chat.services.previews import preview_remove
from chat.services.reactions import reaction_add, reaction_remove
from chat.services.reading import marker_read, marker_unread_from
from chat.services.rooms import slug_clean
from parley.errors import NotAuthenticated
from search.selectors import LIMIT_DEFAULT, message_search
from throttle.services import replay_charge, search_admit

# Re-exported for the consumers.
__all__ = ["credential_active", "guest_for_session", "session_guest", "typing_stop"]


def conversations(*, user: User) -> list[dict]:
    """What `ready` lists: the user's conversations (none for a visitor or a guest)."""
    if not user.is_authenticated or user.is_guest:
        return []
    return conversation_list(user=user)


def dm_people(conversations: list[dict], *, me: int | None) -> list[int]:
    """The people `ready`'s DMs are with (whose presence it carries), each once."""
    return sorted(
        {
            member["id"]
            for conversation in conversations
            for member in conversation.get("members", ())
            if member["id"] != me
        }
    )


def mark(*, user: User, slug: str, seq: int | None = None, unread_from: int | None = None) -> int:
    """Move the user's read marker in the room at `slug` (reading.py); the marker."""
    room = room_get_visible(slug=slug, user=user)
    if unread_from is not None:
        return marker_unread_from(user=user, room=room, message_id=unread_from)
    return marker_read(user=user, room=room, seq=seq)


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


def post(
    *, user: User, credential: Credential | None, slug: str, **message: Any
) -> tuple[Message, bool]:
    """message_post into the room at `slug` (`message`: its body, client_id, thread_root,
    also_to_room)."""
    _still_valid(credential)
    return message_post(author=user, room=room_get_visible(slug=slug, user=user), **message)


def post_to_room(
    *, user: User, credential: Credential | None, room: Room, **message: Any
) -> tuple[Message, bool]:
    """`post` into a room the socket already resolved (a subscribed one)."""
    _still_valid(credential)
    return message_post(author=user, room=room, **message)


# What each frame about one message calls: services that all take (by, room, message_id) and
# the frame's other fields.
MESSAGE_CHANGES: dict[str, Callable[..., object]] = {
    "edit": message_edit,
    "delete": message_delete,
    "react": reaction_add,
    "unreact": reaction_remove,
    "pin": message_pin,
    "unpin": message_unpin,
    "preview_remove": preview_remove,
}


def change_message(
    *, action: str, user: User, credential: Credential | None, slug: str, message_id: int, **fields
) -> int:
    """Do `action` (a MESSAGE_CHANGES key) to the message; the message's version afterwards,
    the event seq up to which the room's frames hold the request's effect."""
    _still_valid(credential)
    room = room_get_visible(slug=slug, user=user)
    MESSAGE_CHANGES[action](by=user, room=room, message_id=message_id, **fields)
    return Message.objects.values_list("version", flat=True).get(pk=message_id)


def history(
    *, user: User, slug: str, before: int | None, limit: int, reader: str
) -> tuple[list[dict], bool]:
    room = room_get_visible(slug=slug, user=user)
    messages, has_more = message_history(room=room, before=before, limit=limit)
    replay_charge(reader=reader, messages=len(messages))
    viewer = user if user.is_authenticated else None
    return message_payloads(messages, viewer=viewer, room_slug=room.slug), has_more


def thread(
    *, user: User, slug: str, root_id: int, after: int | None, limit: int, reader: str
) -> tuple[list[dict], bool]:
    """A thread's root (without `after`) and its replies after the reply with id `after`."""
    room = room_get_visible(slug=slug, user=user)
    root = message_get(room=room, message_id=root_id, user=user, include_deleted=True)
    if root.thread_root_id is not None:
        raise message_missing(root_id)
    replies, has_more = thread_replies(root=root, after_reply=after, limit=limit)
    messages = replies if after is not None else [root, *replies]
    replay_charge(reader=reader, messages=len(messages))
    viewer = user if user.is_authenticated else None
    return message_payloads(messages, viewer=viewer, room_slug=room.slug), has_more


def search(
    *, user: User, q: str, limit: int | None, cursor: str | None, reader: str
) -> dict[str, Any]:
    search_admit(reader=reader)
    return message_search(user=user, query=q, limit=limit or LIMIT_DEFAULT, cursor=cursor)


def typing(*, user: User, slug: str, origin: str) -> Room:
    """Tell the room the user is typing; the room, for the socket's `typing_stop` later."""
    room = room_get_visible(slug=slug, user=user)
    typing_notify(user=user, room=room, origin=origin)
    return room


def rename(*, user: User, display_name: str) -> dict:
    return user_payload(profile_update(user=user, display_name=display_name))


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
