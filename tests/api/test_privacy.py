"""Invisible means indistinguishable on the REST API: a private room the caller may not see
answers every call exactly as a room that does not exist, apart from the name."""

import json
from uuid import uuid4

import pytest

from chat.services.messages import message_post
from chat.services.rooms import room_create

CALLS = [
    ("get", "/rooms/{slug}", None),
    ("get", "/rooms/{slug}/members", None),
    ("get", "/rooms/{slug}/messages", None),
    (
        "post",
        "/rooms/{slug}/messages",
        {"body": "hi", "client_id": "0b6f6b2a-8f37-4a39-9a83-2a4f1b7c0d11"},
    ),
    ("post", "/rooms/{slug}/members", None),
    ("post", "/rooms/{slug}/members", {"username": "carol"}),
    ("delete", "/rooms/{slug}/members", None),
    ("patch", "/rooms/{slug}", {"name": "Renamed"}),
    ("post", "/rooms/{slug}/owner", {"username": "carol"}),
    ("post", "/rooms/{slug}/archive", None),
    ("post", "/rooms/{slug}/unarchive", None),
    ("delete", "/rooms/{slug}/members", {"new_owner": "carol"}),
    ("get", "/rooms/{slug}/pins", None),
    ("get", "/rooms/{slug}/events?since=0", None),
    ("patch", "/rooms/{slug}/messages/{id}", {"body": "edited"}),
    ("delete", "/rooms/{slug}/messages/{id}", None),
    ("put", "/rooms/{slug}/messages/{id}/reactions/%F0%9F%91%8D", None),
    ("delete", "/rooms/{slug}/messages/{id}/reactions/%F0%9F%91%8D", None),
    ("put", "/rooms/{slug}/messages/{id}/pin", None),
    ("delete", "/rooms/{slug}/messages/{id}/pin", None),
    ("get", "/rooms/{slug}/messages/{id}/replies", None),
    (
        "post",
        "/rooms/{slug}/messages",
        {
            "body": "hi",
            "client_id": "0b6f6b2a-8f37-4a39-9a83-2a4f1b7c0d12",
            "thread_root": 1,
            "also_to_room": True,
        },
    ),
]


def answer(
    client, method: str, path: str, body, slug: str, message_id: int = 1
) -> tuple[int, dict]:
    response = getattr(client, method)(
        path.format(slug=slug, id=message_id), *([body] if body else [])
    )
    text = response.content.decode().replace(slug, "NAME")
    return response.status_code, json.loads(text)


@pytest.mark.parametrize(("method", "path", "body"), CALLS)
def test_an_invisible_private_room_answers_as_a_missing_one(
    make_user, make_legacy_private_room, api_as, method, path, body
):
    owner, stranger = make_user(), make_user()
    make_user("carol")
    new = room_create(owner=owner, name="Plans", private=True)
    legacy = make_legacy_private_room(owner, "hidden")
    secret = message_post(author=owner, room=new, body="secret", client_id=uuid4())[0]
    client = api_as(stranger)
    missing = answer(client, method, path, body, "no-such-room", secret.pk)
    assert missing[0] == 404
    assert answer(client, method, path, body, new.slug, secret.pk) == missing
    assert answer(client, method, path, body, legacy.slug, secret.pk) == missing
    secret.refresh_from_db()
    assert (secret.body, secret.version, secret.reply_count) == ("secret", 1, 0)


def test_a_taken_private_slug_answers_as_a_taken_public_one(
    make_user, make_legacy_private_room, api_as
):
    owner = make_user()
    make_legacy_private_room(owner, "hidden")
    room_create(owner=owner, name="Open", slug="open")
    client = api_as(make_user())
    private = answer(client, "post", "/rooms", {"name": "X", "slug": "hidden"}, "hidden")
    public = answer(client, "post", "/rooms", {"name": "X", "slug": "open"}, "open")
    assert private == public and private[0] == 409


def test_a_new_private_room_never_collides_with_a_public_name(make_user, api_as):
    owner = make_user()
    secret = api_as(owner).post("/rooms", {"name": "Roadmap", "slug": "roadmap", "private": True})
    assert secret.status_code == 201 and secret.json()["slug"].startswith("roadmap-")
    public = api_as(make_user()).post("/rooms", {"name": "Roadmap", "slug": "roadmap"})
    assert public.status_code == 201 and public.json()["slug"] == "roadmap"


def test_rooms_per_hour_answer_429_with_retry_after(make_user, api_as, settings):
    settings.PARLEY_ROOMS_PER_HOUR = 2
    client = api_as(make_user())
    for name in ("one", "two"):
        assert client.post("/rooms", {"name": name}).status_code == 201
    response = client.post("/rooms", {"name": "three"})
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "rate_limited" and "2 rooms an hour" in body["message"]
    assert 1 <= body["retry_after"] <= 3600
    assert response["Retry-After"] == str(body["retry_after"])


def test_room_list_is_paged(make_user, make_room, api_as):
    owner = make_user()
    for n in range(5):
        make_room(owner, f"Room {n}", quota=False)
    client = api_as(owner)
    first = client.get("/rooms", page_size=2).json()
    assert [r["name"] for r in first["rooms"]] == ["Room 0", "Room 1"]
    assert (first["page"], first["page_size"], first["has_more"]) == (1, 2, True)
    last = client.get("/rooms", page=3, page_size=2).json()
    assert [r["name"] for r in last["rooms"]] == ["Room 4"] and last["has_more"] is False
    assert client.get("/rooms", page=9).json()["rooms"] == []


def test_the_default_and_largest_page_is_100(make_user, make_room, api_as):
    owner = make_user()
    for n in range(101):
        make_room(owner, f"Room {n:03}", quota=False)
    client = api_as(owner)
    page = client.get("/rooms").json()
    assert len(page["rooms"]) == 100 and page["has_more"] is True
    too_big = client.get("/rooms", page_size=101)
    assert too_big.status_code == 400 and "page_size" in too_big.json()["message"]
    assert client.get("/rooms", page=0).status_code == 400


def test_member_list_is_paged(make_user, make_room, api_as):
    from chat.services.rooms import room_join

    owner = make_user("a-owner")
    room = make_room(owner, "General")
    for name in ("b", "c", "d"):
        room_join(room=room, user=make_user(name))
    client = api_as(owner)
    first = client.get("/rooms/general/members", page_size=3).json()
    assert [m["username"] for m in first["members"]] == ["a-owner", "b", "c"] and first["has_more"]
    second = client.get("/rooms/general/members", page=2, page_size=3).json()
    assert [m["username"] for m in second["members"]] == ["d"] and not second["has_more"]
