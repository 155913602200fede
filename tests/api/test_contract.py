"""The REST contract exactly as docs/api.md states it: idempotency keys, paging bounds and
the rooms' order."""

from uuid import uuid4

from chat.models import Message
from chat.services.messages import message_post

from .client import assert_error


def test_a_retry_with_the_same_client_id_but_another_body_is_409(make_user, make_room, api_as):
    alice = make_user()
    make_room(alice, "General")
    client, client_id = api_as(alice), str(uuid4())
    assert (
        client.post(
            "/rooms/general/messages", {"body": "first", "client_id": client_id}
        ).status_code
        == 201
    )
    response = client.post("/rooms/general/messages", {"body": "second", "client_id": client_id})
    assert "different body" in assert_error(response, 409, "conflict")["message"]
    assert list(Message.objects.values_list("body", flat=True)) == ["first"]
    # the same body, trimmed the same, is a retry
    retry = client.post("/rooms/general/messages", {"body": " first ", "client_id": client_id})
    assert retry.status_code == 200 and retry.json()["seq"] == 1


def test_client_id_is_answered_in_canonical_lower_case_and_matched_in_any_case(
    make_user, make_room, api_as
):
    alice = make_user()
    make_room(alice, "General")
    client, client_id = api_as(alice), str(uuid4()).upper()
    first = client.post("/rooms/general/messages", {"body": "hi", "client_id": client_id})
    assert first.status_code == 201 and first.json()["client_id"] == client_id.lower()
    retry = client.post("/rooms/general/messages", {"body": "hi", "client_id": client_id.lower()})
    assert retry.status_code == 200 and retry.json()["id"] == first.json()["id"]


def post_messages(room, author, count):
    for i in range(count):
        message_post(author=author, room=room, body=f"m{i + 1}", client_id=uuid4())


def test_has_more_with_after_and_before_says_whether_more_lie_between(make_user, make_room, api_as):
    alice = make_user()
    room = make_room(alice, "General")
    post_messages(room, alice, 10)
    client = api_as(alice)
    page = client.get("/rooms/general/messages", after=2, before=8, limit=3).json()
    assert [m["seq"] for m in page["messages"]] == [3, 4, 5] and page["has_more"] is True
    page = client.get("/rooms/general/messages", after=4, before=8, limit=3).json()
    assert [m["seq"] for m in page["messages"]] == [5, 6, 7] and page["has_more"] is False


def test_before_0_is_an_empty_page_as_on_the_websocket(make_user, make_room, api_as):
    alice = make_user()
    room = make_room(alice, "General")
    post_messages(room, alice, 3)
    response = api_as(alice).get("/rooms/general/messages", before=0)
    assert response.status_code == 200, response.content
    assert response.json() == {"messages": [], "has_more": False}
    assert_error(api_as(alice).get("/rooms/general/messages", before=-1), 400, "bad_request")


def test_rooms_are_listed_in_the_order_people_expect(make_user, make_room, api_as):
    alice = make_user()
    for name in ("Zulu", "alpha", "Émile", "beta", "ÉCOLE", "Ölberg", "oslo"):
        make_room(alice, name)
    names = [room["name"] for room in api_as(alice).get("/rooms").json()["rooms"]]
    assert names == ["alpha", "beta", "ÉCOLE", "Émile", "Ölberg", "oslo", "Zulu"]
