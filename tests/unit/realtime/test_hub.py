"""The room hub and the feeds: in-order, once-only writes; a slow socket never stalls its room."""

import asyncio

import pytest

from realtime.delivery import feed as feed_module
from realtime.delivery import hub as hub_module
from realtime.delivery import source
from realtime.delivery.encoders import ROOM_CHANGE, Encoder
from realtime.delivery.feed import Feed, send_eagerly
from realtime.delivery.hub import ROOM_TYPING, RoomHub


class Plain(Encoder):
    """Writes an item's `text`; the hub's tests need no protocol."""

    def encode(self, item):
        return item["frame"]["text"]


ENCODER = Plain("plain", counts="events", live=True)
QUIET = Plain("quiet", counts="events", live=False)  # no typing frames, as the tutorial's


class Socket:
    """A feed's socket. `stalled` makes sends wait, as a full send buffer does."""

    def __init__(self, hub, encoder=ENCODER):
        self.frames: list[str] = []
        self.stalled: asyncio.Event | None = None
        self.resumes: list[str] = []
        self.feed = Feed(
            hub=hub,
            send=self.send,
            encoder=encoder,
            origin=str(id(self)),
            reconnect=self.reconnect,
        )

    async def send(self, message):
        if self.stalled is not None:
            await self.stalled.wait()
        self.frames.append(message["text"])

    async def reconnect(self, why):
        self.resumes.append(why)


class Layer:
    def __init__(self):
        self.groups: dict[str, set[str]] = {}
        self.queue: asyncio.Queue = asyncio.Queue()

    async def new_channel(self, prefix="specific."):
        return prefix + "hub!1"

    async def group_add(self, group, channel):
        self.groups.setdefault(group, set()).add(channel)

    async def group_discard(self, group, channel):
        self.groups.get(group, set()).discard(channel)

    async def receive(self, channel):
        return await self.queue.get()


def message(room_id: int, seq: int, text: str | None = None) -> dict:
    return {
        "type": ROOM_CHANGE,
        "room_id": room_id,
        "seq": seq,
        "number": seq,
        "frame": {"text": text or f"m{seq}"},
    }


@pytest.fixture
async def hub(monkeypatch):
    """A hub on a fake layer; its "database" (source.read) holds events 1 to `hub.stored`."""
    fetched = []
    room_hub = RoomHub(Layer())

    async def read(*, room_id, after, upto, counts, limit=None):
        fetched.append((room_id, after, upto))
        stored = min(upto, room_hub.stored)
        return [message(room_id, s, f"db{s}") for s in range(after + 1, stored + 1)][:limit]

    monkeypatch.setattr(source, "read", read)
    room_hub.fetched = fetched
    room_hub.stored = 100  # the newest seq "in the database"
    yield room_hub
    await room_hub.close()


async def joined(room_hub, room_id=1, last_seq=0, encoder=ENCODER) -> Socket:
    socket = Socket(room_hub, encoder)
    await room_hub.join(room_id, socket.feed)
    socket.feed.cursors[room_id] = last_seq
    room_hub.seen(room_id, last_seq)
    return socket


async def test_send_eagerly_finishes_without_a_task_when_nothing_waits():
    done = []

    async def send():
        done.append(1)

    assert send_eagerly(send()) is None and done == [1]
    gate = asyncio.Event()

    async def blocked():
        await gate.wait()
        done.append(2)

    task = send_eagerly(blocked())
    assert task is not None and done == [1]
    gate.set()
    await task
    assert done == [1, 2]


async def test_frames_are_written_in_order_once(hub):
    socket = await joined(hub)
    for seq in (1, 2, 2, 1, 3):
        await hub.handle(message(1, seq))
    assert socket.frames == ["m1", "m2", "m3"]


async def test_the_room_joins_its_group_once_per_process(hub):
    await joined(hub)
    await joined(hub)
    assert hub.layer.groups == {"room.1": {"hub.hub!1"}}


