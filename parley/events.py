"""The one door real-time events leave through, and the events, one typed class per kind.

Services call `publish_on_commit`; the event reaches the fan-out backend only after the
surrounding transaction commits (never for a rolled-back one), so nothing is broadcast that is
not stored. `publish_now` is for ephemeral events that store nothing (typing).

How events reach sockets is the backend's business (PARLEY_FANOUT_BACKEND, a dotted path): by
default Channels' layer groups (realtime/delivery/fanout.py), which encodes each event once per protocol.

Three streams:
- **A room's changes** (`RoomChange`): every durable change to a room takes the room's next
  event seq (`seq`), in the transaction that makes it (chat/services/stream.py). Protocol v2
  delivers each as a frame of its `type` and resumes all of them from one cursor. A post
  (`MessagePosted`) also has the message's own `number` (`Message.seq`), which protocol v1 and
  REST count messages by.
- **Ephemeral room events**: `Typing`, and `RoomOpened` (a public room now exists at a name the
  tutorial endpoint's sockets may be waiting on).
- **A user's stream** (`UserEvent`): what concerns one person reaches every socket of that user,
  in every server process (docs/architecture.md, "The per-user stream").

A new kind of change is a new class here with a `type`, a section in docs/protocol.md (a test
checks) and, for a user event, a handler on the sockets; how it travels does not change. The door
lives in `parley`, the layer under every domain app, so `accounts` and `chat` both publish here.
"""

import dataclasses
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar, Literal, Protocol, TypeVar

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True, slots=True)
class Event:
    """Every event. `kind` says which stream it travels on."""

    kind: ClassVar[str]


# A room's durable changes.


