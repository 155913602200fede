"""Login throttling (django-axes, config/lockout.py) on the three ways to log in: the token
endpoint, the login form and the admin login. Per username and per address, HTTP 429 with
Retry-After, the form saying so in words, every failure logged."""

import json
import logging

import pytest
from django.test import Client

from tests.conftest import PASSWORD


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def token(username: str, password: str, address: str = "192.0.2.1"):
    body = json.dumps({"username": username, "password": password})
    return Client(REMOTE_ADDR=address).post(
        "/api/v1/auth/token", body, content_type="application/json"
    )


def form(path: str, username: str, password: str, address: str = "192.0.2.1"):
    return Client(REMOTE_ADDR=address).post(path, {"username": username, "password": password})


def test_token_endpoint_locks_an_account_out_at_the_limit(limit, make_user, settings):
    make_user("ada")
    assert [token("ada", "wrong", f"192.0.2.{n}").status_code for n in range(3)] == [401, 401, 429]
    # From another address, with the right password: the account is throttled.
    refused = token("ada", PASSWORD, "192.0.2.99")
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    body = refused.json()
    assert body["code"] == "rate_limited" and "Too many failed log-ins" in body["message"]
    assert token("bob-never-tried", "x", "192.0.2.99").status_code == 401  # others are not


def test_token_endpoint_locks_an_address_out_whatever_the_username(limit, make_user):
    make_user("ada")
    assert [token(name, "wrong", "198.51.100.5").status_code for name in ("u1", "u2", "u3")] == [
        401,
        401,
        429,
    ]
    assert token("ada", PASSWORD, "198.51.100.5").status_code == 429
    assert token("ada", PASSWORD, "198.51.100.6").status_code == 200  # another address is not


def test_a_successful_login_resets_the_count(limit, make_user):
    make_user("ada")
    for _ in range(2):
        token("ada", "wrong")
    assert token("ada", PASSWORD).status_code == 200
    for _ in range(2):
        assert token("ada", "wrong").status_code == 401


def test_login_form_says_so_in_words_with_429(limit, make_user):
    make_user("ada")
    for _ in range(2):
        assert form("/accounts/login/", "ada", "wrong").status_code == 200  # the form again
    refused = form("/accounts/login/", "ada", "wrong")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    text = refused.content.decode()
    assert "Too many log-in attempts" in text and "Too many failed log-ins. Wait 5 minutes" in text
    assert form("/accounts/login/", "ada", PASSWORD).status_code == 429


def test_admin_login_is_throttled_too(limit, make_user):
    make_user("ada")
    for _ in range(2):
        assert form("/admin/login/", "ada", "wrong").status_code == 200
    refused = form("/admin/login/", "ada", "wrong")
    assert refused.status_code == 429 and "Too many failed log-ins" in refused.content.decode()


def test_failed_logins_are_logged(limit, make_user, caplog):
    make_user("ada")
    with caplog.at_level(logging.INFO, logger="axes"):
        for _ in range(3):
            token("ada", "wrong", "192.0.2.44")
    messages = [r.getMessage() for r in caplog.records if r.name.startswith("axes")]
    assert sum("login failure by" in m and "192.0.2.44" in m for m in messages) == 3
    assert any("Locking out" in m for m in messages)


def test_sign_up_still_logs_the_new_user_in_beside_the_throttle_backend(db):
    client = Client()
    password = "a-long-enough-passphrase"
    response = client.post(
        "/accounts/signup/",
        {"username": "newbie", "password": password, "password_again": password},
    )
    assert response.status_code == 302
    assert client.get("/api/v1/rooms").status_code == 200  # signed in by the session
