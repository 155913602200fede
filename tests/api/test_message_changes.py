"""Messages that change over REST: edit, delete, reactions, pins; each answers the message as it
is now, and a message the caller may not reach is 404 like a missing one."""

from urllib.parse import quote
from uuid import uuid4

import pytest
from django.test import Client

from chat.models import Message, MessageEdit, Reaction
from chat.payloads import user_payload
from chat.services.messages import message_post
from chat.services.reactions import reaction_add

from .client import API, assert_error


@pytest.fixture
def said(make_user, make_room):
    """said(body): (author, room, message): `body` posted by a new user in a new public room."""

    def make(body: str = "hello", **room_options):
        author = make_user()
        room = make_room(author, **room_options)
        message = message_post(author=author, room=room, body=body, client_id=uuid4())[0]
        return author, room, message

    return make


def url(room, message, rest: str = "") -> str:
    return f"/rooms/{room.slug}/messages/{message.pk}{rest}"


def test_patch_edits_ones_own_message(said, api_as):
    ada, room, message = said("helo")
    response = api_as(ada).patch(url(room, message), {"body": " hello "})
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["id"], answer["body"], answer["seq"]) == (message.pk, "hello", 1)
    assert answer["edited_at"].endswith("Z") and answer["version"] == 2
    assert list(MessageEdit.objects.values_list("body", flat=True)) == ["helo"]


def test_patch_of_someone_elses_message_is_403(said, make_user, api_as):
    _, room, message = said()
    assert_error(api_as(make_user()).patch(url(room, message), {"body": "mine"}), 403, "forbidden")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"body": ""}, 400, "bad_request"),
        ({"body": "x" * 4001}, 400, "too_long"),
        ({}, 400, "bad_request"),
        ({"body": "ok", "extra": 1}, 400, "bad_request"),
    ],
)
def test_patch_refuses_a_bad_body(said, api_as, body, status, code):
    ada, room, message = said()
    assert_error(api_as(ada).patch(url(room, message), body), status, code)


def test_patch_over_the_post_rate_is_429(said, api_as, settings):
    ada, room, message = said()
    settings.PARLEY_POST_RATE = (0.001, 1)
    client = api_as(ada)
    assert client.patch(url(room, message), {"body": "one"}).status_code == 200
    response = client.patch(url(room, message), {"body": "two"})
    assert (response.status_code, response.json()["code"]) == (429, "rate_limited")
    assert int(response["Retry-After"]) > 0
    assert Message.objects.get(pk=message.pk).body == "one"


def test_delete_is_204_and_leaves_a_tombstone(said, api_as):
    ada, room, message = said("regrettable")
    response = api_as(ada).delete(url(room, message))
    assert response.status_code == 204 and response.content == b""
    message.refresh_from_db()
    assert (message.body, message.deleted_at is not None) == ("", True)
    history = api_as(ada).get(f"/rooms/{room.slug}/messages").json()["messages"]
    assert [(m["id"], m["body"], m["deleted"]) for m in history] == [(message.pk, "", True)]


def test_a_second_delete_is_404(said, api_as):
    ada, room, message = said()
    client = api_as(ada)
    assert client.delete(url(room, message)).status_code == 204
    assert_error(client.delete(url(room, message)), 404, "not_found")


def test_the_room_owner_deletes_anyones_message_and_others_do_not(make_user, make_room, api_as):
    owner, ada, bob = make_user(), make_user(), make_user()
    room = make_room(owner)
    message = message_post(author=ada, room=room, body="hi", client_id=uuid4())[0]
    assert_error(api_as(bob).delete(url(room, message)), 403, "forbidden")
    assert api_as(owner).delete(url(room, message)).status_code == 204


def test_a_reaction_is_put_and_deleted_by_its_url_encoded_emoji(said, make_user, api_as):
    _, room, message = said()
    bob = make_user()
    client = api_as(bob)
    thumbs = url(room, message, f"/reactions/{quote('👍🏽')}")
    for _ in range(2):  # the second changes nothing
        response = client.put(thumbs)
        assert response.status_code == 200, response.content
        assert response.json() == {"emoji": "👍🏽", "count": 1, "me": True}
    assert Reaction.objects.count() == 1
    history = client.get(f"/rooms/{room.slug}/messages").json()["messages"]
    assert history[0]["reactions"] == [
        {"emoji": "👍🏽", "count": 1, "users": [user_payload(bob)], "me": True}
    ]
    for _ in range(2):
        assert client.delete(thumbs).status_code == 204
    assert not Reaction.objects.exists()


