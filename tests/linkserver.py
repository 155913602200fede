"""A local web server for link preview tests (the machine has no internet): OpenGraph pages,
slow, huge and hostile ones, and redirects to addresses a preview must not reach. It listens on
127.0.0.2, which the `link_server` fixture puts in PARLEY_PREVIEW_ALLOWED_NETWORKS (127.0.0.1
stays refused, so a redirect there is a redirect to a private address)."""

import io
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

HOST = "127.0.0.2"


def png(width: int, height: int, color: str = "teal") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def bomb_png(width: int = 60_000, height: int = 60_000) -> bytes:
    """A PNG of a few hundred bytes that declares `width` x `height` pixels (3.6 billion by
    default): what Pillow would decompress into gigabytes."""
    data = bytearray(png(1, 1))
    ihdr = 8 + 8  # signature, then the IHDR chunk's length and type
    data[ihdr : ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[ihdr - 4 : ihdr + 13])) & 0xFFFFFFFF
    data[ihdr + 13 : ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


OG_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>Fallback title</title>
<meta property="og:title" content="Deploy &amp; ship">
<meta property="og:description" content="  How we   deploy,
 <b>safely</b>.  ">
<meta property="og:site_name" content="Example Blog">
<meta property="og:image" content="/img.png">
<meta name="description" content="not this one">
</head><body><p>Body text</p></body></html>"""

TITLE_PAGE = """<html><head><title>Only a title</title>
<meta name="description" content="A plain description"></head><body>hi</body></html>"""


class Handler(BaseHTTPRequestHandler):
    server: "LinkServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str, **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Set-Cookie", "tracker=1; Path=/")
        self.send_header("Content-Length", "0")
        self.send_header("Connection", "close")
        self.end_headers()

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        self.server.requests.append((parts.path, dict(self.headers.items())))
        route = parts.path
        try:
            if route == "/og":
                self._send(200, OG_PAGE.encode(), "text/html; charset=utf-8")
            elif route == "/title":
                self._send(200, TITLE_PAGE.encode(), "text/html")
            elif route == "/img.png":
                self._send(200, png(960, 480), "image/png")
            elif route == "/bomb-page":
                page = OG_PAGE.replace("/img.png", "/bomb.png")
                self._send(200, page.encode(), "text/html")
            elif route == "/bomb.png":
                self._send(200, bomb_png(), "image/png")
            elif route == "/notimage-page":
                page = OG_PAGE.replace("/img.png", "/fake.png")
                self._send(200, page.encode(), "text/html")
            elif route == "/fake.png":
                self._send(200, b"<html><script>alert(1)</script></html>", "image/png")
            elif route == "/slow":
                self._trickle(headers_first=True)
            elif route == "/slow-headers":
                self._trickle(headers_first=False)
            elif route == "/huge":
                self._send(200, b"<html><head>" + b" " * (3 * 1024 * 1024), "text/html")
            elif route == "/huge-stream":
                self._stream_huge()
            elif route == "/json":
                self._send(200, b'{"title": "no"}', "application/json")
            elif route == "/gzip":
                self._send(
                    200, zlib.compress(OG_PAGE.encode()), "text/html", Content_Encoding="gzip"
                )
            elif route == "/redirect":
                self._redirect(query["to"])
            elif route == "/loop":
                self._redirect("/loop")
            elif route == "/chain":
                hops = int(query.get("n", "1"))
                self._redirect(f"/chain?n={hops - 1}" if hops > 1 else "/og")
            elif route == "/404":
                self._send(404, b"<title>Not found</title>", "text/html")
            else:
                self._send(404, b"", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _trickle(self, *, headers_first: bool) -> None:
        """One byte every 0.1 s, for up to 60 s: each read is quick, the whole is not."""
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n"
        if headers_first:
            self.wfile.write(head)
            self.wfile.flush()
            rest = b"<html><head><title>slow</title>" + b" " * 600
        else:
            rest = head.replace(b"\r\n\r\n", b"\r\n" + b"X-Padding: " + b"a" * 600 + b"\r\n\r\n")
        deadline = time.monotonic() + 60
        for byte in rest:
            if time.monotonic() > deadline or self.server.stopping.is_set():
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(0.1)

    def _stream_huge(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b"<html><head>")
        for _ in range(64):  # 4 MB, no Content-Length
            self.wfile.write(b" " * 65536)


class LinkServer(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[tuple[str, dict[str, str]]]
    stopping: threading.Event

    def url(self, path: str) -> str:
        return f"http://{HOST}:{self.server_address[1]}{path}"


@contextmanager
def link_server_running() -> Iterator[LinkServer]:
    """The server, listening on HOST at a free port, in a thread of this process."""
    server = LinkServer((HOST, 0), Handler)
    server.requests = []
    server.stopping = threading.Event()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.stopping.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def link_server(settings) -> Iterator[LinkServer]:
    """The server, allowed to this process's fetcher, with a 1 s time cap (the slow pages
    trickle for longer) and a 256 KB page cap (the huge ones are larger)."""
    settings.PARLEY_PREVIEW_ALLOWED_NETWORKS = [f"{HOST}/32"]
    settings.PARLEY_PREVIEW_TIMEOUT = 1.0
    settings.PARLEY_PREVIEW_MAX_BYTES = 256 * 1024
    with link_server_running() as server:
        yield server
