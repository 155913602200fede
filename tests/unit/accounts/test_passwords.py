"""Django's password validators, and Parley's, apply to every way an account is made: the
service, the sign-up page, POST /api/v1/accounts and `parley createuser`."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import User
from accounts.services import user_create
from parley.errors import BadRequest
from tests.api.client import ApiClient, assert_error

BLANK = " " * 12


def test_the_service_refuses_a_password_of_only_spaces(db):
    with pytest.raises(BadRequest, match="only spaces"):
        user_create(username="ada", password=BLANK)
    assert not User.objects.exists()


def test_the_rest_api_refuses_it(db):
    response = ApiClient().post("/accounts", {"username": "ada", "password": BLANK})
    assert "only spaces" in assert_error(response, 400, "bad_request")["message"]
    assert not User.objects.exists()


def test_the_signup_page_refuses_it(db):
    response = Client().post(
        "/accounts/signup/", {"username": "ada", "password": BLANK, "password_again": BLANK}
    )
    assert response.status_code == 400
    assert b"only spaces" in response.content
    assert not User.objects.exists()


def test_the_signup_page_keeps_spaces_around_a_password(db):
    password = "  correct horse battery  "
    response = Client().post(
        "/accounts/signup/", {"username": "ada", "password": password, "password_again": password}
    )
    assert response.status_code == 302
    assert User.objects.get(username="ada").check_password(password)


def test_createuser_refuses_it(db):
    with pytest.raises(CommandError, match="only spaces"):
        call_command("createuser", "ada", "--password", BLANK)
    assert not User.objects.exists()


def test_createuser_refuses_a_weak_password_too(db):
    with pytest.raises(CommandError, match="too common"):
        call_command("createuser", "ada", "--password", "password123")
