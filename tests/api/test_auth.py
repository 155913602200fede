"""Who may call: signed-up users with a live token or a session (CSRF on writes); nobody else."""

import pytest
from django.test import Client

from accounts.services import guest_create, token_issue_for, token_revoke
from chat.models import Room

from .client import API, ApiClient, assert_error

CSRF_SECRET = "a" * 32


@pytest.mark.django_db
def test_call_without_credentials_is_401():
    assert_error(ApiClient().get("/rooms"), 401, "not_authenticated")


@pytest.mark.django_db
def test_unknown_token_is_401():
    assert_error(ApiClient("prl_not-a-token").get("/rooms"), 401, "not_authenticated")


@pytest.mark.django_db
def test_empty_bearer_token_is_401():
    client = Client(headers={"Authorization": "Bearer "})
    assert_error(client.get(f"{API}/rooms"), 401, "not_authenticated")


def test_revoked_token_is_401(make_user, make_token):
    token = make_token(make_user())
    assert ApiClient(token).get("/rooms").status_code == 200
    token_revoke(secret=token)
    assert_error(ApiClient(token).get("/rooms"), 401, "not_authenticated")


def test_guest_token_is_401(db):
    _, token = token_issue_for(user=guest_create())
    body = assert_error(ApiClient(token).get("/rooms"), 401, "not_authenticated")
    assert "Guests" in body["message"]


def test_guest_session_is_401(db):
    client = Client()
    client.force_login(guest_create())
    assert_error(client.get(f"{API}/rooms"), 401, "not_authenticated")


def test_session_user_reads_without_csrf(make_user, make_room):
    user = make_user()
    make_room(user, "Lobby")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.get(f"{API}/rooms")
    assert response.status_code == 200
    assert [room["slug"] for room in response.json()["rooms"]] == ["lobby"]


def test_session_write_without_csrf_token_is_403(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    response = client.post(f"{API}/rooms", {"name": "Lobby"}, content_type="application/json")
    body = assert_error(response, 403, "forbidden")
    assert "CSRF" in body["message"]
    assert not Room.objects.filter(slug="lobby").exists()


def test_session_write_with_csrf_token_succeeds(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    client.cookies["csrftoken"] = CSRF_SECRET
    response = client.post(
        f"{API}/rooms",
        {"name": "Lobby"},
        content_type="application/json",
        headers={"X-CSRFToken": CSRF_SECRET},
    )
    assert response.status_code == 201, response.content


def test_token_write_needs_no_csrf_token(make_user, make_token):
    token = make_token(make_user())
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token}"})
    response = client.post(f"{API}/rooms", {"name": "Lobby"}, content_type="application/json")
    assert response.status_code == 201, response.content


def test_wrong_token_is_401_even_with_a_session(make_user):
    client = Client(headers={"Authorization": "Bearer prl_wrong"})
    client.force_login(make_user())
    assert_error(client.get(f"{API}/rooms"), 401, "not_authenticated")


def test_unauthenticated_write_is_401_not_a_csrf_403(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"{API}/rooms", {"name": "Lobby"}, content_type="application/json")
    assert_error(response, 401, "not_authenticated")
