"""WebSocket protocol v1: every frame type, typed, and the close codes.

Client frames are pydantic models that reject unknown fields and wrong types; `decode` turns a
text frame into one of them or raises FrameError with the protocol's error code. Server frames
are built by the functions below and encoded once with orjson. docs/protocol.md has a section
for every name in CLIENT_FRAMES, SERVER_FRAMES and CloseCode (tests/websocket/test_docs.py).
"""

from enum import IntEnum
from typing import TYPE_CHECKING, Annotated, Any, Literal, get_args
from urllib.parse import parse_qs
from uuid import UUID

import orjson
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)

from parley import metrics
from parley.errors import ErrorCode
from parley.text import json_unstorable_field

if TYPE_CHECKING:
    from chat.models import Message

# The versions a client may ask for (`/ws/?protocol=2`); 1 when it asks for none.
PROTOCOL_VERSIONS = (1, 2)
DEFAULT_VERSION = 1


class CloseCode(IntEnum):
    NOT_AUTHENTICATED = 4401
    FORBIDDEN = 4403
    PROTOCOL_ABUSE = 4400
    FLOOD = 4429
    # The user or the client address already holds PARLEY_MAX_SOCKETS_PER_USER / _ADDRESS.
    TOO_MANY_CONNECTIONS = 4430
    RECONNECT = 4000
    MESSAGE_TOO_BIG = 1009


# The reason text every close frame carries, for people reading a log or wscat; clients act
# on the code. Short: a close frame's reason is at most 123 bytes.
CLOSE_REASONS: dict[CloseCode, str] = {
    CloseCode.NOT_AUTHENTICATED: "not authenticated",
    CloseCode.FORBIDDEN: "forbidden",
    CloseCode.PROTOCOL_ABUSE: "too many malformed frames",
    CloseCode.FLOOD: "too many frames; reconnect after a pause",
    CloseCode.RECONNECT: "reconnect and resume",
    CloseCode.MESSAGE_TOO_BIG: "frame too big",
    CloseCode.TOO_MANY_CONNECTIONS: "too many connections",
}

# Consecutive malformed frames each endpoint answers before it closes with 4400.
MAX_BAD_FRAMES = 20


class FrameError(Exception):
    def __init__(self, code: str, message: str, ref: str | None = None):
        super().__init__(message)
        self.code, self.message, self.ref = code, message, ref


RoomSlug = Annotated[StrictStr, Field(min_length=1, max_length=64)]
Ref = Annotated[StrictStr, Field(max_length=100)]
Seq = Annotated[StrictInt, Field(ge=0)]


class ClientFrame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    ref: Ref | None = None


class Subscribe(ClientFrame):
    type: Literal["subscribe"]
    room: RoomSlug
    since: Seq | None = None


class Unsubscribe(ClientFrame):
    type: Literal["unsubscribe"]
    room: RoomSlug


MessageId = Annotated[StrictInt, Field(ge=1)]
Emoji = Annotated[StrictStr, Field(min_length=1, max_length=64)]


class Post(ClientFrame):
    type: Literal["post"]
    room: RoomSlug
    body: StrictStr
    client_id: UUID
    # A reply in the thread of this message; shown in the room too when `also_to_room`.
    thread_root: MessageId | None = None
    also_to_room: StrictBool = False
    # Ids of the author's pending uploads in the room (REST POST /rooms/{slug}/files); the
    # body may then be empty.
    files: Annotated[list[MessageId], Field(max_length=10)] | None = None


class MessageFrame(ClientFrame):
    """A frame about one message of a room (its `id`)."""

    room: RoomSlug
    id: MessageId


class Edit(MessageFrame):
    type: Literal["edit"]
    body: StrictStr


class Delete(MessageFrame):
    type: Literal["delete"]


class React(MessageFrame):
    type: Literal["react"]
    emoji: Emoji


class Unreact(MessageFrame):
    type: Literal["unreact"]
    emoji: Emoji


class Pin(MessageFrame):
    type: Literal["pin"]


class Unpin(MessageFrame):
    type: Literal["unpin"]


class PreviewRemove(MessageFrame):
    """Remove a link preview (`preview`, its id) from the message."""

    type: Literal["preview_remove"]
    preview: MessageId


