"""Pins: any signed-up user who may post pins and unpins; each change recorded once; a room's
pins listed newest first."""

import pytest

from accounts.services import guest_create
from chat.payloads import user_payload
from chat.selectors import message_list_pinned
from chat.services.messages import message_delete
from chat.services.pins import message_pin, message_unpin
from chat.services.rooms import room_invite
from parley.errors import Forbidden, NotFound

pytestmark = pytest.mark.django_db(transaction=True)


def test_pin_and_unpin_are_recorded(make_user, make_room, post, published):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    message = post(ada, room, "read this")
    pinned = message_pin(by=bob, room=room, message_id=message.pk)
    assert (pinned.pinned_by, pinned.pinned_at is not None) == (bob, True)
    unpinned = message_unpin(by=ada, room=room, message_id=message.pk)
    assert (unpinned.pinned_by, unpinned.pinned_at) == (None, None)
    changes = [(e.type, e.seq, e.message_id, e.user) for e in published[1:]]
    assert changes == [
        ("message_pinned", 2, message.pk, user_payload(bob)),
        ("message_unpinned", 3, message.pk, user_payload(ada)),
    ]
    message.refresh_from_db()
    assert message.version == 3


def test_pinning_twice_or_unpinning_what_is_not_pinned_records_nothing(
    make_user, make_room, post, published
):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "hi")
    message_unpin(by=ada, room=room, message_id=message.pk)
    first = message_pin(by=ada, room=room, message_id=message.pk)
    again = message_pin(by=ada, room=room, message_id=message.pk)
    assert again.pinned_at == first.pinned_at
    assert [e.type for e in published] == ["message", "message_pinned"]


def test_guests_do_not_pin_and_outsiders_find_nothing(make_user, make_room, post):
    owner, stranger = make_user(), make_user()
    public, private = make_room(owner), make_room(owner, private=True)
    shown, hidden = post(owner, public, "public"), post(owner, private, "private")
    with pytest.raises(Forbidden):
        message_pin(by=guest_create(), room=public, message_id=shown.pk)
    with pytest.raises(NotFound):
        message_pin(by=stranger, room=private, message_id=hidden.pk)
    # Anyone signed up pins in a public room, member or not.
    assert message_pin(by=stranger, room=public, message_id=shown.pk).pinned_by == stranger


def test_a_member_of_a_private_room_pins(make_user, make_room, post):
    owner, bob = make_user(), make_user()
    room = make_room(owner, private=True)
    room_invite(room=room, by=owner, username=bob.username)
    message = post(owner, room, "agenda")
    assert message_pin(by=bob, room=room, message_id=message.pk).pinned_by == bob


def test_pins_are_listed_newest_first_without_deleted_ones(make_user, make_room, post):
    ada = make_user()
    room, other = make_room(ada), make_room(ada)
    first, second, third = (post(ada, room, body) for body in ("a", "b", "c"))
    root_reply = post(ada, room, "reply", thread_root=first.pk)
    elsewhere = post(ada, other, "elsewhere")
    for message in (second, first, third, root_reply):
        message_pin(by=ada, room=room, message_id=message.pk)
    message_pin(by=ada, room=other, message_id=elsewhere.pk)
    message_delete(by=ada, room=room, message_id=third.pk)
    message_unpin(by=ada, room=room, message_id=second.pk)
    assert [m.body for m in message_list_pinned(room=room)] == ["reply", "a"]
