"""The shapes the REST API reads and answers, as OpenAPI publishes them.

Request bodies reject unknown fields, so a misspelt field is a 400 rather than silently ignored.
Answers are built by chat.payloads (messages, users) and api.rooms (rooms); the output schemas
here describe them and allow extra fields, so a field a payload gains passes through unchanged
instead of being dropped by the schema.
"""

from typing import Annotated, Any
from uuid import UUID

from django.conf import settings
from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field
from pydantic_core import PydanticUndefined

from accounts.services import MAX_DISPLAY_NAME, MAX_STATUS_TEXT
from chat.services.rooms import MAX_NAME, MAX_TOPIC

# An ISO 8601 UTC timestamp as the payloads write it ("2025-01-31T12:00:00.123456Z"), kept a
# string so that it is answered exactly as written.
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class In(Schema):
    model_config = ConfigDict(extra="forbid")


def limits(default: Any = PydanticUndefined, **keywords: Any) -> Any:
    """A field whose limits the OpenAPI schema declares (minLength, maxLength, pattern) while
    the domain enforces them, after trimming white space, with its own codes (`too_long`)."""
    return Field(default, json_schema_extra=keywords)


def _max_body(schema: dict) -> None:
    # Read when the schema is made, not at import: PARLEY_MAX_BODY is a setting.
    schema["minLength"], schema["maxLength"] = 1, settings.PARLEY_MAX_BODY


# What the domain accepts as a room slug (chat.services.rooms.SLUG_RE), in any case.
SLUG_PATTERN = "^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


class Out(Schema):
    model_config = ConfigDict(extra="allow")


class AccountIn(In):
    username: str = limits(minLength=1, maxLength=150)
    password: str
    display_name: str = limits(maxLength=MAX_DISPLAY_NAME, default="")


class CredentialsIn(In):
    username: str
    password: str


class ProfileIn(In):
    # Absent: unchanged. "" clears the status emoji, the status text or the time zone.
    display_name: str | None = limits(minLength=1, maxLength=MAX_DISPLAY_NAME, default=None)
    status_emoji: str | None = limits(maxLength=32, default=None)
    status_text: str | None = limits(maxLength=MAX_STATUS_TEXT, default=None)
    time_zone: str | None = limits(maxLength=64, default=None)


class PasswordChangeIn(In):
    current_password: str
    new_password: str


class LogoutEverywhereIn(In):
    # Whether the session making the call stays signed in (a token call has none to keep).
    keep_current: bool = True


class RoomIn(In):
    name: str = limits(minLength=1, maxLength=MAX_NAME)
    slug: Annotated[str, limits(minLength=1, maxLength=64, pattern=SLUG_PATTERN)] | None = None
    topic: str = limits(maxLength=MAX_TOPIC, default="")
    private: bool = False


class MemberIn(In):
    # Absent: the caller themself.
    username: str | None = None


class MemberLeaveIn(MemberIn):
    # The member a private room's owner hands it to as they leave (docs/api.md).
    new_owner: str | None = None


class OwnerIn(In):
    # The member who becomes the room's owner.
    username: str


def _post_body(schema: dict) -> None:
    # A post with files may have an empty body.
    schema["maxLength"] = settings.PARLEY_MAX_BODY


class MessageIn(In):
    # Empty only when `files` names at least one file.
    body: str = Field("", json_schema_extra=_post_body)
    # Made by the client, one per message; a retry sends the same one.
    client_id: UUID
    # A thread reply: the id of the thread's root (or of one of its replies).
    thread_root: int | None = None
    # A reply shown in the room's timeline too (it then takes the room's next seq).
    also_to_room: bool = False
    # Ids of the caller's pending uploads in this room (POST /rooms/{slug}/files), which the
    # message carries.
    files: list[int] | None = Field(None, max_length=10)


class MessageEditIn(In):
    body: str = Field(json_schema_extra=_max_body)


