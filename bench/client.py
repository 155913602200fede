"""One benchmark WebSocket connection: websockets' sans-I/O client protocol on an asyncio
Protocol, so that a connection costs no task and no queue and one process can hold 10,000 of
them and read tens of thousands of frames a second.

Each complete text message is handed to `on_text(conn, data: bytes)` as it is parsed.
"""

import asyncio
import time
from collections.abc import Callable

from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Opcode
from websockets.http11 import Response
from websockets.protocol import State
from websockets.uri import parse_uri


class WsConn(asyncio.Protocol):
    """A client socket. `opened` resolves when the handshake succeeds (its result is the
    handshake time in seconds) or fails with the reason; `closed` resolves when the TCP
    connection ends, with the close code the server sent (or None)."""

    def __init__(
        self,
        url: str,
        *,
        on_text: Callable[["WsConn", bytes], None],
        headers: dict[str, str] | None = None,
        deflate: bool = True,
        tag=None,
    ):
        # A browser offers permessage-deflate; the server decides whether to use it.
        extensions = (
            [ClientPerMessageDeflateFactory(client_max_window_bits=True)] if deflate else None
        )
        self.ws = ClientProtocol(parse_uri(url), extensions=extensions, max_size=None)
        self.request = self.ws.connect()
        for name, value in (headers or {}).items():
            self.request.headers[name] = value
        self.on_text = on_text
        loop = asyncio.get_running_loop()
        self.opened: asyncio.Future[float] = loop.create_future()
        self.closed: asyncio.Future[int | None] = loop.create_future()
        self.transport: asyncio.Transport | None = None
        self.started = time.monotonic()
        self.fragments: list[bytes] = []
        self.deflate_negotiated = False
        self._close_timer = None
        self.tag = tag  # whatever the owner attaches (a role, a room); set before any frame

    # asyncio.Protocol

    def connection_made(self, transport):
        self.transport = transport
        self.ws.send_request(self.request)
        self._flush()

    def data_received(self, data: bytes):
        self.ws.receive_data(data)
        for event in self.ws.events_received():
            if isinstance(event, Response):
                self._handshake_done(event)
                continue
            opcode = event.opcode
            if opcode is Opcode.TEXT or opcode is Opcode.BINARY:
                if event.fin:
                    self.on_text(self, event.data)
                else:
                    self.fragments = [event.data]
            elif opcode is Opcode.CONT:
                self.fragments.append(event.data)
                if event.fin:
                    data, self.fragments = b"".join(self.fragments), []
                    self.on_text(self, data)
        self._flush()

    def eof_received(self):
        self.ws.receive_eof()
        self._flush()
        return False

    def connection_lost(self, exc):
        if not self.opened.done():
            self.opened.set_exception(
                ConnectionError(f"closed during the handshake: {exc or 'EOF'}")
            )
        if not self.closed.done():
            close = self.ws.close_rcvd
            self.closed.set_result(close.code if close is not None else None)

    # Use

    def send_text(self, text: str) -> None:
        if self.ws.state is State.OPEN:
            self.ws.send_text(text.encode())
            self._flush()

    def close(self) -> None:
        """Send a close frame; the server answers and ends the TCP connection."""
        if self.transport is None:
            return
        if self.ws.state is State.OPEN:
            self.ws.send_close(1000)
            self._flush()
        elif not self.closed.done():
            self.transport.close()

    @property
    def is_open(self) -> bool:
        return self.ws.state is State.OPEN

    # Internals

    def _handshake_done(self, response: Response) -> None:
        if self.opened.done():
            return
        if self.ws.handshake_exc is not None or self.ws.state is not State.OPEN:
            self.opened.set_exception(
                ConnectionError(
                    f"handshake failed: HTTP {response.status_code} {self.ws.handshake_exc or ''}"
                )
            )
            return
        self.deflate_negotiated = bool(self.ws.extensions)
        self.opened.set_result(time.monotonic() - self.started)

    def _flush(self) -> None:
        chunks = self.ws.data_to_send()
        if not chunks or self.transport is None:
            return
        for chunk in chunks:
            if chunk:
                self.transport.write(chunk)
            elif self.transport.can_write_eof():
                self.transport.write_eof()
        if self.ws.close_expected() and self._close_timer is None:
            # The server will close TCP; this only makes sure a dead peer cannot hold us.
            self._close_timer = asyncio.get_running_loop().call_later(5, self.transport.close)


async def open_conn(
    url: str, *, on_text, headers=None, deflate=True, tag=None, within=30.0
) -> WsConn:
    """Connect and finish the handshake; raises ConnectionError / TimeoutError."""
    host, port = _host_port(url)
    loop = asyncio.get_running_loop()
    conn = WsConn(url, on_text=on_text, headers=headers, deflate=deflate, tag=tag)
    try:
        async with asyncio.timeout(within):
            await loop.create_connection(lambda: conn, host, port)
            await conn.opened
    except BaseException:
        conn.close()
        raise
    return conn


def _host_port(url: str) -> tuple[str, int]:
    uri = parse_uri(url)
    return uri.host, uri.port
