"""A protocol v1 client written the way docs/protocol.md asks a careful program to behave.

It remembers the last seq it saw per room and resumes from it (`subscribe` with `since`) on
every reconnect; it keeps each post until acknowledged and retries it with the same
`client_id`; it reconnects after any close (4000 included), to the next of its server URLs.
Every `message` frame is recorded, so a test can check that each client saw each message
exactly once, in order.
"""

import asyncio
import itertools
import json
import uuid
from collections import defaultdict

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus

_refs = itertools.count(1)


class Unavailable(Exception):
    """The server answered `unavailable`: retry later."""


class ChatClient:
    def __init__(self, name: str, token: str, urls: list[str]):
        self.name = name
        self.token = token
        self.urls = urls  # ws://host:port, tried in turn on reconnects
        self.url_index = 0
        self.ws: ClientConnection | None = None
        self.rooms: set[str] = set()
        self.received: dict[str, list[dict]] = defaultdict(
            list
        )  # room -> message frames, as received
        self.acks: dict[str, int] = {}  # client_id -> seq
        self.resets: list[dict] = []
        self.unavailable = 0  # `unavailable` answers to posts
        self.close_codes: list[int | None] = []
        self.connects = 0
        self._waiting: dict[str, asyncio.Future] = {}
        self._runner: asyncio.Task | None = None
        self._connected = asyncio.Event()  # open, hello received, every room resubscribed
        self._stopping = False

    # Connection

    @property
    def url(self) -> str:
        return self.urls[self.url_index % len(self.urls)]

    def last_seq(self, room: str) -> int:
        return self.received[room][-1]["seq"] if self.received[room] else 0

    async def start(self, timeout: float = 10) -> "ChatClient":
        self._runner = asyncio.create_task(self._run())
        await asyncio.wait_for(self._connected.wait(), timeout)
        return self

    async def _run(self) -> None:
        """Connect, read until closed, reconnect (to the next URL after a failure), forever."""
        delay = 0.05
        while not self._stopping:
            try:
                ws = await connect(
                    f"{self.url}/ws/",
                    additional_headers={"Authorization": f"Bearer {self.token}"},
                    open_timeout=5,
                    max_queue=None,
                )
                hello = json.loads(await asyncio.wait_for(ws.recv(), 5))
                assert hello["type"] == "hello", hello
            except (OSError, InvalidHandshake, InvalidStatus, ConnectionClosed, TimeoutError):
                self.url_index += 1
                await asyncio.sleep(delay)
                delay = min(delay * 2, 0.5)
                continue
            delay = 0.05
            self.ws = ws
            self.connects += 1
            resubscribe = asyncio.create_task(self._resubscribe())
            try:
                async for text in ws:
                    self._on_frame(json.loads(text))
            except ConnectionClosed:
                pass
            self.close_codes.append(ws.close_code)
            self._connected.clear()
            resubscribe.cancel()
            for future in self._waiting.values():
                if not future.done():
                    future.set_exception(ConnectionError("closed"))
            self._waiting.clear()

    async def _resubscribe(self) -> None:
        try:
            for room in sorted(self.rooms):
                await self._subscribe(room, since=self.last_seq(room))
        except (ConnectionError, ConnectionClosed):
            return  # closed again; the next connection resubscribes
        self._connected.set()

    async def move_to(self, url_index: int) -> None:
        """Close this socket and continue on another server, resuming every room."""
        self.url_index = url_index
        await self.ws.close()

    async def stop(self) -> None:
        self._stopping = True
        if self.ws is not None:
            await self.ws.close()
        await asyncio.gather(self._runner, return_exceptions=True)

    # Frames

    def _on_frame(self, frame: dict) -> None:
        kind = frame["type"]
        if kind == "message":
            self.received[frame["room"]].append(frame)
        elif kind == "reset":
            self.resets.append(frame)
        if (ref := frame.get("ref")) is not None and (
            future := self._waiting.pop(ref, None)
        ) is not None:
            if not future.done():
                future.set_result(frame)

    async def request(self, frame: dict, timeout: float = 10) -> dict:
        """Send a frame with a fresh ref; the answer carrying that ref."""
        ref = f"{self.name}-{next(_refs)}"
        future = asyncio.get_running_loop().create_future()
        self._waiting[ref] = future
        await self.ws.send(json.dumps({**frame, "ref": ref}))
        return await asyncio.wait_for(future, timeout)

    async def subscribe(self, room: str, since: int | None = None) -> dict:
        """Subscribe (from `since`, or from now); reconnects resume from the last seq seen."""
        self.rooms.add(room)
        return await self._subscribe(
            room, since=self.last_seq(room) if self.received[room] else since
        )

    async def _subscribe(self, room: str, since: int | None) -> dict:
        frame = {"type": "subscribe", "room": room}
        if since is not None:
            frame["since"] = since
        answer = await self.request(frame)
        assert answer["type"] == "subscribed", answer
        return answer

    async def post_once(self, room: str, body: str, client_id: str) -> dict:
        answer = await self.request(
            {"type": "post", "room": room, "body": body, "client_id": client_id}
        )
        if answer["type"] == "ack":
            self.acks[client_id] = answer["seq"]
        elif answer.get("code") == "unavailable":
            self.unavailable += 1
            raise Unavailable(answer["message"])
        return answer

    async def post(
        self, room: str, body: str, client_id: str | None = None, deadline: float = 60
    ) -> dict:
        """Post until acknowledged, through reconnects and `unavailable`, with one client_id."""
        client_id = client_id or str(uuid.uuid4())
        loop = asyncio.get_running_loop()
        end = loop.time() + deadline
        while True:
            try:
                await asyncio.wait_for(self._connected.wait(), max(0.1, end - loop.time()))
                answer = await self.post_once(room, body, client_id)
                assert answer["type"] == "ack", answer
                return answer
            except (Unavailable, ConnectionError, ConnectionClosed, TimeoutError):
                if loop.time() > end:
                    raise
                await asyncio.sleep(0.1)

    # Checks

    def seqs(self, room: str) -> list[int]:
        return [frame["seq"] for frame in self.received[room]]

    async def wait_for_seq(self, room: str, seq: int, timeout: float = 20) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while self.last_seq(room) < seq:
            if loop.time() > end:
                raise TimeoutError(f"{self.name} saw {room} up to {self.last_seq(room)}, not {seq}")
            await asyncio.sleep(0.02)
