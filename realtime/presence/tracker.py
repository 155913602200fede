"""The process's presence tracker: one per event loop (`tracker_for_loop`), beside the room hub.

- **Entries.** Every signed-in socket of the process has an entry in the backend
  (PARLEY_PRESENCE): `online` from its connect, `away` while its client says so (the `presence`
  frame), gone at its close. Every PARLEY_PRESENCE_HEARTBEAT seconds the tracker puts all of
  the process's entries again in one call, and sweeps: entries older than PARLEY_PRESENCE_TTL
  belong to sockets that died without closing (their process was killed) and are removed.
- **Changes travel through the channel layer.** A backend call that moves a user's combined
  state returns the change; the tracker sends it to the layer group `presence`, which every
  process's tracker channel is in (one PUBLISH per change with Redis). Heartbeats that change
  nothing send nothing, so the layer carries state changes, not heartbeats.
- **Sent only to the sockets that show the user.** A protocol v2 socket says whom it shows
  (`presence_watch`, at most PRESENCE_WATCH_MAX users, replaced by each one); the tracker keeps
  an index of user -> the local sockets that watch them. A change is queued for each of those
  sockets, and every PARLEY_PRESENCE_BATCH seconds at most each socket with queued changes
  gets them in one `presence` frame.
- **The layer may drop a change** (Redis away): when it recovers, the tracker puts its entries
  again (Redis may have restarted empty) and sends every watching socket the current state of
  the users it shows.
"""

import asyncio
import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.utils.module_loading import import_string

from parley.errors import ErrorCode

from .. import protocol
from ..cancellation import stop_if_cancelled
from ..delivery.hub import LAYER_RECOVERED, read_forever
from .backends import PresenceBackend, SocketState, State

logger = logging.getLogger(__name__)

PRESENCE_GROUP = "presence"
PRESENCE_CHANGED = "presence.changed"


class Watcher:
    """One socket's view: the users it shows, the changes not yet written, and how to write."""

    __slots__ = ("pending", "reading", "users", "write")

    def __init__(self, write: Callable[[str], None]):
        self.users: frozenset[int] = frozenset()
        self.pending: dict[int, State] = {}
        self.write = write  # writes a frame in order with the socket's others (Feed.offer)
        self.reading = False  # its answer to `presence_watch` is being read: changes wait


def presence_frame(states: dict[int, State], ref: str | None = None) -> str:
    frame: dict = {
        "type": "presence",
        "users": {str(user): state for user, state in states.items()},
    }
    if ref is not None:
        frame["ref"] = ref
    return protocol.encode(frame)