@dataclass(frozen=True, kw_only=True, slots=True)
class RoomChange(Event):
    """A durable change to room `room_id` (slug `room`), at `seq` in the room's event stream.
    `type` is its protocol v2 frame type and its stored `RoomEvent.type`; `fields()` the
    frame's other fields."""

    kind: ClassVar[str] = "room"
    type: ClassVar[str]
    room_id: int
    room: str
    seq: int

    def fields(self) -> dict[str, Any]:
        """The frame's fields besides `type`, `room` and `seq`."""
        return {
            field.name: getattr(self, field.name)
            for field in dataclasses.fields(self)
            if field.name not in ("room_id", "room", "seq", "number")
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class MessagePosted(RoomChange):
    """A message (or a thread reply) was posted. `number` is its `Message.seq`, None for a
    thread reply not also sent to the room (protocol v1 never sees those); `root` the thread
    root's new summary when it is a reply (chat.payloads.thread_summary)."""

    type: ClassVar[str] = "message"
    number: int | None
    message: dict[str, Any]
    root: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class MessageEdited(RoomChange):
    type: ClassVar[str] = "message_edited"
    message: dict[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class MessageUpdated(RoomChange):
    """Something the server attached to a message changed, not its text: an image's thumbnail
    is ready, a link preview arrived or its author removed it. `message` is the message as it
    is now."""

    type: ClassVar[str] = "message_updated"
    message: dict[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class MessageDeleted(RoomChange):
    """The message's body is gone: `message` is its tombstone. A deleted thread reply carries
    its root's new summary in `root` (one reply fewer)."""

    type: ClassVar[str] = "message_deleted"
    message: dict[str, Any]
    root: dict[str, Any] | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class _ReactionChange(RoomChange):
    """`user` added or removed their `emoji`; `count` is how many have reacted so with it now."""

    message_id: int
    emoji: str
    user: dict[str, Any]
    count: int


@dataclass(frozen=True, kw_only=True, slots=True)
class ReactionAdded(_ReactionChange):
    type: ClassVar[str] = "reaction_added"


@dataclass(frozen=True, kw_only=True, slots=True)
class ReactionRemoved(_ReactionChange):
    type: ClassVar[str] = "reaction_removed"


@dataclass(frozen=True, kw_only=True, slots=True)
class _PinChange(RoomChange):
    message_id: int
    user: dict[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class MessagePinned(_PinChange):
    type: ClassVar[str] = "message_pinned"


@dataclass(frozen=True, kw_only=True, slots=True)
class MessageUnpinned(_PinChange):
    type: ClassVar[str] = "message_unpinned"


@dataclass(frozen=True, kw_only=True, slots=True)
class RoomUpdated(RoomChange):
    """The room's name, topic, owner, archived state or `wide_mentions` (whether @room and
    @here notify) changed (by `user`): each frame carries all five as they are after the
    change, so a client sets them rather than working out which one moved. `owner` is a user payload, None when the owner's account is gone."""

    type: ClassVar[str] = "room_updated"
    name: str
    topic: str
    owner: dict[str, Any] | None
    archived: bool
    wide_mentions: bool
    user: dict[str, Any]


MemberChange = Literal["joined", "left", "invited", "removed"]


@dataclass(frozen=True, kw_only=True, slots=True)
class MemberChanged(RoomChange):
    type: ClassVar[str] = "member"
    user: dict[str, Any]
    change: MemberChange


# Ephemeral room events: stored nowhere, delivered to whoever is there.


@dataclass(frozen=True, kw_only=True, slots=True)
class Typing(Event):
    """`user` is typing in the room, or `stopped` (they posted, their socket closed, or
    PARLEY_TYPING_TTL passed without a new typing frame); `origin` names the socket it came
    from (not told)."""

    kind: ClassVar[str] = "typing"
    room_id: int
    room: str
    user: dict[str, Any]
    origin: str | None
    stopped: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class RoomOpened(Event):
    """A public room was created at `room`: the tutorial endpoint's sockets waiting there
    follow it."""

    kind: ClassVar[str] = "room_opened"
    room_id: int
    room: str


# The per-user stream.


@dataclass(frozen=True, kw_only=True, slots=True)
class UserEvent(Event):
    """An event for every socket of `user_id`. Sockets see it as a dict (`as_dict`): its
    `type` and its fields; each `type` has a handler on the sockets."""

    kind: ClassVar[str] = "user"
    type: ClassVar[str]
    # Sent on to the user's protocol v2 clients as a frame of `type` with the event's fields
    # but `user_id` (docs/protocol.md, "Your own stream"); otherwise only the sockets act on it.
    client: ClassVar[bool] = False
    user_id: int

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.type, **dataclasses.asdict(self)}


def user_frame(event: dict[str, Any]) -> dict[str, Any] | None:
    """The client frame a user event (as it travelled: `as_dict`) becomes, or None when it is
    not one the client sees."""
    kind = user_event_types().get(event["type"])
    if kind is None or not kind.client:
        return None
    return {name: value for name, value in event.items() if name != "user_id"}


@dataclass(frozen=True, kw_only=True, slots=True)
class MembershipEnded(UserEvent):
    """`user_id` is no longer a member of the room. `can_see` says whether they may still
    read it (a public room stays visible to all): sockets stop delivering the room when not."""

    type: ClassVar[str] = "conversation_removed"
    client: ClassVar[bool] = True
    room_id: int
    room: str
    reason: Literal["left", "removed"]
    can_see: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class CredentialsRevoked(UserEvent):
    """A credential of `user_id` no longer authenticates: sockets opened with it close.
    `credential` is "token:<id>", "session:<digest>" (accounts.credentials.session_digest),
    "session:*" (every session of the user) or "*" (everything the user holds)."""

    type: ClassVar[str] = "credentials.revoked"
    credential: str


@dataclass(frozen=True, kw_only=True, slots=True)
class ConversationAdded(UserEvent):
    """`user_id` is in a conversation now (a DM opened with them, an invitation, a room they
    joined): `conversation` is its sidebar entry (chat.payloads.conversation_payload)."""

    type: ClassVar[str] = "conversation_added"
    client: ClassVar[bool] = True
    conversation: dict[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class ReadMarkerMoved(UserEvent):
    """`user_id` read the room up to event seq `last_read` (or marked it unread from there), in
    some tab or device: every other one moves its marker too. `unread` and `mentions` are the
    server's counts at that marker."""

    type: ClassVar[str] = "read_marker"
    client: ClassVar[bool] = True
    room_id: int
    room: str
    last_read: int
    unread: int
    mentions: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Mentioned(UserEvent):
    """`user_id` was @-mentioned by message `id` in the room (or sent a direct message), and
    their notification setting for it lets it notify."""

    type: ClassVar[str] = "mentioned"
    client: ClassVar[bool] = True
    room_id: int
    room: str
    id: int


@dataclass(frozen=True, kw_only=True, slots=True)
class UserUpdated(UserEvent):
    """Someone `user_id` shares a room with (or `user_id` themself) changed their profile:
    `user` is their profile now (accounts.payloads.profile_payload). The person's own sockets
    take it as their user from then on, so their next message carries it; protocol v2 sockets
    get it as a `user_updated` frame."""

    type: ClassVar[str] = "user_updated"
    client: ClassVar[bool] = True
    user: dict[str, Any]


_E = TypeVar("_E", bound=Event)


def _subclasses(cls: type[_E]) -> Iterator[type[_E]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def room_change_types() -> dict[str, type[RoomChange]]:
    """Every kind of durable room change, by its `type`."""
    return {cls.type: cls for cls in _subclasses(RoomChange) if "type" in vars(cls)}


def user_event_types() -> dict[str, type[UserEvent]]:
    return {cls.type: cls for cls in _subclasses(UserEvent) if "type" in vars(cls)}


class FanoutBackend(Protocol):
    def publish(self, event: Event) -> None: ...


@cache
def _backend(path: str) -> FanoutBackend:
    return import_string(path)()


def backend() -> FanoutBackend:
    return _backend(settings.PARLEY_FANOUT_BACKEND)


def publish_on_commit(event: Event) -> None:
    # robust: a failed publish is logged, never undoes the commit; subscribers find the
    # change on their next gap check or resume, since it is stored.
    transaction.on_commit(lambda: backend().publish(event), robust=True)


def publish_now(event: Event) -> None:
    try:
        backend().publish(event)
    except Exception:
        logger.exception("publishing a %s event failed", event.kind)
