"""The per-process room hub: the feeds of this process by room, and the one channel-layer
channel through which the process hears every room it has sockets in.

Channels' usual shape gives every socket its own layer channel and group membership, so an event
for a room of N sockets is queued N times, wakes N consumer tasks and is dispatched N times. Here
the process holds one channel, in each room group that has a local socket, and a room event
arrives once per process. The hub encodes it once per endpoint in use (encoders.py) and offers
the text to each feed (feed.py), which writes it to its socket directly: no queue, no task
wake-up, no dispatch per recipient.

The hub watches each room's highest event seq, so that events lost between the publisher and
this process are read from the database once per process, not once per socket; each feed still
checks its own cursor.

The hub carries each user's stream too (parley/events.py, `UserEvent`): the process's channel is
in the group of every user with a socket here, and a user event is handed to each of that
user's feeds (`Feed.on_user_event`), synchronously, before the hub reads its next event: a socket
told that it may no longer see a room writes none of the room's later frames.
"""

import asyncio
import hashlib
import logging
from collections.abc import Coroutine

from parley import metrics

from .. import protocol
from ..cancellation import stop_if_cancelled
from . import source
from .encoders import ROOM_CHANGE, Encoder, Item
from .feed import MAX_BACKLOG, Feed, spawn

logger = logging.getLogger(__name__)

# The layer event types the hub handles besides ROOM_CHANGE (encoders.Item).
ROOM_TYPING = "room.typing"
USER_EVENT = "user.event"
ROOM_OPENED = "room.opened"
LAYER_RECOVERED = "layer.recovered"

# Seconds a group add or discard may take. The layer keeps memberships locally and its recovery
# reconciles them with Redis, so giving up on a slow call loses nothing; waiting without bound
# would hang a socket's subscribe or disconnect behind a Redis that does not answer.
LAYER_CALL_TIMEOUT = 5.0

# Made by the hub, not published: the user's stream may have lost events (Redis was away).
STREAM_RECOVERED = {"type": "stream.recovered"}


def room_group(room_id: int) -> str:
    return f"room.{room_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def name_group(slug: str) -> str:
    """The group of the sockets waiting for a room to open at `slug` (the tutorial endpoint's
    names nobody created yet). Named from a hash: the layer allows only [a-zA-Z0-9_.-]."""
    return f"roomname.{hashlib.sha256(slug.encode()).hexdigest()[:40]}"


async def read_forever(layer, channel: str, handle, reader: str) -> None:
    """Hand every event of the layer `channel` to `handle`, one after another, until
    cancelled: a failing read is retried a second later, a failing handler logged."""
    while True:
        try:
            event = await layer.receive(channel)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("%s could not read from the channel layer", reader)
            await asyncio.sleep(1)
            continue
        try:
            await handle(event)
        except Exception:
            logger.exception("%s failed on a %s event", reader, event.get("type"))
        stop_if_cancelled()


class HubRoom:
    __slots__ = ("feeds", "high")

    def __init__(self):
        # The room's feeds here, by the encoder of their endpoint: an event is encoded once
        # for each.
        self.feeds: dict[Encoder, set[Feed]] = {}
        self.high: int | None = None  # the highest event seq this process has seen for the room

    def count(self) -> int:
        return sum(len(feeds) for feeds in self.feeds.values())


