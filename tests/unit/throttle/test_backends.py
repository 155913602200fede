"""The counters behind the limits, in memory and in the real Redis (throttle/backends.py)."""

import logging
import subprocess
import sys
import time

import pytest

from tests.system.server import ROOT
from throttle.backends import MemoryBackend, RedisBackend


@pytest.fixture(params=["memory", "redis"])
def backend(request, prefix):
    if request.param == "memory":
        yield MemoryBackend()
        return
    made = RedisBackend(url=request.getfixturevalue("redis_url"), prefix=prefix)
    yield made
    made.clear()


def test_a_bucket_allows_its_burst_then_says_when_the_next_token_comes(backend):
    assert [backend.hit("k", rate=1.0, burst=3) for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = backend.hit("k", rate=1.0, burst=3)
    assert 0 < wait <= 1.0
    assert backend.hit("other", rate=1.0, burst=3) == 0.0  # buckets are per key


def test_a_refused_hit_spends_nothing_and_cost_counts_units(backend):
    assert backend.hit("k", rate=0.01, burst=10, cost=7) == 0.0
    assert backend.hit("k", rate=0.01, burst=10, cost=4) > 0  # 3 left: refused, nothing spent
    assert backend.hit("k", rate=0.01, burst=10, cost=3) == 0.0


def test_a_set_holds_at_most_cap_members_and_release_frees_a_place(backend):
    assert backend.acquire("s", "a", cap=2) and backend.acquire("s", "b", cap=2)
    assert not backend.acquire("s", "c", cap=2)
    assert backend.acquire("s", "a", cap=2)  # a member already in is not counted twice
    backend.release("s", "b")
    assert backend.acquire("s", "c", cap=2)


def test_redis_counters_are_shared_by_every_process(redis_url, prefix):
    one, two = (
        RedisBackend(url=redis_url, prefix=prefix),
        RedisBackend(url=redis_url, prefix=prefix),
    )
    try:
        assert one.hit("k", rate=0.01, burst=2) == 0.0 and two.hit("k", rate=0.01, burst=2) == 0.0
        assert one.hit("k", rate=0.01, burst=2) > 0 and two.hit("k", rate=0.01, burst=2) > 0
        assert one.acquire("s", "socket-1", cap=1)
        assert not two.acquire("s", "socket-2", cap=1)
    finally:
        one.clear()


def test_redis_sockets_of_a_killed_process_expire_while_live_ones_are_kept(redis_url, prefix):
    ttl = 1.0
    live = RedisBackend(url=redis_url, prefix=prefix, ttl=ttl)
    try:
        assert live.acquire("kept", "mine", cap=1)
        script = (
            "import sys, time\n"
            "from throttle.backends import RedisBackend\n"
            f"b = RedisBackend(url={redis_url!r}, prefix={prefix!r}, ttl={ttl})\n"
            "assert b.acquire('gone', 'theirs', cap=1)\n"
            "print('held', flush=True)\n"
            "time.sleep(60)\n"
        )
        process = subprocess.Popen(
            [sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        try:
            assert process.stdout.readline().strip() == "held"
        finally:
            process.kill()
            process.wait()
        other = RedisBackend(url=redis_url, prefix=prefix, ttl=ttl)
        assert not other.acquire("gone", "new", cap=1)  # still counted just after the kill
        deadline = time.monotonic() + 10
        while not other.acquire("gone", "new", cap=1):
            assert time.monotonic() < deadline, "a killed process's socket never expired"
            time.sleep(0.2)
        # Meanwhile (over `ttl` later) this process has kept its own socket alive.
        assert not other.acquire("kept", "new", cap=1)
    finally:
        live.clear()


def test_redis_away_lets_everything_pass_and_is_logged_once(dead_redis_url, caplog):
    backend = RedisBackend(url=dead_redis_url, timeout=0.2)
    with caplog.at_level(logging.WARNING, logger="throttle.backends"):
        assert all(backend.hit("k", rate=0.001, burst=1) == 0.0 for _ in range(5))
        assert backend.acquire("s", "a", cap=1) and backend.acquire("s", "b", cap=1)
        backend.release("s", "a")
    warnings = [r for r in caplog.records if r.name == "throttle.backends"]
    assert len(warnings) == 1 and "not enforced" in warnings[0].getMessage()


def test_a_slow_bucket_of_one_gives_its_one_token_whatever_the_clock(backend):
    # now + 1000 - 1000 is not always now in floating point; a burst of 1 must still pass once.
    assert all(backend.hit(f"k{n}", rate=0.001, burst=1) == 0.0 for n in range(200))
    assert all(backend.hit(f"k{n}", rate=0.001, burst=1) > 0 for n in range(200))
