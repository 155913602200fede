"""The pages an owner manages a room with, and the lobby's browse list: search, archived rooms,
member counts, paging that keeps the search; nothing of a private room leaks."""

import pytest
from django.test import Client

from chat.models import Membership, Room
from chat.services.room_admin import room_archive
from chat.services.rooms import room_create, room_invite, room_join


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def texts(response) -> str:
    return response.content.decode()


def test_the_lobby_searches_names_and_counts_members(make_user):
    ada, bob = make_user(), make_user()
    cafe = room_create(owner=ada, name="Café Talk")
    room_join(room=cafe, user=bob)
    room_create(owner=ada, name="Deploys")
    room_create(owner=ada, name="Café secrets", private=True)
    page = texts(Client().get("/", {"q": "cafe"}))
    assert "Café Talk" in page and "2 members" in page
    assert "Deploys" not in page and "secrets" not in page
    assert "Café secrets" in texts(signed_in(ada).get("/", {"q": "cafe"}))


@pytest.mark.parametrize("query", ["a\x00b", "\ud800"])
def test_a_search_no_name_can_hold_finds_nothing(make_user, query):
    room_create(owner=make_user(), name="General")
    response = Client().get("/", {"q": query.encode("utf-8", "surrogatepass")})
    assert response.status_code == 200
    assert "General" not in texts(response)


def test_the_lobby_hides_archived_rooms_and_lists_them_on_request(make_user):
    ada = make_user()
    old = room_create(owner=ada, name="Old times")
    room_archive(room=old, by=ada)
    client = signed_in(ada)
    # The lobby's lists (the shell's sidebar data holds your archived rooms: the sidebar shows
    # one while it is open).
    assert "Old times" not in texts(client.get("/", HTTP_X_PARLEY_FRAGMENT="1"))
    archived = texts(client.get("/", {"archived": "1"}))
    assert "Old times" in archived and "Archived rooms" in archived


def test_the_lobby_pager_keeps_the_search(make_user):
    owner = make_user()
    for n in range(60):
        room_create(owner=owner, name=f"Team {n:02}", quota=False)
    room_create(owner=owner, name="Other")
    page = texts(Client().get("/", {"q": "team"}))
    assert page.count('class="room-name"') == 50
    assert "?q=team&amp;page=2" in page
    last = texts(Client().get("/", {"q": "team", "page": 2}))
    assert last.count('class="room-name"') == 10 and "Other" not in last


def test_the_create_form_says_a_name_is_taken(make_user):
    ada = make_user()
    room_create(owner=make_user(), name="General")
    response = signed_in(ada).post("/rooms/new/", {"name": "général"})
    assert response.status_code == 400
    assert "There is already a room named" in texts(response)
    assert Room.objects.count() == 1


def test_the_lobby_box_opens_the_room_with_that_name(make_user):
    room = room_create(owner=make_user(), name="Général", slug="town-square")
    response = signed_in(make_user()).post("/chat/", {"room": "general"})
    assert response["Location"] == f"/chat/{room.slug}/"


def test_only_managers_get_the_manage_panel(make_user):
    ada, bob = make_user(), make_user()
    room = room_create(owner=ada, name="Ops")
    room_join(room=room, user=bob)
    assert 'id="manage-panel"' in texts(signed_in(ada).get(f"/chat/{room.slug}/"))
    assert 'id="manage-panel"' not in texts(signed_in(bob).get(f"/chat/{room.slug}/"))


def test_the_owner_renames_hands_over_and_removes(make_user):
    ada, bob, cat = make_user(), make_user(), make_user()
    room = room_create(owner=ada, name="Ops")
    room_join(room=room, user=bob)
    room_join(room=room, user=cat)
    client = signed_in(ada)
    url = f"/chat/{room.slug}/"
    assert client.post(url + "settings/", {"name": "Operations", "topic": "t"})["Location"] == url
    assert client.post(url + "remove/", {"username": cat.username})["Location"] == url
    client.post(url + "owner/", {"username": bob.username})
    stored = Room.objects.get(pk=room.pk)
    assert (stored.name, stored.topic, stored.owner) == ("Operations", "t", bob)
    assert not Membership.objects.filter(room=room, user=cat).exists()
    # ada manages no more: her next attempt is refused with the reason
    page = client.post(url + "archive/", follow=True)
    assert "Only the room" in texts(page)
    assert Room.objects.get(pk=room.pk).archived_at is None


def test_an_archived_room_page_is_read_only_and_joins_nobody(make_user):
    ada, bob = make_user(), make_user()
    room = room_create(owner=ada, name="Ops")
    url = f"/chat/{room.slug}/"
    signed_in(ada).post(url + "archive/")
    assert Room.objects.get(pk=room.pk).archived_at is not None
    page = texts(signed_in(bob).get(url))
    assert 'data-archived="true"' in page
    assert 'placeholder="Message # Ops" aria-describedby="composer-hint" disabled' in page
    assert not Membership.objects.filter(room=room, user=bob).exists()
    assert 'id="unarchive-form"' in texts(signed_in(ada).get(url))
    signed_in(ada).post(url + "unarchive/")
    assert Room.objects.get(pk=room.pk).archived_at is None


def test_the_owner_of_a_private_room_leaves_by_naming_a_successor(make_user):
    ada, bob = make_user(), make_user()
    room = room_create(owner=ada, name="Ops", private=True)
    room_invite(room=room, by=ada, username=bob.username)
    client = signed_in(ada)
    url = f"/chat/{room.slug}/"
    assert 'name="new_owner"' in texts(client.get(url))
    refused = client.post(url + "leave/", follow=True)
    assert "name a member as its new owner" in texts(refused)
    assert Membership.objects.filter(room=room, user=ada).exists()
    response = client.post(url + "leave/", {"new_owner": bob.username})
    assert response["Location"] == "/"
    assert Room.objects.get(pk=room.pk).owner == bob
    assert not Membership.objects.filter(room=room, user=ada).exists()


@pytest.mark.parametrize("action", ["settings", "remove", "owner", "archive", "unarchive"])
def test_managing_an_invisible_room_answers_as_a_missing_one(make_user, action):
    secret = room_create(owner=make_user(), name="Secret", private=True)
    client = signed_in(make_user())
    data = {"name": "x", "username": "x"}
    missing = client.post(f"/chat/no-such-room/{action}/", data)
    response = client.post(f"/chat/{secret.slug}/{action}/", data)
    assert response.status_code == missing.status_code == 404
    assert Room.objects.get(pk=secret.pk).name == "Secret"