class RoomHub:
    """See the module's docstring. One per event loop (`hub_for_loop`)."""

    def __init__(self, layer):
        self.layer = layer
        self.rooms: dict[int, HubRoom] = {}
        self.users: dict[int, set[Feed]] = {}  # user id -> that user's feeds here
        # Slug -> the feeds waiting for a room to open there (`wait`).
        self.waiting: dict[str, set[Feed]] = {}
        self.channel: str | None = None
        self.reader: asyncio.Task | None = None
        self._starting = asyncio.Lock()

    async def start(self) -> None:
        async with self._starting:
            if self.channel is None:
                channel = self.channel = await self.layer.new_channel(prefix="hub.")
                self.reader = asyncio.ensure_future(
                    read_forever(self.layer, channel, self.handle, "the room hub")
                )

    async def join(self, room_id: int, feed: Feed) -> None:
        await self.start()
        room = self.rooms.get(room_id)
        if room is None:
            room = self.rooms[room_id] = HubRoom()
        first = not room.feeds
        room.feeds.setdefault(feed.encoder, set()).add(feed)
        if first:
            await self._bounded(
                self.layer.group_add(room_group(room_id), self.channel), "group_add"
            )

    async def leave(self, room_id: int, feed: Feed) -> None:
        if self.detach(room_id, feed):
            await self._discard(room_group(room_id))

    def detach(self, room_id: int, feed: Feed) -> bool:
        """Take the feed out of the room at once: none of the room's frames is offered to it
        from now on. True when it was the room's last feed here (the caller then leaves the
        room's group, see `discard_if_empty`)."""
        room = self.rooms.get(room_id)
        if room is None:
            return False
        feeds = room.feeds.get(feed.encoder)
        if feeds is not None:
            feeds.discard(feed)
            if not feeds:
                del room.feeds[feed.encoder]
        if room.feeds:
            return False
        del self.rooms[room_id]
        return True

    async def discard_if_empty(self, room_id: int) -> None:
        """Leave the room's group, unless a socket here joined the room again meanwhile."""
        if room_id not in self.rooms:
            await self._discard(room_group(room_id))

    async def join_user(self, user_id: int, feed: Feed) -> None:
        """Deliver the user's stream to the feed (until leave_user)."""
        await self._add(self.users, user_id, user_group(user_id), feed)

    async def leave_user(self, user_id: int, feed: Feed) -> None:
        await self._remove(self.users, user_id, user_group(user_id), feed)

    async def wait(self, slug: str, feed: Feed) -> None:
        """`feed` waits for a public room to open at `slug`: the tutorial endpoint's sockets
        on a name nobody created yet. Once one is created, in any process, the hub calls
        `feed.on_opened` with its id; the socket then follows it and stops waiting."""
        await self._add(self.waiting, slug, name_group(slug), feed)

    async def unwait(self, slug: str, feed: Feed) -> None:
        await self._remove(self.waiting, slug, name_group(slug), feed)

    async def _add(self, registry: dict, key, group: str, feed: Feed) -> None:
        """Add `feed` under `key`; the process's channel joins `group` with the first one."""
        await self.start()
        feeds = registry.setdefault(key, set())
        first = not feeds
        feeds.add(feed)
        if first:
            await self._bounded(self.layer.group_add(group, self.channel), "group_add")

    async def _remove(self, registry: dict, key, group: str, feed: Feed) -> None:
        """Remove `feed` from under `key`; the channel leaves `group` with the last one."""
        feeds = registry.get(key)
        if feeds is None or feed not in feeds:
            return
        feeds.discard(feed)
        if not feeds:
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

    def seen(self, room_id: int, event_seq: int) -> None:
        """A feed of the room is synchronised up to `event_seq` (its subscribe read it)."""
        room = self.rooms.get(room_id)
        if room is not None and (room.high is None or event_seq > room.high):
            room.high = event_seq

    async def handle(self, event: dict) -> None:
        kind = event["type"]
        if kind == ROOM_CHANGE:
            await self._change(event)  # type: ignore[arg-type]
        elif kind == ROOM_TYPING:
            self._typing(event)
        elif kind == USER_EVENT:
            for feed in list(self.users.get(event["user_id"], ())):
                if feed.on_user_event is not None:
                    feed.on_user_event(event["event"])
        elif kind == ROOM_OPENED:
            for feed in list(self.waiting.get(event["room"], ())):
                if feed.on_opened is not None and not feed.closed:
                    spawn(feed.on_opened(feed, event["room_id"]))
        elif kind == LAYER_RECOVERED:
            self._users_recovered()
            await self.catch_up()
            # A room.opened event may have been lost too: the waiting feeds look again.
            for waiters in list(self.waiting.values()):
                for feed in list(waiters):
                    if feed.on_opened is not None and not feed.closed:
                        spawn(feed.on_opened(feed, None))

    async def _change(self, item: Item) -> None:
        room_id, seq = item["room_id"], item["seq"]
        room = self.rooms.get(room_id)
        if room is None:
            return
        if room.high is not None and seq > room.high + 1:
            # Events went missing between the publisher and this process: read them once for
            # every local socket of the room.
            await self._deliver_missing(room_id, room.high, seq - 1)
        if room.high is None or seq > room.high:
            room.high = seq
        self._offer(room_id, room, item)

    def _offer(self, room_id: int, room: HubRoom, item: Item) -> None:
        """Encode the item once per endpoint and offer it to each of the room's feeds."""
        metrics.DELIVERIES.inc(room.count())
        for encoder, feeds in list(room.feeds.items()):
            frame = encoder.encode(item)
            if frame is None:
                continue
            position = encoder.position(item)
            for feed in list(feeds):
                feed.offer(room_id, position, frame)

    def _typing(self, event: dict) -> None:
        room = self.rooms.get(event["room_id"])
        if room is None:
            return
        frame = protocol.encode(event["frame"])
        stopped = event["frame"]["type"] != "typing"
        for encoder, feeds in list(room.feeds.items()):
            if encoder.live and (encoder.typing_stops or not stopped):
                for feed in list(feeds):
                    if feed.origin != event["origin"]:
                        feed.offer(event["room_id"], None, frame)

    async def _deliver_missing(self, room_id: int, after: int, upto: int) -> None:
        """Offer the room's feeds its events with after < seq <= upto from the database, or
        ask them to resume when there are more than a backlog holds."""
        metrics.REFILLS_PROCESS.inc()
        try:
            missing = await source.read(
                room_id=room_id, after=after, upto=upto, counts="events", limit=MAX_BACKLOG + 1
            )
        except Exception:
            # Each feed finds the gap itself on the next event and refills or resumes.
            logger.warning("the room hub could not read missed events of room %s", room_id)
            return
        room = self.rooms.get(room_id)
        if room is None:
            return
        if len(missing) > MAX_BACKLOG:
            for feeds in list(room.feeds.values()):
                for feed in list(feeds):
                    feed.overflow()
            return
        for item in missing:
            room.high = max(room.high or 0, item["seq"])
            self._offer(room_id, room, item)

    def _users_recovered(self) -> None:
        """After the layer lost events: every user's stream may have lost some too, so each of
        their sockets gets STREAM_RECOVERED and reads what it must know from the database."""
        for feeds in list(self.users.values()):
            for feed in list(feeds):
                if feed.on_user_event is not None:
                    feed.on_user_event(dict(STREAM_RECOVERED))

    async def catch_up(self) -> None:
        """After the layer lost events (Redis went away): every room's newest events."""
        for room_id in list(self.rooms):
            room = self.rooms.get(room_id)
            if room is not None and room.high is not None:
                await self._deliver_missing(room_id, room.high, 2**62)

    async def close(self) -> None:
        if self.reader is not None:
            self.reader.cancel()


_hubs: dict[asyncio.AbstractEventLoop, RoomHub] = {}


def hub_for_loop(layer) -> RoomHub:
    """The hub of the running event loop (one per process in a server; tests run several)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.layer is not layer:
        hub = _hubs[loop] = RoomHub(layer)
    return hub
