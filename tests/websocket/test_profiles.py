"""Profiles on open sockets: a rename reaches the person's next message on every socket of
theirs and, as `user_updated`, the sockets of the people who share a room with them; ending a
session or logging out everywhere closes exactly the sockets those sessions opened (4401)."""

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from accounts.models import UserSession
from chat.services.rooms import room_create, room_join
from tests.api.client import ApiClient

pytestmark = pytest.mark.django_db(transaction=True)

V2 = "/ws/?protocol=2"


async def opened(open_socket, path=V2, **credentials):
    connected, socket = await open_socket(path, **credentials)
    assert connected
    hello = await socket.recv()
    assert hello["type"] == "hello"
    if hello["protocol"] == 2:
        assert (await socket.recv())["type"] == "ready"
    return socket


@sync_to_async
def signed_in(user) -> tuple[ApiClient, str]:
    client = Client()
    client.force_login(user)
    return ApiClient(client=client), f"sessionid={client.cookies['sessionid'].value}"


@sync_to_async
def call(api: ApiClient, method: str, path: str, body=None):
    response = api.call(method, path, body)
    assert response.status_code < 300, response.content
    return response.json() if response.content else None


async def test_a_rename_reaches_the_next_message_of_every_socket_of_the_person(
    open_socket, user_with_token
):
    ada, token = await sync_to_async(user_with_token)("ada", "Ada")
    await sync_to_async(room_create)(owner=ada, name="General", slug="general")
    renaming = await opened(open_socket, token=token)
    other_tab = await opened(open_socket, token=token)
    old_client = await opened(open_socket, "/ws/", token=token)  # protocol 1: no frame
    for socket in (other_tab, old_client):
        await socket.send(type="subscribe", room="general")
        await socket.recv_until("subscribed")

    await renaming.send(type="name", display_name="Ada Lovelace", ref="r")
    assert (await renaming.recv_until("named"))["user"]["display_name"] == "Ada Lovelace"
    updated = await other_tab.recv_until("user_updated")
    assert updated["user"]["display_name"] == "Ada Lovelace"
    assert updated["user"]["avatar"]["initials"] == "AL"

    await other_tab.post("general", "from the other tab")
    message = await other_tab.recv_until("message")
    assert message["message"]["author"]["display_name"] == "Ada Lovelace"
    # The hub hands a user event to all of a user's sockets before it reads the next one: the
    # version 1 socket took the new name before the other tab's frame was written.
    await old_client.post("general", "from the old client")
    message = await old_client.recv_until("message")
    assert message["author"]["display_name"] == "Ada Lovelace"
    assert message["author"]["avatar"]["initials"] == "AL"


async def test_people_who_share_a_room_are_told_and_no_one_else(open_socket, user_with_token):
    ada, ada_token = await sync_to_async(user_with_token)("ada")
    bob, bob_token = await sync_to_async(user_with_token)("bob")
    _, stranger_token = await sync_to_async(user_with_token)("stranger")
    room = await sync_to_async(room_create)(owner=ada, name="General", slug="general")
    await sync_to_async(room_join)(room=room, user=bob)
    bobs = await opened(open_socket, token=bob_token)
    strangers = await opened(open_socket, token=stranger_token)

    await call(ApiClient(ada_token), "PATCH", "/me", {"status_emoji": "🌴", "status_text": "Away"})
    frame = await bobs.recv_until("user_updated")
    assert frame["user"]["id"] == ada.pk
    assert frame["user"]["status"] == {"emoji": "🌴", "text": "Away"}
    assert set(frame) == {"type", "user"}

    # The stranger's first user_updated is their own change, made after ada's: ada's never came.
    await call(ApiClient(stranger_token), "PATCH", "/me", {"display_name": "Stranger"})
    assert (await strangers.recv_until("user_updated"))["user"]["display_name"] == "Stranger"


