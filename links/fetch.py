"""Fetching what a link points to, as a careful bot: only http and https, only to vetted
addresses (addresses.py), redirects followed by hand and vetted again, a cap on the bytes read
and on the whole time taken, no cookies and no credentials sent or kept.

The standard library's http.client connects to the address vetted for the name, so nothing
resolves the name a second time, while the request still names the host (Host header, TLS SNI
and the certificate's name check)."""

import http.client
import logging
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from email.message import Message as Headers
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings

from .addresses import AddressRefused, IPAddress, host_resolve, networks_parse

logger = logging.getLogger(__name__)

USER_AGENT = "ParleyBot/1 (+link previews)"
REDIRECTS = {301, 302, 303, 307, 308}
MAX_URL = 2000
_CHUNK = 64 * 1024


class FetchRefused(Exception):
    """What a URL points to was not fetched: an address, a scheme, a size, a time or an answer
    that a preview does not accept. The message says which, for the log."""


@dataclass(frozen=True)
class Fetched:
    url: str  # the final URL, after redirects
    content_type: str  # lower case, without parameters
    charset: str | None
    body: bytes


class _Connection(http.client.HTTPConnection):
    """HTTP to `address`, naming `host`."""

    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self.address), self.port), self.timeout)


class _TLSConnection(http.client.HTTPSConnection):
    """HTTPS to `address`; SNI and the certificate check are for `host`."""

    def __init__(self, host: str, port: int, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self) -> None:
        raw = socket.create_connection((str(self.address), self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.host)  # type: ignore[attr-defined]


def _target(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of a URL a preview may fetch; FetchRefused for
    any other scheme, credentials in the URL, or a URL that does not parse."""
    if len(url) > MAX_URL:
        raise FetchRefused(f"the URL is longer than {MAX_URL} characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchRefused(f"the URL does not parse ({error})") from error
    if parts.scheme not in ("http", "https"):
        raise FetchRefused(f"{parts.scheme or 'no'} scheme: only http and https are fetched")
    if parts.username is not None or parts.password is not None:
        raise FetchRefused("a URL with credentials is not fetched")
    host = parts.hostname or ""
    if not host:
        raise FetchRefused("the URL has no host")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as error:
        raise FetchRefused(f"the host {host!r} is not a valid name") from error
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    if any(ord(c) <= 32 or ord(c) == 127 for c in path):
        raise FetchRefused("the URL's path holds spaces or control characters")
    # A page's og:image may hold letters outside ASCII; a request line holds none.
    path = quote(path, safe="/?&=%:@!$'()*+,;~#[]")
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80), path


def _media_type(headers: Headers) -> tuple[str, str | None]:
    return headers.get_content_type().lower(), headers.get_content_charset()


class _Deadline:
    """The whole fetch's time cap: a timer shuts the socket when it is up, which ends any read
    blocked on it, however slowly the server trickles bytes."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.seconds = seconds
        self.passed = False
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def left(self) -> float:
        left = self.at - time.monotonic()
        if left <= 0:
            self.passed = True
            raise FetchRefused(f"no answer within {self.seconds:g} s")
        return left

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            if sock is not None:
                self._sockets.append(sock)
            if self.passed:
                self._close()

    def _expire(self) -> None:
        with self._lock:
            self.passed = True
            self._close()

    def _close(self) -> None:
        for sock in self._sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        self._timer.cancel()


def fetch(url: str, *, accept: tuple[str, ...], max_bytes: int) -> Fetched:
    """GET `url`, following at most PARLEY_PREVIEW_REDIRECTS redirects, each target vetted
    anew, all within PARLEY_PREVIEW_TIMEOUT seconds. The answer must be 200, of a media type
    that starts with one of `accept` ("text/html", "image/"), unencoded, and at most
    `max_bytes` long (reading stops past it). Raises FetchRefused, saying why."""
    allowed = networks_parse(settings.PARLEY_PREVIEW_ALLOWED_NETWORKS)
    deadline = _Deadline(settings.PARLEY_PREVIEW_TIMEOUT)
    try:
        for _ in range(settings.PARLEY_PREVIEW_REDIRECTS + 1):
            status, headers, connection, response = _request(url, allowed, deadline)
            try:
                if status in REDIRECTS:
                    location = headers.get("Location")
                    if not location:
                        raise FetchRefused(f"a {status} redirect without a Location")
                    url = urljoin(url, location.strip())
                    continue
                if status != 200:
                    raise FetchRefused(f"the server answered {status}")
                media_type, charset = _media_type(headers)
                if not media_type.startswith(accept):
                    raise FetchRefused(f"{media_type} is not {' or '.join(accept)}")
                encoding = (headers.get("Content-Encoding") or "identity").strip().lower()
                if encoding != "identity":
                    raise FetchRefused(f"a {encoding}-encoded answer (only identity is asked for)")
                body = _read(response, max_bytes, headers, deadline)
                return Fetched(url=url, content_type=media_type, charset=charset, body=body)
            finally:
                connection.close()
        raise FetchRefused(f"more than {settings.PARLEY_PREVIEW_REDIRECTS} redirects")
    except (OSError, ValueError, http.client.HTTPException) as error:
        if deadline.passed:
            raise FetchRefused(f"no answer within {deadline.seconds:g} s") from error
        raise FetchRefused(f"the fetch failed ({type(error).__name__}: {error})") from error
    finally:
        deadline.cancel()


def _resolve(host: str, port: int, allowed: list, deadline: _Deadline) -> IPAddress:
    """host_resolve within the time left: the system resolver has no timeout of its own to
    give, so it answers in a thread, which is left to finish on its own past the deadline."""
    answer: list[IPAddress | AddressRefused] = []

    def resolve() -> None:
        try:
            answer.append(host_resolve(host, port, allowed))
        except AddressRefused as error:
            answer.append(error)

    resolver = threading.Thread(target=resolve, name="preview-resolve", daemon=True)
    resolver.start()
    resolver.join(deadline.left())
    if not answer:
        deadline.passed = True
        raise FetchRefused(f"{host!r} did not resolve within {deadline.seconds:g} s")
    if isinstance(answer[0], AddressRefused):
        raise FetchRefused(str(answer[0])) from answer[0]
    return answer[0]


def _request(
    url: str, allowed: list, deadline: _Deadline
) -> tuple[int, Headers, http.client.HTTPConnection, http.client.HTTPResponse]:
    scheme, host, port, path = _target(url)
    address = _resolve(host, port, allowed, deadline)
    kind = _TLSConnection if scheme == "https" else _Connection
    connection = kind(host, port, address, timeout=deadline.left())
    try:
        connection.connect()
        deadline.watch(connection.sock)
        # No Cookie and no Authorization, ever; nothing the server sets is kept.
        connection.putrequest("GET", path, skip_accept_encoding=True)
        connection.putheader("User-Agent", USER_AGENT)
        connection.putheader("Accept", "text/html,application/xhtml+xml,image/*;q=0.8")
        connection.putheader("Accept-Encoding", "identity")
        connection.endheaders()
        response = connection.getresponse()
    except BaseException:
        connection.close()
        raise
    return response.status, response.msg, connection, response


def _read(
    response: http.client.HTTPResponse, max_bytes: int, headers: Headers, deadline: _Deadline
) -> bytes:
    length = headers.get("Content-Length", "").strip()
    if length.isdigit() and int(length) > max_bytes:
        raise FetchRefused(f"{int(length)} bytes, more than the {max_bytes} a preview reads")
    chunks: list[bytes] = []
    size = 0
    while True:
        deadline.left()
        chunk = response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK)
        if not chunk:
            if deadline.passed:
                raise FetchRefused(f"no answer within {deadline.seconds:g} s")
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise FetchRefused(f"more than the {max_bytes} bytes a preview reads")
        chunks.append(chunk)