class History(ClientFrame):
    type: Literal["history"]
    room: RoomSlug
    before: Seq | None = None
    limit: Annotated[StrictInt, Field(ge=1, le=100)] | None = None
    # A thread's root and replies instead of the room's timeline, after the reply `after` (an id).
    thread: MessageId | None = None
    after: MessageId | None = None

    @model_validator(mode="after")
    def _one_direction(self) -> "History":
        if self.thread is None and self.after is not None:
            raise ValueError("'after' pages a thread: send it with 'thread'")
        if self.thread is not None and self.before is not None:
            raise ValueError("a thread is paged with 'after', not 'before'")
        return self


class Typing(ClientFrame):
    type: Literal["typing"]
    room: RoomSlug


# Users one socket may show at once (`presence_watch`): a client shows at most a screenful of
# people, and the server's index stays bounded whatever a client sends.
PRESENCE_WATCH_MAX = 1000
UserId = Annotated[StrictInt, Field(ge=1)]


class PresenceWatch(ClientFrame):
    """Version 2: the users whose presence the client shows (replaces the previous list)."""

    type: Literal["presence_watch"]
    users: Annotated[list[UserId], Field(max_length=PRESENCE_WATCH_MAX)]


class Presence(ClientFrame):
    """Version 2: whether this socket's client is in use (`online`) or idle or hidden (`away`)."""

    type: Literal["presence"]
    state: Literal["online", "away"]


class Read(ClientFrame):
    """Mark the room read up to event seq `seq` (everything when absent): `read_marker`."""

    type: Literal["read"]
    room: RoomSlug
    seq: Seq | None = None


class Unread(ClientFrame):
    """Mark the room unread from message `id` on ("mark unread from here")."""

    type: Literal["unread"]
    room: RoomSlug
    id: MessageId


class Ping(ClientFrame):
    type: Literal["ping"]


class Name(ClientFrame):
    """Extension: set the connection user's display name (the seeds' `/name NEW NAME`)."""

    type: Literal["name"]
    display_name: Annotated[StrictStr, Field(min_length=1, max_length=80)]


class Search(ClientFrame):
    """Version 2: the messages the user may read that match `q` (docs/api.md's query
    language), a page at a time: `search_results`."""

    type: Literal["search"]
    q: Annotated[StrictStr, Field(max_length=500)]
    limit: Annotated[StrictInt, Field(ge=1, le=100)] | None = None
    cursor: Annotated[StrictStr, Field(max_length=100)] | None = None


CLIENT_FRAMES: dict[str, type[ClientFrame]] = {
    get_args(frame.model_fields["type"].annotation)[0]: frame  # the Literal's value
    for frame in (
        Subscribe,
        Unsubscribe,
        Post,
        History,
        Typing,
        Ping,
        Name,
        Edit,
        Delete,
        React,
        Unreact,
        Pin,
        Unpin,
        PreviewRemove,
        PresenceWatch,
        Presence,
        Read,
        Unread,
        Search,
    )
}

# Client frames only protocol version 2 knows; version 1 answers them `unknown_type`, as it
# always did.
V2_CLIENT_FRAMES = {"presence_watch", "presence", "search"}

SERVER_FRAMES = (
    "hello",
    "subscribed",
    "unsubscribed",
    "reset",
    "ack",
    "message",
    "history",
    "typing",
    "pong",
    "named",
    "member",
    "error",
    "done",
    "presence",
    "typing_stopped",
    "ready",
    "search_results",
)


