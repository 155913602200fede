"""The pages' forms answer U+0000 with the form's error, never a 500 (PostgreSQL cannot store
it): Django's form fields refuse it before any service runs."""

import pytest
from django.test import Client

from accounts.models import User
from chat.models import Room
from tests.conftest import PASSWORD


@pytest.mark.parametrize("field", ["username", "display_name", "password"])
def test_signup_refuses_nul(db, field):
    data = {
        "username": "ada",
        "display_name": "Ada",
        "password": PASSWORD,
        "password_again": PASSWORD,
    }
    data[field] = "a\x00b" + data[field]
    if field == "password":
        data["password_again"] = data["password"]
    assert Client().post("/accounts/signup/", data).status_code == 400
    assert not User.objects.exists()


def test_login_refuses_nul(make_user):
    make_user("ada")
    response = Client().post("/accounts/login/", {"username": "ada\x00", "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in response.client.session


@pytest.mark.parametrize("field", ["name", "topic"])
def test_new_room_refuses_nul(make_user, field):
    client = Client()
    client.force_login(make_user())
    data = {"name": "General", "topic": "", field: "a\x00b"}
    assert client.post("/rooms/new/", data).status_code == 400
    assert not Room.objects.exists()


def test_new_room_refuses_a_bidi_override_with_the_forms_error(make_user):
    client = Client()
    client.force_login(make_user())
    response = client.post("/rooms/new/", {"name": "general\u202elareneg"})
    assert response.status_code == 400 and b"bidirectional" in response.content
    assert not Room.objects.exists()
