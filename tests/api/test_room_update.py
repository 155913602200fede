"""PATCH /rooms/{slug}: the owner or an administrator renames a room or changes its topic."""

from chat.models import Room
from chat.services.rooms import room_join

from .client import assert_error


def test_the_owner_renames_and_the_answer_is_the_room(make_user, make_room, api_as):
    ada = make_user()
    room = make_room(ada, "Ops", topic="On call")
    response = api_as(ada).patch(f"/rooms/{room.slug}", {"name": "Operations"})
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["slug"], answer["name"], answer["topic"]) == (room.slug, "Operations", "On call")
    assert (answer["member"], answer["last_event_seq"]) == (True, 1)
    response = api_as(ada).patch(f"/rooms/{room.slug}", {"topic": ""})
    assert (response.json()["name"], response.json()["topic"]) == ("Operations", "")


def test_a_member_who_does_not_own_the_room_is_403(make_user, make_room, api_as):
    owner, bob = make_user(), make_user()
    room = make_room(owner, "Ops")
    room_join(room=room, user=bob)
    assert_error(api_as(bob).patch(f"/rooms/{room.slug}", {"name": "Mine"}), 403, "forbidden")
    assert Room.objects.get(pk=room.pk).name == "Ops"


def test_bad_names_and_unknown_fields_are_400(make_user, make_room, api_as):
    ada = make_user()
    room = make_room(ada, "Ops")
    client = api_as(ada)
    for body in ({"name": "  "}, {"name": "x" * 81}, {"topic": "t" * 251}, {"slug": "new"}):
        assert_error(client.patch(f"/rooms/{room.slug}", body), 400, "bad_request")
    assert Room.objects.get(pk=room.pk).name == "Ops"
