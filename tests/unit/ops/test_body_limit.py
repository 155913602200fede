"""The server refuses a request body past the largest upload before reading it."""

import orjson

from ops.body_limit import BodyLimit


class App:
    """Reads the whole body, as Django's ASGI handler does, and answers 200."""

    def __init__(self):
        self.body = b""
        self.abandoned = False

    async def __call__(self, scope, receive, send):
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.abandoned = True
                return
            self.body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def scope(length: int | None) -> dict:
    headers = [] if length is None else [(b"content-length", str(length).encode())]
    return {"type": "http", "method": "POST", "path": "/api/v1/rooms/r/files", "headers": headers}


def body(chunks: list[bytes]):
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]

    async def receive():
        return messages.pop(0)

    return receive


async def run(app, length, chunks):
    sent = []

    async def send(message):
        sent.append(message)

    await BodyLimit(app)(scope(length), body(chunks), send)
    return sent


async def test_a_body_announced_too_large_is_refused_unread(settings):
    settings.PARLEY_FILES_MAX_SIZE = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    app = App()
    sent = await run(app, 200_000, [b"x" * 200_000])
    assert sent[0]["status"] == 413
    assert orjson.loads(sent[1]["body"])["code"] == "too_large"
    assert app.body == b""


async def test_a_chunked_body_growing_too_large_is_cut_off(settings):
    settings.PARLEY_FILES_MAX_SIZE = 1000
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2000
    app = App()
    sent = await run(app, None, [b"x" * 40_000] * 3)
    assert app.abandoned and sent == []


async def test_a_body_within_the_limit_passes(settings):
    settings.PARLEY_FILES_MAX_SIZE = 100_000
    app = App()
    sent = await run(app, 50_000, [b"x" * 25_000] * 2)
    assert sent[0]["status"] == 200
    assert len(app.body) == 50_000
