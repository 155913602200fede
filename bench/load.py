"""The load generator: a process holding benchmark connections, driven by the runner over a
pipe (`serve`). Every command is `(name, kwargs)`, answered by `("ok", result)` or
`("error", traceback)`; the commands are the public coroutines of `Worker`.

Members are the benchmark's sockets, each in one room; some are also senders. A message body
is `step|sender|n|t|padding`: the step it belongs to, the sender's number, the sender's own
counter (the payload id the peers are checked by), and the sender's `time.monotonic()` at
sending, from which every receiver computes the end-to-end latency.

Parley's protocol (v1, and v2 whose `seq` also counts the room's other changes: here, members
joining) is checked by `seq` (one stream per room, from `subscribed.last_seq + 1`);
the tutorial protocol by payload ids (one stream per sender, from 0).
"""

import asyncio
import os
import resource
import time
import traceback
from array import array
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from uuid import uuid4

import orjson

from .client import WsConn, open_conn
from .streams import Stream

PROBE = "P"
monotonic = time.monotonic


@dataclass(slots=True, eq=False)
class Member:
    index: int
    room: str
    sender: int | None  # this member's sender number, when it sends
    token: str | None = None
    conn: WsConn | None = None
    streams: dict = field(default_factory=dict)
    got: Counter = field(default_factory=Counter)  # step -> new deliveries
    probed: bool = False
    waiter: asyncio.Future | None = None


