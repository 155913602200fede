"""Limits per user and per address, whatever the socket or transport: post rates, socket caps
and the replay budget (docs/protocol.md, "Connecting"; throttle/services.py)."""

import json
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from chat.models import Message
from chat.services.messages import message_post
from chat.services.rooms import room_create

from .conftest import ORIGIN, Socket

pytestmark = pytest.mark.django_db(transaction=True)


async def hello(open_socket, token=None, path="/ws/"):
    connected, socket = await open_socket(path, token=token)
    assert connected
    if path == "/ws/":
        assert (await socket.recv())["type"] == "hello"
    return socket


async def stored() -> int:
    return await sync_to_async(Message.objects.count)()


# ---- post rate, per user ----


async def test_many_sockets_of_one_user_share_one_post_rate(open_socket, user_with_token, settings):
    settings.PARLEY_POST_RATE = (0.001, 4)
    ada, token = await sync_to_async(user_with_token)("ada")
    await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    sockets = [await hello(open_socket, token) for _ in range(6)]
    answers = []
    for socket in sockets:
        await socket.send(type="post", room="g", body="hi", client_id=str(uuid.uuid4()), ref="p")
        answers.append(await socket.recv_until("ack") if len(answers) < 4 else await socket.recv())
    assert [a["type"] for a in answers] == ["ack"] * 4 + ["error"] * 2
    assert all(
        a["code"] == "rate_limited" and a["retry_after"] > 0 and a["ref"] == "p"
        for a in answers[4:]
    )
    assert await stored() == 4


async def test_tutorial_endpoint_is_rate_limited_per_user(open_socket, user_with_token, settings):
    settings.PARLEY_POST_RATE = (0.001, 3)
    _, token = await sync_to_async(user_with_token)("ada")
    one = await hello(open_socket, token, "/ws/chat/lobby/")
    two = await hello(open_socket, token, "/ws/chat/lobby/")
    for socket in (one, two, one, two, one):
        await socket.send(message="hi")
    errors = []
    for socket in (one, two):
        while not await socket.silent(0.3):
            frame = await socket.recv()
            if "error" in frame:
                errors.append(frame)
    assert len(errors) == 2
    assert all(
        e["error"] == "rate_limited" and e["retry_after"] > 0 and e["message"] for e in errors
    )
    assert await stored() == 3


async def test_rest_websocket_and_tutorial_posts_spend_one_budget(
    open_socket, user_with_token, settings
):
    settings.PARLEY_POST_RATE = (0.001, 3)
    ada, token = await sync_to_async(user_with_token)("ada")
    await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    client = Client(headers={"Authorization": f"Bearer {token}"})

    def rest_post():
        body = json.dumps({"body": "rest", "client_id": str(uuid.uuid4())})
        return client.post("/api/v1/rooms/g/messages", body, content_type="application/json")

    assert (await sync_to_async(rest_post)()).status_code == 201
    v1 = await hello(open_socket, token)
    assert (await v1.post("g", "v1"))["type"] == "ack"
    tutorial = await hello(open_socket, token, "/ws/chat/g/")
    await tutorial.send(message="tutorial")
    assert await tutorial.recv() == {"message": "tutorial"}
    refused = await sync_to_async(rest_post)()
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused.json()["code"] == "rate_limited"
    await v1.send(type="post", room="g", body="again", client_id=str(uuid.uuid4()))
    assert (await v1.recv())["code"] == "rate_limited"
    assert await stored() == 3


async def test_other_users_keep_their_own_post_rate(open_socket, user_with_token, settings):
    settings.PARLEY_POST_RATE = (0.001, 1)
    ada, ada_token = await sync_to_async(user_with_token)("ada")
    _, bob_token = await sync_to_async(user_with_token)("bob")
    await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    ada_socket, bob_socket = (
        await hello(open_socket, ada_token),
        await hello(open_socket, bob_token),
    )
    assert (await ada_socket.post("g", "1"))["type"] == "ack"
    assert (await bob_socket.post("g", "1"))["type"] == "ack"


# ---- socket caps ----


async def open_from(path: str, *, token: str | None = None, address: str = "203.0.113.7"):
    """A socket from a client address (the scope's `client`, as the server sets it)."""
    from config.asgi import application

    headers = [(b"origin", ORIGIN)]
    if token:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    communicator.scope["client"] = (address, 50000)
    connected, _ = await communicator.connect()
    assert connected
    return Socket(communicator)


async def assert_refused_4430(socket: Socket, whose: str):
    output = await socket.communicator.receive_output(3)
    assert output["type"] == "websocket.close" and output["code"] == 4430, output
    assert whose in output["reason"]


async def test_one_user_may_hold_at_most_the_cap_of_sockets_on_both_endpoints(
    user_with_token, settings
):
    settings.PARLEY_MAX_SOCKETS_PER_USER = 2
    _, token = await sync_to_async(user_with_token)("ada")
    first = await open_from("/ws/", token=token, address="203.0.113.1")
    assert (await first.recv())["type"] == "hello"
    await open_from("/ws/chat/lobby/", token=token, address="203.0.113.2")
    await assert_refused_4430(await open_from("/ws/", token=token, address="203.0.113.3"), "user")
    await assert_refused_4430(await open_from("/ws/chat/lobby/", token=token), "user")
    await first.close()
    again = await open_from("/ws/", token=token)
    assert (await again.recv())["type"] == "hello"  # closing one freed its place
    _, bob_token = await sync_to_async(user_with_token)("bob")
    assert (await (await open_from("/ws/", token=bob_token)).recv())["type"] == "hello"


