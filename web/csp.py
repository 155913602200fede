"""A Content-Security-Policy for the pages: scripts, styles and sockets from this origin only,
so that text which slipped into the markup still could not run (defence in depth: the pages
escape every user string and room.js renders with textContent)."""

from functools import wraps

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' {sockets}; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def csp(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        host = request.get_host()
        # 'self' covers ws(s) of the same origin in CSP 3; the explicit origin is for browsers
        # that predate it.
        sockets = f"wss://{host}" if request.is_secure() else f"ws://{host}"
        response.headers.setdefault("Content-Security-Policy", POLICY.format(sockets=sockets))
        return response

    return wrapped