async def test_ending_one_session_closes_only_its_sockets(open_socket, user_with_token):
    ada, token = await sync_to_async(user_with_token)("ada")
    here, here_cookie = await signed_in(ada)
    _, there_cookie = await signed_in(ada)
    here_socket = await opened(open_socket, cookie=here_cookie)
    there_socket = await opened(open_socket, cookie=there_cookie)
    token_socket = await opened(open_socket, token=token)
    there_key = there_cookie.partition("=")[2]
    there_id = await sync_to_async(lambda: UserSession.objects.get(session_key=there_key).pk)()

    await call(here, "DELETE", f"/me/sessions/{there_id}")

    assert await there_socket.closed_with() == 4401
    for socket in (here_socket, token_socket):
        await socket.send(type="ping")
        assert (await socket.recv_until("pong"))["type"] == "pong"


async def test_logging_out_everywhere_closes_every_session_socket_but_the_callers(
    open_socket, user_with_token
):
    ada, token = await sync_to_async(user_with_token)("ada")
    here, here_cookie = await signed_in(ada)
    _, there_cookie = await signed_in(ada)
    _, elsewhere_cookie = await signed_in(ada)
    here_socket = await opened(open_socket, cookie=here_cookie)
    there_socket = await opened(open_socket, cookie=there_cookie)
    elsewhere_socket = await opened(open_socket, "/ws/", cookie=elsewhere_cookie)
    token_socket = await opened(open_socket, token=token)

    assert await call(here, "POST", "/me/logout-everywhere", {}) == {"ended": 2}

    assert await there_socket.closed_with() == 4401
    assert await elsewhere_socket.closed_with() == 4401
    for socket in (here_socket, token_socket):
        await socket.send(type="ping")
        assert (await socket.recv_until("pong"))["type"] == "pong"

    assert await call(here, "POST", "/me/logout-everywhere", {"keep_current": False}) == {
        "ended": 1
    }
    assert await here_socket.closed_with() == 4401
    await token_socket.send(type="ping")
    assert (await token_socket.recv_until("pong"))["type"] == "pong"


@sync_to_async
def picture_put(token: str, data: bytes) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    client = Client(headers={"Authorization": f"Bearer {token}"})
    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile("me.png", data)})
    response = client.put("/api/v1/me/avatar", body, content_type=MULTIPART_CONTENT)
    assert response.status_code == 200, response.content
    return response.json()


async def test_a_new_picture_reaches_the_persons_sockets_and_the_people_in_their_rooms(
    open_socket, user_with_token
):
    from tests.files import png

    ada, ada_token = await sync_to_async(user_with_token)("ada")
    bob, bob_token = await sync_to_async(user_with_token)("bob")
    room = await sync_to_async(room_create)(owner=ada, name="General", slug="general")
    await sync_to_async(room_join)(room=room, user=bob)
    adas_other_tab = await opened(open_socket, token=ada_token)
    bobs = await opened(open_socket, token=bob_token)
    await adas_other_tab.send(type="subscribe", room="general")
    await adas_other_tab.recv_until("subscribed")

    url = (await picture_put(ada_token, png()))["avatar"]["url"]
    assert url.startswith(f"/avatars/{ada.pk}/")

    for socket in (adas_other_tab, bobs):
        frame = await socket.recv_until("user_updated")
        assert frame["user"]["id"] == ada.pk and frame["user"]["avatar"]["url"] == url
    # The other tab's user took the picture: its next message carries it.
    await adas_other_tab.post("general", "with a face")
    message = await adas_other_tab.recv_until("message")
    assert message["message"]["author"]["avatar"]["url"] == url

    await call(ApiClient(ada_token), "DELETE", "/me/avatar")
    frame = await bobs.recv_until("user_updated")
    assert frame["user"]["avatar"] == {**frame["user"]["avatar"], "url": None}
    await adas_other_tab.recv_until("user_updated")
    await adas_other_tab.post("general", "without")
    message = await adas_other_tab.recv_until("message")
    assert message["message"]["author"]["avatar"]["url"] is None
