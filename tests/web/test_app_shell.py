"""The app shell's server side (web/shell.py): the sidebar's conversations rendered into the
page, and a shell page rendered as a fragment for the router."""

import json
import re
from uuid import uuid4

from django.test import Client

from accounts.models import User
from chat.selectors import conversation_list
from chat.services.messages import message_post
from chat.services.rooms import room_create, room_join

FRAGMENT = {"HTTP_X_PARLEY_FRAGMENT": "1"}


def workspace(response) -> list[dict]:
    found = re.search(
        r'<script id="workspace-data" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, "no workspace data in the page"
    return json.loads(found.group(1))


def test_the_shell_lists_the_rooms_you_joined_and_no_other(make_user, client):
    ada, bob = make_user(), make_user()
    room_create(owner=ada, name="Zeta")
    room_create(owner=ada, name="alpha")
    secret = room_create(owner=bob, name="Secret", private=True)
    room_create(owner=bob, name="Elsewhere")
    mine = room_create(owner=ada, name="Mine", private=True)
    client.force_login(ada)

    listed = workspace(client.get("/"))
    assert [entry["name"] for entry in listed] == ["alpha", "Mine", "Zeta"]
    assert secret.slug not in json.dumps(listed)
    # The same object as the socket's `ready` brings (conversations.js keeps one shape).
    assert listed[1] == conversation_list(user=ada)[1]
    assert {key: listed[1][key] for key in ("room", "kind", "private", "archived", "unread")} == {
        "room": mine.slug,
        "kind": "channel",
        "private": True,
        "archived": False,
        "unread": 0,
    }
    # A room page is the same shell; visiting a public room joins it, so it is listed.
    elsewhere = workspace(client.get("/chat/elsewhere/"))
    assert "elsewhere" in [entry["room"] for entry in elsewhere]


def test_guests_and_visitors_get_an_empty_list(make_user, db):
    """Guests join no room; the page lists the room open (conversations.js `visit`)."""
    room = room_create(owner=make_user(), name="Open")
    visitor = Client()
    assert workspace(visitor.get("/chat/open/")) == []
    visitor.post("/chat/open/")  # the write that makes the visitor a guest
    guest = User.objects.get(is_guest=True)
    message_post(author=guest, room=room, body="hi", client_id=uuid4())
    assert workspace(visitor.get("/chat/open/")) == []


def test_a_fragment_is_the_page_content_alone(make_user, client):
    ada = make_user()
    room_create(owner=ada, name="Plans", topic="the plan")
    client.force_login(ada)

    whole = client.get("/chat/plans/")
    part = client.get("/chat/plans/", **FRAGMENT)
    assert whole.status_code == part.status_code == 200
    text = part.content.decode()
    assert "<html" not in text and 'id="sidebar"' not in text and "workspace-data" not in text
    assert re.search(
        r'<div id="fragment" data-title="# Plans · Parley" data-main-class="room-page"', text
    )
    assert 'data-skip-target="chat-message-input"' in text
    assert 'id="room" data-room="plans"' in text and "the plan" in text
    assert 'id="sidebar"' in whole.content.decode()
    for response in (whole, part):
        assert "X-Parley-Fragment" in response["Vary"]

    lobby = client.get("/", **FRAGMENT).content.decode()
    assert 'data-main-class="page"' in lobby and "What chat room would you like to enter?" in lobby


def test_a_room_you_may_not_see_is_no_fragment(make_user, client):
    """The router loads such an answer as a page: the same 404 as without the header."""
    secret = room_create(owner=make_user(), name="Secret", private=True)
    client.force_login(make_user())
    response = client.get(f"/chat/{secret.slug}/", **FRAGMENT)
    assert response.status_code == 404
    assert 'id="fragment"' not in response.content.decode()


def test_joining_lists_the_room_after(make_user, client):
    ada = make_user()
    room = room_create(owner=make_user(), name="Later")
    client.force_login(ada)
    assert workspace(client.get("/")) == []
    room_join(room=room, user=ada)
    assert [entry["room"] for entry in workspace(client.get("/"))] == ["later"]