async def test_one_address_may_hold_at_most_the_cap_of_sockets_anonymous_too(
    user_with_token, settings
):
    settings.PARLEY_MAX_SOCKETS_PER_ADDRESS = 2
    _, token = await sync_to_async(user_with_token)("ada")
    await open_from("/ws/", address="198.51.100.1")
    await open_from("/ws/", token=token, address="198.51.100.1")
    await assert_refused_4430(await open_from("/ws/", address="198.51.100.1"), "address")
    await assert_refused_4430(await open_from("/ws/chat/lobby/", address="198.51.100.1"), "address")
    elsewhere = await open_from("/ws/", address="198.51.100.2")
    assert (await elsewhere.recv())["type"] == "hello"


# ---- replay budget ----


@pytest.fixture
def busy_room(user_with_token):
    """A room with 40 messages, and a token of its owner."""

    def make():
        ada, token = user_with_token("ada")
        room = room_create(owner=ada, name="busy", slug="busy")
        for n in range(40):
            message_post(author=ada, room=room, body=f"m{n}", client_id=uuid.uuid4())
        return token

    return make


async def replayed(socket: Socket, since: int = 0) -> tuple[int, dict]:
    """Subscribe with `since`; (message frames received, the answer: subscribed or error)."""
    await socket.send(type="subscribe", room="busy", since=since, ref="s")
    answer = await socket.recv()
    count = 0
    if answer["type"] == "subscribed":
        while count < answer["last_seq"] - since:
            assert (await socket.recv())["type"] == "message"
            count += 1
        await socket.send(type="unsubscribe", room="busy")
        assert (await socket.recv())["type"] == "unsubscribed"
    return count, answer


async def test_resubscribing_over_and_over_is_bounded_by_the_users_replay_budget(
    open_socket, busy_room, settings
):
    settings.PARLEY_REPLAY_RATE = (0.001, 100)
    token = await sync_to_async(busy_room)()
    one, two = await hello(open_socket, token), await hello(open_socket, token)
    sent, answers = 0, []
    for _ in range(5):
        for socket in (one, two):
            count, answer = await replayed(socket)
            sent += count
            answers.append(answer)
    # Two replays of 40 fit in 100; every later one is refused before anything is sent.
    assert sent == 80
    assert [a["type"] for a in answers] == ["subscribed"] * 2 + ["error"] * 8
    assert all(
        a["code"] == "rate_limited" and a["retry_after"] > 0 and a["ref"] == "s"
        for a in answers[2:]
    )
    # A refused socket is not subscribed: it hears nothing new.
    assert await one.silent(0.2) and await two.silent(0.2)


async def test_a_subscribe_without_since_costs_nothing(open_socket, busy_room, settings):
    settings.PARLEY_REPLAY_RATE = (0.001, 40)
    token = await sync_to_async(busy_room)()
    socket = await hello(open_socket, token)
    for _ in range(5):
        await socket.send(type="subscribe", room="busy")
        assert (await socket.recv())["type"] == "subscribed"
    assert (await replayed(socket))[0] == 40


async def test_history_pages_spend_the_same_replay_budget(open_socket, busy_room, settings):
    settings.PARLEY_REPLAY_RATE = (0.001, 60)
    token = await sync_to_async(busy_room)()
    socket = await hello(open_socket, token)
    assert (await replayed(socket))[0] == 40
    await socket.send(type="history", room="busy", limit=20, ref="h")
    assert len((await socket.recv())["messages"]) == 20
    await socket.send(type="history", room="busy", limit=20, ref="h")
    refused = await socket.recv()
    assert (
        refused["type"] == "error"
        and refused["code"] == "rate_limited"
        and refused["retry_after"] > 0
    )


async def test_a_refused_resubscribe_leaves_the_room_unsubscribed(
    open_socket, busy_room, user_with_token, settings
):
    settings.PARLEY_REPLAY_RATE = (0.001, 50)
    token = await sync_to_async(busy_room)()
    socket = await hello(open_socket, token)
    await socket.send(type="subscribe", room="busy", since=0)
    assert (await socket.recv())["type"] == "subscribed"
    for _ in range(40):
        assert (await socket.recv())["type"] == "message"
    await socket.send(type="subscribe", room="busy", since=0)
    assert (await socket.recv())["code"] == "rate_limited"
    poster = await hello(open_socket, (await sync_to_async(user_with_token)("bob"))[1])
    assert (await poster.post("busy", "after"))["type"] == "ack"
    assert await socket.silent(0.3)  # the refused subscribe ended the subscription
    await socket.send(type="post", room="busy", body="mine", client_id=str(uuid.uuid4()))
    assert (await socket.recv())["type"] == "ack"  # and no message frame: not subscribed
    assert await socket.silent(0.3)
