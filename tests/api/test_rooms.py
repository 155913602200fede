"""Rooms: list, create, read. A private room the caller is not in answers as if it did not exist."""

import re
from uuid import uuid4

from chat.models import Room
from chat.payloads import user_payload
from chat.services.messages import message_post
from chat.services.rooms import room_invite

from .client import assert_error

ROOM_KEYS = {
    "slug",
    "name",
    "topic",
    "private",
    "owner",
    "wide_mentions",
    "last_seq",
    "last_event_seq",
    "created_at",
    "archived_at",
    "member",
    "member_count",
}


def test_list_shows_public_rooms_and_own_private_rooms_by_name(make_user, make_room, api_as):
    alice, bob = make_user("alice"), make_user("bob")
    make_room(alice, "Zebra")
    make_room(bob, "Apple")
    secret = make_room(alice, "Secret", private=True)
    make_room(bob, "Bob's secret", private=True)
    invited = make_room(bob, "Invited", private=True)
    room_invite(room=invited, by=bob, username="alice")

    response = api_as(alice).get("/rooms")

    assert response.status_code == 200
    rooms = response.json()["rooms"]
    assert [room["slug"] for room in rooms] == ["apple", invited.slug, secret.slug, "zebra"]
    assert {room["slug"]: room["member"] for room in rooms} == {
        "apple": False,
        invited.slug: True,
        secret.slug: True,
        "zebra": True,
    }
    assert all(set(room) == ROOM_KEYS for room in rooms)


def test_create_answers_201_with_the_room_the_caller_owns_and_is_in(make_user, api_as):
    alice = make_user("alice", display_name="Alice")
    response = api_as(alice).post(
        "/rooms", {"name": "Team Chat", "topic": "daily", "private": True}
    )
    assert response.status_code == 201, response.content
    room = response.json()
    assert room["created_at"].endswith("Z")
    del room["created_at"]
    assert re.match(r"^team-chat-[a-z0-9]{6}$", room.pop("slug"))  # private: a random suffix
    assert room == {
        "name": "Team Chat",
        "topic": "daily",
        "private": True,
        "owner": user_payload(alice),
        "last_seq": 0,
        "last_event_seq": 0,
        "archived_at": None,
        "wide_mentions": True,
        "member": True,
        "member_count": 1,
    }
    assert Room.objects.get(name="Team Chat").owner == alice


def test_create_with_a_chosen_slug(make_user, api_as):
    response = api_as(make_user()).post("/rooms", {"name": "General", "slug": "gen"})
    assert response.status_code == 201
    assert response.json()["slug"] == "gen"
    assert response.json()["private"] is False


def test_create_with_a_taken_slug_is_409(make_user, make_room, api_as):
    make_room(make_user(), "General", slug="general")
    response = api_as(make_user()).post("/rooms", {"name": "Other", "slug": "general"})
    assert_error(response, 409, "conflict")


def test_create_with_an_invalid_slug_is_400(make_user, api_as):
    assert_error(
        api_as(make_user()).post("/rooms", {"name": "X", "slug": "no spaces"}), 400, "bad_request"
    )


def test_create_without_a_name_is_400_naming_it(make_user, api_as):
    body = assert_error(api_as(make_user()).post("/rooms", {"topic": "t"}), 400, "bad_request")
    assert "name" in body["message"]


def test_create_with_an_unknown_field_is_400_naming_it(make_user, api_as):
    body = assert_error(
        api_as(make_user()).post("/rooms", {"name": "X", "privat": True}), 400, "bad_request"
    )
    assert "privat" in body["message"]
    assert not Room.objects.exists()


def test_get_answers_the_room_with_member_flag(make_user, make_room, api_as):
    alice, bob = make_user(), make_user()
    room = make_room(alice, "General")
    message_post(author=alice, room=room, body="hi", client_id=uuid4())

    as_alice = api_as(alice).get("/rooms/general").json()
    as_bob = api_as(bob).get("/rooms/general").json()

    assert (as_alice["member"], as_bob["member"]) == (True, False)
    assert as_alice["last_seq"] == 1


def test_get_a_private_room_of_others_is_404_like_a_missing_one(make_user, make_room, api_as):
    owner, stranger = make_user(), make_user()
    room = make_room(owner, "Secret", private=True)
    hidden = assert_error(api_as(stranger).get(f"/rooms/{room.slug}"), 404, "not_found")
    missing = assert_error(api_as(stranger).get("/rooms/nothing"), 404, "not_found")
    assert hidden["message"] == missing["message"].replace("nothing", room.slug)


def test_get_own_private_room(make_user, make_room, api_as):
    owner = make_user()
    room = make_room(owner, "Secret", private=True)
    response = api_as(owner).get(f"/rooms/{room.slug}")
    assert response.status_code == 200
    assert response.json()["private"] is True
