"""The lobby's "join or create" box makes a slug for a name in any script (slug_for_name)."""

import pytest
from django.test import Client

from chat.services.rooms import room_create, slug_for_name


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("General", "general"),
        ("No Script Café", "no-script-cafe"),
        ("日本語", "ribenyu"),
        ("Москва", "moskva"),
        ("Ελληνικά", "ellinika"),
        ("한국어", "hangugeo"),
        ("🎉 party", "tada-party"),
    ],
)
def test_any_name_makes_a_valid_slug(name, slug):
    assert slug_for_name(name) == slug


def test_a_name_of_punctuation_makes_none():
    assert slug_for_name("!!! ???") == ""


def test_the_box_opens_the_slug_of_a_name_in_any_script(db):
    response = Client().get("/chat/", {"room": "日本語"})
    assert (response.status_code, response["Location"]) == (302, "/chat/ribenyu/")


def test_the_box_refuses_a_name_with_nothing_to_make_a_slug_of(db):
    response = Client().get("/chat/", {"room": "!!!"}, follow=True)
    assert b"at least one letter or digit" in response.content


def test_a_room_created_without_a_slug_gets_its_names_slug(make_user):
    assert room_create(owner=make_user(), name="Москва").slug == "moskva"
