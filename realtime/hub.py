"""The per-process room hub: the sockets of this process by room, and the one channel-layer
channel through which the process hears every room it has sockets in.

Channels' usual shape gives every socket its own layer channel and group membership, so an event
for a room of N sockets is queued N times, wakes N consumer tasks and is dispatched N times. Here
the process holds one channel, in each room group that has a local socket, and a room event
arrives once per process. The hub then writes the event's pre-encoded frame to each local socket
directly (`Member.offer`): no queue, no task wake-up, no dispatch per recipient.

A slow socket never slows its room: a write that cannot finish at once (the socket's send buffer
is full) continues in a task of its own, and until it ends that socket's frames wait in its own
bounded backlog; a socket whose backlog overflows is closed with 4000 and resumes.

Each member keeps a cursor per room (the last seq written to it): an event at or below it is a
duplicate and is skipped; one beyond cursor + 1 means something was lost on the way, and the
member's owner refills the gap from the database before the newer message is written. The hub
also watches each room's highest seq, so a gap is found once per process, not once per socket.

The hub carries each user's stream too (parley/events.py, kind "user"): the process's channel is
in the group of every user with a socket here, and a user event is handed to each of that
user's members (`Member.on_user_event`), synchronously, before the hub reads its next event:
a socket told that it may no longer see a room writes none of the room's later frames.
"""

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from parley import metrics

from .fanout import (
    ROOM_MEMBER,
    ROOM_MESSAGE,
    ROOM_OPENED,
    ROOM_TYPING,
    USER_EVENT,
    name_group,
    room_group,
    user_group,
)

logger = logging.getLogger(__name__)

# Seconds a group add or discard may take. The layer keeps memberships locally and its recovery
# reconciles them with Redis, so giving up on a slow call loses nothing; waiting without bound
# would hang a socket's subscribe or disconnect behind a Redis that does not answer.
LAYER_CALL_TIMEOUT = 5.0

# Frames a socket may have waiting (behind a slow write, a resume or a refill) before it is
# closed with 4000 so that it resumes instead of holding memory without bound.
MAX_BACKLOG = 2000


# Made by the hub, not published: the user's stream may have lost events (Redis was away).
STREAM_RECOVERED = {"type": "stream.recovered"}

_background: set[asyncio.Task] = set()


def _spawn(coroutine: Coroutine) -> asyncio.Task:
    """A task kept referenced until it ends (the loop holds tasks only weakly)."""
    task = asyncio.ensure_future(coroutine)
    _background.add(task)
    task.add_done_callback(_background.discard)
    return task


class _Rest:
    """The rest of a coroutine that suspended on its first step, as an awaitable a Task can
    run. Python 3.12's eager tasks do this; 3.11 has none."""

    def __init__(self, coroutine: Coroutine, pending: Any):
        self.coroutine, self.pending = coroutine, pending

    def __await__(self):
        pending = self.pending
        while True:
            try:
                value = yield pending
            except BaseException as error:  # a cancel, forwarded to the coroutine
                try:
                    pending = self.coroutine.throw(error)
                except StopIteration as stop:
                    return stop.value
                continue
            try:
                pending = self.coroutine.send(value)
            except StopIteration as stop:
                return stop.value


async def _finish(rest: _Rest):
    return await rest


def send_eagerly(coroutine: Coroutine) -> asyncio.Task | None:
    """Run `coroutine` (an ASGI send) until it first suspends. None when it finished at once,
    which is what a send to a socket with room in its buffer does; otherwise a task that
    finishes it. Errors of the first step are raised here."""
    try:
        pending = coroutine.send(None)
    except StopIteration:
        return None
    return _spawn(_finish(_Rest(coroutine, pending)))


