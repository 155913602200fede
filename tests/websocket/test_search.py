"""The `search` frame (protocol v2): answered by `search_results` with the one search's page;
errors as `error` frames with the frame's ref; version 1 does not know it."""

import uuid

import pytest
from asgiref.sync import sync_to_async

from chat.services.messages import message_post
from chat.services.rooms import room_create

pytestmark = pytest.mark.django_db(transaction=True)

V2 = "/ws/?protocol=2"


async def ready_socket(open_socket, token, path=V2):
    connected, socket = await open_socket(path, token=token)
    assert connected
    assert (await socket.recv())["type"] == "hello"
    if path == V2:
        assert (await socket.recv())["type"] == "ready"
    return socket


async def test_search_is_answered_with_results(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    room = await sync_to_async(room_create)(owner=ada, name="Ops", slug="ops")
    message, _ = await sync_to_async(message_post)(
        author=ada, room=room, body="the deploy is done", client_id=uuid.uuid4()
    )
    socket = await ready_socket(open_socket, token)
    await socket.send(type="search", q="deploy in:#ops", ref="s1")
    frame = await socket.recv_until("search_results")
    assert frame["ref"] == "s1" and frame["next_cursor"] is None
    [result] = frame["results"]
    assert (result["id"], result["room"]["slug"]) == (message.pk, "ops")
    assert "<mark>deploy</mark>" in result["snippet"]


async def test_a_bad_query_and_a_hidden_room_are_error_frames(open_socket, user_with_token):
    ada, _ = await sync_to_async(user_with_token)("ada")
    _, token = await sync_to_async(user_with_token)("bob")
    await sync_to_async(room_create)(owner=ada, name="Secret", slug="secret", private=True)
    socket = await ready_socket(open_socket, token)
    await socket.send(type="search", q="note:x", ref="a")
    bad = await socket.recv_until("error")
    assert (bad["code"], bad["ref"]) == ("bad_request", "a") and "Unknown filter" in bad["message"]
    await socket.send(type="search", q="x in:#secret", ref="b")
    hidden = await socket.recv_until("error")
    await socket.send(type="search", q="x in:#nowhere", ref="c")
    missing = await socket.recv_until("error")
    assert hidden["code"] == missing["code"] == "not_found"
    assert hidden["message"] == "There is no room 'secret'."
    await socket.send(type="search", q="x", limit=0, ref="d")
    assert (await socket.recv_until("error"))["code"] == "bad_request"


async def test_version_1_does_not_know_search(open_socket, user_with_token):
    _, token = await sync_to_async(user_with_token)("ada")
    socket = await ready_socket(open_socket, token, "/ws/")
    await socket.send(type="search", q="x")
    assert (await socket.recv_until("error"))["code"] == "unknown_type"


async def test_an_anonymous_visitor_searches_the_public_rooms(open_socket, user_with_token):
    ada, _ = await sync_to_async(user_with_token)("ada")
    public = await sync_to_async(room_create)(owner=ada, name="Open", slug="open")
    secret = await sync_to_async(room_create)(owner=ada, name="Secret", private=True)
    for room in (public, secret):
        await sync_to_async(message_post)(
            author=ada, room=room, body=f"plan in {room.name}", client_id=uuid.uuid4()
        )
    socket = await ready_socket(open_socket, None)
    await socket.send(type="search", q="plan")
    frame = await socket.recv_until("search_results")
    assert [result["room"]["slug"] for result in frame["results"]] == ["open"]
