"""room_update: the owner or an administrator renames a room or changes its topic, with
room_create's rules; each change recorded once."""

import pytest

from chat.models import Room
from chat.payloads import user_payload
from chat.services.rooms import room_join, room_update
from parley.errors import BadRequest, Forbidden

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_owner_renames_and_the_slug_stays(make_user, make_room, published):
    ada = make_user()
    room = make_room(ada, name="Ops", topic="On call")
    slug = room.slug
    updated = room_update(room=room, by=ada, name="  Operations  ")
    stored = Room.objects.get(pk=room.pk)
    assert (stored.slug, stored.name, stored.topic) == (slug, "Operations", "On call")
    assert stored.sort_name == "operations"
    assert updated.last_event_seq == stored.last_event_seq == 1
    assert [(e.type, e.seq, e.name, e.topic, e.user) for e in published] == [
        ("room_updated", 1, "Operations", "On call", user_payload(ada))
    ]


def test_a_topic_alone_changes(make_user, make_room, published):
    ada = make_user()
    room = make_room(ada, name="Ops")
    room_update(room=room, by=ada, topic="Deploys only")
    room_update(room=room, by=ada, topic="")
    assert [(e.name, e.topic) for e in published] == [("Ops", "Deploys only"), ("Ops", "")]


def test_no_change_records_nothing(make_user, make_room, published):
    ada = make_user()
    room = make_room(ada, name="Ops", topic="t")
    room_update(room=room, by=ada, name="Ops", topic=" t ")
    room_update(room=room, by=ada)
    assert published == []
    assert Room.objects.get(pk=room.pk).last_event_seq == 0


def test_administrators_update_and_members_do_not(make_user, make_room):
    owner, member, staff = make_user(), make_user(), make_user()
    staff.is_staff = True
    staff.save()
    room = make_room(owner, name="Ops")
    room_join(room=room, user=member)
    with pytest.raises(Forbidden):
        room_update(room=room, by=member, name="Mine")
    room_update(room=room, by=staff, name="Staffed")
    assert Room.objects.get(pk=room.pk).name == "Staffed"


@pytest.mark.parametrize(
    "change",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 81},
        {"name": "evil\u202ename"},
        {"name": "nul\x00"},
        {"topic": "t" * 251},
        {"topic": "\ud800"},
    ],
)
def test_the_rules_of_room_create_hold(make_user, make_room, change):
    ada = make_user()
    room = make_room(ada, name="Ops")
    with pytest.raises(BadRequest):
        room_update(room=room, by=ada, **change)
    assert Room.objects.get(pk=room.pk).name == "Ops"