class Member:
    """One socket's place in the hub: where its frames go, in order, each once per room."""

    def __init__(
        self,
        *,
        send: Callable[[dict], Coroutine],
        frame_key: str,
        origin: str,
        on_gap: Callable[
            ["Member", int, int, int], Awaitable[None]
        ],  # (member, room_id, after, upto)
        on_overflow: Callable[["Member"], Coroutine[Any, Any, None]],
        hears_room_events: bool = True,
        on_user_event: Callable[[dict], None] | None = None,
        on_opened: Callable[["Member", int | None], Coroutine[Any, Any, None]] | None = None,
    ):
        self.send = send
        self.frame_key = frame_key  # which pre-encoded frame of a room.message event it takes
        self.origin = origin  # typing events from this origin are not echoed back
        self.on_gap = on_gap
        self.on_overflow = on_overflow
        # Whether typing and member frames are written (the tutorial protocol has neither).
        self.hears_room_events = hears_room_events
        # Called with each event of the socket's user's stream; it must not block (it runs
        # in the hub's reader) and spawns what has to wait.
        self.on_user_event = on_user_event
        # Called with the room's id when a room opens at a name the member waits for (None:
        # one may have opened while the layer was away; look).
        self.on_opened = on_opened
        self.cursors: dict[int, int] = {}  # room id -> last seq written
        # Frames waiting while the socket is held (a resume, a refill, a post awaiting its
        # ack) or a write is unfinished: (room id, seq or None for typing, text).
        self.backlog: deque[tuple[int, int | None, str]] = deque()
        self.holds = 0
        self.writing: asyncio.Task | None = None
        self.closed = False

    # The hot path: called by the hub for every event of a room this member is in.

    def offer(self, room_id: int, seq: int | None, frame: str) -> None:
        if self.closed:
            return
        if self.holds or self.writing is not None or self.backlog:
            self._queue(room_id, seq, frame)
            return
        if seq is not None:
            cursor = self.cursors.get(room_id)
            if cursor is None or seq <= cursor:
                return
            if seq > cursor + 1:
                self._queue(room_id, seq, frame)
                self._gap(room_id, cursor, seq - 1)
                return
            self.cursors[room_id] = seq
        self._write(frame)

    def _queue(self, room_id: int, seq: int | None, frame: str) -> None:
        if len(self.backlog) >= MAX_BACKLOG:
            self.overflow()
            return
        self.backlog.append((room_id, seq, frame))

    def _write(self, frame: str) -> None:
        try:
            self.writing = send_eagerly(self.send({"type": "websocket.send", "text": frame}))
        except Exception:  # the socket is gone; its consumer is shutting down
            self.closed = True
            return
        if self.writing is not None:
            self.writing.add_done_callback(self._written)

    def _written(self, task: asyncio.Task) -> None:
        self.writing = None
        if task.cancelled() or task.exception() is not None:
            self.closed = True
            return
        self.drain()

    def drain(self) -> None:
        """Write what waited, in order, until the backlog is empty or something holds it."""
        while self.backlog and not self.holds and self.writing is None and not self.closed:
            room_id, seq, frame = self.backlog.popleft()
            if seq is not None:
                cursor = self.cursors.get(room_id)
                if cursor is None or seq <= cursor:
                    continue
                if seq > cursor + 1:
                    self.backlog.appendleft((room_id, seq, frame))
                    self._gap(room_id, cursor, seq - 1)
                    return
                self.cursors[room_id] = seq
            self._write(frame)

    def hold(self) -> None:
        """Keep frames back (in order) until release(): while a resume replays, or until a
        post's ack is written, so that the ack comes before the post's own message."""
        self.holds += 1

    def release(self) -> None:
        self.holds -= 1
        self.drain()

    def _gap(self, room_id: int, after: int, upto: int) -> None:
        self.hold()

        async def refill():
            try:
                await self.on_gap(self, room_id, after, upto)
            finally:
                self.release()

        _spawn(refill())

    def overflow(self) -> None:
        """Close the socket with 4000: it is too far behind to be caught up here."""
        self.closed = True
        self.backlog.clear()
        logger.warning("a socket fell %d frames behind; closing it with 4000", MAX_BACKLOG)
        _spawn(self.on_overflow(self))


class HubRoom:
    __slots__ = ("high", "members")

    def __init__(self):
        self.members: set[Member] = set()
        self.high: int | None = None  # the highest seq this process has seen for the room


