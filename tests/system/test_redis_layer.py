"""realtime.layers.RedisPubSubLayer against a private redis-server that the tests kill: Redis
being away never reaches a consumer, and when it comes back (empty) every channel, in every
process, is subscribed again and told to catch up."""

import asyncio

import pytest

from realtime.layers import RedisPubSubLayer

from .server import run_async

pytestmark = pytest.mark.system


def layer(url: str, **config) -> RedisPubSubLayer:
    """One process's layer, as config/settings/production.py makes it."""
    host = {"address": url, "max_connections": 50, "socket_connect_timeout": 2, "socket_timeout": 5}
    return RedisPubSubLayer(hosts=[host], prefix="layer-test:", check_interval=0.1, **config)


async def next_event(layer: RedisPubSubLayer, channel: str, timeout: float = 5) -> dict:
    # shield: cancelling a pub/sub receive unsubscribes the channel (channels_redis' contract).
    return await asyncio.wait_for(asyncio.shield(layer.receive(channel)), timeout)


def test_redis_away_never_reaches_a_consumer_and_recovery_reaches_every_process(private_redis):
    async def scenario():
        one, two = layer(private_redis.url), layer(private_redis.url)
        a, b = await one.new_channel(), await two.new_channel()
        await one.group_add("room.1", a)
        await two.group_add("room.1", b)
        await one.group_send("room.1", {"type": "room.message", "seq": 1})
        assert (await next_event(one, a))["seq"] == (await next_event(two, b))["seq"] == 1

        private_redis.kill()
        # Every call a consumer or the fan-out makes returns, without Redis.
        await one.group_send("room.1", {"type": "room.message", "seq": 2})
        late = await one.new_channel()
        await one.group_add("room.1", late)
        await two.group_discard("room.1", b)
        await two.group_add("room.1", b)

        await asyncio.to_thread(private_redis.start)  # empty: no subscription survived
        events = [await next_event(one, a), await next_event(one, late), await next_event(two, b)]
        assert all(e == {"type": "layer.recovered"} for e in events)
        # Live again on every channel (after, maybe, the other process's announcement).
        await two.group_send("room.1", {"type": "room.message", "seq": 3})
        for lay, channel in ((one, a), (one, late), (two, b)):
            event = await next_event(lay, channel)
            while event["type"] == "layer.recovered":
                event = await next_event(lay, channel)
            assert event == {"type": "room.message", "seq": 3}
        await one.flush()
        await two.flush()

    run_async(scenario())


def test_a_consumer_inbox_keeps_the_newest_capacity_events(private_redis):
    async def scenario():
        small = layer(private_redis.url, capacity=3)
        channel = await small.new_channel()
        await small.group_add("room.1", channel)
        for seq in range(1, 6):
            await small.group_send("room.1", {"type": "room.message", "seq": seq})
        await asyncio.sleep(0.3)  # all five arrived; the two oldest were dropped
        seqs = [(await next_event(small, channel))["seq"] for _ in range(3)]
        await small.flush()
        return seqs

    assert run_async(scenario()) == [3, 4, 5]


def test_without_info_a_restart_is_still_noticed(make_redis):
    """Where an ACL refuses INFO (no run_id to compare), the dropped connections tell."""
    redis = make_redis("--rename-command", "INFO", "")

    async def scenario():
        one = layer(redis.url)
        channel = await one.new_channel()
        await one.group_add("room.1", channel)
        await asyncio.sleep(0.3)  # the watch has met the refusal
        redis.kill()
        await asyncio.to_thread(redis.start)
        assert await next_event(one, channel) == {"type": "layer.recovered"}
        await one.group_send("room.1", {"type": "room.message", "seq": 1})
        assert (await next_event(one, channel))["seq"] == 1
        await asyncio.sleep(0.5)  # five checks later, still healthy: a refused INFO is no outage
        assert one._get_layer().healthy
        await one.flush()

    run_async(scenario())
