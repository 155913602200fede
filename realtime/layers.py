"""The channel layer for several server processes: channels_redis' pub/sub layer, made to ride
out Redis going away.

Why pub/sub and not `channels_redis.core.RedisChannelLayer`: docs/deployment.md, "The channel
layer" (measured with bench/experiments/channel_layers.py). In short, one PUBLISH per event
reaches each process once, whatever the room's size, and group memberships live in the
processes, so they neither expire (`group_expiry`) nor vanish when Redis restarts empty.

What this adds to `channels_redis.pubsub.RedisPubSubChannelLayer` (4.3.0, pinned):

- **Redis being away never reaches a consumer.** `new_channel`, `group_add`, `group_discard`,
  `send` and `group_send` record what they can locally and drop what they cannot: the layer
  is a doorbell (docs/protocol.md), every message is in the database, and the recovery below
  catches every socket up. Upstream, a failed SUBSCRIBE fails the WebSocket handshake.
- **Recovery.** A watch pings Redis every `check_interval` seconds. When Redis comes back, or
  has restarted meanwhile (its `run_id` changed: an empty restart drops every subscription),
  the process subscribes again to every channel and group it holds, waits for Redis to confirm
  (a PING on the subscribing connection answers after every SUBSCRIBE before it), then hands
  every channel of the process a `{"type": "layer.recovered"}` event (in Parley that is the
  room hub's one channel, realtime/delivery/hub.py, which reads what its rooms missed from the
  database), and tells the other processes, which do the same (it may be the only one that
  lost Redis, and their sockets missed its posts).
- **A bounded inbox per channel** (`capacity`, oldest dropped first), as the core layer has:
  upstream's queue grows without limit behind a stalled reader. The hub finds a gap left by
  dropped events by seq and reads it from the database.
"""

import asyncio
import logging
import uuid

from channels_redis.core import BoundedQueue
from channels_redis.pubsub import (
    RedisPubSubChannelLayer,
    RedisPubSubLoopLayer,
    RedisSingleShardConnection,
)
from channels_redis.utils import _wrap_close
from redis.exceptions import RedisError, ResponseError

logger = logging.getLogger(__name__)

RECOVERED = {"type": "layer.recovered"}
# What a lost Redis raises: redis-py's errors, and OSError from a socket it did not wrap.
LAYER_ERRORS = (RedisError, OSError)


class RedisPubSubLayer(RedisPubSubChannelLayer):
    """CONFIG: `hosts` (exactly one), `prefix`, `capacity` (events queued per consumer),
    `check_interval` (seconds between pings)."""

    def __init__(self, *args, capacity: int = 1000, check_interval: float = 1.0, **kwargs):
        super().__init__(*args, **kwargs)
        self.capacity = capacity
        self.check_interval = check_interval

    def _get_layer(self):
        # Upstream's, with this module's loop layer. One per event loop.
        loop = asyncio.get_running_loop()
        try:
            return self._layers[loop]
        except KeyError:
            layer = self._layers[loop] = LoopLayer(*self._args, **self._kwargs, channel_layer=self)
            _wrap_close(self, loop)
            return layer


class LoopLayer(RedisPubSubLoopLayer):
    def __init__(self, hosts=None, prefix="asgi", channel_layer=None, **kwargs):
        super().__init__(hosts, prefix, channel_layer=channel_layer, **kwargs)
        if len(self._shards) != 1:
            raise ValueError("Parley's Redis layer takes exactly one host.")
        self.shard = Shard(self._shards[0].host, self)
        self._shards = [self.shard]
        self.control = f"{prefix}__parley__control"  # recoveries, announced to every process
        self.identity = uuid.uuid4().hex
        self.healthy = True
        self._info_allowed = True
        self._watch: asyncio.Task | None = None
        self._announce: asyncio.Task | None = None
        self._resubscribing: asyncio.Task | None = None

    async def _subscribe_to_channel(self, channel):
        self.channels[channel] = BoundedQueue(self.channel_layer.capacity)
        await self.shard.subscribe(self.control)  # once: the other processes' recoveries
        await self.shard.subscribe(channel)

    async def flush(self):
        for task in (self._watch, self._resubscribing, self._announce):
            if task is not None:
                task.cancel()
        self._watch = self._resubscribing = self._announce = None
        await super().flush()

    # Health

    def lost(self, error: BaseException) -> None:
        """Redis failed us: drop publishes and leave subscriptions to the recovery until the
        watch finds it again, rather than wait on every call for a Redis that is gone."""
        if self.healthy:
            logger.warning(
                "channel layer: Redis is unavailable (%s); posts are stored, not broadcast", error
            )
        self.healthy = False

    def start_watch(self) -> None:
        if self._watch is None:
            self._watch = asyncio.ensure_future(self._watch_redis())

    async def _watch_redis(self) -> None:
        run_id = None
        while True:
            await asyncio.sleep(self.channel_layer.check_interval)
            try:
                current = await self._run_id()
            except LAYER_ERRORS as error:
                self.lost(error)
                continue
            if self.healthy and None not in (run_id, current) and current != run_id:
                logger.warning("channel layer: Redis restarted; every subscription is lost")
                self.healthy = False
            if not self.healthy and not self.shard.confirming_until(
                asyncio.get_running_loop().time()
            ):
                await self.resubscribe()
            run_id = current

    async def _run_id(self) -> str | None:
        """Redis' run_id, new at every restart; None where INFO is not allowed (an ACL), and
        then a restart is noticed only through the connections it drops."""
        redis = self.shard.redis()
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

    async def resubscribe(self) -> None:
        try:
            await self.shard.resubscribe(self.wanted())
        except LAYER_ERRORS as error:
            self.shard.confirming = None
            self.lost(error)

    def wanted(self) -> set[str]:
        """Every name this process must be subscribed to."""
        return {self.control, *self.channels, *self.groups}

    def confirmed(self) -> None:
        """Redis confirmed a resubscription. Names wanted since (sockets that connected or
        subscribed meanwhile) take another round; then every consumer catches up."""
        if self.wanted() - self.shard._subscribed_to:
            self._resubscribing = asyncio.ensure_future(self.resubscribe())
            return
        logger.warning("channel layer: Redis is back; consumers catch up from the database")
        self.healthy = True
        self._announce = asyncio.ensure_future(self.shard.announce(self.control, self.identity))
        self.recovered()

    def recovered(self) -> None:
        """Events were lost (here or in another process): every consumer catches up."""
        message = self.channel_layer.serialize(RECOVERED)
        for queue in self.channels.values():
            queue.put_nowait(message)


