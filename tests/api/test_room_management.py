"""The REST calls an owner manages a room with (hand over, archive, unarchive, leave with a
successor), what an archived room answers, duplicate names, and browsing rooms."""

from uuid import uuid4

import pytest

from chat.models import Room
from chat.services.messages import message_post
from chat.services.room_admin import room_archive
from chat.services.rooms import room_create, room_invite, room_join

from .client import assert_error


@pytest.fixture
def team(make_user):
    ada, grace = make_user("ada"), make_user("grace")
    room = room_create(owner=ada, name="Ops", private=True)
    room_invite(room=room, by=ada, username="grace")
    return ada, grace, room


def test_the_owner_hands_the_room_over(team, api_as):
    ada, grace, room = team
    response = api_as(ada).post(f"/rooms/{room.slug}/owner", {"username": "grace"})
    assert response.status_code == 200, response.content
    assert response.json()["owner"]["username"] == "grace"
    events = api_as(grace).get(f"/rooms/{room.slug}/events", since=0).json()["events"]
    assert events[-1]["type"] == "room_updated"
    assert events[-1]["owner"]["username"] == "grace"
    assert events[-1]["archived"] is False


def test_handing_over_is_for_the_owner_and_to_a_member(team, api_as, make_user):
    ada, grace, room = team
    make_user("carol")
    assert_error(
        api_as(grace).post(f"/rooms/{room.slug}/owner", {"username": "grace"}), 403, "forbidden"
    )
    assert_error(
        api_as(ada).post(f"/rooms/{room.slug}/owner", {"username": "carol"}), 404, "not_found"
    )
    assert_error(api_as(ada).post(f"/rooms/{room.slug}/owner", {}), 400, "bad_request")


def test_archive_makes_the_room_read_only_and_unarchive_opens_it(team, api_as):
    ada, grace, room = team
    message, _ = message_post(author=ada, room=room, body="kept", client_id=uuid4())
    response = api_as(ada).post(f"/rooms/{room.slug}/archive")
    assert response.status_code == 200
    assert response.json()["archived_at"].endswith("Z")
    as_grace = api_as(grace)
    refused = [
        as_grace.post(f"/rooms/{room.slug}/messages", {"body": "hi", "client_id": str(uuid4())}),
        api_as(ada).patch(f"/rooms/{room.slug}/messages/{message.pk}", {"body": "changed"}),
        as_grace.put(f"/rooms/{room.slug}/messages/{message.pk}/reactions/%F0%9F%91%8D"),
        as_grace.put(f"/rooms/{room.slug}/messages/{message.pk}/pin"),
        api_as(ada).patch(f"/rooms/{room.slug}", {"topic": "new"}),
    ]
    for response in refused:
        assert_error(response, 409, "room_archived")
    # readable as before
    history = as_grace.get(f"/rooms/{room.slug}/messages").json()["messages"]
    assert [m["body"] for m in history] == ["kept"]
    assert as_grace.get(f"/rooms/{room.slug}").json()["archived_at"] is not None
    response = api_as(ada).post(f"/rooms/{room.slug}/unarchive")
    assert response.status_code == 200 and response.json()["archived_at"] is None
    sent = as_grace.post(f"/rooms/{room.slug}/messages", {"body": "hi", "client_id": str(uuid4())})
    assert sent.status_code == 201


def test_inviting_into_an_archived_room_is_refused(team, api_as, make_user):
    ada, _, room = team
    make_user("carol")
    room_archive(room=room, by=ada)
    response = api_as(ada).post(f"/rooms/{room.slug}/members", {"username": "carol"})
    assert_error(response, 409, "room_archived")


def test_only_the_owner_archives(team, api_as):
    _, grace, room = team
    assert_error(api_as(grace).post(f"/rooms/{room.slug}/archive"), 403, "forbidden")
    assert_error(api_as(grace).post(f"/rooms/{room.slug}/unarchive"), 403, "forbidden")


