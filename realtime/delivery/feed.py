"""A socket's feed: the only writer of room events to its socket.

It owns what keeps a socket's room events exact: a cursor per followed room (the last position
written, in the endpoint's counter: realtime/delivery/encoders.py), the backlog of frames that
wait, the holds that make them wait, the replay that starts a subscription, and the refill of a
gap. The room hub (hub.py) offers it every event of its rooms; consumers call `follow`,
`unfollow`, `acked_first` and `write` and never touch a cursor.

- **Each once, in order.** An event at or below the room's cursor was written already and is
  skipped; one beyond cursor + 1 means something was lost on the way: the feed holds the room's
  later frames and reads the missing ones from the database (`refill`) first.
- **A slow socket never slows its room.** A write that cannot finish at once (the send buffer is
  full) continues in a task of its own; until it ends, frames wait in the backlog. Past
  MAX_BACKLOG frames the socket is asked to resume (close 4000): it is too far behind.
- **Holds.** `follow` holds the feed while it replays, so that live events queue behind the
  replay, and `acked_first` while a post is stored, so that its ack precedes its own message.
"""

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import DatabaseError

from parley import metrics

from . import source
from .encoders import Encoder

if TYPE_CHECKING:
    from .hub import RoomHub

logger = logging.getLogger(__name__)

# Frames a socket may have waiting (behind a slow write, a replay or a refill) before it is
# asked to resume, instead of holding memory without bound.
MAX_BACKLOG = 2000

_background: set[asyncio.Task] = set()


def spawn(coroutine: Coroutine) -> asyncio.Task:
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
    return spawn(_finish(_Rest(coroutine, pending)))


