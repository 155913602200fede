"""Presence entries and how a user's sockets combine, in memory and in the real Redis
(realtime/presence/backends.py)."""

import asyncio
import os
import uuid

import pytest

from realtime.presence.backends import MemoryBackend, RedisBackend, combine


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
async def store(request):
    """(backend, elapse): `elapse(seconds)` lets that much time pass for the backend: the
    memory backend's clock is moved; Redis's own clock is waited for."""
    if request.param == "memory":
        clock = Clock()

        async def move(seconds: float) -> None:
            clock.now += seconds

        yield MemoryBackend(clock=clock), move
        return
    prefix = f"parley-test-{os.getpid()}-{uuid.uuid4().hex[:8]}:presence:"
    backend = RedisBackend(url=request.getfixturevalue("redis_url"), prefix=prefix)
    yield backend, asyncio.sleep
    await backend.clear()


def test_a_user_is_online_while_any_socket_is_and_away_when_all_are():
    assert combine([]) == "offline"
    assert combine(["away", "online", "away"]) == "online"
    assert combine(["away", "away"]) == "away"


async def test_the_first_socket_makes_its_user_online_and_a_second_changes_nothing(store):
    backend, _ = store
    assert await backend.put([(1, "a", "online")], ttl=30) == {1: "online"}
    assert await backend.put([(1, "b", "online")], ttl=30) == {}
    assert await backend.states([1, 2]) == {1: "online", 2: "offline"}


async def test_the_user_is_away_only_when_every_socket_is(store):
    backend, _ = store
    await backend.put([(1, "a", "online"), (1, "b", "online")], ttl=30)
    assert await backend.put([(1, "a", "away")], ttl=30) == {}
    assert await backend.put([(1, "b", "away")], ttl=30) == {1: "away"}
    assert await backend.put([(1, "a", "online")], ttl=30) == {1: "online"}


async def test_closing_the_last_socket_makes_the_user_offline(store):
    backend, _ = store
    await backend.put([(1, "a", "online"), (1, "b", "away")], ttl=30)
    assert await backend.drop(1, "a") == {1: "away"}
    assert await backend.drop(1, "b") == {1: "offline"}
    assert await backend.drop(1, "b") == {}  # dropped twice: no second change
    assert await backend.states([1]) == {1: "offline"}


async def test_an_entry_not_refreshed_expires_after_its_ttl(store):
    backend, elapse = store
    await backend.put([(1, "dead", "online"), (2, "live", "online")], ttl=0.3)
    await backend.put([(1, "idle", "away")], ttl=30)
    assert await backend.sweep() == {}
    await elapse(0.15)
    await backend.put([(2, "live", "online")], ttl=0.3)  # a heartbeat
    await elapse(0.25)
    # User 1's online socket died without closing; its away one lives. User 2 beat in time.
    assert await backend.sweep() == {1: "away"}
    assert await backend.states([1, 2]) == {1: "away", 2: "online"}
    await elapse(0.4)
    assert await backend.sweep() == {2: "offline"}


async def test_a_heartbeat_that_changes_nothing_reports_nothing(store):
    backend, _ = store
    entries = [(user, f"s{user}", "online") for user in range(1, 50)]
    assert len(await backend.put(entries, ttl=30)) == 49
    assert await backend.put(entries, ttl=30) == {}
