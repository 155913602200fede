"""The largest HTTP request body the server reads: checked before Django spools a body to disk
(its ASGI handler reads the whole body before any view runs, so a view's own limit would come
after the bytes had been taken in).

The limit is the largest upload (PARLEY_FILES_MAX_SIZE, plus what multipart framing adds) or
the largest other body (DATA_UPLOAD_MAX_MEMORY_SIZE), whichever is larger. A body announced
larger (`Content-Length`) is answered 413 `too_large` without reading it; a chunked one that
grows past the limit is cut off (the request is treated as abandoned by the client)."""

import orjson
from django.conf import settings

from chat.uploads import MULTIPART_SLACK
from parley.errors import ErrorCode


def body_limit() -> int:
    return max(
        settings.PARLEY_FILES_MAX_SIZE + MULTIPART_SLACK, settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    )


def _announced(scope: dict) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class BodyLimit:
    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.application(scope, receive, send)
        limit = body_limit()
        announced = _announced(scope)
        if announced is not None and announced > limit:
            return await _too_large(send, limit)
        received = 0

        async def limited():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    return {"type": "http.disconnect"}
            return message

        return await self.application(scope, limited, send)


async def _too_large(send, limit: int) -> None:
    body = orjson.dumps(
        {"code": ErrorCode.TOO_LARGE, "message": f"The request body is larger than {limit} bytes."}
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
