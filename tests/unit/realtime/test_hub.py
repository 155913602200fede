"""The room hub: in-order, once-only writes; a slow socket never stalls its room."""

import asyncio

import pytest

from realtime import hub as hub_module
from realtime.fanout import ROOM_MESSAGE, ROOM_TYPING
from realtime.hub import Member, RoomHub, send_eagerly


class Socket:
    """A member's socket. `stalled` makes sends wait, as a full send buffer does."""

    def __init__(self):
        self.frames: list[str] = []
        self.stalled: asyncio.Event | None = None
        self.gaps: list[tuple[int, int, int]] = []
        self.overflowed = False
        self.member = Member(
            send=self.send,
            frame_key="frame",
            origin=str(id(self)),
            on_gap=self.on_gap,
            on_overflow=self.on_overflow,
        )

    async def send(self, message):
        if self.stalled is not None:
            await self.stalled.wait()
        self.frames.append(message["text"])

    async def on_gap(self, member, room_id, after, upto):
        self.gaps.append((room_id, after, upto))
        for seq in range(after + 1, upto + 1):
            self.frames.append(f"refilled {seq}")
            member.cursors[room_id] = seq

    async def on_overflow(self, member):
        self.overflowed = True


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


def message(room_id: int, seq: int) -> dict:
    return {
        "type": ROOM_MESSAGE,
        "room_id": room_id,
        "seq": seq,
        "frame": f"m{seq}",
        "tutorial": f"t{seq}",
    }


@pytest.fixture
async def hub():
    fetched = []

    async def fetch(room_id, after, upto, limit):
        fetched.append((room_id, after, upto))
        stored = min(upto, room_hub.stored)
        return [
            {"seq": s, "frame": f"db{s}", "tutorial": f"dbt{s}"}
            for s in range(after + 1, stored + 1)
        ][:limit]

    room_hub = RoomHub(Layer(), fetch=fetch)
    room_hub.fetched = fetched
    room_hub.stored = 100  # the newest seq "in the database"
    yield room_hub
    await room_hub.close()


async def joined(room_hub, room_id=1, last_seq=0) -> Socket:
    socket = Socket()
    await room_hub.join(room_id, socket.member)
    socket.member.cursors[room_id] = last_seq
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
    assert slow.frames == [] and len(slow.member.backlog) == 9  # one write is in flight
    slow.stalled.set()
    for _ in range(20):
        await asyncio.sleep(0)
    assert slow.frames == [f"m{s}" for s in range(1, 11)]


async def test_a_socket_too_far_behind_is_closed_for_resume(hub, monkeypatch):
    monkeypatch.setattr(hub_module, "MAX_BACKLOG", 5)
    fast, slow = await joined(hub), await joined(hub)
    slow.stalled = asyncio.Event()
    for seq in range(1, 10):
        await hub.handle(message(1, seq))
    await asyncio.sleep(0)
    assert slow.overflowed and slow.member.closed
    assert len(fast.frames) == 9


async def test_held_frames_wait_and_follow_in_order(hub):
    socket = await joined(hub)
    socket.member.hold()
    await hub.handle(message(1, 1))
    socket.frames.append("ack")
    socket.member.release()
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
    await asyncio.sleep(0)
    assert socket.gaps == [(1, 0, 5)]
    assert socket.frames == [f"refilled {s}" for s in range(1, 6)] + ["m6"]


async def test_typing_skips_its_origin_and_the_tutorial_endpoint(hub):
    typist, other, tutorial = await joined(hub), await joined(hub), await joined(hub)
    tutorial.member.hears_room_events = False
    await hub.handle(
        {"type": ROOM_TYPING, "room_id": 1, "origin": typist.member.origin, "frame": "typing"}
    )
    assert (typist.frames, other.frames, tutorial.frames) == ([], ["typing"], [])


async def test_recovery_catches_every_room_up(hub):
    hub.stored = 4  # 3 and 4 were posted while the layer was away
    behind, ahead = await joined(hub, last_seq=2), await joined(hub, last_seq=3)
    await hub.handle({"type": "layer.recovered"})
    assert [f[:2] for f in hub.fetched] == [(1, 2)]
    assert (behind.frames, ahead.frames) == (["db3", "db4"], ["db4"])


async def test_recovery_too_large_to_catch_up_closes_for_resume(hub, monkeypatch):
    monkeypatch.setattr(hub_module, "MAX_BACKLOG", 5)
    hub.stored = 50
    socket = await joined(hub, last_seq=2)
    await hub.handle({"type": "layer.recovered"})
    await asyncio.sleep(0)
    assert socket.overflowed and socket.frames == []


async def test_a_layer_that_does_not_answer_never_hangs_join_or_leave(hub, monkeypatch):
    monkeypatch.setattr(hub_module, "LAYER_CALL_TIMEOUT", 0.05)

    async def never(*args):
        await asyncio.Event().wait()

    hub.layer.group_add = hub.layer.group_discard = never
    socket = Socket()
    await asyncio.wait_for(hub.join(1, socket.member), 1)
    await asyncio.wait_for(hub.leave(1, socket.member), 1)
    assert 1 not in hub.rooms