async def test_a_stalled_socket_does_not_stall_the_room(hub):
    fast, slow = await joined(hub), await joined(hub)
    slow.stalled = asyncio.Event()
    for seq in range(1, 11):
        await hub.handle(message(1, seq))
    assert fast.frames == [f"m{s}" for s in range(1, 11)]
    assert slow.frames == [] and len(slow.feed.backlog) == 9  # one write is in flight
    slow.stalled.set()
    for _ in range(20):
        await asyncio.sleep(0)
    assert slow.frames == [f"m{s}" for s in range(1, 11)]


async def test_a_socket_too_far_behind_is_closed_for_resume(hub, monkeypatch):
    monkeypatch.setattr(feed_module, "MAX_BACKLOG", 5)
    fast, slow = await joined(hub), await joined(hub)
    slow.stalled = asyncio.Event()
    for seq in range(1, 10):
        await hub.handle(message(1, seq))
    await asyncio.sleep(0)
    assert slow.resumes == ["its backlog overflowed"] and slow.feed.closed
    assert len(fast.frames) == 9


async def test_held_frames_wait_and_follow_in_order(hub):
    socket = await joined(hub)
    async with socket.feed.acked_first():
        await hub.handle(message(1, 1))
        socket.frames.append("ack")
    assert socket.frames == ["ack", "m1"]


async def test_a_gap_is_read_from_the_database_once_per_process(hub):
    a, b = await joined(hub), await joined(hub)
    await hub.handle(message(1, 1))
    await hub.handle(message(1, 4))  # 2 and 3 were lost on the way
    assert hub.fetched == [(1, 1, 3)]
    assert a.frames == b.frames == ["m1", "db2", "db3", "m4"]


async def test_a_gap_only_one_socket_has_is_refilled_for_it(hub):
    socket = await joined(hub, last_seq=0)
    hub.rooms[1].high = 5  # the process has seen up to 5; this socket only up to 0
    await hub.handle(message(1, 6))
    for _ in range(5):
        await asyncio.sleep(0)
    assert hub.fetched == [(1, 0, 5)]
    assert socket.frames == [f"db{s}" for s in range(1, 6)] + ["m6"]


async def test_typing_skips_its_origin_and_the_tutorial_endpoint(hub):
    typist, other = await joined(hub), await joined(hub)
    tutorial = await joined(hub, encoder=QUIET)
    typing = {"type": "typing", "room": "r", "user": {"id": 1}}
    await hub.handle(
        {"type": ROOM_TYPING, "room_id": 1, "origin": typist.feed.origin, "frame": typing}
    )
    assert typist.frames == tutorial.frames == []
    assert other.frames == ['{"type":"typing","room":"r","user":{"id":1}}']


async def test_recovery_catches_every_room_up(hub):
    hub.stored = 4  # 3 and 4 were posted while the layer was away
    behind, ahead = await joined(hub, last_seq=2), await joined(hub, last_seq=3)
    hub.rooms[1].high = 2  # what the process had seen
    await hub.handle({"type": "layer.recovered"})
    assert [f[:2] for f in hub.fetched] == [(1, 2)]
    assert (behind.frames, ahead.frames) == (["db3", "db4"], ["db4"])


async def test_recovery_too_large_to_catch_up_closes_for_resume(hub, monkeypatch):
    monkeypatch.setattr(hub_module, "MAX_BACKLOG", 5)
    hub.stored = 50
    socket = await joined(hub, last_seq=2)
    await hub.handle({"type": "layer.recovered"})
    await asyncio.sleep(0)
    assert socket.resumes == ["its backlog overflowed"] and socket.frames == []


async def test_a_layer_that_does_not_answer_never_hangs_join_or_leave(hub, monkeypatch):
    monkeypatch.setattr(hub_module, "LAYER_CALL_TIMEOUT", 0.05)

    async def never(*args):
        await asyncio.Event().wait()

    hub.layer.group_add = hub.layer.group_discard = never
    socket = Socket(hub)
    await asyncio.wait_for(hub.join(1, socket.feed), 1)
    await asyncio.wait_for(hub.leave(1, socket.feed), 1)
    assert 1 not in hub.rooms