class Feed:
    """See the module's docstring."""

    def __init__(
        self,
        *,
        hub: "RoomHub",
        send: Callable[[dict], Coroutine],
        encoder: Encoder,
        origin: str,
        reconnect: Callable[[str], Coroutine[Any, Any, None]],
        on_user_event: Callable[[dict], None] | None = None,
        on_opened: Callable[["Feed", int | None], Coroutine[Any, Any, None]] | None = None,
    ):
        self.hub = hub
        self.send = send
        self.encoder = encoder
        self.origin = origin  # typing events from this origin are not echoed back
        # Asks the client to resume (close 4000), saying why in the log.
        self.reconnect = reconnect
        # Called with each event of the socket's user's stream; it must not block (it runs
        # in the hub's reader) and spawns what has to wait.
        self.on_user_event = on_user_event
        # Called with the room's id when a room opens at a name the feed waits for (None:
        # one may have opened while the layer was away; look).
        self.on_opened = on_opened
        self.cursors: dict[int, int] = {}  # room id -> last position written
        # Frames waiting while the feed is held or a write is unfinished: (room id, position
        # or None for an unsequenced frame, text).
        self.backlog: deque[tuple[int, int | None, str]] = deque()
        self.holds = 0
        self.writing: asyncio.Task | None = None
        self.closed = False

    # The hot path: called by the hub for every event of a room this feed follows.

    def offer(self, room_id: int, position: int | None, frame: str) -> None:
        if self.closed:
            return
        if self.holds or self.writing is not None or self.backlog:
            self._queue(room_id, position, frame)
            return
        if position is not None:
            cursor = self.cursors.get(room_id)
            if cursor is None or position <= cursor:
                return
            if position > cursor + 1:
                self._queue(room_id, position, frame)
                self._gap(room_id, cursor, position - 1)
                return
            self.cursors[room_id] = position
        self._write(frame)

    def _queue(self, room_id: int, position: int | None, frame: str) -> None:
        if len(self.backlog) >= MAX_BACKLOG:
            self.overflow()
            return
        self.backlog.append((room_id, position, frame))

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
        self._drain()

    def _drain(self) -> None:
        """Write what waited, in order, until the backlog is empty or something holds it."""
        while self.backlog and not self.holds and self.writing is None and not self.closed:
            room_id, position, frame = self.backlog.popleft()
            if position is not None:
                cursor = self.cursors.get(room_id)
                if cursor is None or position <= cursor:
                    continue
                if position > cursor + 1:
                    self.backlog.appendleft((room_id, position, frame))
                    self._gap(room_id, cursor, position - 1)
                    return
                self.cursors[room_id] = position
            self._write(frame)

    def _hold(self) -> None:
        self.holds += 1

    def _release(self) -> None:
        self.holds -= 1
        self._drain()

    @asynccontextmanager
    async def acked_first(self) -> AsyncIterator[None]:
        """Hold the room events back until the block ends: a post's ack is written in it, so
        that it comes before the post's own message."""
        self._hold()
        try:
            yield
        finally:
            self._release()

    async def write(self, frame: str) -> None:
        """Write a reply (not a room event) now. Room events wait in the backlog meanwhile
        when the feed is held; otherwise they may come before or after it."""
        await self.send({"type": "websocket.send", "text": frame})

    # Following rooms.

    async def follow(
        self,
        room_id: int,
        *,
        since: int | None,
        reader: str | None = None,
        before_replay: Callable[[source.State], Iterable[str]] = lambda state: (),
    ) -> source.State:
        """Deliver the room to the socket: first the frames `before_replay` makes of its state
        (a `subscribed`), then the room's events after `since` (none when None, or when more
        than PARLEY_REPLAY_LIMIT lie beyond it: `state.reset`), then every later one as it
        comes. The feed joins the room before it reads it, so that nothing committed after the
        read is missed; live events wait behind the replay, and those it also holds are
        skipped by the cursor. Raises what reading raises (DatabaseError, RateLimited: the
        replay budget), and then does not follow the room."""
        self._hold()
        try:
            await self.hub.join(room_id, self)
            try:
                state = await source.state(
                    room_id=room_id,
                    since=since,
                    limit=settings.PARLEY_REPLAY_LIMIT,
                    reader=reader,
                    counts=self.encoder.counts,
                )
            except BaseException:
                await self.unfollow(room_id)
                raise
            for frame in before_replay(state):
                await self.write(frame)
            for item in state.replay:
                if (text := self.encoder.encode(item)) is not None:
                    await self.write(text)
            self.cursors[room_id] = state.last
            self.hub.seen(room_id, state.event_seq)
            return state
        finally:
            self._release()

    async def unfollow(self, room_id: int) -> None:
        self.cursors.pop(room_id, None)
        await self.hub.leave(room_id, self)

    def detach(self, room_id: int) -> None:
        """Stop delivering the room at once (from the hub's reader, which must not wait)."""
        self.cursors.pop(room_id, None)
        if self.hub.detach(room_id, self):
            spawn(self.hub.discard_if_empty(room_id))

    # Gaps.

    def _gap(self, room_id: int, after: int, upto: int) -> None:
        self._hold()

        async def refill():
            try:
                await self._refill(room_id, after, upto)
            finally:
                self._release()

        spawn(refill())

    async def _refill(self, room_id: int, after: int, upto: int) -> None:
        """Write the room's events after < position <= upto from the database (the feed is
        held meanwhile), or ask the client to resume when that is too many or impossible."""
        metrics.REFILLS_SOCKET.inc()
        if upto - after > settings.PARLEY_REPLAY_LIMIT:
            await self.reconnect(f"a gap of {upto - after} events")
            return
        try:
            items = await source.read(
                room_id=room_id, after=after, upto=upto, counts=self.encoder.counts
            )
        except DatabaseError:
            await self.reconnect("the database is unavailable")
            return
        logger.info("refilled %d missed events in room %s", len(items), room_id)
        for item in items:
            cursor = self.cursors.get(room_id)
            position = self.encoder.position(item)
            if cursor is None:  # unsubscribed meanwhile
                return
            if position is not None and position > cursor:
                if (text := self.encoder.encode(item)) is not None:
                    await self.write(text)
                self.cursors[room_id] = position

    def overflow(self) -> None:
        """Ask the client to resume: it is too far behind to be caught up here."""
        self.closed = True
        self.backlog.clear()
        logger.warning("a socket fell %d frames behind; closing it with 4000", MAX_BACKLOG)
        spawn(self.reconnect("its backlog overflowed"))
