"""A room's event stream over REST: every change after a seq, as protocol v2 frames carry them,
with `reset` past the replay limit, charged to the replay budget."""

from uuid import uuid4

from chat.selectors import stream_range
from chat.services.messages import message_delete, message_edit, message_post
from chat.services.pins import message_pin
from chat.services.reactions import reaction_add
from chat.services.rooms import room_update

from .client import assert_error


def test_every_kind_of_change_comes_in_order_as_its_frame(make_user, make_room, api_as):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    message = message_post(author=ada, room=room, body="hi", client_id=uuid4())[0]
    message_post(author=bob, room=room, body="re", client_id=uuid4(), thread_root=message.pk)
    message_edit(by=ada, room=room, message_id=message.pk, body="hello")
    reaction_add(by=bob, room=room, message_id=message.pk, emoji="👍")
    message_pin(by=bob, room=room, message_id=message.pk)
    room_update(room=room, by=ada, topic="greetings")
    message_delete(by=ada, room=room, message_id=message.pk)
    response = api_as(bob).get(f"/rooms/{room.slug}/events", since=0)
    assert response.status_code == 200, response.content
    page = response.json()
    types = [e["type"] for e in page["events"]]
    assert types == [
        "message",
        "member",
        "message",
        "message_edited",
        "reaction_added",
        "message_pinned",
        "room_updated",
        "message_deleted",
    ]
    assert [e["seq"] for e in page["events"]] == list(range(1, 9))
    assert (page["last_seq"], page["reset"], page["has_more"]) == (8, False, False)
    expected = [
        {"type": c.type, "room": c.room, "seq": c.seq, **c.fields()}
        for c in stream_range(room_id=room.pk, after=0, upto=8)
    ]
    assert page["events"] == expected
    reply = page["events"][2]
    assert reply["root"]["id"] == message.pk and reply["message"]["seq"] is None
    assert page["events"][4] | {"user": None} == {
        "type": "reaction_added",
        "room": room.slug,
        "seq": 5,
        "message_id": message.pk,
        "emoji": "👍",
        "user": None,
        "count": 1,
    }


def test_events_come_a_page_at_a_time_from_since(make_user, make_room, api_as):
    ada = make_user()
    room = make_room(ada)
    for n in range(5):
        message_post(author=ada, room=room, body=f"m{n}", client_id=uuid4())
    client = api_as(ada)
    page = client.get(f"/rooms/{room.slug}/events", since=1, limit=2).json()
    assert [e["seq"] for e in page["events"]] == [2, 3] and page["has_more"] is True
    page = client.get(f"/rooms/{room.slug}/events", since=3, limit=2).json()
    assert [e["seq"] for e in page["events"]] == [4, 5] and page["has_more"] is False
    up_to_date = client.get(f"/rooms/{room.slug}/events", since=5).json()
    assert up_to_date == {"events": [], "last_seq": 5, "reset": False, "has_more": False}


def test_a_gap_past_the_replay_limit_or_a_future_since_is_a_reset(
    make_user, make_room, api_as, settings
):
    settings.PARLEY_REPLAY_LIMIT = 3
    ada = make_user()
    room = make_room(ada)
    for n in range(5):
        message_post(author=ada, room=room, body=f"m{n}", client_id=uuid4())
    client = api_as(ada)
    for since in (0, 1, 9):
        page = client.get(f"/rooms/{room.slug}/events", since=since).json()
        assert page == {"events": [], "last_seq": 5, "reset": True, "has_more": False}
    assert len(client.get(f"/rooms/{room.slug}/events", since=2).json()["events"]) == 3


def test_events_spend_the_replay_budget(make_user, make_room, api_as, settings):
    settings.PARLEY_REPLAY_RATE = (0.001, 4)
    ada = make_user()
    room = make_room(ada)
    for n in range(3):
        message_post(author=ada, room=room, body=f"m{n}", client_id=uuid4())
    client = api_as(ada)
    assert client.get(f"/rooms/{room.slug}/events", since=0).status_code == 200
    response = client.get(f"/rooms/{room.slug}/events", since=0)
    assert (response.status_code, response.json()["code"]) == (429, "rate_limited")


def test_since_is_required_and_not_negative(make_user, make_room, api_as):
    ada = make_user()
    room = make_room(ada)
    client = api_as(ada)
    assert_error(client.get(f"/rooms/{room.slug}/events"), 400, "bad_request")
    assert_error(client.get(f"/rooms/{room.slug}/events", since=-1), 400, "bad_request")
    assert_error(client.get(f"/rooms/{room.slug}/events", since=0, limit=101), 400, "bad_request")
