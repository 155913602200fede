"""Files over the socket: a `post` frame names pending uploads (v1 and v2); a posted image's
thumbnail arrives as `message_updated`, live and on resume."""

import pytest
from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile

from chat.services.attachments import attachment_upload
from chat.services.rooms import room_create
from jobs import run_ready
from tests.files import png

from .test_protocol_v2 import V2, hello, subscribed

pytestmark = pytest.mark.django_db(transaction=True)


def upload(user, room, data: bytes, name: str):
    return attachment_upload(uploader=user, room=room, upload=SimpleUploadedFile(name, data))


@pytest.mark.parametrize("path", ["/ws/", V2])
async def test_a_post_frame_carries_files_with_an_empty_body(open_socket, user_with_token, path):
    ada, token = await sync_to_async(user_with_token)("ada")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    picture = await sync_to_async(upload)(ada, room, png(30, 20), "small.png")
    socket, _ = await hello(open_socket, token, path)
    await subscribed(socket, "g")
    ack = await socket.post("g", "", files=[picture.pk])
    assert ack["type"] == "ack"
    frame = await socket.recv_until("message")
    message = frame["message"] if path == V2 else frame
    assert message["body"] == ""
    [attachment] = message["attachments"]
    assert attachment["id"] == picture.pk
    assert attachment["image"] == {"width": 30, "height": 20, "thumbnail": None}


async def test_a_post_frame_naming_someone_elses_file_is_not_found(open_socket, user_with_token):
    ada, _ = await sync_to_async(user_with_token)("ada")
    _, eve_token = await sync_to_async(user_with_token)("eve")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    theirs = await sync_to_async(upload)(ada, room, b"ada's", "a.txt")
    socket, _ = await hello(open_socket, eve_token, "/ws/")
    await socket.send(
        type="post",
        room="g",
        body="mine",
        client_id="77777777-7777-4777-8777-777777777777",
        files=[theirs.pk],
    )
    error = await socket.recv_until("error")
    assert error["code"] == "not_found"


async def test_too_many_files_in_a_frame_is_a_bad_request(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    socket, _ = await hello(open_socket, token, "/ws/")
    await socket.send(
        type="post",
        room="g",
        body="x",
        client_id="77777777-7777-4777-8777-777777777777",
        files=list(range(1, 12)),
    )
    assert (await socket.recv_until("error"))["code"] == "bad_request"


async def test_a_thumbnail_arrives_as_message_updated_live_and_on_resume(
    open_socket, user_with_token
):
    ada, token = await sync_to_async(user_with_token)("ada")
    _, bob_token = await sync_to_async(user_with_token)("bob")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    picture = await sync_to_async(upload)(ada, room, png(1200, 800), "screenshot.png")
    bob, _ = await hello(open_socket, bob_token)
    await subscribed(bob, "g")
    ada_socket, _ = await hello(open_socket, token)
    ack = await ada_socket.post("g", "look", files=[picture.pk])
    posted = await bob.recv_until("message")
    assert posted["message"]["attachments"][0]["image"]["thumbnail"] is None

    await sync_to_async(run_ready)()

    updated = await bob.recv_until("message_updated")
    assert updated["seq"] == ack["seq"] + 1
    [attachment] = updated["message"]["attachments"]
    assert attachment["image"]["thumbnail"] == {
        "url": f"/files/{picture.pk}/thumbnail/",
        "width": 400,
        "height": 267,
    }
    assert updated["message"]["version"] == updated["seq"]
    # The job ran once for good: a second run changes nothing and says nothing.
    await sync_to_async(run_ready)()
    assert await bob.silent()
    # Someone who was away is replayed the update.
    late, _ = await hello(open_socket, bob_token)
    await subscribed(late, "g", since=ack["seq"])
    replayed = await late.recv()
    assert replayed["type"] == "message_updated"
    assert replayed["message"]["attachments"][0]["image"]["thumbnail"]["width"] == 400
