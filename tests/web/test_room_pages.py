"""The room page and the lobby's box: a GET creates nothing, a missing room and an invisible
one get the same "create this room?" page, and its button (a POST) creates and opens."""

import re

import pytest
from django.test import Client

from accounts.models import User
from chat.models import Membership, Room
from chat.services.rooms import room_create


def page_text(response, slug: str) -> str:
    """The page with the room's name taken out, and the CSRF token (different per page)."""
    text = response.content.decode().replace(slug, "NAME")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def test_anonymous_gets_create_nothing(db):
    for n in range(20):
        assert Client().get(f"/chat/room-{n}/").status_code == 404
    room_create(owner=None, name="Lobby", slug="lobby")
    for _ in range(20):
        assert Client().get("/chat/lobby/").status_code == 200
    assert Room.objects.count() == 1
    assert not User.objects.exists()


def test_a_signed_in_get_creates_no_room(make_user, client):
    client.force_login(make_user())
    response = client.get("/chat/brand-new/")
    assert response.status_code == 404
    assert "Create #brand-new?" in response.content.decode()
    assert not Room.objects.exists()


@pytest.mark.parametrize("signed_in", [True, False], ids=["member", "anonymous"])
def test_a_private_room_page_answers_as_a_missing_one(
    make_user, make_legacy_private_room, signed_in
):
    owner = make_user()
    secret = room_create(owner=owner, name="Secret", private=True)
    legacy = make_legacy_private_room(owner, "roadmap-q3")
    client = Client()
    if signed_in:
        client.force_login(make_user())
    missing = client.get("/chat/no-such-room/")
    assert missing.status_code == 404
    for room in (secret, legacy):
        response = client.get(f"/chat/{room.slug}/")
        assert response.status_code == missing.status_code
        assert page_text(response, room.slug) == page_text(missing, "no-such-room")


def test_the_create_button_creates_and_opens_the_room(make_user, client):
    alice = make_user()
    client.force_login(alice)
    response = client.post("/chat/new-room/")
    assert response.status_code == 302 and response["Location"] == "/chat/new-room/"
    room = Room.objects.get(slug="new-room")
    assert (room.private, room.owner) == (False, alice)
    assert client.post("/chat/new-room/").status_code == 302  # it exists: just opens it
    assert Room.objects.count() == 1


def test_an_anonymous_create_makes_a_guest_owner(db):
    client = Client()
    assert client.post("/chat/guest-room/").status_code == 302
    room = Room.objects.get(slug="guest-room")
    assert room.owner.is_guest
    assert client.get("/chat/guest-room/").status_code == 200


def test_creating_over_a_legacy_private_slug_is_a_taken_name(
    make_user, make_legacy_private_room, client
):
    owner = make_user()
    make_legacy_private_room(owner, "hidden")
    client.force_login(make_user())
    response = client.post("/chat/hidden/")
    assert response.status_code == 409
    assert "is taken" in response.content.decode()
    assert Membership.objects.filter(room__slug="hidden").count() == 1


def test_rooms_per_hour_limit_the_create_button(make_user, client, settings):
    settings.PARLEY_ROOMS_PER_HOUR = 1
    client.force_login(make_user())
    assert client.post("/chat/first/").status_code == 302
    response = client.post("/chat/second/")
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "rooms an hour" in response.content.decode()
    assert not Room.objects.filter(slug="second").exists()


def test_guests_per_address_limit_anonymous_creation(db, settings):
    settings.PARLEY_GUESTS_PER_HOUR = 1
    assert Client(REMOTE_ADDR="203.0.113.7").post("/chat/one/").status_code == 302
    response = Client(REMOTE_ADDR="203.0.113.7").post("/chat/two/")
    assert response.status_code == 429
    assert User.objects.filter(is_guest=True).count() == 1


def test_the_lobby_box_posts_and_opens_in_one_step(db):
    client = Client()
    response = client.post("/chat/", {"room": "Tutorial Room!"})
    assert response.status_code == 302 and response["Location"] == "/chat/tutorial-room/"
    assert Room.objects.get(slug="tutorial-room").name == "Tutorial Room!"


def test_a_room_made_from_the_lobby_box_keeps_the_name_in_any_script(db):
    response = Client().post("/chat/", {"room": "Москва планы"})
    assert response["Location"] == "/chat/moskva-plany/"
    assert Room.objects.get(slug="moskva-plany").name == "Москва планы"


def test_the_lobby_box_by_get_creates_nothing(db):
    response = Client().get("/chat/", {"room": "No Script"})
    assert response["Location"] == "/chat/no-script/"
    assert not Room.objects.exists()


def test_the_lobby_pages_its_rooms(make_user):
    owner = make_user()
    for n in range(120):
        room_create(owner=owner, name=f"Room {n:03}", quota=False)
    first = Client().get("/").content.decode()
    assert first.count('class="room-name"') == 50
    assert "Page 1 of 3" in first and "?page=2" in first
    last = Client().get("/", {"page": 3}).content.decode()
    assert last.count('class="room-name"') == 20 and "Room 119" in last


def test_the_room_page_lists_the_first_hundred_members_and_counts_them_all(make_user):
    from chat.services.rooms import room_join

    owner = make_user()
    room = room_create(owner=owner, name="Crowd")
    for _ in range(104):
        room_join(room=room, user=make_user())
    page = Client().get(f"/chat/{room.slug}/").content.decode()
    assert page.count('class="member-name"') == 100
    assert '<span id="members-count">105</span>' in page
    assert '<span id="members-more-count">5</span>' in page


def test_a_lobby_name_the_domain_refuses_is_answered_with_why(db):
    response = Client().post("/chat/", {"room": "Bob\u202eevil"})
    assert response.status_code == 400
    assert "bidirectional" in response.content.decode()
    assert not Room.objects.exists()


def _room_data(client, slug: str) -> dict[str, str]:
    page = client.get(f"/chat/{slug}/").content.decode()
    tag = re.search(r'<div class="room" id="room"[^>]*>', page).group(0)
    return dict(re.findall(r'data-([a-z-]+)="([^"]*)"', tag))


def test_the_room_page_tells_its_script_what_the_visitor_may_do(make_user, db):
    owner, member, staff = make_user(), make_user(), make_user()
    staff.is_staff = True
    staff.save()
    room = room_create(owner=owner, name="Team")
    seen = {}
    for who in (owner, member, staff):
        client = Client()
        client.force_login(who)
        seen[who.username] = _room_data(client, room.slug)
    anonymous = _room_data(Client(), room.slug)
    assert seen[owner.username]["moderator"] == "true"
    assert seen[staff.username]["moderator"] == "true"
    assert seen[member.username]["moderator"] == "false"
    assert {data["can-pin"] for data in seen.values()} == {"true"}
    assert {data["signed-in"] for data in seen.values()} == {"true"}
    assert (anonymous["moderator"], anonymous["can-pin"], anonymous["signed-in"]) == (
        "false",
        "false",
        "false",
    )
    assert anonymous["emoji-url"] == "/emoji.json"