def test_the_owner_leaving_a_private_room_names_a_successor(team, api_as):
    ada, grace, room = team
    body = assert_error(
        api_as(ada).delete(f"/rooms/{room.slug}/members"), 409, "new_owner_required"
    )
    assert room.slug in body["message"]
    response = api_as(ada).delete(f"/rooms/{room.slug}/members", {"new_owner": "grace"})
    assert response.status_code == 204
    assert Room.objects.get(pk=room.pk).owner == grace
    assert_error(api_as(ada).get(f"/rooms/{room.slug}"), 404, "not_found")
    assert api_as(grace).get(f"/rooms/{room.slug}").json()["owner"]["username"] == "grace"


def test_a_successor_is_named_only_when_leaving(team, api_as):
    ada, _, room = team
    body = {"username": "grace", "new_owner": "grace"}
    assert_error(api_as(ada).delete(f"/rooms/{room.slug}/members", body), 400, "bad_request")
    assert Room.objects.get(pk=room.pk).owner == ada


def test_a_duplicate_name_is_refused_with_name_taken(make_user, api_as):
    ada = make_user()
    room_create(owner=ada, name="General")
    body = assert_error(api_as(make_user()).post("/rooms", {"name": "général"}), 409, "name_taken")
    assert "#general" in body["message"]
    ops = room_create(owner=ada, name="Ops")
    assert_error(api_as(ada).patch(f"/rooms/{ops.slug}", {"name": "GENERAL"}), 409, "name_taken")


def test_a_name_held_by_an_invisible_private_room_is_free(make_user, api_as):
    room_create(owner=make_user(), name="Layoffs", private=True)
    response = api_as(make_user()).post("/rooms", {"name": "Layoffs"})
    assert response.status_code == 201


def test_browse_searches_counts_members_and_hides_archived_rooms(make_user, api_as):
    ada, bob = make_user(), make_user()
    cafe = room_create(owner=ada, name="Café Talk")
    room_join(room=cafe, user=bob)
    room_create(owner=ada, name="Deploys")
    room_create(owner=ada, name="Café secrets", private=True)
    old = room_create(owner=ada, name="Old cafe")
    room_archive(room=old, by=ada)
    rooms = api_as(bob).get("/rooms", q="CAFE").json()["rooms"]
    assert [(r["name"], r["member_count"]) for r in rooms] == [("Café Talk", 2)]
    archived = api_as(bob).get("/rooms", archived=1).json()["rooms"]
    assert [r["slug"] for r in archived] == [old.slug]
    assert archived[0]["archived_at"] is not None
    mine = api_as(ada).get("/rooms", q="cafe").json()["rooms"]
    assert [r["name"] for r in mine] == ["Café secrets", "Café Talk"]


def test_browse_pages(make_user, api_as):
    ada = make_user()
    for n in range(5):
        room_create(owner=ada, name=f"Team {n}")
    first = api_as(ada).get("/rooms", q="team", page_size=2).json()
    last = api_as(ada).get("/rooms", q="team", page_size=2, page=3).json()
    assert ([r["name"] for r in first["rooms"]], first["has_more"]) == (["Team 0", "Team 1"], True)
    assert ([r["name"] for r in last["rooms"]], last["has_more"]) == (["Team 4"], False)


def test_a_search_too_long_is_a_bad_request(make_user, api_as):
    assert_error(api_as(make_user()).get("/rooms", q="x" * 201), 400, "bad_request")


def test_an_archived_private_room_stays_invisible_to_outsiders(team, api_as, make_user):
    ada, grace, room = team
    room_archive(room=room, by=ada)
    outsider = api_as(make_user())
    for path in (f"/rooms/{room.slug}", f"/rooms/{room.slug}/messages"):
        missing = outsider.get(path.replace(room.slug, "no-such-room"))
        response = outsider.get(path)
        assert response.status_code == missing.status_code == 404
        assert response.json()["message"].replace(room.slug, "X") == missing.json()[
            "message"
        ].replace("no-such-room", "X")
    assert outsider.get("/rooms", archived=1, q="ops").json()["rooms"] == []
    assert [r["slug"] for r in api_as(grace).get("/rooms", archived=1).json()["rooms"]] == [
        room.slug
    ]
    assert_error(outsider.post(f"/rooms/{room.slug}/unarchive"), 404, "not_found")