class Shard(RedisSingleShardConnection):
    """The connection to Redis: one subscribing connection, commands through a small pool."""

    def __init__(self, host, channel_layer: LoopLayer):
        super().__init__(host, channel_layer)
        self.confirming: str | None = None  # the PING that will confirm a resubscription
        self._confirm_by = 0.0  # loop time after which that PING is given up

    def confirming_until(self, now: float) -> bool:
        """Whether a resubscription still awaits its PING's answer (for a few intervals)."""
        return self.confirming is not None and now < self._confirm_by

    def redis(self):
        self._ensure_redis()
        return self._redis

    async def publish(self, channel, message):
        if not self.channel_layer.healthy:
            return  # dropped: the consumers catch up when Redis is back
        try:
            await super().publish(channel, message)
        except LAYER_ERRORS as error:
            self.channel_layer.lost(error)

    async def subscribe(self, channel):
        # The name is already wanted (in the layer's channels or groups): if Redis cannot
        # take it now, resubscribe() will.
        self._ensure_receiver()
        if not self.channel_layer.healthy:
            return
        try:
            await super().subscribe(channel)
        except LAYER_ERRORS as error:
            self.channel_layer.lost(error)

    async def unsubscribe(self, channel):
        # If Redis cannot take it now, resubscribe() drops what is no longer wanted.
        if not self.channel_layer.healthy:
            self._subscribed_to.discard(channel)
            return
        try:
            await super().unsubscribe(channel)
        except LAYER_ERRORS as error:
            self._subscribed_to.discard(channel)
            self.channel_layer.lost(error)

    def _ensure_receiver(self):
        super()._ensure_receiver()
        self.channel_layer.start_watch()

    async def resubscribe(self, names: set[str]) -> None:
        """Subscribe to `names` (and only those), then PING: its answer comes after every
        SUBSCRIBE is in force, and the receive loop then tells the layer (confirmed())."""
        async with self._lock:
            self._ensure_redis()
            self._ensure_receiver()
            stale = {
                n.decode() if isinstance(n, bytes) else n for n in self._pubsub.channels
            } - names
            if stale:
                await self._pubsub.unsubscribe(*stale)
            await self._pubsub.subscribe(*names)
            self._subscribed_to = set(names)
            self.confirming = uuid.uuid4().hex
            self._confirm_by = (
                asyncio.get_running_loop().time()
                + 5 * self.channel_layer.channel_layer.check_interval
            )
            await self._pubsub.ping(self.confirming)

    async def announce(self, control: str, identity: str) -> None:
        try:
            await super().publish(control, identity.encode())
        except LAYER_ERRORS as error:
            self.channel_layer.lost(error)

    async def _do_receiving(self):
        # Upstream's loop, which logs a traceback a second while Redis is away.
        while True:
            try:
                if self._pubsub and self._pubsub.subscribed:
                    message = await self._pubsub.get_message(
                        ignore_subscribe_messages=True, timeout=0.1
                    )
                    self._receive_message(message)
                else:
                    await asyncio.sleep(0.1)
            except LAYER_ERRORS as error:
                self.confirming = None
                self.channel_layer.lost(error)
                await asyncio.sleep(self.channel_layer.channel_layer.check_interval)

    def _receive_message(self, message):
        if message is None:
            return
        layer = self.channel_layer
        if message["type"] == "pong":
            data = message["data"]
            if (
                self.confirming is not None
                and (data.decode() if isinstance(data, bytes) else data) == self.confirming
            ):
                self.confirming = None
                layer.confirmed()
            return
        name = message["channel"]
        if isinstance(name, bytes):
            name = name.decode()
        if name == layer.control:
            if message["data"] != layer.identity.encode():
                layer.recovered()  # another process's: it lost events we should have had
            return
        super()._receive_message(message)
