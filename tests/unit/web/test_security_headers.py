"""Every HTML response carries the Content-Security-Policy (Parley's pages, the admin, the error
pages), and static files are served with `X-Content-Type-Options: nosniff`: asked of the whole
ASGI application, as the server runs it."""

import asyncio

import pytest

from config.asgi import application


async def asgi_get(path: str) -> tuple[int, dict[str, str]]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[dict] = []
    requests = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if requests:
            return requests.pop()
        await asyncio.Event().wait()  # the client stays until the response is done

    async def send(message):
        sent.append(message)

    await application(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}


@pytest.mark.parametrize(
    ("path", "status"),
    [("/", 200), ("/accounts/login/", 200), ("/admin/login/", 200), ("/no/such/page/", 404)],
)
async def test_every_html_response_has_the_policy(transactional_db, path, status):
    got, headers = await asgi_get(path)
    assert got == status and headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


@pytest.mark.parametrize("path", ["/static/parley/style.css", "/static/parley/room.js"])
async def test_static_files_are_not_sniffed(path):
    status, headers = await asgi_get(path)
    assert status == 200 and headers["x-content-type-options"] == "nosniff"


async def test_a_missing_static_file_is_a_404_with_the_same_headers(transactional_db):
    status, headers = await asgi_get("/static/no-such-file.css")
    assert status == 404 and headers["x-content-type-options"] == "nosniff"
    if headers["content-type"].startswith("text/html"):
        assert "content-security-policy" in headers
