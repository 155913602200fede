"""Every error the REST API answers is JSON `{"code", "message"}`; this module is where that is made.

`code` is the domain's error code (parley/errors.py), the same one the WebSocket protocol uses;
the HTTP status follows from it (STATUS). Errors raised by ninja itself (authentication,
validation, unparsable bodies) are given the same shape here.
"""

import logging
import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from parley import metrics
from parley.errors import ErrorCode, ParleyError, RateLimited

logger = logging.getLogger(__name__)

# Error code -> HTTP status: every code the REST API answers with (docs/api.md lists them).
STATUS: dict[ErrorCode, int] = {
    ErrorCode.BAD_REQUEST: 400,
    ErrorCode.TOO_LONG: 400,
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.METHOD_NOT_ALLOWED: 405,
    ErrorCode.CONFLICT: 409,
    ErrorCode.NAME_TAKEN: 409,
    ErrorCode.ROOM_ARCHIVED: 409,
    ErrorCode.NEW_OWNER_REQUIRED: 409,
    ErrorCode.TOO_LARGE: 413,
    ErrorCode.QUOTA_EXCEEDED: 413,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.INTERNAL_ERROR: 500,
}
# HTTP status -> code, for errors that arrive as a bare status (ninja's HttpError).
_CODE_FOR_STATUS = {
    401: ErrorCode.NOT_AUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    409: ErrorCode.CONFLICT,
    429: ErrorCode.RATE_LIMITED,
}


def error_response(
    *, status: int, code: ErrorCode, message: str, retry_after: float | None = None
) -> HttpResponse:
    """The JSON error every path answers. With `retry_after` (a 429), the body and the
    Retry-After header say it in whole seconds, rounded up, as HTTP's Retry-After wants."""
    body: dict = {"code": code, "message": message}
    if retry_after is not None:
        body["retry_after"] = math.ceil(retry_after)
    response = JsonResponse(body, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(body["retry_after"])
    if status == 429:  # counted where every such answer is made
        metrics.RATE_LIMITED_HTTP.inc()
    return response


def _parley_error(request: HttpRequest, exc: ParleyError) -> HttpResponse:
    if isinstance(exc, RateLimited):
        return error_response(
            status=429, code=exc.code, message=exc.message, retry_after=exc.retry_after
        )
    return error_response(status=STATUS.get(exc.code, 400), code=exc.code, message=exc.message)


def _too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(
        status=413,
        code=ErrorCode.TOO_LARGE,
        message=f"The request body is larger than {limit} bytes.",
    )


def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        status=401,
        code=ErrorCode.NOT_AUTHENTICATED,
        message="Authenticate with 'Authorization: Bearer <token>' or a signed-in session.",
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ParleyError):
        # The body parser's refusal (api/parser.py), which ninja wraps as "Cannot parse request
        # body": its own message says which field holds what.
        return _parley_error(request, exc.__cause__)
    code = _CODE_FOR_STATUS.get(exc.status_code, ErrorCode.BAD_REQUEST)
    return error_response(status=exc.status_code, code=code, message=str(exc))


def _http404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(status=404, code=ErrorCode.NOT_FOUND, message="Not found.")


def validation_message(errors: list[dict]) -> str:
    """One readable sentence per invalid field, naming it: "limit: Input should be less than or
    equal to 100". A field's location is (source, [body parameter,] field, ...); the source
    ("body", "query", "path") and the body parameter's name are not the client's business."""
    parts = []
    for error in errors:
        source, *rest = [str(part) for part in error.get("loc", ())] or ["body"]
        if source == "body" and rest:
            rest = rest[1:]
        field = ".".join(rest)
        if field:
            parts.append(f"{field}: {error['msg']}")
        elif source == "body" and error.get("type") == "missing":
            parts.append("This call needs a JSON body")
        elif source == "body":
            parts.append(f"The JSON body: {error['msg']}")
        else:
            parts.append(error["msg"])
    return "; ".join(parts) + "."


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error_response(
        status=400, code=ErrorCode.BAD_REQUEST, message=validation_message(exc.errors)
    )


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled error in %s %s", request.method, request.path, exc_info=exc)
    return error_response(
        status=500, code=ErrorCode.INTERNAL_ERROR, message="Something went wrong on our side."
    )


# Which handler answers each exception class. ninja types a handler's argument as "the exception
# or its class" (ninja.main.Exc); it passes the exception, which is what these handlers take.
_HANDLERS: list[tuple[type[Exception], Callable[[HttpRequest, Any], HttpResponse]]] = [
    (ParleyError, _parley_error),
    (AuthenticationError, _authentication_error),
    (HttpError, _http_error),
    (Http404, _http404),
    (ValidationError, _validation_error),
    (RequestDataTooBig, _too_large),
    (Exception, _unexpected),
]


def install(api: NinjaAPI) -> None:
    """Replace ninja's default handlers (`{"detail": ...}`, 422, Django's HTML 500)."""
    for exc_class, handler in _HANDLERS:
        api.add_exception_handler(exc_class, handler)
