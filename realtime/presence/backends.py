"""Where presence entries live: one per socket, `online` or `away`, each expiring `ttl` seconds
after it was last put (a heartbeat puts it again). Two backends with one interface, chosen by
PARLEY_PRESENCE["BACKEND"]:

- MemoryBackend: one process (the embedded mode).
- RedisBackend: shared by every process (production), each operation one Lua script, so that
  two processes changing one user's entries agree on the user's combined state and only one of
  them reports the change.

A user's state combines their live entries: `online` while any is online, `away` when all are
away, `offline` when none is left. Each backend keeps the combined state it last reported and
returns a change only when an operation moves it, so a heartbeat that changes nothing reports
nothing. `sweep` drops expired entries: the sockets of a process killed without closing them.
"""

import time
from collections.abc import Iterable
from typing import Literal, Protocol

State = Literal["online", "away", "offline"]
# What a socket says of itself; `offline` is only ever combined (no entry left).
SocketState = Literal["online", "away"]
# (user id, socket id, the socket's state)
Entry = tuple[int, str, SocketState]


class PresenceBackend(Protocol):
    async def put(self, entries: Iterable[Entry], *, ttl: float) -> dict[int, State]:
        """Put (or refresh) the entries; the users whose combined state changed, with it."""

    async def drop(self, user_id: int, socket_id: str) -> dict[int, State]:
        """Remove a socket's entry (it closed)."""

    async def sweep(self) -> dict[int, State]:
        """Remove the expired entries."""

    async def states(self, user_ids: Iterable[int]) -> dict[int, State]:
        """The combined state of each user as last reported (`offline` for one with no
        entry): what the changes said, so a snapshot and the changes after it agree."""

    async def clear(self) -> None:
        """Forget everything (tests)."""


def combine(states: Iterable[str]) -> State:
    """The user's state from their live sockets' states."""
    combined: State = "offline"
    for state in states:
        if state == "online":
            return "online"
        combined = "away"
    return combined