class RoomUpdateIn(In):
    # Absent: unchanged.
    name: str | None = limits(minLength=1, maxLength=MAX_NAME, default=None)
    topic: str | None = limits(maxLength=MAX_TOPIC, default=None)
    # Whether @room and @here notify everyone in the room.
    wide_mentions: bool | None = None


# The largest page of a list the API answers (rooms, members): fixed, as OpenAPI publishes it.
PAGE_SIZE_MAX = 100


class Page(In):
    """Which page of a list: `page` counts from 1; `page_size` is 1 to 100 (default 100)."""

    page: int = Field(1, ge=1, le=1_000_000)
    page_size: int = Field(PAGE_SIZE_MAX, ge=1, le=PAGE_SIZE_MAX)


class RoomBrowse(Page):
    """A page of the rooms the caller may see: `q` searches names (without case or accents);
    `archived` true lists the archived ones instead of the open ones."""

    q: str = Field("", max_length=200)
    archived: bool = False


class ErrorOut(Out):
    code: str
    message: str


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """An operation's error answers, each `{"code", "message"}`: the statuses it returns
    (docs/api.md says when), and 500 `internal_error`, which any operation may answer."""
    return {status: ErrorOut for status in (*statuses, 500)}


class EmailNotificationsIn(In):
    enabled: bool


class EmailNotificationsOut(Out):
    email: str
    enabled: bool


class TokenOut(Out):
    token: str


class AvatarOut(Out):
    # Up to two letters, drawn on `color` (a #rrggbb that white text reads on).
    initials: str
    color: str
    # The person's picture (a square JPEG or PNG), to show instead; null when they have none.
    # Its address changes with the picture, so it may be cached for ever.
    url: str | None


class UserOut(Out):
    id: int
    username: str
    display_name: str
    avatar: AvatarOut


class StatusOut(Out):
    emoji: str
    text: str


class ProfileOut(UserOut):
    status: StatusOut | None
    # An IANA name, "" when not said.
    time_zone: str


class SessionOut(Out):
    id: int
    created_at: Timestamp
    last_seen_at: Timestamp
    user_agent: str
    address: str | None
    # The session this call was made with.
    current: bool


class SessionListOut(Out):
    sessions: list[SessionOut]


class TokenInfoOut(Out):
    id: int
    name: str
    # The token's first characters, to tell it apart; the token itself is never shown again.
    prefix: str
    created_at: Timestamp
    last_used_at: Timestamp | None
    # The token this call was made with.
    current: bool


class TokenListOut(Out):
    tokens: list[TokenInfoOut]


class LoggedOutOut(Out):
    # How many sessions ended.
    ended: int


class RoomOut(Out):
    slug: str
    name: str
    topic: str
    private: bool
    owner: UserOut | None
    last_seq: int
    # The seq of the newest change in the room's event stream (GET /rooms/{slug}/events).
    last_event_seq: int
    created_at: Timestamp
    # When the room was archived (read-only); None while it is open.
    archived_at: Timestamp | None
    wide_mentions: bool
    member: bool
    # How many members the room has.
    member_count: int


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


class ReactionOut(Out):
    emoji: str
    count: int
    users: list[UserOut]
    # Whether the caller reacted so (in history; not in broadcast events).
    me: bool | None = None


class PreviewImageOut(Out):
    # Parley's thumbnail (GET it with the caller's credentials), never the site's image.
    url: str
    width: int | None
    height: int | None


class PreviewOut(Out):
    id: int
    url: str
    title: str
    description: str
    site_name: str
    image: PreviewImageOut | None


class ThumbnailOut(Out):
    url: str
    width: int
    height: int


class ImageOut(Out):
    # In pixels, as shown (upright).
    width: int
    height: int
    # None until the thumbnail job made it, and for an image no larger than a thumbnail.
    thumbnail: ThumbnailOut | None


class AttachmentOut(Out):
    id: int
    # Cleaned: no path, no control or bidi characters.
    name: str
    # In bytes.
    size: int
    # Sniffed from the content, never the uploader's.
    content_type: str
    # The download (the session cookie or a bearer token; members of the room only).
    url: str
    # A raster image (PNG, JPEG, GIF, WebP), shown inline; None for any other file.
    image: ImageOut | None


