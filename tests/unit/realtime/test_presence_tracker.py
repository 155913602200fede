"""The per-process presence tracker (realtime/presence/tracker.py) on the in-memory layer."""

import asyncio

import orjson

from realtime.memory_layer import InMemoryLayer
from realtime.presence.backends import MemoryBackend
from realtime.presence.tracker import PresenceTracker, Watcher


class GatedBackend(MemoryBackend):
    """A backend whose heartbeat puts wait at a gate, as a call to Redis waits on the network."""

    def __init__(self):
        super().__init__()
        self.gate: asyncio.Event | None = None

    async def put(self, entries, *, ttl):
        entries = list(entries)
        if self.gate is not None and len(entries) > 1:
            await self.gate.wait()
        return await super().put(entries, ttl=ttl)


def frames_of(written: list[str]) -> list[dict]:
    return [orjson.loads(text)["users"] for text in written]


async def test_a_socket_closed_during_a_heartbeat_is_not_put_back(settings):
    settings.PARLEY_PRESENCE_BATCH = 0.01
    backend = GatedBackend()
    tracker = PresenceTracker(InMemoryLayer(), backend)
    await tracker.connect(1, "a")
    await tracker.connect(2, "b")
    backend.gate = asyncio.Event()
    beat = asyncio.ensure_future(tracker.beat())
    await asyncio.sleep(0)  # the heartbeat took its entries and waits on the backend
    await tracker.disconnect("a")
    backend.gate.set()
    await beat
    assert await backend.states([1, 2]) == {1: "offline", 2: "online"}
    await tracker.close()


async def test_changes_within_the_batch_interval_reach_a_watcher_in_one_frame(settings):
    settings.PARLEY_PRESENCE_BATCH = 0.2
    tracker = PresenceTracker(InMemoryLayer(), MemoryBackend())
    written: list[str] = []
    watcher = Watcher(write=written.append)
    await tracker.watch(watcher, [1, 2, 3], "w")
    assert frames_of(written) == [{"1": "offline", "2": "offline", "3": "offline"}]
    tracker.changed({1: "online"})
    tracker.changed({2: "online", 4: "online"})  # 4 is not watched
    tracker.changed({1: "away"})
    await asyncio.sleep(0.3)
    assert frames_of(written)[1:] == [{"1": "away", "2": "online"}]
    await tracker.close()
