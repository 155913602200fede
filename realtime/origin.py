"""The handshake's Origin checked against PARLEY_ALLOWED_ORIGINS; anything else gets HTTP 403.

Browsers always send Origin with a WebSocket handshake, so this is what stops another site's
page from opening a socket with a visitor's cookies. A handshake without Origin comes from a
program, which authenticates with a token (or is a guest); it is let through.
"""

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings

DEFAULT_PORTS = {"http": 80, "https": 443, "ws": 80, "wss": 443}


def normalize_origin(origin: str) -> str | None:
    """'scheme://host:port' in lower case with the port made explicit, or None if malformed."""
    try:
        parts = urlsplit(origin.strip().lower())
        port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:
        return None
    if not parts.scheme or not parts.hostname or port is None:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    return f"{parts.scheme}://{host}:{port}"


def origin_allowed(origin: str) -> bool:
    allowed = {normalize_origin(entry) for entry in settings.PARLEY_ALLOWED_ORIGINS}
    normalized = normalize_origin(origin)
    return normalized is not None and normalized in allowed


class OriginCheck:
    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        origin = next(
            (value for name, value in scope.get("headers", []) if name == b"origin"), None
        )
        if origin is not None and not origin_allowed(origin.decode("latin1")):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
