"""Handing a room over, archiving and unarchiving it, and its owner leaving: who may, what an
archived room refuses, and what the room's event stream records."""

import uuid

import pytest

from chat.models import Room
from chat.payloads import user_payload
from chat.selectors import message_history, room_get_visible, room_list_joined, stream_range
from chat.services.messages import message_delete, message_edit, message_post, typing_notify
from chat.services.pins import message_pin
from chat.services.reactions import reaction_add
from chat.services.room_admin import room_archive, room_owner_transfer, room_unarchive
from chat.services.rooms import room_invite, room_join, room_leave, room_update
from parley.errors import Forbidden, NewOwnerRequired, NotFound, RoomArchived

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff(make_user):
    user = make_user()
    user.is_staff = True
    user.save()
    return user


def test_the_owner_hands_the_room_to_a_member_and_the_stream_says_so(
    make_user, make_room, published
):
    ada, grace = make_user(), make_user()
    room = make_room(ada, name="Ops", topic="On call", private=True)
    room_invite(room=room, by=ada, username=grace.username)
    published.clear()
    room_owner_transfer(room=room, by=ada, username=grace.username)
    assert Room.objects.get(pk=room.pk).owner == grace
    assert room.owner == grace
    [change] = published
    assert (change.type, change.name, change.topic, change.archived) == (
        "room_updated",
        "Ops",
        "On call",
        False,
    )
    assert (change.owner, change.user) == (user_payload(grace), user_payload(ada))
    # the new owner invites; the old one, still a member, no longer does
    room_invite(room=room, by=grace, username=make_user().username)
    with pytest.raises(Forbidden):
        room_invite(room=room, by=ada, username=make_user().username)


def test_a_resuming_client_is_replayed_the_new_owner(make_user, make_room):
    ada, grace = make_user(), make_user()
    room = make_room(ada, name="Ops")
    room_join(room=room, user=grace)
    room_owner_transfer(room=room, by=ada, username=grace.username)
    replayed = stream_range(room_id=room.pk, after=0, upto=room.last_event_seq)
    assert [change.type for change in replayed] == ["member", "room_updated"]
    assert replayed[-1].owner == user_payload(grace)


def test_only_the_owner_or_an_administrator_hands_over(make_user, make_room, staff):
    ada, grace, bob = make_user(), make_user(), make_user()
    room = make_room(ada, name="Ops")
    room_join(room=room, user=grace)
    room_join(room=room, user=bob)
    with pytest.raises(Forbidden):
        room_owner_transfer(room=room, by=grace, username=grace.username)
    room_owner_transfer(room=room, by=staff, username=bob.username)
    assert Room.objects.get(pk=room.pk).owner == bob


def test_the_room_goes_only_to_a_member(make_user, make_room):
    ada, outsider = make_user(), make_user()
    room = make_room(ada, name="Ops")
    with pytest.raises(NotFound):
        room_owner_transfer(room=room, by=ada, username=outsider.username)
    with pytest.raises(NotFound):
        room_owner_transfer(room=room, by=ada, username="nobody")
    assert Room.objects.get(pk=room.pk).owner == ada


def test_handing_the_room_to_its_owner_records_nothing(make_user, make_room, published):
    ada = make_user()
    room = make_room(ada, name="Ops")
    room_owner_transfer(room=room, by=ada, username=ada.username)
    assert published == []
    assert room.last_event_seq == Room.objects.get(pk=room.pk).last_event_seq == 0


def test_an_archived_room_refuses_every_write_and_keeps_its_history(
    make_user, make_room, post, published
):
    ada, grace = make_user(), make_user()
    room = make_room(ada, name="Ops")
    room_join(room=room, user=grace)
    message = post(ada, room, "kept")
    room_archive(room=room, by=ada)
    assert published[-1].type == "room_updated" and published[-1].archived is True
    seq = Room.objects.get(pk=room.pk).last_event_seq
    writes = [
        lambda: post(grace, room, "more"),
        lambda: message_edit(by=ada, room=room, message_id=message.pk, body="changed"),
        lambda: reaction_add(by=grace, room=room, message_id=message.pk, emoji="👍"),
        lambda: message_pin(by=grace, room=room, message_id=message.pk),
        lambda: message_delete(by=ada, room=room, message_id=message.pk),
        lambda: room_update(room=room, by=ada, topic="new"),
        lambda: room_invite(room=room, by=ada, username=make_user().username),
        lambda: room_join(room=room, user=make_user()),
        lambda: typing_notify(user=grace, room=room),
    ]
    for write in writes:
        with pytest.raises(RoomArchived):
            write()
    stored = Room.objects.get(pk=room.pk)
    assert stored.last_event_seq == seq  # nothing took a seq
    assert [m.body for m in message_history(room=stored)[0]] == ["kept"]
    assert room_get_visible(slug=room.slug, user=make_user()) == room


