"""WebSocket routes and the middleware every handshake passes: origin check (HTTP 403), then
session cookie, then bearer token."""

import asyncio
import contextlib

from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from django.urls import path, re_path

from .auth import BearerTokenMiddleware
from .consumers.protocol import ProtocolConsumer
from .consumers.tutorial import TutorialConsumer
from .origin import OriginCheck


async def no_endpoint(scope, receive, send):
    """Every other path: the handshake is answered with HTTP 404 (ASGI's WebSocket Denial
    Response, which uvicorn offers), or, on a server without it, refused before it is accepted
    (HTTP 403). Channels' router would raise instead: an HTTP 500 and a logged traceback."""
    await receive()  # websocket.connect
    if "websocket.http.response" in scope.get("extensions", {}):
        body = b"There is no WebSocket endpoint here; Parley's are /ws/ and /ws/chat/<room>/.\n"
        headers = [(b"content-type", b"text/plain; charset=utf-8")]
        await send({"type": "websocket.http.response.start", "status": 404, "headers": headers})
        await send({"type": "websocket.http.response.body", "body": body})
        # uvicorn's websockets-sansio logs "ASGI callable returned without completing
        # handshake" at ERROR when the app returns before the connection is gone (its open pull
        # request 3138): wait for that, the second disconnect it reports, for a second at most.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1):
                for _ in range(2):
                    while (await receive())["type"] != "websocket.disconnect":
                        pass
    else:
        await send({"type": "websocket.close", "code": 1008})


websocket_urlpatterns = [
    path("ws/", ProtocolConsumer.as_asgi()),
    re_path(r"^ws/chat/(?P<room_name>[^/]+)/$", TutorialConsumer.as_asgi()),
    re_path(r"", no_endpoint),  # last: matches any path the routes above do not
]


class ServerSend:
    """Puts the server's own `send` in the scope as `parley.send`, for the room hub's writes
    (realtime/delivery/hub.py): they need none of what the middlewares below wrap `send` with (the
    session middleware's wrapper saves sessions on HTTP responses, and costs a coroutine and
    a look at the session on every frame)."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        # In place: the server made this scope for this socket alone, and every copy of it
        # stays alive as long as the socket does.
        scope["parley.send"] = send
        return await self.application(scope, receive, send)


def websocket_application():
    return ServerSend(
        OriginCheck(AuthMiddlewareStack(BearerTokenMiddleware(URLRouter(websocket_urlpatterns))))
    )
