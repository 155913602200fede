"""Hostile characters and sizes on every REST write: a clear JSON error, never a 500, the same
on SQLite and PostgreSQL (`python -m tests.services pytest` runs this file on PostgreSQL)."""

import json
import uuid

import pytest
from django.test import Client

from accounts.models import User
from chat.models import Message, Room
from tests.conftest import PASSWORD

from .client import API, ApiClient, assert_error

NUL = "a\x00b"
SURROGATE = "a\ud800b"  # json.dumps writes it as the escape "\ud800", as a hostile client would


def writes(room_slug: str) -> list[tuple[str, str, dict]]:
    """(method, path, body) for every REST write, each with one string field to poison: "{}"."""
    client_id = str(uuid.uuid4())
    return [
        ("POST", "/accounts", {"username": "{}", "password": PASSWORD}),
        ("POST", "/accounts", {"username": "eve", "password": "{}" + PASSWORD}),
        ("POST", "/accounts", {"username": "eve", "password": PASSWORD, "display_name": "{}"}),
        ("POST", "/auth/token", {"username": "{}", "password": PASSWORD}),
        ("POST", "/auth/token", {"username": "ada", "password": "{}"}),
        ("POST", "/rooms", {"name": "{}"}),
        ("POST", "/rooms", {"name": "Fine", "slug": "{}"}),
        ("POST", "/rooms", {"name": "Fine", "topic": "{}"}),
        ("POST", f"/rooms/{room_slug}/members", {"username": "{}"}),
        ("DELETE", f"/rooms/{room_slug}/members", {"username": "{}"}),
        ("POST", f"/rooms/{room_slug}/messages", {"body": "{}", "client_id": client_id}),
        ("POST", f"/rooms/{room_slug}/messages", {"body": "hi", "client_id": "{}"}),
    ]


def poisoned(body: dict, bad: str) -> str:
    """The body as JSON text with `bad` where "{}" stands, escaped as JSON escapes it."""
    return json.dumps(
        {
            key: value.replace("{}", bad) if isinstance(value, str) else value
            for key, value in body.items()
        }
    )


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "lone-surrogate"])
@pytest.mark.parametrize("index", range(12))
def test_nul_and_lone_surrogates_are_400_bad_request_on_every_write(
    make_user, make_token, make_room, bad, index
):
    ada = make_user("ada")
    room = make_room(ada, "General")
    method, path, body = writes(room.slug)[index]
    client = Client(headers={"Authorization": f"Bearer {make_token(ada)}"})
    response = client.generic(
        method, API + path, poisoned(body, bad), content_type="application/json"
    )
    assert_error(response, 400, "bad_request")
    assert not Message.objects.exists()
    assert set(User.objects.values_list("username", flat=True)) == {"ada"}
    assert set(Room.objects.values_list("slug", flat=True)) == {room.slug}


def test_the_error_names_the_field(make_user, api_as):
    response = ApiClient().client.generic(
        "POST",
        f"{API}/auth/token",
        poisoned({"username": "{}", "password": "x"}, NUL),
        content_type="application/json",
    )
    assert "username" in assert_error(response, 400, "bad_request")["message"]


def test_nul_in_a_query_or_path_is_an_error_not_a_500(make_user, api_as, make_room):
    ada = make_user("ada")
    make_room(ada, "General")
    api = api_as(ada)
    assert_error(api.get("/rooms/general/messages", before="1\x00"), 400, "bad_request")
    assert_error(api.get("/rooms/gen%00eral"), 404, "not_found")
    assert_error(api.get("/rooms/gen%ED%A0%80eral/messages"), 404, "not_found")


def test_a_json_body_over_the_upload_limit_is_413(make_user, api_as, make_room, settings):
    ada = make_user("ada")
    make_room(ada, "General")
    body = {
        "body": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
        "client_id": str(uuid.uuid4()),
    }
    assert_error(api_as(ada).post("/rooms/general/messages", body), 413, "too_large")
    assert not Message.objects.exists()


def test_an_unauthenticated_body_over_the_limit_is_413_too(db, settings):
    body = {"username": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1), "password": "x"}
    assert_error(ApiClient().post("/auth/token", body), 413, "too_large")
