"""The counters behind the limits: token buckets (rates) and capped sets (open sockets).

Two backends with one interface, chosen by PARLEY_LIMITS["BACKEND"]:

- MemoryBackend: one process (the embedded mode); a lock makes it safe from any thread.
- RedisBackend: shared by every process, each operation one atomic Lua script. When Redis does
  not answer, every limit is treated as not reached (fail open) and the outage is logged once;
  Redis is then left alone for `retry_after_outage` seconds, so posting neither fails nor waits
  on a Redis that is away. Chat staying up matters more than a limit holding for a few seconds.

A bucket is kept as GCRA's "theoretical arrival time" (one number per key): `rate` tokens a
second, at most `burst` at once, exactly a token bucket's behaviour.
"""

import logging
import threading
import time
from typing import Protocol

logger = logging.getLogger(__name__)


class LimitsBackend(Protocol):
    # Whether a call may wait on the network: async callers then make it off the event loop.
    blocking: bool

    def hit(self, key: str, *, rate: float, burst: int, cost: int = 1) -> float:
        """Spend `cost` tokens of the bucket `key`. 0.0 when they were there (and are now
        spent), else the seconds until they will be (nothing is spent)."""

    def acquire(self, key: str, member: str, *, cap: int) -> bool:
        """Add `member` to the set `key` unless it already holds `cap` others; True if added."""

    def release(self, key: str, member: str) -> None: ...

    def clear(self) -> None:
        """Forget every counter (tests)."""


# Seconds of float rounding forgiven: now + a * b - a * b is not always now.
_EPSILON = 1e-6


def _gcra(tat: float, now: float, *, rate: float, burst: int, cost: int) -> tuple[float, float]:
    """(the bucket's new arrival time, 0.0) when `cost` tokens are there, else (tat, wait)."""
    interval = 1.0 / rate
    new_tat = max(tat, now) + interval * cost
    wait = new_tat - now - interval * burst
    if wait > _EPSILON:
        return tat, wait
    return new_tat, 0.0


class MemoryBackend:
    blocking = False

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.lock = threading.Lock()
        self.buckets: dict[str, float] = {}  # key -> theoretical arrival time
        self.sets: dict[str, set[str]] = {}

    def hit(self, key: str, *, rate: float, burst: int, cost: int = 1) -> float:
        with self.lock:
            now = self.clock()
            tat, wait = _gcra(self.buckets.get(key, now), now, rate=rate, burst=burst, cost=cost)
            if not wait:
                self.buckets[key] = tat
            if len(self.buckets) > 100_000:  # drop the full buckets, which hold nothing
                self.buckets = {k: t for k, t in self.buckets.items() if t > now}
            return wait

    def acquire(self, key: str, member: str, *, cap: int) -> bool:
        with self.lock:
            members = self.sets.setdefault(key, set())
            if member not in members and len(members) >= cap:
                return False
            members.add(member)
            return True

    def release(self, key: str, member: str) -> None:
        with self.lock:
            members = self.sets.get(key)
            if members is not None:
                members.discard(member)
                if not members:
                    del self.sets[key]

    def clear(self) -> None:
        with self.lock:
            self.buckets.clear()
            self.sets.clear()


# KEYS[1] the bucket; ARGV rate, burst, cost. Returns "0" or the seconds to wait, as a string
# (a Lua number would come back truncated to an integer). Redis's clock, so every process
# agrees on it.
_HIT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = 1 / tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval * tonumber(ARGV[3])
local wait = new_tat - now - interval * tonumber(ARGV[2])
if wait > 0.000001 then return tostring(wait) end
redis.call('SET', KEYS[1], tostring(new_tat), 'PX', math.ceil((new_tat - now) * 1000) + 1)
return '0'
"""

# KEYS[1] a sorted set of members scored by when they expire; ARGV member, cap, ttl seconds.
# Members a crashed process left behind expire, since only live processes refresh theirs.
_ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then
  return 0
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[1])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3])))
return 1
"""

# KEYS the sets; ARGV[1] ttl, then one member per key: push each member's expiry forward.
_REFRESH = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local ttl = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, 'XX', now + ttl, ARGV[i + 1])
  redis.call('EXPIRE', key, math.ceil(ttl))
end
return 0
"""


class RedisBackend:
    """Counters in Redis under `prefix`. Members of a set are kept alive by this process
    every ttl/3 seconds (a daemon thread) and expire `ttl` seconds after it stops."""

    blocking = True

    def __init__(
        self,
        *,
        url: str,
        prefix: str = "parley:limits:",
        ttl: float = 60.0,
        timeout: float = 0.5,
        retry_after_outage: float = 5.0,
    ):
        import redis

        self.redis = redis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        self.errors = (redis.RedisError, OSError)
        self.prefix, self.ttl, self.retry_after_outage = prefix, ttl, retry_after_outage
        self._hit = self.redis.register_script(_HIT)
        self._acquire = self.redis.register_script(_ACQUIRE)
        self._refresh = self.redis.register_script(_REFRESH)
        self.lock = threading.Lock()
        self.held: set[tuple[str, str]] = set()  # (full key, member) this process holds
        self.away_until = 0.0
        self.refresher: threading.Thread | None = None

    def _call(self, operation: str, call, default):
        """`call()`, or `default` (the limit not reached) while Redis is away."""
        if time.monotonic() < self.away_until:
            return default
        try:
            return call()
        except self.errors as error:
            self.away_until = time.monotonic() + self.retry_after_outage
            logger.warning(
                "limits: Redis failed on %s (%s); limits are not enforced for %.0f s",
                operation,
                error,
                self.retry_after_outage,
            )
            return default

    def hit(self, key: str, *, rate: float, burst: int, cost: int = 1) -> float:
        wait = self._call(
            "hit", lambda: self._hit(keys=[self.prefix + key], args=[rate, burst, cost]), b"0"
        )
        return float(wait)

    def acquire(self, key: str, member: str, *, cap: int) -> bool:
        full = self.prefix + key
        added = self._call(
            "acquire", lambda: self._acquire(keys=[full], args=[member, cap, self.ttl]), 1
        )
        if added:
            with self.lock:
                self.held.add((full, member))
            self._start_refresher()
        return bool(added)

    def release(self, key: str, member: str) -> None:
        full = self.prefix + key
        with self.lock:
            self.held.discard((full, member))
        self._call("release", lambda: self.redis.zrem(full, member), 0)

    def refresh(self) -> None:
        """Push the expiry of every member this process holds forward by `ttl`."""
        with self.lock:
            held = list(self.held)
        for start in range(0, len(held), 500):
            batch = held[start : start + 500]
            self._call(
                "refresh",
                lambda batch=batch: self._refresh(
                    keys=[key for key, _ in batch],
                    args=[self.ttl, *(member for _, member in batch)],
                ),
                0,
            )

    def _start_refresher(self) -> None:
        with self.lock:
            if self.refresher is not None:
                return
            self.refresher = threading.Thread(
                target=self._refresh_forever, name="limits-refresh", daemon=True
            )
        self.refresher.start()

    def _refresh_forever(self) -> None:
        while True:
            time.sleep(self.ttl / 3)
            try:
                self.refresh()
            except Exception:  # never let the thread die: the sockets would expire
                logger.exception("limits: refreshing the open sockets failed")

    def clear(self) -> None:
        with self.lock:
            self.held.clear()
        keys = list(self.redis.scan_iter(match=self.prefix + "*", count=1000))
        if keys:
            self.redis.delete(*keys)