class PresenceTracker:
    """See the module's docstring."""

    def __init__(self, layer, backend: PresenceBackend):
        self.layer, self.backend = layer, backend
        self.sockets: dict[str, tuple[int, SocketState]] = {}  # socket id -> (user id, state)
        self.watchers: dict[int, set[Watcher]] = {}  # user id -> the local sockets showing them
        self.pending: set[Watcher] = set()  # sockets with changes to write
        self.flushing: asyncio.TimerHandle | None = None
        self.channel: str | None = None
        self.tasks: list[asyncio.Task] = []
        self._starting = asyncio.Lock()
        self._failing = False  # the backend failed last time (logged once per outage)

    async def start(self) -> None:
        async with self._starting:
            if self.channel is None:
                channel = self.channel = await self.layer.new_channel(prefix="presence.")
                await self.layer.group_add(PRESENCE_GROUP, channel)
                self.tasks = [
                    asyncio.ensure_future(
                        read_forever(self.layer, channel, self.handle, "presence")
                    ),
                    asyncio.ensure_future(self._beat_forever()),
                ]

    # The process's sockets.

    async def connect(self, user_id: int, socket_id: str) -> None:
        await self.start()
        self.sockets[socket_id] = (user_id, "online")
        await self._report(self.backend.put([(user_id, socket_id, "online")], ttl=_ttl()))

    async def set_state(self, socket_id: str, state: SocketState) -> None:
        """The socket's client says it is `online` (in use) or `away` (idle, or hidden)."""
        known = self.sockets.get(socket_id)
        if known is None or known[1] == state:
            return
        self.sockets[socket_id] = (known[0], state)
        await self._report(self.backend.put([(known[0], socket_id, state)], ttl=_ttl()))

    async def disconnect(self, socket_id: str) -> None:
        known = self.sockets.pop(socket_id, None)
        if known is not None:
            await self._report(self.backend.drop(known[0], socket_id))

    async def beat(self) -> None:
        """Put every entry of the process again (its heartbeat), then expire the dead ones."""
        entries = [(user, socket, state) for socket, (user, state) in self.sockets.items()]
        if entries:
            await self._report(self.backend.put(entries, ttl=_ttl()))
            # A socket that closed while the heartbeat was on its way may have been put back
            # after its drop: drop it again, rather than show it online until its TTL.
            for user, socket, _ in entries:
                if socket not in self.sockets:
                    await self._report(self.backend.drop(user, socket))
        await self._report(self.backend.sweep())

    async def _beat_forever(self) -> None:
        while True:
            await asyncio.sleep(settings.PARLEY_PRESENCE_HEARTBEAT)
            try:
                await self.beat()
            except Exception:  # never let the heartbeat die: every entry would expire
                logger.exception("presence: the heartbeat failed")
            stop_if_cancelled()

    async def _report(self, call) -> None:
        """Await a backend call and send the changes it returns to every process."""
        try:
            changes = await call
        except Exception as error:
            # Presence is not worth failing a connect or a close for; the next heartbeat puts
            # the entries again.
            if not self._failing:
                logger.warning(
                    "presence: the backend failed (%s); retrying on the heartbeat", error
                )
            self._failing = True
            return
        self._failing = False
        if changes:
            await self.layer.group_send(
                PRESENCE_GROUP,
                {
                    "type": PRESENCE_CHANGED,
                    "users": [[user, state] for user, state in changes.items()],
                },
            )

    # The sockets that show people.

    async def watch(
        self, watcher: Watcher, user_ids: Iterable[int], ref: str | None, *, answer: bool = True
    ) -> dict[int, State]:
        """Show `user_ids` (and no one else) to the socket, and write it their current states
        at once (a `presence` frame with `ref`; with `answer` False the caller sends them, in
        `ready`). Changes queued before are dropped (the answer is newer); changes that arrive
        while it is read are written after it. Returns the states. Raises
        FrameError(unavailable) when the backend does not answer."""
        await self.start()
        self.unwatch(watcher)
        watcher.users = frozenset(user_ids)
        for user_id in watcher.users:
            self.watchers.setdefault(user_id, set()).add(watcher)
        watcher.reading = True
        try:
            states = await self.backend.states(watcher.users)
        except Exception as error:
            logger.warning("presence: the backend failed reading states (%s)", error)
            raise protocol.FrameError(
                ErrorCode.UNAVAILABLE, "Presence is unavailable; retry.", ref
            ) from error
        finally:
            watcher.reading = False
        if answer:
            watcher.write(presence_frame(states, ref))
        if watcher.pending:
            self.changed({})
        return states

    def unwatch(self, watcher: Watcher) -> None:
        for user_id in watcher.users:
            watchers = self.watchers.get(user_id)
            if watchers is not None:
                watchers.discard(watcher)
                if not watchers:
                    del self.watchers[user_id]
        watcher.users = frozenset()
        watcher.pending.clear()
        self.pending.discard(watcher)

    def changed(self, states: dict[int, State]) -> None:
        """Queue the changes for the sockets that show these users."""
        for user_id, state in states.items():
            for watcher in self.watchers.get(user_id, ()):
                watcher.pending[user_id] = state
                self.pending.add(watcher)
        if self.pending and self.flushing is None:
            self.flushing = asyncio.get_running_loop().call_later(
                settings.PARLEY_PRESENCE_BATCH, self.flush
            )

    def flush(self) -> None:
        """Write each socket its queued changes, in one frame."""
        self.flushing = None
        pending, self.pending = self.pending, set()
        for watcher in pending:
            if watcher.reading:
                self.pending.add(watcher)
                continue
            states, watcher.pending = watcher.pending, {}
            if states:
                watcher.write(presence_frame(states))

    async def handle(self, event: dict) -> None:
        if event["type"] == PRESENCE_CHANGED:
            self.changed({int(user): state for user, state in event["users"]})
        elif event["type"] == LAYER_RECOVERED:
            await self._recovered()

    async def _recovered(self) -> None:
        """The layer lost events, perhaps changes: put the entries again and send every
        watching socket the current state of the users it shows."""
        await self.beat()
        if self.watchers:
            self.changed(await self.backend.states(list(self.watchers)))

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()


def _ttl() -> float:
    return settings.PARLEY_PRESENCE_TTL


_trackers: dict[asyncio.AbstractEventLoop, PresenceTracker] = {}


def tracker_for_loop(layer) -> PresenceTracker:
    """The tracker of the running event loop (one per process in a server; tests run several,
    each with a fresh memory backend)."""
    loop = asyncio.get_running_loop()
    tracker = _trackers.get(loop)
    if tracker is None or tracker.layer is not layer:
        for old in [old for old in _trackers if old.is_closed()]:
            del _trackers[old]
        conf = settings.PARLEY_PRESENCE
        backend = import_string(conf["BACKEND"])(**conf.get("CONFIG", {}))
        tracker = _trackers[loop] = PresenceTracker(layer, backend)
    return tracker