def decode(text: str, version: int = DEFAULT_VERSION) -> ClientFrame:
    """One client text frame of protocol `version`, validated. Raises
    FrameError(bad_request | unknown_type)."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise FrameError(ErrorCode.BAD_REQUEST, f"A frame is one JSON object ({error}).") from error
    if not isinstance(data, dict):
        raise FrameError(ErrorCode.BAD_REQUEST, "A frame is one JSON object.")
    ref = data.get("ref") if isinstance(data.get("ref"), str) else None
    # Lone surrogates are already refused by orjson ("no low surrogate"); U+0000 is valid JSON
    # that no database column should hold (parley/text.py). JSON can carry it only escaped, as
    # \u0000, so a frame without that text needs no walk through its strings.
    if "\\u0000" in text and (field := json_unstorable_field(data)) is not None:
        raise FrameError(ErrorCode.BAD_REQUEST, f"{field} must not contain U+0000.", ref)
    kind = data.get("type")
    if not isinstance(kind, str):
        raise FrameError(ErrorCode.BAD_REQUEST, "A frame needs a string 'type'.", ref)
    frame_class = CLIENT_FRAMES.get(kind)
    if frame_class is None or (version < 2 and kind in V2_CLIENT_FRAMES):
        raise FrameError(ErrorCode.UNKNOWN_TYPE, f"Unknown frame type {kind[:40]!r}.", ref)
    try:
        return frame_class.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "frame"
        raise FrameError(ErrorCode.BAD_REQUEST, f"{kind}: {where}: {first['msg']}", ref) from error


def encode(frame: dict[str, Any]) -> str:
    return orjson.dumps(frame).decode()


def requested_version(query_string: bytes) -> int | None:
    """The protocol version the handshake's query string asks for (`protocol=2`), the default
    when it names none, None when it names one that is not a number."""
    values = parse_qs(query_string.decode("latin-1")).get("protocol")
    if not values:
        return DEFAULT_VERSION
    try:
        return int(values[-1])
    except ValueError:
        return None


def hello(user: dict, version: int = DEFAULT_VERSION) -> str:
    return encode({"type": "hello", "protocol": version, "user": user})


def ready(conversations: list[dict], **state: Any) -> str:
    """Protocol v2's second frame: the user's conversations with their read markers and counts
    (chat.payloads.conversation_payload), and whatever else `state` holds; every change after
    it comes as a frame of the user's own stream."""
    return encode({"type": "ready", "conversations": conversations, **state})


def subscribed(room: str, last_seq: int, ref: str | None) -> str:
    return encode(_with_ref({"type": "subscribed", "room": room, "last_seq": last_seq}, ref))


# Why the server ended a subscription the client did not end (`unsubscribed`'s `reason`).
UNSUBSCRIBE_REASONS = ("left", "removed")


def unsubscribed(room: str, ref: str | None, reason: str | None = None) -> str:
    """The answer to `unsubscribe` (no reason), or the server ending a subscription: the user
    may no longer see the room because they `left` it or were `removed` from it."""
    frame = {"type": "unsubscribed", "room": room}
    if reason is not None:
        frame["reason"] = reason
    return encode(_with_ref(frame, ref))


def reset(room: str, last_seq: int) -> str:
    return encode({"type": "reset", "room": room, "last_seq": last_seq})


def ack(message: "Message", version: int, ref: str | None) -> str:
    """A stored post's ack. `seq` is what the version counts: the message's number (v1), or
    its event seq (v2, which adds the number as `number`)."""
    frame = {
        "type": "ack",
        "client_id": str(message.client_id),
        "room": message.room.slug,
        "seq": message.seq if version == 1 else message.event_seq,
        "id": message.pk,
    }
    if version != 1:
        frame["number"] = message.seq
    return encode(_with_ref(frame, ref))


def message(payload: dict) -> str:
    return encode({"type": "message", **payload})


def history(
    room: str, messages: list[dict], has_more: bool, ref: str | None, thread: int | None = None
) -> str:
    frame: dict[str, Any] = {"type": "history", "room": room}
    if thread is not None:
        frame["thread"] = thread
    frame.update(messages=messages, has_more=has_more)
    return encode(_with_ref(frame, ref))


def search_results(page: dict[str, Any], ref: str | None) -> str:
    """The answer to `search`: search.selectors.message_search's page."""
    return encode(_with_ref({"type": "search_results", **page}, ref))


def done(room: str, seq: int, ref: str | None) -> str:
    """A change to a message is committed; `seq` is the message's version afterwards."""
    return encode(_with_ref({"type": "done", "room": room, "seq": seq}, ref))


def typing(room: str, user: dict) -> str:
    return encode({"type": "typing", "room": room, "user": user})


def member(room: str, user: dict, change: str) -> str:
    return encode({"type": "member", "room": room, "user": user, "change": change})


def pong(ref: str | None) -> str:
    return encode(_with_ref({"type": "pong"}, ref))


def named(user: dict, ref: str | None) -> str:
    return encode(_with_ref({"type": "named", "user": user}, ref))


def error(code: str, message: str, ref: str | None = None, **extra: Any) -> str:
    if code == ErrorCode.RATE_LIMITED:  # counted where every such answer is made
        metrics.RATE_LIMITED_WEBSOCKET.inc()
    return encode(_with_ref({"type": "error", "code": code, "message": message, **extra}, ref))


def _with_ref(frame: dict, ref: str | None) -> dict:
    if ref is not None:
        frame["ref"] = ref
    return frame