def test_a_post_retried_after_the_archive_gets_its_original(make_user, make_room):
    ada = make_user()
    room = make_room(ada, name="Ops")
    client_id = uuid.uuid4()
    original, _ = message_post(author=ada, room=room, body="sent", client_id=client_id)
    room_archive(room=room, by=ada)
    again, created = message_post(author=ada, room=room, body="sent", client_id=client_id)
    assert (again.pk, created) == (original.pk, False)


def test_administrators_delete_as_operators_in_an_archived_room(make_user, make_room, post, staff):
    ada = make_user()
    room = make_room(ada, name="Ops")
    message = post(ada, room, "unlawful")
    room_archive(room=room, by=ada)
    deleted = message_delete(by=staff, room=room, message_id=message.pk, operator=True)
    assert deleted.deleted_at is not None


def test_unarchiving_opens_the_room_as_it_was(make_user, make_room, post, published):
    ada = make_user()
    room = make_room(ada, name="Ops")
    room_archive(room=room, by=ada)
    room_archive(room=room, by=ada)  # again: nothing changes
    room_unarchive(room=room, by=ada)
    assert [(e.type, e.archived) for e in published] == [
        ("room_updated", True),
        ("room_updated", False),
    ]
    assert Room.objects.get(pk=room.pk).archived_at is None
    post(ada, room, "back")


def test_only_the_owner_or_an_administrator_archives(make_user, make_room, staff):
    ada, grace = make_user(), make_user()
    room = make_room(ada, name="Ops")
    room_join(room=room, user=grace)
    with pytest.raises(Forbidden):
        room_archive(room=room, by=grace)
    room_archive(room=room, by=staff)
    with pytest.raises(Forbidden):
        room_unarchive(room=room, by=grace)
    room_unarchive(room=room, by=staff)


def test_members_still_leave_and_are_removed_from_an_archived_room(make_user, make_room):
    ada, grace = make_user(), make_user()
    room = make_room(ada, name="Ops")
    room_join(room=room, user=grace)
    room_archive(room=room, by=ada)
    room_leave(room=room, user=grace)
    assert not room_list_joined(user=grace).exists()


def test_the_owner_of_a_private_room_names_a_successor_to_leave(make_user, make_room):
    ada, grace = make_user(), make_user()
    room = make_room(ada, name="Ops", private=True)
    room_invite(room=room, by=ada, username=grace.username)
    with pytest.raises(NewOwnerRequired):
        room_leave(room=room, user=ada)
    assert room_list_joined(user=ada).filter(pk=room.pk).exists()
    room_leave(room=room, user=ada, new_owner=grace.username)
    stored = Room.objects.get(pk=room.pk)
    assert stored.owner == grace
    assert not room_list_joined(user=ada).filter(pk=room.pk).exists()
    # the new owner can invite: the room is not orphaned
    room_invite(room=room, by=grace, username=make_user().username)


def test_a_successor_who_is_not_a_member_keeps_the_owner_in(make_user, make_room):
    ada, grace = make_user(), make_user()
    room = make_room(ada, name="Ops", private=True)
    room_invite(room=room, by=ada, username=grace.username)
    with pytest.raises(NotFound):
        room_leave(room=room, user=ada, new_owner=make_user().username)
    assert Room.objects.get(pk=room.pk).owner == ada
    assert room_list_joined(user=ada).filter(pk=room.pk).exists()


def test_a_member_cannot_hand_over_a_room_by_leaving_it(make_user, make_room):
    ada, grace, bob = make_user(), make_user(), make_user()
    room = make_room(ada, name="Ops", private=True)
    room_invite(room=room, by=ada, username=grace.username)
    room_invite(room=room, by=ada, username=bob.username)
    with pytest.raises(Forbidden):
        room_leave(room=room, user=grace, new_owner=bob.username)
    room_leave(room=room, user=grace)
    assert Room.objects.get(pk=room.pk).owner == ada


def test_the_last_member_leaving_a_private_room_archives_it(make_user, make_room):
    ada = make_user()
    room = make_room(ada, name="Ops", private=True)
    room_leave(room=room, user=ada)
    stored = Room.objects.get(pk=room.pk)
    assert stored.archived_at is not None
    assert not room_list_joined(user=ada).exists()


def test_the_owner_of_a_public_room_leaves_and_still_manages_it(make_user, make_room):
    ada, grace = make_user(), make_user()
    room = make_room(ada, name="Ops")
    room_join(room=room, user=grace)
    room_leave(room=room, user=ada)
    assert Room.objects.get(pk=room.pk).owner == ada
    room_update(room=room, by=ada, topic="still mine")
    room_archive(room=room, by=ada)


def test_an_ownerless_room_is_managed_by_administrators(make_user, make_room, staff):
    ada, grace = make_user(), make_user()
    room = make_room(ada, name="Ops")
    room_join(room=room, user=grace)
    ada.delete()  # the owner's account is gone: SET_NULL
    room = Room.objects.get(pk=room.pk)
    assert room.owner is None
    with pytest.raises(Forbidden):
        room_update(room=room, by=grace, topic="mine now")
    room_owner_transfer(room=room, by=staff, username=grace.username)
    assert Room.objects.get(pk=room.pk).owner == grace
