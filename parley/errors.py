"""Errors the domain raises and every transport maps: a stable `code` plus a human message.

The codes are the protocol's error codes (docs/protocol.md); the REST API maps them onto HTTP
statuses (api/errors.py).
"""


class ParleyError(Exception):
    code = "bad_request"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class BadRequest(ParleyError):
    code = "bad_request"


class NotFound(ParleyError):
    code = "not_found"


class Forbidden(ParleyError):
    code = "forbidden"


class TooLong(ParleyError):
    code = "too_long"


class Conflict(ParleyError):
    code = "conflict"


class NotAuthenticated(ParleyError):
    code = "not_authenticated"


class RateLimited(ParleyError):
    """A limit was reached; `retry_after` says in how many seconds the same call would pass."""

    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: float):
        super().__init__(message)
        self.retry_after = retry_after
