"""/favicon.ico answers (browsers ask for it on their own) and logs nothing: it was a 404 with a
warning per page view. Through the ASGI application that `parley serve` runs, static files
included."""

import logging

from asgiref.testing import ApplicationCommunicator

from config.asgi import application


async def get(path: str) -> tuple[int, dict[bytes, bytes], bytes]:
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "scheme": "http",
        "headers": [(b"host", b"testserver")],
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 50000),
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(10)
    body = b""
    while True:
        part = await communicator.receive_output(10)
        body += part.get("body", b"")
        if not part.get("more_body"):
            break
    await communicator.wait(10)
    return start["status"], {k.lower(): v for k, v in start["headers"]}, body


async def test_favicon_ico_leads_to_the_icon_and_logs_nothing(caplog):
    caplog.set_level(logging.INFO)

    status, headers, _ = await get("/favicon.ico")

    assert status == 301
    assert headers[b"location"] == b"/static/parley/icon.svg"
    status, headers, body = await get("/static/parley/icon.svg")
    assert status == 200
    assert body.lstrip().startswith(b"<svg")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
