"""A Content-Security-Policy for every page: scripts, styles and sockets from this origin only,
so that text which slipped into the markup still could not run (defence in depth: the pages
escape every user string and room.js renders with textContent).

`ContentSecurityPolicyMiddleware` gives it to every HTML response, the admin's and the error
pages' included; the `csp` decorator on Parley's own views says so where the view is read.
"""

from functools import wraps

from django.http import HttpRequest, HttpResponseBase

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' {sockets}; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def add_policy(request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
    host = request.get_host()
    # 'self' covers ws(s) of the same origin in CSP 3; the explicit origin is for browsers
    # that predate it.
    sockets = f"wss://{host}" if request.is_secure() else f"ws://{host}"
    response.headers.setdefault("Content-Security-Policy", POLICY.format(sockets=sockets))
    return response


def csp(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return add_policy(request, view(request, *args, **kwargs))

    return wrapped


class ContentSecurityPolicyMiddleware:
    """The policy on every response that renders HTML (JSON and static files need none)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            add_policy(request, response)
        return response