class RoomHub:
    """See the module's docstring. One per event loop (`hub_for_loop`)."""

    def __init__(self, layer, *, fetch: Callable[[int, int, int, int], Awaitable[list[dict]]]):
        self.layer = layer
        # fetch(room_id, after, upto, limit) -> the first `limit` messages with after < seq <=
        # upto from the database, as [{"seq", "frame", "tutorial"}] (a room.message event's keys).
        self.fetch = fetch
        self.rooms: dict[int, HubRoom] = {}
        self.users: dict[int, set[Member]] = {}  # user id -> that user's members here
        # Slug -> the members waiting for a room to open there (`wait`).
        self.waiting: dict[str, set[Member]] = {}
        self.channel: str | None = None
        self.reader: asyncio.Task | None = None
        self._starting = asyncio.Lock()

    async def start(self) -> None:
        async with self._starting:
            if self.channel is None:
                self.channel = await self.layer.new_channel(prefix="hub.")
                self.reader = asyncio.ensure_future(self._read())

    async def join(self, room_id: int, member: Member) -> None:
        await self.start()
        room = self.rooms.get(room_id)
        if room is None:
            room = self.rooms[room_id] = HubRoom()
        first = not room.members
        room.members.add(member)
        if first:
            await self._bounded(
                self.layer.group_add(room_group(room_id), self.channel), "group_add"
            )

    async def leave(self, room_id: int, member: Member) -> None:
        if self.detach(room_id, member):
            await self._discard(room_group(room_id))

    def detach(self, room_id: int, member: Member) -> bool:
        """Take the member out of the room at once: none of the room's frames is written to it
        from now on. True when it was the room's last member here (the caller then leaves the
        room's group, see `discard_if_empty`)."""
        room = self.rooms.get(room_id)
        if room is None:
            return False
        room.members.discard(member)
        member.cursors.pop(room_id, None)
        if room.members:
            return False
        del self.rooms[room_id]
        return True

    async def discard_if_empty(self, room_id: int) -> None:
        """Leave the room's group, unless a socket here joined the room again meanwhile."""
        if room_id not in self.rooms:
            await self._discard(room_group(room_id))

    async def join_user(self, user_id: int, member: Member) -> None:
        """Deliver the user's stream to the member (until leave_user)."""
        await self._add(self.users, user_id, user_group(user_id), member)

    async def leave_user(self, user_id: int, member: Member) -> None:
        await self._remove(self.users, user_id, user_group(user_id), member)

    async def wait(self, slug: str, member: Member) -> None:
        """`member` waits for a public room to open at `slug`: the tutorial endpoint's sockets
        on a name nobody created yet. Once one is created, in any process, the hub calls
        `member.on_opened` with its id; the member then joins it and stops waiting."""
        await self._add(self.waiting, slug, name_group(slug), member)

    async def unwait(self, slug: str, member: Member) -> None:
        await self._remove(self.waiting, slug, name_group(slug), member)

    async def _add(self, registry: dict, key, group: str, member: Member) -> None:
        """Add `member` under `key`; the process's channel joins `group` with the first one."""
        await self.start()
        members = registry.setdefault(key, set())
        first = not members
        members.add(member)
        if first:
            await self._bounded(self.layer.group_add(group, self.channel), "group_add")

    async def _remove(self, registry: dict, key, group: str, member: Member) -> None:
        """Remove `member` from under `key`; the channel leaves `group` with the last one."""
        members = registry.get(key)
        if members is None or member not in members:
            return
        members.discard(member)
        if not members:
            del registry[key]
            await self._discard(group)

    async def _discard(self, group: str) -> None:
        await self._bounded(self.layer.group_discard(group, self.channel), "group_discard")

    async def _bounded(self, call: Coroutine, name: str) -> None:
        try:
            await asyncio.wait_for(call, LAYER_CALL_TIMEOUT)
        except TimeoutError:
            logger.warning(
                "the channel layer's %s took over %ss; going on", name, LAYER_CALL_TIMEOUT
            )

    def seen(self, room_id: int, seq: int) -> None:
        """A member of the room is synchronised up to `seq` (its subscribe read it)."""
        room = self.rooms.get(room_id)
        if room is not None and (room.high is None or seq > room.high):
            room.high = seq

    async def _read(self) -> None:
        while True:
            try:
                event = await self.layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("the room hub could not read from the channel layer")
                await asyncio.sleep(1)
                continue
            try:
                await self.handle(event)
            except Exception:
                logger.exception("the room hub failed on a %s event", event.get("type"))

    async def handle(self, event: dict) -> None:
        kind = event["type"]
        if kind == ROOM_MESSAGE:
            await self._message(event)
        elif kind in (ROOM_TYPING, ROOM_MEMBER):
            room = self.rooms.get(event["room_id"])
            for member in list(room.members if room else ()):
                if member.hears_room_events and member.origin != event["origin"]:
                    member.offer(event["room_id"], None, event["frame"])
        elif kind == USER_EVENT:
            for member in list(self.users.get(event["user_id"], ())):
                if member.on_user_event is not None:
                    member.on_user_event(event["event"])
        elif kind == ROOM_OPENED:
            for member in list(self.waiting.get(event["room"], ())):
                if member.on_opened is not None and not member.closed:
                    _spawn(member.on_opened(member, event["room_id"]))
        elif kind == "layer.recovered":
            self._users_recovered()
            await self.catch_up()
            # A room.opened event may have been lost too: the waiting members look again.
            for waiters in list(self.waiting.values()):
                for member in list(waiters):
                    if member.on_opened is not None and not member.closed:
                        _spawn(member.on_opened(member, None))

    async def _message(self, event: dict) -> None:
        room_id, seq = event["room_id"], event["seq"]
        room = self.rooms.get(room_id)
        if room is None:
            return
        if room.high is not None and seq > room.high + 1:
            # Events went missing between the publisher and this process: read them once for
            # every local socket of the room.
            await self._deliver_missing(room_id, room.high, seq - 1)
        if room.high is None or seq > room.high:
            room.high = seq
        metrics.DELIVERIES.inc(len(room.members))
        for member in list(room.members):
            member.offer(room_id, seq, event[member.frame_key])

    async def _deliver_missing(self, room_id: int, after: int, upto: int) -> None:
        """Offer the room's members the messages after < seq <= upto from the database, or
        close them with 4000 when there are more than a backlog holds."""
        metrics.REFILLS_PROCESS.inc()
        try:
            missing = await self.fetch(room_id, after, upto, MAX_BACKLOG + 1)
        except Exception:
            # Each member finds the gap itself on the next message and refills or resumes.
            logger.warning("the room hub could not read missed messages of room %s", room_id)
            return
        room = self.rooms.get(room_id)
        if room is None:
            return
        if len(missing) > MAX_BACKLOG:
            for member in list(room.members):
                member.overflow()
            return
        for row in missing:
            room.high = max(room.high or 0, row["seq"])
            for member in list(room.members):
                member.offer(room_id, row["seq"], row[member.frame_key])

    def _users_recovered(self) -> None:
        """After the layer lost events: every user's stream may have lost some too, so each of
        their sockets gets STREAM_RECOVERED and reads what it must know from the database."""
        for members in list(self.users.values()):
            for member in list(members):
                if member.on_user_event is not None:
                    member.on_user_event(dict(STREAM_RECOVERED))

    async def catch_up(self) -> None:
        """After the layer lost events (Redis went away): every room's newest messages."""
        for room_id in list(self.rooms):
            room = self.rooms.get(room_id)
            cursors = (
                [m.cursors[room_id] for m in room.members if room_id in m.cursors] if room else []
            )
            if cursors:
                await self._deliver_missing(room_id, min(cursors), 2**62)

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()


_hubs: dict[asyncio.AbstractEventLoop, RoomHub] = {}


def hub_for_loop(layer, fetch) -> RoomHub:
    """The hub of the running event loop (one per process in a server; tests run several)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.layer is not layer:
        hub = _hubs[loop] = RoomHub(layer, fetch=fetch)
    return hub
