"""Every error the REST API answers is JSON `{"code", "message"}`; this module is where that is made.

`code` is the domain's error code (parley/errors.py), the same one the WebSocket protocol uses;
the HTTP status follows from it (STATUS). Errors raised by ninja itself (authentication,
validation, unparsable bodies) are given the same shape here.
"""

import logging

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from parley import metrics
from parley.errors import ParleyError

logger = logging.getLogger(__name__)

# Domain error code -> HTTP status.
STATUS = {
    "bad_request": 400,
    "too_long": 400,
    "not_authenticated": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "rate_limited": 429,
}
# HTTP status -> code, for errors that arrive as a bare status (ninja's HttpError).
_CODE_FOR_STATUS = {
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    409: "conflict",
    429: "rate_limited",
}


def error_response(*, status: int, code: str, message: str) -> HttpResponse:
    if status == 429:  # counted where every such answer is made
        metrics.RATE_LIMITED_HTTP.inc()
    return JsonResponse({"code": code, "message": message}, status=status)


def _parley_error(request: HttpRequest, exc: ParleyError) -> HttpResponse:
    return error_response(status=STATUS.get(exc.code, 400), code=exc.code, message=exc.message)


def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        status=401,
        code="not_authenticated",
        message="Authenticate with 'Authorization: Bearer <token>' or a signed-in session.",
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = _CODE_FOR_STATUS.get(exc.status_code, "bad_request")
    return error_response(status=exc.status_code, code=code, message=str(exc))


def _http404(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(status=404, code="not_found", message="Not found.")


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
    return error_response(status=400, code="bad_request", message=validation_message(exc.errors))


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled error in %s %s", request.method, request.path, exc_info=exc)
    return error_response(
        status=500, code="internal_error", message="Something went wrong on our side."
    )


def install(api: NinjaAPI) -> None:
    """Replace ninja's default handlers (`{"detail": ...}`, 422, Django's HTML 500)."""
    api.add_exception_handler(ParleyError, _parley_error)
    api.add_exception_handler(AuthenticationError, _authentication_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _http404)
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(Exception, _unexpected)
