"""The channel layer is only a doorbell: dropped or repeated events still give each socket every
message once, in seq order, because the consumer refills gaps from the database."""

import uuid

import pytest
from asgiref.sync import sync_to_async

from chat.services.messages import message_post
from chat.services.rooms import room_create
from parley import events
from realtime.delivery.fanout import ChannelLayerFanout

pytestmark = pytest.mark.django_db(transaction=True)


class Flaky:
    """Drops the events whose seq is in `drop`, sends the others twice."""

    def __init__(self, drop):
        self.drop, self.real = drop, ChannelLayerFanout()

    def publish(self, event):
        if getattr(event, "seq", None) in self.drop:
            return
        self.real.publish(event)
        self.real.publish(event)


async def test_dropped_events_are_refilled_and_repeats_skipped(
    open_socket, user_with_token, monkeypatch
):
    ada, token = await sync_to_async(user_with_token)("ada")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    _, socket = await open_socket(token=token)
    await socket.recv()
    await socket.send(type="subscribe", room="g")
    await socket.recv()
    _, tutorial = await open_socket("/ws/chat/g/")
    flaky = Flaky(drop={2, 3})
    monkeypatch.setattr(events, "backend", lambda: flaky)
    for i in range(1, 5):
        await sync_to_async(message_post)(
            author=ada, room=room, body=f"m{i}", client_id=uuid.uuid4()
        )
    assert [(await socket.recv())["seq"] for _ in range(4)] == [1, 2, 3, 4]
    assert await socket.silent()
    assert [(await tutorial.recv())["message"] for _ in range(4)] == ["m1", "m2", "m3", "m4"]
    assert await tutorial.silent()


async def test_publish_failure_never_undoes_the_commit(open_socket, user_with_token, monkeypatch):
    ada, token = await sync_to_async(user_with_token)("ada")
    await sync_to_async(room_create)(owner=ada, name="g", slug="g")

    class Broken:
        def publish(self, event):
            raise ConnectionError("the layer is down")

    monkeypatch.setattr(events, "backend", lambda: Broken())
    _, socket = await open_socket(token=token)
    await socket.recv()
    ack = await socket.post("g", "kept")
    assert ack["seq"] == 1
    monkeypatch.undo()
    await socket.send(type="subscribe", room="g", since=0)
    await socket.recv()
    assert (await socket.recv())["body"] == "kept"


async def test_gap_that_cannot_be_refilled_asks_the_client_to_resume(
    open_socket, user_with_token, monkeypatch
):
    from django.db import OperationalError

    from realtime.delivery import source

    ada, token = await sync_to_async(user_with_token)("ada")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    _, socket = await open_socket(token=token)
    await socket.recv()
    await socket.send(type="subscribe", room="g")
    await socket.recv()
    monkeypatch.setattr(events, "backend", lambda: Flaky(drop={1}))

    def down(**kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(source, "read_range", down)
    for i in range(2):
        await sync_to_async(message_post)(
            author=ada, room=room, body=f"m{i}", client_id=uuid.uuid4()
        )
    assert await socket.closed_with() == 4000
