"""Messages: history pages (before/after/limit) and idempotent posts."""

from uuid import uuid4

import pytest

from chat.models import Message
from chat.payloads import message_payload
from chat.services.messages import message_post

from .client import assert_error


@pytest.fixture
def room_with(make_user, make_room):
    """room_with(n): (owner, room) where the owner has posted n messages, bodies "m1".."mn"."""

    def make(count: int):
        owner = make_user()
        room = make_room(owner, "General")
        for n in range(1, count + 1):
            message_post(author=owner, room=room, body=f"m{n}", client_id=uuid4())
        return owner, room

    return make


def seqs(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [message["seq"] for message in response.json()["messages"]]


def test_post_answers_201_with_the_stored_message(make_user, make_room, api_as):
    alice = make_user("alice")
    room = make_room(alice, "General")
    client_id = uuid4()
    response = api_as(alice).post(
        "/rooms/general/messages", {"body": "  hello  ", "client_id": str(client_id)}
    )
    assert response.status_code == 201, response.content
    stored = Message.objects.get(room=room)
    assert response.json() == message_payload(stored)
    assert response.json()["body"] == "hello"
    assert response.json()["seq"] == 1


def test_retry_with_same_client_id_is_200_with_the_original_and_stored_once(
    make_user, make_room, api_as
):
    alice = make_user()
    room = make_room(alice, "General")
    client = api_as(alice)
    post = {"body": "hello", "client_id": str(uuid4())}
    first = client.post("/rooms/general/messages", post)
    client.post("/rooms/general/messages", {"body": "other", "client_id": str(uuid4())})
    retry = client.post("/rooms/general/messages", post)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json() == first.json()
    assert retry.json()["seq"] == 1
    assert Message.objects.filter(room=room, client_id=post["client_id"]).count() == 1
    assert Message.objects.filter(room=room).count() == 2


def test_client_id_reused_in_another_room_is_409(make_user, make_room, api_as):
    alice = make_user()
    make_room(alice, "One")
    make_room(alice, "Two")
    client, client_id = api_as(alice), str(uuid4())
    assert (
        client.post("/rooms/one/messages", {"body": "x", "client_id": client_id}).status_code == 201
    )
    assert_error(
        client.post("/rooms/two/messages", {"body": "x", "client_id": client_id}), 409, "conflict"
    )


def test_too_long_body_is_400_too_long(make_user, make_room, api_as, settings):
    settings.PARLEY_MAX_BODY = 10
    alice = make_user()
    make_room(alice, "General")
    response = api_as(alice).post(
        "/rooms/general/messages", {"body": "x" * 11, "client_id": str(uuid4())}
    )
    assert_error(response, 400, "too_long")
    assert not Message.objects.exists()


def test_empty_body_is_400(make_user, make_room, api_as):
    alice = make_user()
    make_room(alice, "General")
    response = api_as(alice).post(
        "/rooms/general/messages", {"body": "   ", "client_id": str(uuid4())}
    )
    assert_error(response, 400, "bad_request")


def test_invalid_client_id_is_400_naming_it(make_user, make_room, api_as):
    alice = make_user()
    make_room(alice, "General")
    response = api_as(alice).post(
        "/rooms/general/messages", {"body": "hi", "client_id": "not-a-uuid"}
    )
    assert "client_id" in assert_error(response, 400, "bad_request")["message"]


def test_missing_client_id_is_400_naming_it(make_user, make_room, api_as):
    alice = make_user()
    make_room(alice, "General")
    response = api_as(alice).post("/rooms/general/messages", {"body": "hi"})
    assert "client_id" in assert_error(response, 400, "bad_request")["message"]


def test_posting_into_an_invisible_private_room_is_404(make_user, make_room, api_as):
    room = make_room(make_user(), "Secret", private=True)
    response = api_as(make_user()).post(
        f"/rooms/{room.slug}/messages", {"body": "hi", "client_id": str(uuid4())}
    )
    assert_error(response, 404, "not_found")
    assert not Message.objects.filter(room=room).exists()


def test_posting_into_a_public_room_joins_it(make_user, make_room, api_as):
    bob = make_user()
    make_room(make_user(), "General")
    client = api_as(bob)
    assert (
        client.post(
            "/rooms/general/messages", {"body": "hi", "client_id": str(uuid4())}
        ).status_code
        == 201
    )
    assert client.get("/rooms/general").json()["member"] is True


def test_history_is_the_newest_page_ascending(room_with, api_as):
    owner, room = room_with(5)
    response = api_as(owner).get("/rooms/general/messages", limit=3)
    assert seqs(response) == [3, 4, 5]
    assert response.json()["has_more"] is True
    assert response.json()["messages"][0] == message_payload(Message.objects.get(room=room, seq=3))


def test_history_before_pages_backwards(room_with, api_as):
    owner, _ = room_with(5)
    client = api_as(owner)
    older = client.get("/rooms/general/messages", before=3, limit=2)
    assert seqs(older) == [1, 2]
    assert older.json()["has_more"] is False


def test_history_after_pages_forwards(room_with, api_as):
    owner, _ = room_with(5)
    client = api_as(owner)
    first = client.get("/rooms/general/messages", after=0, limit=2)
    assert seqs(first) == [1, 2]
    assert first.json()["has_more"] is True
    last = client.get("/rooms/general/messages", after=3, limit=2)
    assert seqs(last) == [4, 5]
    assert last.json()["has_more"] is False


def test_history_between_after_and_before(room_with, api_as):
    owner, _ = room_with(6)
    assert seqs(api_as(owner).get("/rooms/general/messages", after=1, before=5)) == [2, 3, 4]


def test_history_of_an_empty_room(make_user, make_room, api_as):
    owner = make_user()
    make_room(owner, "General")
    assert api_as(owner).get("/rooms/general/messages").json() == {
        "messages": [],
        "has_more": False,
    }


def test_history_defaults_to_50(room_with, api_as):
    owner, _ = room_with(51)
    response = api_as(owner).get("/rooms/general/messages")
    assert seqs(response) == list(range(2, 52))
    assert response.json()["has_more"] is True


def test_history_limit_100_is_allowed(room_with, api_as):
    owner, _ = room_with(3)
    assert seqs(api_as(owner).get("/rooms/general/messages", limit=100)) == [1, 2, 3]


@pytest.mark.parametrize("limit", [0, 101, -1, "many"])
def test_history_limit_out_of_bounds_is_400_naming_it(room_with, api_as, limit):
    owner, _ = room_with(1)
    response = api_as(owner).get("/rooms/general/messages", limit=limit)
    assert "limit" in assert_error(response, 400, "bad_request")["message"]


def test_history_of_an_invisible_private_room_is_404(make_user, make_room, api_as):
    owner = make_user()
    room = make_room(owner, "Secret", private=True)
    message_post(author=owner, room=room, body="secret", client_id=uuid4())
    assert_error(api_as(make_user()).get(f"/rooms/{room.slug}/messages"), 404, "not_found")
