"""Link previews on protocol v2: the card arrives as `message_updated` on the room's stream (live,
and replayed to a socket that resumes later), and `preview_remove` takes it off."""

import uuid

import pytest
from asgiref.sync import sync_to_async

from chat.models import LinkPreview
from chat.services.messages import message_post
from chat.services.rooms import room_create, room_join
from jobs import run_ready

from .test_protocol_v2 import V2, hello, subscribed

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_card_arrives_live_and_on_resume(open_socket, user_with_token, link_server):
    ada, token = await sync_to_async(user_with_token)("ada")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    live, _ = await hello(open_socket, token)
    await subscribed(live, "g")
    url = link_server.url("/og")
    await sync_to_async(message_post)(author=ada, room=room, body=url, client_id=uuid.uuid4())
    posted = await live.recv()
    assert (posted["type"], posted["seq"], posted["message"]["previews"]) == ("message", 1, [])
    await sync_to_async(run_ready)()
    updated = await live.recv()
    assert (updated["type"], updated["seq"]) == ("message_updated", 2)
    (card,) = updated["message"]["previews"]
    assert (card["url"], card["title"]) == (url, "Deploy & ship")
    assert updated["message"]["version"] == 2

    later, _ = await hello(open_socket, token)
    await subscribed(later, "g", since=1)
    replayed = await later.recv()
    assert (replayed["type"], replayed["seq"]) == ("message_updated", 2)
    assert replayed["message"]["previews"] == [card]


async def test_preview_remove_takes_the_card_off_for_everyone(
    open_socket, user_with_token, link_server
):
    ada, token = await sync_to_async(user_with_token)("ada")
    bob, bob_token = await sync_to_async(user_with_token)("bob")
    room = await sync_to_async(room_create)(owner=ada, name="g", slug="g")
    await sync_to_async(room_join)(room=room, user=bob)
    message, _ = await sync_to_async(message_post)(
        author=ada, room=room, body=link_server.url("/og"), client_id=uuid.uuid4()
    )
    await sync_to_async(run_ready)()
    preview = await LinkPreview.objects.aget()
    theirs, _ = await hello(open_socket, bob_token)
    await subscribed(theirs, "g")
    await theirs.send(type="preview_remove", room="g", id=message.pk, preview=preview.pk, ref="x")
    refused = await theirs.recv()
    assert (refused["type"], refused["code"], refused["ref"]) == ("error", "forbidden", "x")

    mine, _ = await hello(open_socket, token)
    await subscribed(mine, "g")
    await mine.send(type="preview_remove", room="g", id=message.pk, preview=preview.pk, ref="r")
    done = await mine.recv_until("done")
    assert done["ref"] == "r"
    for socket in (mine, theirs):
        updated = await socket.recv_until("message_updated")
        assert updated["message"]["previews"] == [] and updated["seq"] == done["seq"]
    await mine.send(type="preview_remove", room="g", id=message.pk, preview=preview.pk, ref="again")
    again = await mine.recv()
    assert (again["type"], again["code"]) == ("error", "not_found")


async def test_preview_remove_is_checked_like_every_frame(open_socket, user_with_token):
    _, token = await sync_to_async(user_with_token)("ada")
    for path in ("/ws/", V2):
        socket, _ = await hello(open_socket, token, path)
        await socket.send(type="preview_remove", room="g", id=1, preview="x")
        assert (await socket.recv())["code"] == "bad_request"
        await socket.send(type="preview_remove", room="g", id=1, preview=1)
        assert (await socket.recv())["code"] == "not_found"
