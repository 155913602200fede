"""room_browse: the rooms a person may see, searched by name, with member counts, archived ones
only on request; never a private room they are not in."""

import pytest

from chat.selectors import room_browse
from chat.services.room_admin import room_archive
from chat.services.rooms import room_create, room_invite, room_join


@pytest.fixture
def rooms(make_user):
    ada, bob = make_user(), make_user()
    cafe = room_create(owner=ada, name="Café Talk")
    room_join(room=cafe, user=bob)
    room_create(owner=ada, name="Deploys")
    room_create(owner=bob, name="Cafe secrets", private=True)
    old = room_create(owner=ada, name="Old café")
    room_archive(room=old, by=ada)
    return ada, bob


def names(rooms) -> list[str]:
    return [room.name for room in rooms]


def test_a_search_ignores_case_and_accents(rooms):
    ada, _ = rooms
    assert names(room_browse(user=ada, q="CAFE")) == ["Café Talk"]
    assert names(room_browse(user=ada, q="  talk ")) == ["Café Talk"]
    assert names(room_browse(user=ada)) == ["Café Talk", "Deploys"]


def test_private_rooms_are_found_only_by_their_members(rooms, make_user):
    ada, bob = rooms
    assert names(room_browse(user=bob, q="cafe")) == ["Cafe secrets", "Café Talk"]
    assert "Cafe secrets" not in names(room_browse(user=ada, q="secrets"))
    assert names(room_browse(user=make_user(), q="secrets")) == []


def test_archived_rooms_only_on_request(rooms):
    ada, _ = rooms
    assert names(room_browse(user=ada, archived=True)) == ["Old café"]
    assert names(room_browse(user=ada, q="old")) == []


def test_each_room_counts_its_members(rooms):
    _, bob = rooms
    counts = {room.name: room.member_count for room in room_browse(user=bob)}
    assert counts == {"Café Talk": 2, "Cafe secrets": 1, "Deploys": 1}


def test_an_archived_private_room_is_listed_to_its_members_only(make_user):
    ada, grace = make_user(), make_user()
    room = room_create(owner=ada, name="Ops", private=True)
    room_invite(room=room, by=ada, username=grace.username)
    room_archive(room=room, by=ada)
    assert names(room_browse(user=grace, archived=True)) == ["Ops"]
    assert names(room_browse(user=make_user(), archived=True)) == []
