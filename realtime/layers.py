"""The channel layer for several server processes: Redis pub/sub, made to ride out Redis going
away. Written on redis-py's public asyncio API; it follows channels_redis' pub/sub layer in what
it does (one Redis channel per layer channel and per group, msgpack messages) without using its
internals.

Why pub/sub and not `channels_redis.core.RedisChannelLayer`: docs/deployment.md, "The channel
layer" (measured with bench/experiments/channel_layers.py). In short, one PUBLISH per event
reaches each process once, whatever the room's size, and group memberships live in the
processes, so they neither expire (`group_expiry`) nor vanish when Redis restarts empty.

- **Redis being away never reaches a consumer.** `new_channel`, `group_add`, `group_discard`,
  `send` and `group_send` record what they can locally and drop what they cannot: the layer
  is a doorbell (docs/protocol.md), every change is in the database, and the recovery below
  catches every socket up.
- **Recovery.** A watch pings Redis every `check_interval` seconds. When Redis comes back, or
  has restarted meanwhile (its `run_id` changed: an empty restart drops every subscription),
  the process subscribes again to every channel and group it holds, waits for Redis to confirm
  (a PING on the subscribing connection answers after every SUBSCRIBE before it), then hands
  every channel of the process a `{"type": "layer.recovered"}` event (in Parley that is the
  room hub's one channel, realtime/delivery/hub.py, which reads what its rooms missed from the
  database), and tells the other processes, which do the same (it may be the only one that
  lost Redis, and their sockets missed its posts).
- **A bounded inbox per channel** (`capacity`, oldest dropped first): a stalled reader never
  holds memory without bound. The hub finds a gap left by dropped events by seq and reads it
  from the database.

One `_LoopLayer` per event loop (a server has one; `async_to_sync` makes short-lived ones), as
Redis connections belong to the loop that opened them.
"""

import asyncio
import logging
import uuid
from typing import Any

import msgpack  # type: ignore[import-untyped]
from channels.layers import BaseChannelLayer
from redis.asyncio import Redis
from redis.asyncio.client import PubSub
from redis.exceptions import RedisError, ResponseError

from .cancellation import stop_if_cancelled

logger = logging.getLogger(__name__)

RECOVERED = {"type": "layer.recovered"}
# What a lost Redis raises: redis-py's errors, and OSError from a socket it did not wrap.
LAYER_ERRORS = (RedisError, OSError)


class Inbox(asyncio.Queue):
    """A channel's queue of serialized messages; when full, the oldest is dropped."""

    def put_nowait(self, item: Any) -> None:
        if self.maxsize and self.full():
            self.get_nowait()
        super().put_nowait(item)


class RedisPubSubLayer(BaseChannelLayer):
    """CONFIG: `hosts` (exactly one: a URL, or {"address": URL, ...redis-py connection
    options}), `prefix`, `capacity` (events queued per channel), `check_interval` (seconds
    between pings)."""

    extensions = ["groups", "flush"]

    def __init__(
        self,
        hosts=None,
        prefix: str = "asgi",
        capacity: int = 1000,
        check_interval: float = 1.0,
        **kwargs,
    ):
        super().__init__(capacity=capacity)
        hosts = hosts or ["redis://localhost:6379"]
        if len(hosts) != 1:
            raise ValueError("Parley's Redis layer takes exactly one host.")
        host = hosts[0] if isinstance(hosts[0], dict) else {"address": hosts[0]}
        self.address = host["address"]
        self.options = {name: value for name, value in host.items() if name != "address"}
        self.prefix = prefix
        self.capacity = capacity
        self.check_interval = check_interval
        self._loops: dict[asyncio.AbstractEventLoop, _LoopLayer] = {}

    def _get_layer(self) -> "_LoopLayer":
        loop = asyncio.get_running_loop()
        layer = self._loops.get(loop)
        if layer is None:
            for old in [old for old in self._loops if old.is_closed()]:
                del self._loops[old]
            layer = self._loops[loop] = _LoopLayer(self)
            _flush_before_close(loop, layer)
        return layer

    @staticmethod
    def serialize(message: dict) -> bytes:
        return msgpack.packb(message, use_bin_type=True)

    @staticmethod
    def deserialize(data: bytes) -> dict:
        return msgpack.unpackb(data, raw=False)

    async def new_channel(self, prefix: str = "specific.") -> str:
        return await self._get_layer().new_channel(prefix)

    async def send(self, channel: str, message: dict) -> None:
        await self._get_layer().publish(channel, self.serialize(message))

    async def receive(self, channel: str) -> dict:
        return self.deserialize(await self._get_layer().receive(channel))

    async def group_add(self, group: str, channel: str) -> None:
        await self._get_layer().group_add(self.group_key(group), channel)

    async def group_discard(self, group: str, channel: str) -> None:
        await self._get_layer().group_discard(self.group_key(group), channel)

    async def group_send(self, group: str, message: dict) -> None:
        await self._get_layer().publish(self.group_key(group), self.serialize(message))

    async def flush(self) -> None:
        await self._get_layer().flush()

    def group_key(self, group: str) -> str:
        """The Redis channel of a group ("__group__" keeps it apart from layer channels)."""
        return f"{self.prefix}__group__{group}"


