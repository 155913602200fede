"""The shapes the REST API reads and answers, as OpenAPI publishes them.

Request bodies reject unknown fields, so a misspelt field is a 400 rather than silently ignored.
Answers are built by chat.payloads (messages, users) and api.rooms (rooms); the output schemas
here describe them and allow extra fields, so a field a payload gains passes through unchanged
instead of being dropped by the schema.
"""

from typing import Annotated
from uuid import UUID

from ninja import Schema
from pydantic import ConfigDict, Field

# An ISO 8601 UTC timestamp as the payloads write it ("2025-01-31T12:00:00.123456Z"), kept a
# string so that it is answered exactly as written.
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class Out(Schema):
    model_config = ConfigDict(extra="allow")


class AccountIn(In):
    username: str
    password: str
    display_name: str = ""


class CredentialsIn(In):
    username: str
    password: str


class RoomIn(In):
    name: str
    slug: str | None = None
    topic: str = ""
    private: bool = False


class MemberIn(In):
    # Absent: the caller themself.
    username: str | None = None


class MessageIn(In):
    body: str
    # Made by the client, one per message; a retry sends the same one.
    client_id: UUID


# The largest page of a list the API answers (rooms, members): fixed, as OpenAPI publishes it.
PAGE_SIZE_MAX = 100


class Page(In):
    """Which page of a list: `page` counts from 1; `page_size` is 1 to 100 (default 100)."""

    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(PAGE_SIZE_MAX, ge=1, le=PAGE_SIZE_MAX)


class ErrorOut(Out):
    code: str
    message: str


class TokenOut(Out):
    token: str


class UserOut(Out):
    id: int
    username: str
    display_name: str


class RoomOut(Out):
    slug: str
    name: str
    topic: str
    private: bool
    owner: UserOut | None
    last_seq: int
    created_at: Timestamp
    member: bool


class PageOut(Out):
    page: int
    page_size: int
    # Whether a further page holds more.
    has_more: bool


class RoomListOut(PageOut):
    rooms: list[RoomOut]


class MemberListOut(PageOut):
    members: list[UserOut]


class MembershipOut(Out):
    room: str
    user: UserOut


class MessageOut(Out):
    room: str
    seq: int
    id: int
    author: UserOut
    body: str
    created_at: Timestamp
    client_id: str


class MessagePageOut(Out):
    messages: list[MessageOut]
    has_more: bool
