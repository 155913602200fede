"""Profiles: the avatar every user payload carries, what a profile accepts, and who hears of a
change (one user_updated per distinct person who shares a room, the person included)."""

import pytest

from accounts.payloads import AVATAR_COLORS, avatar_color, avatar_initials, user_payload
from accounts.services import user_profile_update
from chat.services.people import profile_update, user_co_member_ids
from chat.services.rooms import room_invite, room_join
from parley import events
from parley.errors import BadRequest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize(
    "name, initials",
    [
        ("Ada Lovelace", "AL"),
        ("Grace Brewster Murray Hopper", "GH"),
        ("grace", "G"),
        ("  émile   zola ", "ÉZ"),
        ("(bob) [builder]", "BB"),
        ("straße", "S"),
        ("Иван Петров", "ИП"),
        ("🎉", "🎉"),
    ],
)
def test_initials_are_the_first_letters_of_the_first_and_last_words(name, initials):
    assert avatar_initials(name) == initials


def test_the_avatar_colour_comes_from_the_id_alone_and_neighbours_differ(make_user):
    ada = make_user("ada", display_name="Ada L.")
    before = user_payload(ada)["avatar"]
    user_profile_update(user=ada, display_name="Someone Else")
    after = user_payload(ada)["avatar"]
    assert after == {"initials": "SE", "color": before["color"], "url": None}
    assert before["color"] == avatar_color(ada.pk) in AVATAR_COLORS
    assert len({avatar_color(user_id) for user_id in range(1, 13)}) > 6


def test_a_profile_takes_one_emoji_a_short_text_and_a_known_time_zone(make_user):
    ada = make_user("ada")
    changed = user_profile_update(
        user=ada, status_emoji="❤", status_text="  on   holiday ", time_zone="Europe/Paris"
    )
    assert sorted(changed) == ["status_emoji", "status_text", "time_zone"]
    ada.refresh_from_db()
    assert (ada.status_emoji, ada.status_text, ada.time_zone) == ("❤️", "on holiday", "Europe/Paris")
    assert user_profile_update(user=ada, status_emoji="❤️", time_zone="Europe/Paris") == []
    user_profile_update(user=ada, status_emoji="", status_text="", time_zone="")
    ada.refresh_from_db()
    assert (ada.status_emoji, ada.status_text, ada.time_zone) == ("", "", "")


@pytest.mark.parametrize(
    "change",
    [
        {"status_emoji": "👍👍"},
        {"status_emoji": "ok"},
        {"status_text": "x" * 101},
        {"status_text": "\u202eevil"},
        {"status_text": "nul\x00"},
        {"time_zone": "Mars/Olympus_Mons"},
        {"time_zone": "europe/paris"},
        {"display_name": "   "},
    ],
)
def test_an_invalid_profile_field_is_refused_and_nothing_changes(make_user, change):
    ada = make_user("ada", display_name="Ada")
    with pytest.raises(BadRequest):
        user_profile_update(user=ada, **change)
    ada.refresh_from_db()
    assert (ada.display_name, ada.status_emoji, ada.time_zone) == ("Ada", "", "")


def test_a_change_is_told_once_to_each_person_sharing_a_room_and_to_the_person(
    make_user, make_room, published
):
    ada, bob, cy, stranger = (make_user(name) for name in ("ada", "bob", "cy", "stranger"))
    general, random = make_room(ada, "General"), make_room(bob, "Random")
    room_join(room=general, user=bob)
    room_join(room=random, user=ada)  # bob shares two rooms with ada: told once
    secret = make_room(cy, "Secret", private=True)
    room_invite(room=secret, by=cy, username="ada")
    make_room(stranger, "Elsewhere")
    assert user_co_member_ids(user=ada) == {ada.pk, bob.pk, cy.pk}

    profile_update(user=ada, display_name="Ada Lovelace", status_emoji="🌴")

    told = published(events.UserUpdated)
    assert sorted(event.user_id for event in told) == sorted([ada.pk, bob.pk, cy.pk])
    assert {event.user["display_name"] for event in told} == {"Ada Lovelace"}
    assert told[0].user["status"] == {"emoji": "🌴", "text": ""}
    assert told[0].user["avatar"]["initials"] == "AL"


def test_a_change_that_changes_nothing_tells_no_one(make_user, published):
    ada = make_user("ada", display_name="Ada")
    profile_update(user=ada, display_name=" Ada ")
    assert published(events.UserUpdated) == []
