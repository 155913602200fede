"""Errors the domain raises and every transport maps: a stable `code` plus a human message.

ErrorCode is the one list of the codes Parley answers with, on every transport: the
WebSocket protocol's `error` frames (docs/protocol.md) and the REST API's JSON errors
(docs/api.md; api/errors.py maps each code onto an HTTP status). tests/test_error_codes.py
checks that each is documented where it can be sent.
"""

from enum import StrEnum


class ErrorCode(StrEnum):
    BAD_REQUEST = "bad_request"
    UNKNOWN_TYPE = "unknown_type"  # WebSocket only: a frame type the protocol does not have
    NOT_AUTHENTICATED = "not_authenticated"  # REST only: a socket is closed with 4401 instead
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    TOO_LONG = "too_long"
    TOO_LARGE = "too_large"  # REST only: a request body, a file or an image over its limit
    QUOTA_EXCEEDED = "quota_exceeded"  # REST only: the upload would pass PARLEY_FILES_QUOTA
    CONFLICT = "conflict"
    NAME_TAKEN = "name_taken"  # a room name another room you can see has
    ROOM_ARCHIVED = "room_archived"  # the room is archived: read-only until unarchived
    NEW_OWNER_REQUIRED = "new_owner_required"  # REST only: a private room's owner leaving
    RATE_LIMITED = "rate_limited"
    METHOD_NOT_ALLOWED = "method_not_allowed"  # REST only
    UNAVAILABLE = "unavailable"  # WebSocket only: the database could not be reached; retry
    INTERNAL_ERROR = "internal_error"  # REST only: a bug, logged with its traceback


# The codes each transport can send (a socket closes with 4401 rather than answering
# not_authenticated; REST has no frame types; a REST call's database failure is a 500).
REST_ONLY = frozenset(
    {
        ErrorCode.NOT_AUTHENTICATED,
        ErrorCode.TOO_LARGE,
        ErrorCode.QUOTA_EXCEEDED,
        ErrorCode.METHOD_NOT_ALLOWED,
        ErrorCode.INTERNAL_ERROR,
        ErrorCode.NEW_OWNER_REQUIRED,
    }
)
WEBSOCKET_ONLY = frozenset({ErrorCode.UNKNOWN_TYPE, ErrorCode.UNAVAILABLE})


class ParleyError(Exception):
    code: ErrorCode = ErrorCode.BAD_REQUEST

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadRequest(ParleyError):
    code = ErrorCode.BAD_REQUEST


class NotFound(ParleyError):
    code = ErrorCode.NOT_FOUND


class Forbidden(ParleyError):
    code = ErrorCode.FORBIDDEN


class TooLong(ParleyError):
    code = ErrorCode.TOO_LONG


class TooLarge(ParleyError):
    code = ErrorCode.TOO_LARGE


class QuotaExceeded(ParleyError):
    code = ErrorCode.QUOTA_EXCEEDED


class Conflict(ParleyError):
    code = ErrorCode.CONFLICT


class NameTaken(ParleyError):
    code = ErrorCode.NAME_TAKEN


class RoomArchived(ParleyError):
    code = ErrorCode.ROOM_ARCHIVED


class NewOwnerRequired(ParleyError):
    code = ErrorCode.NEW_OWNER_REQUIRED


class NotAuthenticated(ParleyError):
    code = ErrorCode.NOT_AUTHENTICATED


class RateLimited(ParleyError):
    """Too many of something in a window; `retry_after` is the seconds until one is allowed."""

    code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, *, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after
