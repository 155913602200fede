"""Ending a membership: who may remove whom, and the `conversation_removed` event on the user's
stream (after commit) that tells their sockets whether they may still see the room."""

import pytest

from chat.selectors import room_is_member
from chat.services.rooms import member_remove, room_create, room_invite, room_join, room_leave
from parley import events
from parley.errors import Forbidden, NotFound

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def published(monkeypatch):
    sent: list[dict] = []
    monkeypatch.setattr(
        events, "backend", lambda: type("B", (), {"publish": lambda self, e: sent.append(e)})()
    )
    return lambda: [
        e.as_dict() for e in sent if e.kind == "user" and e.type == "conversation_removed"
    ]


def test_leaving_a_private_room_tells_the_users_stream_they_can_no_longer_see_it(
    make_user, published
):
    owner, bob = make_user(), make_user()
    room = room_create(owner=owner, name="Secret", private=True)
    room_invite(room=room, by=owner, username=bob.username)
    room_leave(room=room, user=bob)
    assert published() == [
        {
            "user_id": bob.pk,
            "type": "conversation_removed",
            "room_id": room.pk,
            "room": room.slug,
            "reason": "left",
            "can_see": False,
        },
    ]


def test_leaving_a_public_room_says_it_stays_visible(make_user, published):
    owner, bob = make_user(), make_user()
    room = room_create(owner=owner, name="Open")
    room_join(room=room, user=bob)
    room_leave(room=room, user=bob)
    assert [(e["reason"], e["can_see"]) for e in published()] == [("left", True)]


def test_the_owner_removes_a_member(make_user, published):
    owner, bob = make_user(), make_user()
    room = room_create(owner=owner, name="Secret", private=True)
    room_invite(room=room, by=owner, username=bob.username)
    member_remove(room=room, by=owner, username=bob.username)
    assert not room_is_member(room=room, user=bob)
    assert [(e["user_id"], e["reason"], e["can_see"]) for e in published()] == [
        (bob.pk, "removed", False)
    ]


def test_an_administrator_removes_a_member_of_a_room_they_do_not_own(make_user, published):
    owner, bob, admin = make_user(), make_user(), make_user()
    admin.is_staff = True
    admin.save()
    room = room_create(owner=owner, name="Open")
    room_join(room=room, user=bob)
    member_remove(room=room, by=admin, username=bob.username)
    assert not room_is_member(room=room, user=bob)


def test_removing_oneself_is_leaving(make_user, published):
    owner, bob = make_user(), make_user()
    room = room_create(owner=owner, name="Open")
    room_join(room=room, user=bob)
    member_remove(room=room, by=bob, username=bob.username)
    assert [e["reason"] for e in published()] == ["left"]


def test_others_may_not_remove_and_the_owner_is_not_removed(make_user, published):
    owner, bob, carol, admin = make_user(), make_user(), make_user(), make_user()
    admin.is_staff = True
    admin.save()
    room = room_create(owner=owner, name="Secret", private=True)
    for user in (bob, carol):
        room_invite(room=room, by=owner, username=user.username)
    with pytest.raises(Forbidden):
        member_remove(room=room, by=carol, username=bob.username)
    with pytest.raises(Forbidden):
        member_remove(room=room, by=admin, username=owner.username)
    with pytest.raises(NotFound):
        member_remove(room=room, by=owner, username=admin.username)
    assert published() == []


def test_nothing_is_published_for_a_rolled_back_removal(make_user, published):
    from django.db import transaction

    owner, bob = make_user(), make_user()
    room = room_create(owner=owner, name="Secret", private=True)
    room_invite(room=room, by=owner, username=bob.username)
    with pytest.raises(RuntimeError), transaction.atomic():
        member_remove(room=room, by=owner, username=bob.username)
        raise RuntimeError("rolled back")
    assert room_is_member(room=room, user=bob)
    assert published() == []


def test_a_membership_deleted_outside_the_services_is_a_removal(make_user, published):
    from chat.models import Membership

    owner, bob, carol = make_user(), make_user(), make_user()
    room = room_create(owner=owner, name="Secret", private=True)
    for user in (bob, carol):
        room_invite(room=room, by=owner, username=user.username)
    Membership.objects.get(room=room, user=bob).delete()  # what the admin does
    assert [(e["user_id"], e["reason"], e["can_see"]) for e in published()] == [
        (bob.pk, "removed", False)
    ]
    room.delete()  # its memberships go with it
    assert {(e["user_id"], e["reason"]) for e in published()[1:]} == {
        (owner.pk, "removed"),
        (carol.pk, "removed"),
    }
