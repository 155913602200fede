"""Keeps each signed-in browser session's row current (accounts/sessions.py)."""

from django.http import HttpRequest, HttpResponse

from .sessions import session_seen


class SessionRecordMiddleware:
    """After AuthenticationMiddleware: a request of a signed-in session (not a guest) records
    the session when it is not yet, and when it was last seen, at most every few minutes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.session_key:
            session_seen(request=request)
        return self.get_response(request)
