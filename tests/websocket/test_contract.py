"""`/ws/` exactly as docs/protocol.md states it: conflicts on reused client_ids, the canonical
client_id, typing without a subscription, the subscription limit, `before=0`."""

import uuid

import pytest
from asgiref.sync import sync_to_async

from chat.models import Message
from chat.services.messages import message_post
from chat.services.rooms import room_create
from realtime.consumers import protocol as protocol_consumer

pytestmark = pytest.mark.django_db(transaction=True)


async def hello(open_socket, token):
    connected, socket = await open_socket(token=token)
    assert connected and (await socket.recv())["type"] == "hello"
    return socket


async def test_a_client_id_reused_in_another_room_is_a_conflict(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    for slug in ("one", "two"):
        await sync_to_async(room_create)(owner=ada, name=slug, slug=slug)
    socket = await hello(open_socket, token)
    client_id = str(uuid.uuid4())
    await socket.post("one", "hi", client_id)
    await socket.send(type="post", room="two", body="hi", client_id=client_id, ref="p")
    frame = await socket.recv()
    assert (frame["type"], frame["code"], frame["ref"]) == ("error", "conflict", "p")


async def test_a_retry_with_another_body_is_a_conflict_and_stores_nothing(
    open_socket, user_with_token
):
    ada, token = await sync_to_async(user_with_token)("ada")
    await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    socket = await hello(open_socket, token)
    client_id = str(uuid.uuid4())
    await socket.post("g", "first", client_id)
    await socket.send(type="post", room="g", body="second", client_id=client_id, ref="p")
    frame = await socket.recv()
    assert (frame["code"], frame["ref"]) == ("conflict", "p") and "different body" in frame[
        "message"
    ]
    assert await sync_to_async(list)(Message.objects.values_list("body", flat=True)) == ["first"]


async def test_an_upper_case_client_id_is_acked_in_canonical_lower_case(
    open_socket, user_with_token
):
    ada, token = await sync_to_async(user_with_token)("ada")
    await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    socket = await hello(open_socket, token)
    client_id = str(uuid.uuid4()).upper()
    ack = await socket.post("g", "hi", client_id)
    assert ack["client_id"] == client_id.lower()
    again = await socket.post("g", "hi", client_id.lower())
    assert (again["seq"], again["id"]) == (ack["seq"], ack["id"])


async def test_typing_into_an_unsubscribed_room_reaches_its_subscribers(
    open_socket, user_with_token
):
    ada, ada_token = await sync_to_async(user_with_token)("ada")
    _, bob_token = await sync_to_async(user_with_token)("bob")
    await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    typist, listener = await hello(open_socket, ada_token), await hello(open_socket, bob_token)
    await listener.send(type="subscribe", room="g")
    await listener.recv()
    await typist.send(type="typing", room="g", ref="t")
    frame = await listener.recv()
    assert (frame["type"], frame["user"]["username"]) == ("typing", "ada")
    assert await typist.silent()  # nothing is answered, no error


async def test_the_subscription_past_the_limit_is_bad_request(
    open_socket, user_with_token, monkeypatch
):
    monkeypatch.setattr(protocol_consumer, "MAX_SUBSCRIPTIONS", 2)
    ada, token = await sync_to_async(user_with_token)("ada")
    for slug in ("a", "b", "c"):
        await sync_to_async(room_create)(owner=ada, name=slug, slug=slug)
    socket = await hello(open_socket, token)
    for slug in ("a", "b"):
        await socket.send(type="subscribe", room=slug)
        assert (await socket.recv())["type"] == "subscribed"
    await socket.send(type="subscribe", room="c", ref="s")
    frame = await socket.recv()
    assert (frame["code"], frame["ref"]) == ("bad_request", "s") and "At most 2" in frame["message"]
    await socket.send(type="subscribe", room="a")  # an existing one may be restarted
    assert (await socket.recv())["type"] == "subscribed"


async def test_history_before_0_is_an_empty_page(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    await sync_to_async(message_post)(author=ada, room=room, body="m", client_id=uuid.uuid4())
    socket = await hello(open_socket, token)
    await socket.send(type="history", room="g", before=0)
    page = await socket.recv()
    assert (page["messages"], page["has_more"]) == ([], False)