def test_an_emoji_is_answered_as_stored(said, api_as):
    ada, room, message = said()
    response = api_as(ada).put(url(room, message, f"/reactions/{quote('❤')}"))
    assert response.json() == {"emoji": "❤️", "count": 1, "me": True}


@pytest.mark.parametrize("emoji", ["a", "👍👍", ":+1:", "%F0%9F"])
def test_anything_but_one_emoji_is_400(said, api_as, emoji):
    ada, room, message = said()
    assert_error(api_as(ada).put(url(room, message, f"/reactions/{emoji}")), 400, "bad_request")


def test_history_says_whether_the_caller_reacted(said, make_user, api_as):
    ada, room, message = said()
    bob = make_user()
    reaction_add(by=bob, room=room, message_id=message.pk, emoji="🎉")
    [mine] = api_as(bob).get(f"/rooms/{room.slug}/messages").json()["messages"][0]["reactions"]
    [theirs] = api_as(ada).get(f"/rooms/{room.slug}/messages").json()["messages"][0]["reactions"]
    assert (mine["me"], theirs["me"], mine["count"]) == (True, False, 1)


def test_pin_unpin_and_the_rooms_pins_newest_first(make_user, make_room, api_as):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    first, second = (
        message_post(author=ada, room=room, body=body, client_id=uuid4())[0]
        for body in ("first", "second")
    )
    client = api_as(bob)
    for message in (first, second):
        response = client.put(url(room, message, "/pin"))
        assert response.status_code == 200 and response.json()["pinned"] is True
    assert client.put(url(room, first, "/pin")).status_code == 200  # already pinned
    pins = client.get(f"/rooms/{room.slug}/pins").json()
    assert pins["has_more"] is False
    assert [p["message"]["body"] for p in pins["pins"]] == ["second", "first"]
    assert pins["pins"][0]["pinned_by"] == user_payload(bob)
    assert pins["pins"][0]["pinned_at"].endswith("Z")
    for _ in range(2):
        assert client.delete(url(room, second, "/pin")).status_code == 204
    assert [p["message"]["id"] for p in client.get(f"/rooms/{room.slug}/pins").json()["pins"]] == [
        first.pk
    ]
    paged = client.get(f"/rooms/{room.slug}/pins", page_size=1, page=2).json()
    assert (paged["pins"], paged["has_more"]) == ([], False)


MESSAGE_CALLS = [
    ("patch", "", {"body": "x"}),
    ("delete", "", None),
    ("put", "/reactions/%F0%9F%91%8D", None),
    ("delete", "/reactions/%F0%9F%91%8D", None),
    ("put", "/pin", None),
    ("delete", "/pin", None),
    ("get", "/replies", None),
]


@pytest.mark.parametrize(("method", "rest", "body"), MESSAGE_CALLS)
def test_a_message_of_another_room_is_404_like_a_missing_one(
    make_user, make_room, api_as, method, rest, body
):
    ada = make_user()
    here, there = make_room(ada), make_room(ada)
    elsewhere = message_post(author=ada, room=there, body="there", client_id=uuid4())[0]
    client = api_as(ada)

    def call(message_id):
        path = f"/rooms/{here.slug}/messages/{message_id}{rest}"
        response = getattr(client, method)(path, *([body] if body else []))
        assert_error(response, 404, "not_found")
        return response.json()["message"].replace(str(message_id), "ID")

    assert call(elsewhere.pk) == call(10**9) == call(2**70)
    assert Message.objects.get(pk=elsewhere.pk).body == "there"


@pytest.mark.parametrize(("method", "rest", "body"), MESSAGE_CALLS)
def test_a_message_id_that_is_not_a_number_is_400(said, api_as, method, rest, body):
    ada, room, _ = said()
    path = f"/rooms/{room.slug}/messages/first{rest}"
    response = getattr(api_as(ada), method)(path, *([body] if body else []))
    assert_error(response, 400, "bad_request")


@pytest.mark.parametrize(("method", "rest", "body"), [c for c in MESSAGE_CALLS if c[0] != "get"])
def test_session_writes_need_the_csrf_token(said, method, rest, body):
    ada, room, message = said()
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    response = client.generic(
        method.upper(), API + url(room, message, rest), "{}", content_type="application/json"
    )
    assert "CSRF" in assert_error(response, 403, "forbidden")["message"]
