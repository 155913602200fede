"""WebSocket protocol v1: every frame type, typed, and the close codes.

Client frames are pydantic models that reject unknown fields and wrong types; `decode` turns a
text frame into one of them or raises FrameError with the protocol's error code. Server frames
are built by the functions below and encoded once with orjson. docs/protocol.md has a section
for every name in CLIENT_FRAMES, SERVER_FRAMES and CloseCode (tests/websocket/test_docs.py).
"""

from enum import IntEnum
from typing import Annotated, Any, Literal
from uuid import UUID

import orjson
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from parley import metrics

PROTOCOL_VERSION = 1


class CloseCode(IntEnum):
    NOT_AUTHENTICATED = 4401
    FORBIDDEN = 4403
    PROTOCOL_ABUSE = 4400
    FLOOD = 4429
    RECONNECT = 4000
    MESSAGE_TOO_BIG = 1009


class ErrorCode:
    BAD_REQUEST = "bad_request"
    UNKNOWN_TYPE = "unknown_type"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    TOO_LONG = "too_long"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"


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


class Post(ClientFrame):
    type: Literal["post"]
    room: RoomSlug
    body: StrictStr
    client_id: UUID


class History(ClientFrame):
    type: Literal["history"]
    room: RoomSlug
    before: Seq | None = None
    limit: Annotated[StrictInt, Field(ge=1, le=100)] | None = None


class Typing(ClientFrame):
    type: Literal["typing"]
    room: RoomSlug


class Ping(ClientFrame):
    type: Literal["ping"]


class Name(ClientFrame):
    """Extension: set the connection user's display name (the seeds' `/name NEW NAME`)."""

    type: Literal["name"]
    display_name: Annotated[StrictStr, Field(min_length=1, max_length=80)]


CLIENT_FRAMES: dict[str, type[ClientFrame]] = {
    frame.model_fields["type"].annotation.__args__[0]: frame  # the Literal's value
    for frame in (Subscribe, Unsubscribe, Post, History, Typing, Ping, Name)
}

SERVER_FRAMES = (
    "hello", "subscribed", "unsubscribed", "reset", "ack", "message", "history", "typing",
    "pong", "named", "member", "error",
)


def decode(text: str) -> ClientFrame:
    """One client text frame, validated. Raises FrameError(bad_request | unknown_type)."""
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise FrameError(ErrorCode.BAD_REQUEST, "A frame is one JSON object.") from error
    if not isinstance(data, dict):
        raise FrameError(ErrorCode.BAD_REQUEST, "A frame is one JSON object.")
    ref = data.get("ref") if isinstance(data.get("ref"), str) else None
    kind = data.get("type")
    if not isinstance(kind, str):
        raise FrameError(ErrorCode.BAD_REQUEST, "A frame needs a string 'type'.", ref)
    frame_class = CLIENT_FRAMES.get(kind)
    if frame_class is None:
        raise FrameError(ErrorCode.UNKNOWN_TYPE, f"Unknown frame type {kind[:40]!r}.", ref)
    try:
        return frame_class.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "frame"
        raise FrameError(ErrorCode.BAD_REQUEST, f"{kind}: {where}: {first['msg']}", ref) from error


def encode(frame: dict[str, Any]) -> str:
    return orjson.dumps(frame).decode()


def hello(user: dict) -> str:
    return encode({"type": "hello", "protocol": PROTOCOL_VERSION, "user": user})


def subscribed(room: str, last_seq: int, ref: str | None) -> str:
    return encode(_with_ref({"type": "subscribed", "room": room, "last_seq": last_seq}, ref))


def unsubscribed(room: str, ref: str | None) -> str:
    return encode(_with_ref({"type": "unsubscribed", "room": room}, ref))


def reset(room: str, last_seq: int) -> str:
    return encode({"type": "reset", "room": room, "last_seq": last_seq})


def ack(client_id: str, room: str, seq: int, message_id: int, ref: str | None) -> str:
    frame = {"type": "ack", "client_id": client_id, "room": room, "seq": seq, "id": message_id}
    return encode(_with_ref(frame, ref))


def message(payload: dict) -> str:
    return encode({"type": "message", **payload})


def history(room: str, messages: list[dict], has_more: bool, ref: str | None) -> str:
    frame = {"type": "history", "room": room, "messages": messages, "has_more": has_more}
    return encode(_with_ref(frame, ref))


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