def _flush_before_close(loop: asyncio.AbstractEventLoop, layer: "_LoopLayer") -> None:
    """Close the loop's Redis connections before the loop closes (an `async_to_sync` call's
    loop lives for one call); otherwise they would be closed by the garbage collector, without
    a loop to do it on."""
    close = loop.close

    def flush_then_close():
        if not loop.is_closed() and not loop.is_running():
            loop.run_until_complete(layer.flush())
        close()

    loop.close = flush_then_close  # type: ignore[method-assign]


class _LoopLayer:
    def __init__(self, layer: RedisPubSubLayer):
        self.layer = layer
        self.channels: dict[str, Inbox] = {}  # this process's layer channels
        self.groups: dict[str, set[str]] = {}  # a group's Redis channel -> its layer channels
        self.control = f"{layer.prefix}__parley__control"  # recoveries, told to every process
        self.identity = uuid.uuid4().hex
        self.healthy = True
        self._redis: Redis | None = None
        self._pubsub: PubSub | None = None
        self._lock = asyncio.Lock()  # one SUBSCRIBE or resubscription at a time
        self._subscribed: set[str] = set()
        self._confirming: str | None = None  # the PING that will confirm a resubscription
        self._confirm_by = 0.0  # loop time after which that PING is given up
        self._info_allowed = True
        self._receiver: asyncio.Task | None = None
        self._watch: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()

    # Connections

    def redis(self) -> Redis:
        if self._redis is None:
            self._redis = Redis.from_url(self.layer.address, **self.layer.options)
        return self._redis

    def pubsub(self) -> PubSub:
        if self._pubsub is None:
            self._pubsub = self.redis().pubsub(ignore_subscribe_messages=True)
        if self._receiver is None:
            self._receiver = asyncio.ensure_future(self._receive())
            self._watch = asyncio.ensure_future(self._watch_redis())
        return self._pubsub

    def _spawn(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # The channel layer's calls

    async def new_channel(self, prefix: str) -> str:
        channel = f"{self.layer.prefix}{prefix}{uuid.uuid4().hex}"
        self.channels[channel] = Inbox(self.layer.capacity)
        await self._subscribe(self.control)  # once: the other processes' recoveries
        await self._subscribe(channel)
        return channel

    async def receive(self, channel: str) -> bytes:
        if channel not in self.channels:
            self.channels[channel] = Inbox(self.layer.capacity)
            await self._subscribe(channel)
        try:
            return await self.channels[channel].get()
        except asyncio.CancelledError:
            # The consumer is leaving: Channels has no call for it, so a cancelled receive
            # ends the channel, as in channels_redis.
            if self.channels.pop(channel, None) is not None:
                await self._unsubscribe(channel)
            raise

    async def group_add(self, key: str, channel: str) -> None:
        if channel not in self.channels:
            raise RuntimeError("group_add() takes a channel made by this process's new_channel()")
        self.groups.setdefault(key, set()).add(channel)
        await self._subscribe(key)

    async def group_discard(self, key: str, channel: str) -> None:
        members = self.groups.get(key)
        if members is None or channel not in members:
            return
        members.discard(channel)
        if not members:
            del self.groups[key]
            await self._unsubscribe(key)

    async def publish(self, name: str, data: bytes) -> None:
        if not self.healthy:
            return  # dropped: the consumers catch up when Redis is back
        try:
            await self.redis().publish(name, data)
        except LAYER_ERRORS as error:
            self.lost(error)

    async def flush(self) -> None:
        for task in (self._receiver, self._watch, *self._tasks):
            if task is not None:
                task.cancel()
        self._receiver = self._watch = None
        self._tasks.clear()
        pubsub, redis = self._pubsub, self._redis
        self._pubsub = self._redis = None
        self.channels, self.groups, self._subscribed = {}, {}, set()
        for closing in (pubsub, redis):
            if closing is not None:
                try:
                    await closing.aclose()
                except LAYER_ERRORS:
                    pass

    # Subscriptions

    async def _subscribe(self, name: str) -> None:
        # The name is already wanted (in channels or groups): if Redis cannot take it now,
        # the recovery will.
        pubsub = self.pubsub()
        if not self.healthy or name in self._subscribed:
            return
        async with self._lock:
            try:
                await pubsub.subscribe(name)
            except LAYER_ERRORS as error:
                self.lost(error)
                return
            self._subscribed.add(name)

    async def _unsubscribe(self, name: str) -> None:
        # If Redis cannot take it now, the recovery drops what is no longer wanted.
        self._subscribed.discard(name)
        if not self.healthy or self._pubsub is None:
            return
        async with self._lock:
            try:
                await self._pubsub.unsubscribe(name)
            except LAYER_ERRORS as error:
                self.lost(error)

    def wanted(self) -> set[str]:
        """Every name this process must be subscribed to."""
        return {self.control, *self.channels, *self.groups}

    async def resubscribe(self) -> None:
        """Subscribe to every wanted name (and only those), then PING: its answer comes after
        every SUBSCRIBE is in force, and the receiver then calls `confirmed`."""
        pubsub = self.pubsub()
        wanted = self.wanted()
        try:
            async with self._lock:
                stale = {_text(name) for name in pubsub.channels} - wanted
                if stale:
                    await pubsub.unsubscribe(*stale)
                await pubsub.subscribe(*wanted)
                self._subscribed = wanted
                self._confirming = uuid.uuid4().hex
                self._confirm_by = asyncio.get_running_loop().time() + 5 * self.layer.check_interval
                await pubsub.ping(self._confirming)
        except LAYER_ERRORS as error:
            self._confirming = None
            self.lost(error)

    def confirmed(self) -> None:
        """Redis confirmed a resubscription. Names wanted since (sockets that connected or
        subscribed meanwhile) take another round; then every consumer catches up."""
        if self.wanted() - self._subscribed:
            self._spawn(self.resubscribe())
            return
        logger.warning("channel layer: Redis is back; consumers catch up from the database")
        self.healthy = True
        self._spawn(self._announce())
        self.recovered()

    async def _announce(self) -> None:
        try:
            await self.redis().publish(self.control, self.identity.encode())
        except LAYER_ERRORS as error:
            self.lost(error)

    def recovered(self) -> None:
        """Events were lost (here or in another process): every consumer catches up."""
        message = self.layer.serialize(RECOVERED)
        for inbox in self.channels.values():
            inbox.put_nowait(message)

    # Health

    def lost(self, error: BaseException) -> None:
        """Redis failed us: drop publishes and leave subscriptions to the recovery until the
        watch finds it again, rather than wait on every call for a Redis that is gone."""
        if self.healthy:
            logger.warning(
                "channel layer: Redis is unavailable (%s); posts are stored, not broadcast", error
            )
        self.healthy = False

    async def _watch_redis(self) -> None:
        run_id = None
        while True:
            stop_if_cancelled()
            await asyncio.sleep(self.layer.check_interval)
            try:
                current = await self._run_id()
            except LAYER_ERRORS as error:
                self.lost(error)
                continue
            if self.healthy and None not in (run_id, current) and current != run_id:
                logger.warning("channel layer: Redis restarted; every subscription is lost")
                self.healthy = False
            waiting = (
                self._confirming is not None
                and asyncio.get_running_loop().time() < self._confirm_by
            )
            if not self.healthy and not waiting:
                await self.resubscribe()
            run_id = current

    async def _run_id(self) -> str | None:
        """Redis' run_id, new at every restart; None where INFO is not allowed (an ACL), and
        then a restart is noticed only through the connections it drops."""
        redis = self.redis()
        if self._info_allowed:
            try:
                return (await redis.info("server"))["run_id"]
            except ResponseError:
                self._info_allowed = False
                logger.warning(
                    "channel layer: INFO is refused; Redis restarts are noticed by dropped connections"
                )
        await redis.ping()
        return None

    # Receiving

    async def _receive(self) -> None:
        while True:
            pubsub = self._pubsub
            # While Redis is away only the recovery touches the connection (until it awaits its
            # PING's answer): a read would reconnect it too, and two handshakes on one
            # connection take each other's replies (the recovery then waited out the socket
            # timeout for an answer this loop had read).
            reading = self.healthy or self._confirming is not None
            try:
                if pubsub is not None and pubsub.subscribed and reading:
                    self._deliver(await pubsub.get_message(timeout=0.1))
                else:
                    await asyncio.sleep(0.1)
            except LAYER_ERRORS as error:
                self._confirming = None
                self.lost(error)
                await asyncio.sleep(self.layer.check_interval)
            stop_if_cancelled()

    def _deliver(self, message: dict | None) -> None:
        if message is None:
            return
        if message["type"] == "pong":
            if self._confirming is not None and _text(message["data"]) == self._confirming:
                self._confirming = None
                self.confirmed()
            return
        if message["type"] != "message":
            return
        name, data = _text(message["channel"]), message["data"]
        if name == self.control:
            if data != self.identity.encode():
                self.recovered()  # another process's: it lost events we should have had
        elif name in self.channels:
            self.channels[name].put_nowait(data)
        elif name in self.groups:
            for channel in self.groups[name]:
                if (inbox := self.channels.get(channel)) is not None:
                    inbox.put_nowait(data)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
