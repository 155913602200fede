"""Invisible means indistinguishable: private slugs no one can pick, one error for a room that
is missing and one that is invisible, and room-creation quotas."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import Room
from chat.selectors import room_get_visible
from chat.services.rooms import PRIVATE_SUFFIX_LENGTH, room_create, room_open
from parley.errors import Conflict, NotFound, RateLimited


def test_private_rooms_get_a_random_server_made_suffix(make_user):
    owner = make_user()
    first = room_create(owner=owner, name="Design Review", private=True)
    # another owner, who cannot see the first (so its name is free for them)
    second = room_create(owner=make_user(), name="Design Review", private=True)
    pattern = rf"^design-review-[a-z0-9]{{{PRIVATE_SUFFIX_LENGTH}}}$"
    assert re.match(pattern, first.slug) and re.match(pattern, second.slug)
    assert first.slug != second.slug


def test_an_explicit_private_slug_gets_the_suffix_too(make_user):
    room = room_create(owner=make_user(), name="x", slug="hidden", private=True)
    assert re.match(rf"^hidden-[a-z0-9]{{{PRIVATE_SUFFIX_LENGTH}}}$", room.slug)


def test_a_public_name_never_meets_a_new_private_room(make_user):
    owner = make_user()
    room_create(owner=owner, name="x", slug="roadmap", private=True)
    public = room_create(owner=make_user(), name="Roadmap", slug="roadmap")
    assert public.slug == "roadmap"
    assert room_create(owner=make_user(), name="Plans").slug == "plans"


def test_a_long_private_slug_stays_within_64_characters(make_user):
    room = room_create(owner=make_user(), name="x", slug="a" * 64, private=True)
    assert len(room.slug) == 64


def test_invisible_and_missing_rooms_raise_the_same_error(make_user):
    owner, stranger = make_user(), make_user()
    secret = room_create(owner=owner, name="Secret", private=True)
    errors = []
    for slug in (secret.slug, "no-such-room"):
        with pytest.raises(NotFound) as caught:
            room_get_visible(slug=slug, user=stranger)
        errors.append(caught.value.message.replace(slug, "NAME"))
    assert errors[0] == errors[1]


def test_a_legacy_private_slug_is_taken_exactly_as_a_public_one(
    make_user, make_legacy_private_room
):
    owner, stranger = make_user(), make_user()
    make_legacy_private_room(owner, "hidden")
    room_create(owner=owner, name="Open", slug="open")
    messages = []
    for slug in ("hidden", "open"):
        with pytest.raises(Conflict) as caught:
            room_create(owner=stranger, name="x", slug=slug)
        messages.append(caught.value.message.replace(slug, "NAME"))
    assert messages[0] == messages[1]


def test_opening_a_name_held_by_an_invisible_room_is_a_taken_slug(
    make_user, make_legacy_private_room
):
    owner = make_user()
    make_legacy_private_room(owner, "hidden")
    with pytest.raises(Conflict):
        room_open(slug="hidden", user=make_user())
    assert room_open(slug="hidden", user=owner).private  # its member opens it


def test_rooms_per_hour_are_limited_per_owner(make_user, settings):
    settings.PARLEY_ROOMS_PER_HOUR = 2
    alice, bob = make_user(), make_user()
    room_create(owner=alice, name="one")
    room_create(owner=alice, name="two", private=True)
    with pytest.raises(RateLimited) as caught:
        room_create(owner=alice, name="three")
    assert 0 < caught.value.retry_after <= 3600
    assert "2 rooms an hour" in caught.value.message
    room_create(owner=bob, name="bob's")  # others are not affected
    room_create(owner=alice, name="by an operator", quota=False)


def test_the_room_quota_window_is_one_hour(make_user, settings):
    settings.PARLEY_ROOMS_PER_HOUR = 1
    alice = make_user()
    first = room_create(owner=alice, name="one")
    Room.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=61))
    room_create(owner=alice, name="two")  # the first has left the window


def test_a_zero_quota_means_no_limit(make_user, settings):
    settings.PARLEY_ROOMS_PER_HOUR = 0
    alice = make_user()
    for n in range(5):
        room_create(owner=alice, name=f"room {n}")