class MemoryBackend:
    """Entries in this process's memory. Called only from the process's event loop."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        # user id -> socket id -> (the socket's state, when its entry expires)
        self.entries: dict[int, dict[str, tuple[SocketState, float]]] = {}
        self.reported: dict[int, State] = {}  # the combined state last reported, when not offline

    async def put(self, entries: Iterable[Entry], *, ttl: float) -> dict[int, State]:
        expires = self.clock() + ttl
        users = set()
        for user_id, socket_id, state in entries:
            self.entries.setdefault(user_id, {})[socket_id] = (state, expires)
            users.add(user_id)
        return self._recombine(users)

    async def drop(self, user_id: int, socket_id: str) -> dict[int, State]:
        self.entries.get(user_id, {}).pop(socket_id, None)
        return self._recombine([user_id])

    async def sweep(self) -> dict[int, State]:
        return self._recombine(list(self.entries))

    async def states(self, user_ids: Iterable[int]) -> dict[int, State]:
        return {user_id: self.reported.get(user_id, "offline") for user_id in user_ids}

    def _recombine(self, user_ids: Iterable[int]) -> dict[int, State]:
        now, changes = self.clock(), {}
        for user_id in user_ids:
            sockets = self.entries.get(user_id, {})
            for socket_id in [s for s, (_, expires) in sockets.items() if expires <= now]:
                del sockets[socket_id]
            if not sockets:
                self.entries.pop(user_id, None)
            state = combine(state for state, _ in sockets.values())
            if state != self.reported.get(user_id, "offline"):
                changes[user_id] = state
                if state == "offline":
                    del self.reported[user_id]
                else:
                    self.reported[user_id] = state
        return changes

    async def clear(self) -> None:
        self.entries.clear()
        self.reported.clear()


# Keys, under the prefix: `s:<user id>` a hash of socket id -> "<o|a>:<expiry>" (the key itself
# expires with the user's last entry); `due` a sorted set of user id by their earliest entry's
# expiry, which `sweep` reads; `state` a hash of user id -> the combined state last reported
# ("o" or "a"; offline users are absent). Times are Redis's clock, so every process agrees.
_LIB = """
local p = ARGV[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local changes = {}
local function recombine(uid)
  local key = p .. 's:' .. uid
  local all = redis.call('HGETALL', key)
  local best, due = nil, nil
  for i = 1, #all, 2 do
    local value = all[i + 1]
    local expires = tonumber(string.sub(value, 3))
    if expires <= now then
      redis.call('HDEL', key, all[i])
    else
      if string.sub(value, 1, 1) == 'o' then best = 'o' elseif best == nil then best = 'a' end
      if due == nil or expires < due then due = expires end
    end
  end
  if due == nil then redis.call('ZREM', p .. 'due', uid) else redis.call('ZADD', p .. 'due', due, uid) end
  local old = redis.call('HGET', p .. 'state', uid)
  if best == nil then
    if old then
      redis.call('HDEL', p .. 'state', uid)
      table.insert(changes, uid)
      table.insert(changes, 'f')
    end
  elseif old ~= best then
    redis.call('HSET', p .. 'state', uid, best)
    table.insert(changes, uid)
    table.insert(changes, best)
  end
end
"""

# ARGV prefix, ttl, then (user id, socket id, o|a) per entry.
_PUT = (
    _LIB
    + """
local ttl = tonumber(ARGV[2])
local seen = {}
for i = 3, #ARGV, 3 do
  local key = p .. 's:' .. ARGV[i]
  redis.call('HSET', key, ARGV[i + 1], ARGV[i + 2] .. ':' .. (now + ttl))
  redis.call('EXPIRE', key, math.ceil(ttl) + 1)
  seen[ARGV[i]] = true
end
for uid in pairs(seen) do recombine(uid) end
return changes
"""
)

# ARGV prefix, user id, socket id.
_DROP = (
    _LIB
    + """
redis.call('HDEL', p .. 's:' .. ARGV[2], ARGV[3])
recombine(ARGV[2])
return changes
"""
)

# ARGV prefix, the most users to look at in one call.
_SWEEP = (
    _LIB
    + """
for _, uid in ipairs(redis.call('ZRANGEBYSCORE', p .. 'due', '-inf', now, 'LIMIT', 0, tonumber(ARGV[2]))) do
  recombine(uid)
end
return changes
"""
)

_STATES: dict[bytes, State] = {b"o": "online", b"a": "away", b"f": "offline"}

# Users a `sweep` call looks at, at most: one script must not hold Redis long.
SWEEP_BATCH = 1000
# Entries one `put` call carries, at most.
PUT_BATCH = 1000


class RedisBackend:
    """Entries in Redis under `prefix`, through redis-py's asyncio client. Used from one event
    loop (the process's tracker makes its own: realtime/presence/tracker.py), which its
    connections belong to."""

    def __init__(self, *, url: str, prefix: str = "parley:presence:", timeout: float = 2.0):
        self.url, self.prefix, self.timeout = url, prefix, timeout
        self._made: tuple | None = None

    def _client(self) -> tuple:
        """(the client, its put, drop and sweep scripts), made on first use."""
        if self._made is None:
            # Imported here: the embedded mode (memory backend) never loads redis-py, which
            # weighs 9 MB of the server's memory.
            from redis.asyncio import Redis

            client = Redis.from_url(
                self.url, socket_connect_timeout=self.timeout, socket_timeout=self.timeout
            )
            self._made = (
                client,
                client.register_script(_PUT),
                client.register_script(_DROP),
                client.register_script(_SWEEP),
            )
        return self._made

    @staticmethod
    def _changes(reply: list) -> dict[int, State]:
        return {int(reply[i]): _STATES[reply[i + 1]] for i in range(0, len(reply), 2)}

    async def put(self, entries: Iterable[Entry], *, ttl: float) -> dict[int, State]:
        _, put, _, _ = self._client()
        entries, changes = list(entries), {}
        for start in range(0, len(entries), PUT_BATCH):
            args: list = [self.prefix, ttl]
            for user_id, socket_id, state in entries[start : start + PUT_BATCH]:
                args += [user_id, socket_id, state[0]]
            changes.update(self._changes(await put(args=args)))
        return changes

    async def drop(self, user_id: int, socket_id: str) -> dict[int, State]:
        _, _, drop, _ = self._client()
        return self._changes(await drop(args=[self.prefix, user_id, socket_id]))

    async def sweep(self) -> dict[int, State]:
        _, _, _, sweep = self._client()
        return self._changes(await sweep(args=[self.prefix, SWEEP_BATCH]))

    async def states(self, user_ids: Iterable[int]) -> dict[int, State]:
        client = self._client()[0]
        user_ids = list(user_ids)
        if not user_ids:
            return {}
        values = await client.hmget(self.prefix + "state", user_ids)
        return {
            user_id: _STATES[value] if value is not None else "offline"
            for user_id, value in zip(user_ids, values, strict=True)
        }

    async def clear(self) -> None:
        client = self._client()[0]
        keys = [key async for key in client.scan_iter(match=self.prefix + "*", count=1000)]
        if keys:
            await client.delete(*keys)
