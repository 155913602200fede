"""Random interleavings of posts, replies, edits, deletions, reactions and pins by several v2
clients, with events dropped and repeated on the way and clients that disconnect and resume:
every client's rebuilt timeline equals the database's (issue 8, "Proof")."""

import random
import uuid

import pytest
from asgiref.sync import sync_to_async

from chat.models import Message, Room
from chat.selectors import message_payloads
from chat.services.rooms import room_create
from parley import events
from realtime.delivery.fanout import ChannelLayerFanout
from tests.timeline import ROOM_CHANGES, Timeline

pytestmark = pytest.mark.django_db(transaction=True)

EMOJI = ["👍", "🎉", "👀"]
BENIGN = {"not_found", "conflict", "forbidden"}  # a race with another client's deletion, say


class Lossy:
    """The fan-out, dropping some events and sending others twice (seeded)."""

    def __init__(self, rng: random.Random):
        self.rng, self.real = rng, ChannelLayerFanout()

    def publish(self, event):
        roll = self.rng.random()
        if isinstance(event, events.RoomChange) and roll < 0.2:
            return
        self.real.publish(event)
        if roll > 0.9:
            self.real.publish(event)


class Client:
    def __init__(self, name, token, open_socket):
        self.name, self.token, self.open_socket = name, token, open_socket
        self.timeline = Timeline()
        self.socket = None
        self.refs = 0

    async def connect(self):
        connected, self.socket = await self.open_socket("/ws/?protocol=2", token=self.token)
        assert connected and (await self.socket.recv())["type"] == "hello"
        await self.request(type="subscribe", room="g", since=self.timeline.seq)

    async def disconnect(self):
        await self.drain()
        await self.socket.close()
        self.socket = None

    async def request(self, **frame) -> dict:
        """Send a frame and read until its answer, applying the room frames met on the way."""
        self.refs += 1
        ref = f"{self.name}-{self.refs}"
        await self.socket.send(ref=ref, **frame)
        while True:
            answer = await self.socket.recv(timeout=5)
            if answer["type"] in ROOM_CHANGES:
                self.timeline.apply(answer)
            elif answer.get("ref") == ref:
                if answer["type"] == "error":
                    assert answer["code"] in BENIGN, answer
                return answer

    async def drain(self):
        while not await self.socket.silent(0.05):
            frame = await self.socket.recv()
            if frame["type"] in ROOM_CHANGES:
                self.timeline.apply(frame)


def database_view() -> tuple[int, dict[int, dict]]:
    room = Room.objects.get(slug="g")
    messages = list(Message.objects.filter(room=room).select_related("author").order_by("pk"))
    return room.last_event_seq, {m["id"]: m for m in message_payloads(messages, room_slug="g")}


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_every_clients_timeline_ends_equal_to_the_database(
    seed, open_socket, user_with_token, monkeypatch
):
    rng = random.Random(seed)
    users = [await sync_to_async(user_with_token)(f"user{n}") for n in range(3)]
    await sync_to_async(room_create)(owner=users[0][0], name="g", slug="g")
    monkeypatch.setattr(events, "backend", lambda: lossy)
    lossy = Lossy(rng)
    clients = [Client(user.username, token, open_socket) for user, token in users]
    for client in clients:
        await client.connect()
    mine: dict[str, list[int]] = {client.name: [] for client in clients}
    everything: list[int] = []
    for _ in range(60):
        client = rng.choice(clients)
        if client.socket is None:
            await client.connect()  # a resume from its cursor
            continue
        if rng.random() < 0.08:
            await client.disconnect()
            continue
        op = rng.choice(["post", "post", "reply", "edit", "delete", "react", "react", "pin"])
        targets = everything or [10**6]  # no message yet: a missing one
        if op in ("post", "reply"):
            extra = {}
            if op == "reply" and everything:
                extra = {"thread_root": rng.choice(everything), "also_to_room": rng.random() < 0.3}
            ack = await client.request(
                type="post",
                room="g",
                body=f"{op} {rng.random():.4f}",
                client_id=str(uuid.uuid4()),
                **extra,
            )
            if ack["type"] == "ack":
                mine[client.name].append(ack["id"])
                everything.append(ack["id"])
        elif op in ("edit", "delete") and mine[client.name]:
            target = rng.choice(mine[client.name])
            body = {"body": f"edited {rng.random():.4f}"} if op == "edit" else {}
            await client.request(type=op, room="g", id=target, **body)
        elif op == "react":
            kind = rng.choice(["react", "unreact"])
            await client.request(
                type=kind, room="g", id=rng.choice(targets), emoji=rng.choice(EMOJI)
            )
        elif op == "pin":
            await client.request(
                type=rng.choice(["pin", "unpin"]), room="g", id=rng.choice(targets)
            )
    # Everyone resumes once more: what was dropped at the very end is read then.
    for client in clients:
        if client.socket is not None:
            await client.disconnect()
        await client.connect()
        await client.drain()
    last_seq, messages = await sync_to_async(database_view)()
    assert last_seq > 0
    for client in clients:
        assert client.timeline.seq == last_seq
        assert client.timeline.messages == messages
