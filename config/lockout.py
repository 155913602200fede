"""The answer to a login refused by the throttle (django-axes calls `lockout_response`, see
AXES_LOCKOUT_CALLABLE): HTTP 429 with Retry-After on every path; the REST API's JSON error
shape under /api/, a page that says so in words elsewhere (the login form, the admin login)."""

import math

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from api.errors import error_response
from parley.errors import ErrorCode

MESSAGE = "Too many failed log-ins. Wait {wait} before trying again; every try meanwhile restarts the wait."


def _wait_words(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    return f"{math.ceil(seconds / 60)} minutes"


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    # Every attempt during the cool-off restarts it (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT),
    # and this answers one: the whole cool-off is left.
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    message = MESSAGE.format(wait=_wait_words(seconds))
    if request.path.startswith("/api/"):
        return error_response(
            status=429, code=ErrorCode.RATE_LIMITED, message=message, retry_after=seconds
        )
    response = HttpResponse(
        render_to_string("web/login_throttled.html", {"message": message}, request=request),
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
