"""The delivery loops stop when cancelled, even after a library swallowed the cancellation.

redis-py can return normally from a command that was cancelled mid-way. Before these loops
checked Task.cancelling(), the fan-out's sender then went back to waiting for the next event,
and an event loop closing (a server's shutdown, a test's teardown) waited on it forever.
"""

import asyncio

import pytest

from realtime.delivery import fanout as fanout_module
from realtime.delivery.fanout import ChannelLayerFanout
from realtime.delivery.hub import read_forever


class SwallowingLayer:
    """A layer whose every call eats a cancellation that lands while it runs, as redis-py can."""

    def __init__(self):
        self.entered = asyncio.Event()

    async def _swallow(self):
        self.entered.set()
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            pass

    async def group_send(self, group, message):
        await self._swallow()

    async def receive(self, channel):
        await self._swallow()
        return {"type": "noop"}


async def test_the_fanout_sender_stops_when_the_layer_swallows_its_cancellation(monkeypatch):
    layer = SwallowingLayer()
    monkeypatch.setattr(fanout_module, "get_channel_layer", lambda: layer)
    fanout = ChannelLayerFanout()
    loop = asyncio.get_running_loop()
    fanout._enqueue(loop, "room.1", {"type": "room.change"})
    sender = next(iter(fanout.queues.values()))
    await asyncio.wait_for(layer.entered.wait(), 5)
    (task,) = [t for t in asyncio.all_tasks() if t.get_coro().__name__ == "_send_in_order"]
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    assert sender.empty() and loop not in fanout.queues


async def test_a_layer_reader_stops_when_the_layer_swallows_its_cancellation():
    layer = SwallowingLayer()
    handled = []

    async def handle(event):
        handled.append(event)

    task = asyncio.ensure_future(read_forever(layer, "hub.x", handle, "a test reader"))
    await asyncio.wait_for(layer.entered.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
