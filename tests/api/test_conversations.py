"""The conversations calls: the sidebar list, DMs, read markers, notification settings."""

import uuid

from chat.models import Room
from chat.services.messages import message_post
from chat.services.rooms import room_join

from .client import assert_error


def post(user, room, body):
    return message_post(author=user, room=room, body=body, client_id=uuid.uuid4())[0]


def test_the_list_has_counts_and_marking_read_clears_them(make_user, make_room, api_as):
    ada, bob = make_user("ada"), make_user("bob")
    room = make_room(ada, "General")
    room_join(room=room, user=bob)
    post(ada, room, "hello @bob")
    last = post(ada, room, "again")
    client = api_as(bob)
    (listed,) = client.get("/conversations").json()["conversations"]
    assert (listed["room"], listed["unread"], listed["mentions"]) == (room.slug, 2, 1)
    assert listed["with"] is None  # a channel
    response = client.post(f"/rooms/{room.slug}/read", {"seq": last.event_seq - 1})
    assert response.json() == {"room": room.slug, "last_read": last.event_seq - 1}
    assert client.get("/conversations").json()["conversations"][0]["unread"] == 1
    assert client.post(f"/rooms/{room.slug}/read").json()["last_read"] == last.event_seq
    response = client.post(f"/rooms/{room.slug}/unread", {"id": last.pk})
    assert response.json()["last_read"] == last.event_seq - 1
    assert client.post("/conversations/read").json() == {"moved": 1}


def test_a_dm_opens_once_per_set_of_people(make_user, api_as):
    ada, bob = make_user("ada"), make_user("bob")
    response = api_as(ada).post("/dms", {"usernames": ["bob"]})
    assert response.status_code == 201, response.content
    dm = response.json()
    assert dm["kind"] == "dm" and dm["name"] == "bob" and dm["room"].startswith("dm-")
    assert dm["with"] == bob.pk
    again = api_as(bob).post("/dms", {"usernames": ["ada"]})
    assert (again.status_code, again.json()["id"]) == (200, dm["id"])
    assert_error(api_as(ada).post("/dms", {"usernames": ["nobody"]}), 404, "not_found")
    assert_error(api_as(ada).post("/dms", {"usernames": "bob"}), 400, "bad_request")
    assert_error(api_as(ada).post("/dms", {"people": ["bob"]}), 400, "bad_request")


def test_a_dm_answers_everyone_else_exactly_as_a_missing_room(make_user, api_as):
    ada, bob, eve = make_user("ada"), make_user("bob"), make_user("eve")
    slug = api_as(ada).post("/dms", {"usernames": ["bob"]}).json()["room"]
    for path in (f"/rooms/{slug}", f"/rooms/{slug}/messages", f"/rooms/{slug}/members"):
        missing = api_as(eve).get(path.replace(slug, "dm-0000000000000000"))
        hidden = api_as(eve).get(path)
        assert (hidden.status_code, hidden.json()["code"]) == (
            missing.status_code,
            missing.json()["code"],
        )
    assert slug not in [r["slug"] for r in api_as(eve).get("/rooms").json()["rooms"]]
    assert_error(api_as(eve).post(f"/rooms/{slug}/read"), 404, "not_found")
    assert api_as(bob).get(f"/rooms/{slug}").status_code == 200
    assert Room.objects.get(slug=slug).kind == "dm"


def test_notify_settings(make_user, make_room, api_as):
    ada = make_user()
    room = make_room(ada)
    client = api_as(ada)
    assert client.put(f"/rooms/{room.slug}/notify", {"notify": "none"}).json() == {
        "room": room.slug,
        "notify": "none",
    }
    assert client.get("/conversations").json()["conversations"][0]["notify"] == "none"
    assert_error(client.put(f"/rooms/{room.slug}/notify", {"notify": "loud"}), 400, "bad_request")


def test_only_members_move_markers(make_user, make_room, api_as):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    assert_error(api_as(bob).post(f"/rooms/{room.slug}/read"), 404, "not_found")
    assert_error(api_as(ada).post(f"/rooms/{room.slug}/read", {"seq": -1}), 400, "bad_request")
    assert_error(api_as(ada).post(f"/rooms/{room.slug}/unread", {"id": 0}), 400, "bad_request")


def test_the_owner_decides_whether_room_and_here_notify(make_user, make_room, api_as):
    ada, bob = make_user("ada"), make_user("bob")
    room = make_room(ada)
    room_join(room=room, user=bob)
    assert api_as(bob).patch(f"/rooms/{room.slug}", {"wide_mentions": False}).status_code == 403
    response = api_as(ada).patch(f"/rooms/{room.slug}", {"wide_mentions": False})
    assert response.json()["wide_mentions"] is False
    post(ada, room, "@room hello")
    assert api_as(bob).get("/conversations").json()["conversations"][0]["mentions"] == 0
    events = api_as(ada).get(f"/rooms/{room.slug}/events?since=0").json()["events"]
    assert [e["wide_mentions"] for e in events if e["type"] == "room_updated"] == [False]
    api_as(ada).patch(f"/rooms/{room.slug}", {"wide_mentions": True})
    post(ada, room, "@here again")
    assert api_as(bob).get("/conversations").json()["conversations"][0]["mentions"] == 1


def test_a_dm_cannot_be_left_and_opening_it_again_reaches_it(make_user, api_as):
    ada, bob = make_user("ada"), make_user("bob")
    dm = api_as(ada).post("/dms", {"usernames": ["bob"]}).json()
    members = f"/rooms/{dm['room']}/members"
    for body in (None, {"username": "bob"}):
        response = api_as(bob).delete(members, body)
        assert_error(response, 400, "bad_request")
        assert "cannot be left" in response.json()["message"]
    assert_error(api_as(ada).delete(members, {"username": "bob"}), 403, "forbidden")
    assert [m["username"] for m in api_as(bob).get(members).json()["members"]] == ["ada", "bob"]
    again = api_as(bob).post("/dms", {"usernames": ["ada"]})
    assert (again.status_code, again.json()["id"]) == (200, dm["id"])
    assert api_as(bob).get(f"/rooms/{dm['room']}/messages").status_code == 200
