"""A room's name is unique among the rooms the person naming it can see, without case or
accents; a private room they cannot see never holds a name for them (refusing it would reveal
the room)."""

import uuid

import pytest

from chat.services.messages import message_post_opening
from chat.services.room_admin import room_archive
from chat.services.rooms import room_create, room_invite, room_open, room_update
from parley.errors import NameTaken


@pytest.mark.parametrize("again", ["General", "general", "GÉNÉRAL", "  Général "])
def test_a_public_name_is_taken_without_case_or_accents(make_user, again):
    room_create(owner=make_user(), name="General")
    with pytest.raises(NameTaken, match="#general"):
        room_create(owner=make_user(), name=again)
    with pytest.raises(NameTaken):
        room_create(owner=make_user(), name=again, private=True)


def test_a_private_room_you_cannot_see_holds_no_name_for_you(make_user):
    ada, bob, cat = make_user(), make_user(), make_user()
    secret = room_create(owner=ada, name="Layoffs", private=True)
    # neither learns anything: a private room and a public one of that name are theirs to make
    mine = room_create(owner=bob, name="layoffs", private=True)
    public = room_create(owner=cat, name="Layoffs")
    assert len({secret.slug, public.slug, mine.slug}) == 3


def test_your_own_private_rooms_hold_their_names_for_you(make_user):
    ada, grace = make_user(), make_user()
    room = room_create(owner=ada, name="Ops", private=True)
    room_invite(room=room, by=ada, username=grace.username)
    for who in (ada, grace):
        with pytest.raises(NameTaken):
            room_create(owner=who, name="OPS")


def test_an_archived_room_keeps_its_name(make_user):
    ada = make_user()
    room = room_create(owner=ada, name="Ops")
    room_archive(room=room, by=ada)
    with pytest.raises(NameTaken, match="archived"):
        room_create(owner=make_user(), name="ops")


def test_a_rename_to_a_taken_name_is_refused_and_to_its_own_name_is_not(make_user):
    ada = make_user()
    room_create(owner=ada, name="General")
    ops = room_create(owner=ada, name="Ops")
    with pytest.raises(NameTaken):
        room_update(room=ops, by=ada, name="général")
    room_update(room=ops, by=ada, name="OPS")  # its own name, differently written
    assert ops.name == "OPS"


def test_typing_a_taken_name_in_the_lobby_opens_that_room(make_user):
    ada = make_user()
    general = room_create(owner=ada, name="Général", slug="town-square")
    assert room_open(slug="general", user=make_user(), name="general") == general


def test_the_tutorial_endpoint_refuses_a_name_another_room_has(make_user):
    ada = make_user()
    room_create(owner=ada, name="General", slug="town-square")
    with pytest.raises(NameTaken):
        message_post_opening(author=ada, slug="general", body="hi", client_id=uuid.uuid4())