class MessageOut(Out):
    room: str
    # None for a thread reply not also sent to the room.
    seq: int | None
    # The room event seq of its post (protocol v2's `seq` of its `message` frame).
    event_seq: int
    id: int
    author: UserOut
    body: str
    html: str
    is_action: bool
    mentions_wide: bool
    created_at: Timestamp
    client_id: str
    edited_at: Timestamp | None
    deleted: bool
    thread_root: int | None
    in_room: bool
    reply_count: int
    last_reply_at: Timestamp | None
    repliers: list[UserOut]
    pinned: bool
    reactions: list[ReactionOut]
    # Link previews (cards of the message's first links), added a moment after the post.
    previews: list[PreviewOut]
    attachments: list[AttachmentOut]
    version: int


class MessagePageOut(Out):
    messages: list[MessageOut]
    has_more: bool


class SearchRoomOut(Out):
    slug: str
    name: str
    kind: str
    private: bool


class SearchResultOut(Out):
    id: int
    room: SearchRoomOut
    # The message's number in the room's timeline; null for a thread reply shown only in its
    # thread (`thread_root`).
    seq: int | None
    thread_root: int | None
    author: UserOut
    created_at: Timestamp
    edited_at: Timestamp | None
    # HTML: the text escaped, the matches in <mark>.
    snippet: str


class SearchPageOut(Out):
    results: list[SearchResultOut]
    next_cursor: str | None


class ReactionStateOut(Out):
    emoji: str
    count: int
    # Whether the caller has reacted so.
    me: bool


class PinOut(Out):
    message: MessageOut
    pinned_at: Timestamp
    # None when the account that pinned it is gone.
    pinned_by: UserOut | None


class PinListOut(PageOut):
    pins: list[PinOut]


class ThreadOut(Out):
    root: MessageOut
    replies: list[MessageOut]
    # Whether more replies follow the page.
    has_more: bool


class ThreadListOut(PageOut):
    # The roots of the threads, newest reply first.
    threads: list[MessageOut]


class EventOut(BaseModel):
    """One change as a protocol v2 frame carries it: its `type`, the room, its seq, and the
    fields of that type (docs/protocol.md). A plain pydantic model: ninja's Schema reads only
    the fields it declares, and each type has its own."""

    model_config = ConfigDict(extra="allow")

    type: str
    room: str
    seq: int


class EventPageOut(Out):
    events: list[EventOut]
    last_seq: int
    # True when more than PARLEY_REPLAY_LIMIT changes lie after `since` (or `since` is past
    # last_seq): none are given; read the room afresh and go on from last_seq.
    reset: bool
    has_more: bool


class ConversationOut(Out):
    """A conversation as the `ready` frame lists it (chat.payloads.conversation_payload)."""

    # `with` is a Python keyword: the field is `with_`, answered as "with" (the operations
    # that answer it say by_alias=True).

    id: int
    room: str
    kind: str
    name: str
    topic: str
    private: bool
    archived: bool
    seq: int
    last_read: int
    unread: int
    mentions: int
    notify: str
    wide_mentions: bool
    # A DM of two: the other person's id ("with" in JSON); None otherwise.
    with_: int | None = Field(default=None, alias="with")
    members: list[UserOut] | None = None


class ConversationListOut(Out):
    conversations: list[ConversationOut]


class DirectMessageIn(In):
    # The others in it (the caller is always in it); none: a DM with oneself.
    usernames: list[str] = Field(default_factory=list, max_length=64)


class ReadIn(In):
    # A room event seq; absent: everything.
    seq: int | None = Field(default=None, ge=0)


class UnreadIn(In):
    id: int = Field(ge=1)


class MarkerOut(Out):
    room: str
    last_read: int


class ReadAllOut(Out):
    moved: int


class NotifyIn(In):
    notify: str = limits(enum=["", "all", "mentions", "none"])


class NotifyOut(Out):
    room: str
    notify: str
