"""uvicorn's HTTP protocol with a deadline on the request head.

uvicorn (0.54, httptools) bounds only the idle time between two requests of a kept-alive
connection (`timeout_keep_alive`); a connection that sends its request line and headers a byte
at a time is held for as long as the client likes, and a few hundred of them exhaust the
process' file descriptors. Here a connection must deliver a complete request head within
`PARLEY_HEADER_TIMEOUT` seconds of opening (or of its next request's first byte), or it is
closed. The body and WebSocket traffic are not timed here: Django reads bodies of bounded size,
and WebSocket keep-alive pings (uvicorn's `ws_ping_*`) end dead sockets.
"""

import asyncio

from django.conf import settings
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class HeadTimeoutProtocol(HttpToolsProtocol):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.head_timeout: float = settings.PARLEY_HEADER_TIMEOUT
        self.head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._start_head_clock()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_head_clock()  # the next request of a kept-alive connection

    def on_headers_complete(self) -> None:
        self._stop_head_clock()
        super().on_headers_complete()

    def connection_lost(self, exc) -> None:
        self._stop_head_clock()
        super().connection_lost(exc)

    def _start_head_clock(self) -> None:
        if self.head_deadline is None:
            self.head_deadline = self.loop.call_later(self.head_timeout, self._head_too_slow)

    def _stop_head_clock(self) -> None:
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None

    def _head_too_slow(self) -> None:
        self.head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()