class Worker:
    def __init__(self, *, url: str, proto: str, deflate: bool = True, body_size: int = 80):
        assert proto in ("v1", "v2", "tutorial")
        self.url = url.rstrip("/")
        # Parley's protocol (acks, one seq stream per room), version 1 or 2.
        self.v1 = proto in ("v1", "v2")
        self.v2 = proto == "v2"
        self.deflate = deflate
        self.pad = "x" * max(0, body_size - 32)
        self.members: list[Member] = []
        self.step: int | str = PROBE
        self.sent_n: Counter = Counter()  # sender -> messages sent (the next payload id)
        self.sent: dict = defaultdict(Counter)  # step -> room -> messages sent
        self.acked: dict = defaultdict(Counter)  # step -> room -> messages acknowledged (v1)
        self.acked_seq: Counter = Counter()  # room -> highest seq acknowledged (v1)
        self.posts: dict[str, tuple] = {}  # client_id -> (step, sent at), until acknowledged
        self.outstanding = 0
        self.lat: dict = defaultdict(lambda: array("d"))  # step -> latencies (s)
        self.ack_lat: dict = defaultdict(lambda: array("d"))  # step -> post-to-ack (s), v1
        self.last_delivery: dict = {}  # step -> time of its latest delivery
        self.errors: list = []
        self.error_count = 0
        self.closed_loop: set[int] = set()  # senders that send again on their own echo

    # Connections

    async def connect(
        self, *, members: list[dict], concurrency: int = 50, within: float = 30.0
    ) -> dict:
        """Open the members' sockets; on v1 also wait for hello and subscribe to the room."""
        gate = asyncio.Semaphore(concurrency)
        handshakes, readies, failures = array("d"), array("d"), []
        deflated = 0

        async def one(spec: dict):
            nonlocal deflated
            member = Member(**spec)
            path = (
                "/ws/?protocol=2" if self.v2 else "/ws/" if self.v1 else f"/ws/chat/{member.room}/"
            )
            headers = {"Authorization": f"Bearer {member.token}"} if member.token else None
            async with gate:
                started = monotonic()
                try:
                    if self.v1:
                        member.waiter = asyncio.get_running_loop().create_future()
                    conn = await open_conn(
                        self.url + path,
                        on_text=self._on_text,
                        headers=headers,
                        deflate=self.deflate,
                        tag=member,
                        within=within,
                    )
                    member.conn = conn
                    handshakes.append(conn.opened.result())
                    deflated += conn.deflate_negotiated
                    if self.v1:
                        async with asyncio.timeout(within):
                            await member.waiter  # hello
                            member.waiter = asyncio.get_running_loop().create_future()
                            conn.send_text(
                                orjson.dumps({"type": "subscribe", "room": member.room}).decode()
                            )
                            await member.waiter  # subscribed
                    readies.append(monotonic() - started)
                    self.members.append(member)
                except Exception as error:
                    failures.append(f"{type(error).__name__}: {error}")

        started = monotonic()
        await asyncio.gather(*(one(spec) for spec in members))
        return {
            "seconds": monotonic() - started,
            "handshake": handshakes.tobytes(),
            "ready": readies.tobytes(),
            "failed": len(failures),
            "failures": failures[:5],
            "deflate": deflated,
        }

    async def warmup(self, *, within: float = 30.0) -> dict:
        """Until every member has received a probe: makes sure each socket is in its room's
        group before the measured steps (the tutorial endpoints join after the handshake)."""
        rooms: dict[str, list[Member]] = defaultdict(list)
        for member in self.members:
            rooms[member.room].append(member)
        senders = {
            room: next((m for m in ms if m.sender is not None), None) for room, ms in rooms.items()
        }
        deadline = monotonic() + within
        while monotonic() < deadline:
            waiting = [room for room, ms in rooms.items() if not all(m.probed for m in ms)]
            if not waiting:
                break
            for room in waiting:
                if (sender := senders[room]) is not None:
                    self._send(sender, PROBE)
            await asyncio.sleep(0.2)
        await self._until(lambda: self.outstanding == 0, 10.0)
        return {"unprobed": sum(not m.probed for m in self.members), "errors": self._take_errors()}

    async def close(self, *, within: float = 5.0) -> dict:
        """Close every socket with a close frame, as a leaving client does; abort the ones
        still open after `within` seconds."""
        conns = [m.conn for m in self.members if m.conn is not None]
        for conn in conns:
            conn.close()
        if conns:
            await asyncio.wait([conn.closed for conn in conns], timeout=within)
        for conn in conns:
            if not conn.closed.done() and conn.transport is not None:
                conn.transport.abort()
        self.members.clear()
        return {}

    # Steps

    async def open_step(self, *, step: int, rate: float, seconds: float) -> dict:
        """Post `rate` messages a second, spread over this worker's senders, for `seconds`."""
        self.step = step
        senders = [m for m in self.members if m.sender is not None]
        total = round(rate * seconds) if senders else 0
        started = monotonic()
        k, max_lag = 0, 0.0
        while k < total:
            now = monotonic()
            max_lag = max(max_lag, now - (started + k / rate))
            due = min(total, int((now - started) * rate) + 1)
            while k < due:
                self._send(senders[k % len(senders)], step)
                k += 1
            if k < total:
                await asyncio.sleep(max(0.0, started + k / rate - monotonic()))
        ended = monotonic()
        await self._until(lambda: self.outstanding == 0, 10.0)
        return self._step_sent(step, started, ended, k, max_lag)

    async def closed_step(self, *, step: int, senders: list[int], seconds: float) -> dict:
        """Each sender in `senders` keeps one message in flight: it posts the next as soon as
        its previous one comes back to it, for `seconds`."""
        self.step = step
        self.closed_loop = set(senders)
        started = monotonic()
        for member in self.members:
            if member.sender in self.closed_loop:
                self._send(member, step)
        await asyncio.sleep(seconds)
        self.closed_loop = set()
        ended = monotonic()
        await self._until(lambda: self.outstanding == 0, 10.0)
        return self._step_sent(step, started, ended, sum(self.sent[step].values()), 0.0)

    async def drain(self, *, step: int, expected: dict[str, int], within: float) -> dict:
        """Wait until every member got each of the step's messages for its room (`expected`:
        room -> count) or `within` seconds; then the step's deliveries and latencies."""

        def pending() -> int:
            return sum(max(0, expected.get(m.room, 0) - m.got[step]) for m in self.members)

        left = await self._until(lambda: pending() == 0, within, value=pending)
        lat = self.lat.pop(step, array("d"))
        ack_lat = self.ack_lat.pop(step, array("d"))
        return {
            "pending": left,
            "delivered": sum(m.got[step] for m in self.members),
            "lat": lat.tobytes(),
            "ack_lat": ack_lat.tobytes(),
            "last_delivery": self.last_delivery.get(step),
            **self._health(),
        }

    async def final(self, *, expected: dict, within: float) -> dict:
        """Missing, duplicated and reordered deliveries over the whole run. `expected`: on v1
        room -> the last seq acknowledged; on the tutorial protocol room -> sender -> the last
        payload id sent."""

        def missing() -> int:
            total = 0
            for member in self.members:
                if self.v1:
                    last = expected.get(member.room)
                    stream = member.streams.get(member.room)
                    if last is not None and stream is not None:
                        total += stream.missing(last)
                else:
                    for sender, last in expected.get(member.room, {}).items():
                        stream = member.streams.get(int(sender))
                        total += last + 1 if stream is None else stream.missing(last)
            return total

        lost = await self._until(lambda: missing() == 0, within, value=missing)
        return {"lost": lost, **self._health()}

    # Frames

    def _send(self, member: Member, step) -> None:
        if step == PROBE:
            n = -1  # probes are not part of any sender's payload-id stream
        else:
            n = self.sent_n[member.sender]
            self.sent_n[member.sender] = n + 1
        now = monotonic()
        body = f"{step}|{member.sender}|{n}|{now:.6f}|{self.pad}"
        if self.v1:
            client_id = str(uuid4())
            self.posts[client_id] = (step, now)
            self.outstanding += 1
            frame = {"type": "post", "room": member.room, "body": body, "client_id": client_id}
        else:
            frame = {"message": body}
        if step != PROBE:
            self.sent[step][member.room] += 1
        member.conn.send_text(orjson.dumps(frame).decode())

    def _on_text(self, conn: WsConn, data: bytes) -> None:
        member: Member = conn.tag
        frame = orjson.loads(data)
        if not self.v1:
            body = frame.get("message")
            if not isinstance(body, str):
                return self._error(frame)
            parts = body.split("|", 4)
            if parts[0] == PROBE:
                member.probed = True
                return
            sender = int(parts[1])
            stream = member.streams.get(sender)
            if stream is None:
                stream = member.streams[sender] = Stream()
            if stream.see(int(parts[2])):
                self._delivered(member, parts)
            return
        kind = frame.get("type")
        if kind == "member" and self.v2:  # a change in the room's stream: it takes a seq
            stream = member.streams.get(frame["room"])
            if stream is not None:
                stream.see(frame["seq"])
        elif kind == "message":
            stream = member.streams.get(frame["room"])
            if stream is not None and stream.see(frame["seq"]):
                body = frame["message"]["body"] if self.v2 else frame["body"]
                parts = body.split("|", 4)
                if parts[0] == PROBE:
                    member.probed = True
                else:
                    self._delivered(member, parts)
        elif kind == "ack":
            self.outstanding -= 1
            step, sent_at = self.posts.pop(frame["client_id"], (PROBE, None))
            room, seq = frame["room"], frame["seq"]
            if seq > self.acked_seq[room]:
                self.acked_seq[room] = seq
            if step != PROBE:
                self.acked[step][room] += 1
                self.ack_lat[step].append(monotonic() - sent_at)
        elif kind == "subscribed":
            member.streams[frame["room"]] = Stream(frame["last_seq"] + 1)
            self._wake(member, frame)
        elif kind == "hello":
            self._wake(member, frame)
        elif kind == "error":
            self.outstanding -= 1  # every error the benchmark can cause answers a post
            self._error(frame)

    def _delivered(self, member: Member, parts: list[str]) -> None:
        now = monotonic()
        step = int(parts[0])
        self.lat[step].append(now - float(parts[3]))
        member.got[step] += 1
        self.last_delivery[step] = now
        if self.closed_loop and step == self.step:
            sender = int(parts[1])
            if sender == member.sender and sender in self.closed_loop:
                self._send(member, step)

    @staticmethod
    def _wake(member: Member, frame: dict) -> None:
        if member.waiter is not None and not member.waiter.done():
            member.waiter.set_result(frame)

    def _error(self, frame) -> None:
        self.error_count += 1
        if len(self.errors) < 5:
            self.errors.append(frame)

    def _take_errors(self) -> list:
        errors, self.errors = self.errors, []
        return errors

    # Helpers

    def _step_sent(self, step, started: float, ended: float, sent: int, max_lag: float) -> dict:
        return {
            "started": started,
            "ended": ended,
            "sent": sent,
            "by_room": dict(self.sent[step]),
            "acked_by_room": dict(self.acked[step]),
            "unacked": self.outstanding if self.v1 else 0,
            "max_lag": max_lag,
        }

    def _health(self) -> dict:
        streams = [s for m in self.members for s in m.streams.values()]
        return {
            "dups": sum(s.dups for s in streams),
            "reordered": sum(s.reordered for s in streams),
            "closed": sum(1 for m in self.members if m.conn is None or not m.conn.is_open),
            "errors": self.error_count,
            "error_samples": self._take_errors(),
            "acked_seq": dict(self.acked_seq),
            "sent_n": dict(self.sent_n),
        }

    @staticmethod
    async def _until(done, within: float, value=None):
        """Poll `done()` (state the protocol callbacks change) until true or `within` s."""
        deadline = monotonic() + within
        while not done() and monotonic() < deadline:  # noqa: ASYNC110 - polled, no event to wait on
            await asyncio.sleep(0.02)
        return value() if value is not None else None


# The process


def serve(pipe, cpu: int | None) -> None:
    """Entry point of a load process: pinned to `cpu`, answering commands until ("exit", {})."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    import uvloop

    uvloop.run(_serve(pipe))


async def _serve(pipe) -> None:
    loop = asyncio.get_running_loop()
    worker: Worker | None = None
    while True:
        # Read in a thread: the pipe must stay blocking (an event-loop reader would make it
        # non-blocking, and a large answer could then be cut short).
        name, kwargs = await loop.run_in_executor(None, pipe.recv)
        if name == "exit":
            if worker is not None:
                await worker.close()
            pipe.send(("ok", {}))
            return
        try:
            if name == "init":
                worker, result = Worker(**kwargs), {}
            else:
                result = await getattr(worker, name)(**kwargs)
            pipe.send(("ok", result))
        except Exception:
            pipe.send(("error", traceback.format_exc()))
