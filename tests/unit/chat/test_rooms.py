"""Rooms: creation rules, visibility, joining, inviting, leaving."""

import pytest

from accounts.services import guest_create
from chat.selectors import room_can_see, room_get_visible, room_is_member, room_list_visible
from chat.services.rooms import (
    room_create,
    room_invite,
    room_join,
    room_leave,
    room_open,
)
from parley.errors import BadRequest, Conflict, Forbidden, NotFound


def test_room_create_makes_owner_a_member_and_derives_a_slug(make_user):
    alice = make_user()
    room = room_create(owner=alice, name="  Design   Review ", topic="specs")
    assert (room.slug, room.name, room.topic) == ("design-review", "Design Review", "specs")
    assert room_is_member(room=room, user=alice)
    # another name (rooms are named once, tests/unit/chat/test_room_names.py) with the same slug
    assert room_create(owner=alice, name="Design: Review").slug == "design-review-2"


def test_unicode_names_are_kept_and_get_a_url_safe_slug(make_user):
    room = room_create(owner=make_user(), name="日本語の部屋 🎉")
    assert room.name == "日本語の部屋 🎉"
    # transliterated (anyascii), as the lobby's box makes it: the same name, the same room
    assert room.slug == "ribenyunobuwu-tada"


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_room_name_must_be_1_to_80_characters(make_user, name):
    with pytest.raises(BadRequest):
        room_create(owner=make_user(), name=name)


@pytest.mark.parametrize("slug", ["has space", "ünï", "-lead", "a" * 65, "a/b"])
def test_explicit_slug_must_be_url_safe(make_user, slug):
    with pytest.raises(BadRequest):
        room_create(owner=make_user(), name="x", slug=slug)


def test_slug_is_unique_case_insensitively(make_user):
    alice = make_user()
    room_create(owner=alice, name="x", slug="General")
    with pytest.raises(Conflict):
        room_create(owner=alice, name="y", slug="general")


def test_private_rooms_are_invisible_to_outsiders(make_user):
    owner, member, stranger = make_user(), make_user(), make_user()
    secret = room_create(owner=owner, name="Secret", private=True)
    public = room_create(owner=owner, name="Public")
    room_invite(room=secret, by=owner, username=member.username)
    assert set(room_list_visible(user=member)) == {secret, public}
    assert list(room_list_visible(user=stranger)) == [public]
    assert list(room_list_visible(user=guest_create())) == [public]
    with pytest.raises(NotFound):
        room_get_visible(slug=secret.slug, user=stranger)
    with pytest.raises(NotFound):
        room_get_visible(slug="nope", user=stranger)


def test_only_the_owner_invites_to_a_private_room(make_user):
    owner, member, stranger = make_user(), make_user(), make_user()
    room = room_create(owner=owner, name="Secret", private=True)
    room_invite(room=room, by=owner, username=member.username)
    with pytest.raises(Forbidden):
        room_invite(room=room, by=member, username=stranger.username)
    with pytest.raises(NotFound):
        room_invite(room=room, by=owner, username="nobody")
    assert not room_can_see(room=room, user=stranger)


def test_private_rooms_cannot_be_joined_without_invitation(make_user):
    owner, stranger = make_user(), make_user()
    room = room_create(owner=owner, name="Secret", private=True)
    with pytest.raises(Forbidden):
        room_join(room=room, user=stranger)


def test_join_and_leave_a_public_room(make_user):
    owner, bob = make_user(), make_user()
    room = room_create(owner=owner, name="Open")
    room_join(room=room, user=bob)
    room_join(room=room, user=bob)  # idempotent
    assert room_is_member(room=room, user=bob)
    room_leave(room=room, user=bob)
    assert not room_is_member(room=room, user=bob)
    with pytest.raises(NotFound):
        room_leave(room=room, user=bob)


def test_guests_cannot_create_private_rooms_or_join(make_user):
    guest = guest_create()
    with pytest.raises(Forbidden):
        room_create(owner=guest, name="x", private=True)
    with pytest.raises(Forbidden):
        room_join(room=room_create(owner=make_user(), name="y"), user=guest)


def test_opening_a_missing_public_room_creates_it(make_user):
    bob = make_user()
    room = room_open(slug="Lobby", user=bob)
    assert (room.slug, room.private, room.owner) == ("lobby", False, bob)
    assert room_open(slug="lobby", user=make_user()).pk == room.pk


def test_anonymous_visitors_see_public_rooms(make_user):
    from django.contrib.auth.models import AnonymousUser

    owner = make_user()
    public = room_create(owner=owner, name="Public")
    room_create(owner=owner, name="Secret", private=True)
    assert list(room_list_visible(user=AnonymousUser())) == [public]


@pytest.mark.django_db(transaction=True)
def test_joining_inviting_and_leaving_are_announced(make_user, monkeypatch):
    from parley import events

    sent = []
    monkeypatch.setattr(
        events, "backend", lambda: type("R", (), {"publish": lambda self, e: sent.append(e)})()
    )
    owner, bob, carol = make_user(), make_user(), make_user()
    public = room_create(owner=owner, name="Open")
    secret = room_create(owner=owner, name="Secret", private=True)
    room_join(room=public, user=bob)
    room_join(room=public, user=bob)  # already a member: nothing to announce
    room_invite(room=secret, by=owner, username=carol.username)
    room_leave(room=public, user=bob)
    assert [(e.room, e.user["id"], e.change, e.seq) for e in sent if e.kind == "room"] == [
        ("open", bob.pk, "joined", 1),
        (secret.slug, carol.pk, "invited", 1),
        ("open", bob.pk, "left", 2),
    ]
