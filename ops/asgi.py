"""The outermost ASGI layer (config/asgi.py): names each HTTP request and WebSocket connection
for the log lines made while serving it (ops/logs.py), and counts the open sockets."""

import re
import uuid

from parley import metrics

from . import logs

# A request id nginx (or another proxy) set, e.g. `proxy_set_header X-Request-ID $request_id;`.
_GIVEN_ID = re.compile(rb"[A-Za-z0-9._-]{1,64}")


def _request_id(scope: dict) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id" and _GIVEN_ID.fullmatch(value):
            return value.decode()
    return uuid.uuid4().hex[:16]


class Observed:
    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        kind = scope["type"]
        if kind == "http":
            token = logs.bind("request_id", _request_id(scope))
        elif kind == "websocket":
            token = logs.bind("socket_id", uuid.uuid4().hex[:16])
            metrics.OPEN_SOCKETS.inc()
        else:
            return await self.application(scope, receive, send)
        try:
            return await self.application(scope, receive, send)
        finally:
            if kind == "websocket":
                metrics.OPEN_SOCKETS.dec()
            logs.unbind(token)
