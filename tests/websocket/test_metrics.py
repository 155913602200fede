"""What /metrics counts, each shown by doing it: open sockets, posts and their commit time,
deliveries, resume outcomes, refills, 4000 closes, rate-limit answers and login failures."""

import uuid

import pytest
from asgiref.sync import sync_to_async
from django.test import Client
from prometheus_client import REGISTRY

from api.errors import error_response
from chat.services.messages import message_post
from chat.services.rooms import room_create
from parley import events
from tests.conftest import PASSWORD

from .test_feed_order import Flaky

pytestmark = pytest.mark.django_db(transaction=True)


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Delta:
    """The change of each named sample between entering and reading."""

    def __init__(self, *samples: tuple):
        self.samples = samples
        self.before = [value(name, **labels) for name, labels in samples]

    def __call__(self) -> list[float]:
        return [
            value(name, **labels) - start
            for (name, labels), start in zip(self.samples, self.before, strict=True)
        ]


async def hello(open_socket, token=None):
    _, socket = await open_socket(token=token)
    await socket.recv()
    return socket


async def test_open_sockets_rise_and_fall(open_socket, user_with_token):
    _, token = await sync_to_async(user_with_token)("ada")
    start = value("parley_open_sockets")
    sockets = [await hello(open_socket, token) for _ in range(3)]
    assert value("parley_open_sockets") == start + 3
    for socket in sockets:
        await socket.close()
    assert value("parley_open_sockets") == start


async def test_posts_retries_commit_time_and_deliveries_are_counted(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    listeners = [await hello(open_socket, token) for _ in range(3)]
    for socket in listeners:
        await socket.send(type="subscribe", room="g")
        await socket.recv()
    delta = Delta(
        ("parley_posts_total", {"outcome": "stored"}),
        ("parley_posts_total", {"outcome": "retry"}),
        ("parley_post_commit_seconds_count", {}),
        ("parley_deliveries_total", {}),
    )
    client_id = str(uuid.uuid4())
    await listeners[0].post("g", "hello", client_id=client_id)
    await listeners[0].post("g", "hello", client_id=client_id)  # its own message came between
    for socket in listeners[1:]:
        await socket.recv_until("message")
    assert delta() == [1, 1, 1, 3]
    assert value("parley_post_commit_seconds_sum") > 0


async def test_resume_outcomes_replayed_and_reset(open_socket, user_with_token, settings):
    settings.PARLEY_REPLAY_LIMIT = 3
    ada, token = await sync_to_async(user_with_token)("ada")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    for i in range(5):
        await sync_to_async(message_post)(
            author=ada, room=room, body=f"m{i}", client_id=uuid.uuid4()
        )
    socket = await hello(open_socket, token)
    delta = Delta(
        ("parley_resumes_total", {"outcome": "replayed"}),
        ("parley_resumes_total", {"outcome": "reset"}),
        ("parley_replayed_messages_total", {}),
    )
    await socket.send(type="subscribe", room="g", since=3)
    assert [(await socket.recv())["type"] for _ in range(3)] == ["subscribed", "message", "message"]
    await socket.send(type="subscribe", room="g", since=0)
    assert [(await socket.recv())["type"] for _ in range(2)] == ["subscribed", "reset"]
    await socket.send(type="subscribe", room="g")  # no `since`: not a resume
    await socket.recv()
    assert delta() == [1, 1, 2]


async def test_refills_and_4000_closes_are_counted(open_socket, user_with_token, monkeypatch):
    from django.db import OperationalError

    from realtime.delivery import source

    ada, token = await sync_to_async(user_with_token)("ada")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    socket = await hello(open_socket, token)
    await socket.send(type="subscribe", room="g")
    await socket.recv()
    delta = Delta(
        ("parley_refills_total", {"scope": "process"}), ("parley_reconnect_closes_total", {})
    )
    monkeypatch.setattr(events, "backend", lambda: Flaky(drop={1}))

    def down(**kwargs):
        raise OperationalError("database is down")

    monkeypatch.setattr(source, "read_range", down)
    for i in range(2):
        await sync_to_async(message_post)(
            author=ada, room=room, body=f"m{i}", client_id=uuid.uuid4()
        )
    assert await socket.closed_with() == 4000
    refills, closes = delta()
    assert refills >= 1 and closes == 1


async def test_rate_limit_answers_are_counted(open_socket, user_with_token, settings):
    settings.PARLEY_POST_RATE = (0.001, 1)
    settings.PARLEY_FRAME_RATE = (0.001, 4)
    ada, token = await sync_to_async(user_with_token)("ada")
    await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    delta = Delta(
        ("parley_rate_limited_total", {"where": "websocket"}),
        ("parley_rate_limited_total", {"where": "flood"}),
        ("parley_rate_limited_total", {"where": "http"}),
    )
    socket = await hello(open_socket, token)
    await socket.post("g", "1")
    await socket.send(type="post", room="g", body="2", client_id=str(uuid.uuid4()))
    assert (await socket.recv())["code"] == "rate_limited"
    for _ in range(3):  # the frame bucket holds 4: two posts, two pings, then the flood
        await socket.send(type="ping")
    assert [(await socket.recv())["type"] for _ in range(2)] == ["pong", "pong"]
    assert await socket.closed_with() == 4429
    error_response(
        status=429, code="rate_limited", message="Too many."
    )  # every REST 429 is made here
    assert delta() == [1, 1, 1]


def test_login_failures_are_counted_from_every_door(transactional_db, make_user):
    make_user("ada")
    delta = Delta(("parley_login_failures_total", {}))
    client = Client()
    client.post(
        "/api/v1/auth/token",
        {"username": "ada", "password": "wrong"},
        content_type="application/json",
    )
    client.post("/accounts/login/", {"username": "ada", "password": "wrong"})
    client.post("/admin/login/", {"username": "ada", "password": "wrong"})
    assert delta() == [3]
    client.post(
        "/api/v1/auth/token",
        {"username": "ada", "password": PASSWORD},
        content_type="application/json",
    )
    assert delta() == [3]
