"""message_delete: who may, a tombstone left in place, and the body gone from the database."""

import pytest
from django.db import connection

from chat.models import Message, MessageEdit, Reaction, Room
from chat.payloads import user_payload
from chat.services.messages import message_delete, message_edit
from chat.services.pins import message_pin, message_unpin
from chat.services.reactions import reaction_add
from chat.services.rooms import room_invite
from parley.errors import Forbidden, NotFound

pytestmark = pytest.mark.django_db(transaction=True)


def rows_holding(text: str) -> list[tuple[str, tuple]]:
    """Every row of every chat table with `text` (ASCII, as JSON columns escape the rest) in any
    column, by raw SQL."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if not table.startswith("chat_"):
                continue
            cursor.execute(f'SELECT * FROM "{table}"')
            found += [(table, row) for row in cursor.fetchall() if text in repr(row)]
    return found


def test_a_deleted_body_is_gone_from_every_table(make_user, make_room, post, published):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    message = post(ada, room, "first draft of the launch code 1234")
    message_edit(by=ada, room=room, message_id=message.pk, body="the launch code is 5678")
    reaction_add(by=bob, room=room, message_id=message.pk, emoji="👀")
    message_pin(by=bob, room=room, message_id=message.pk)
    assert rows_holding("launch code")  # the search finds what is there
    message_delete(by=ada, room=room, message_id=message.pk)
    assert rows_holding("launch code") == []
    message.refresh_from_db()
    assert (message.body, message.html, message.deleted_at is not None) == ("", "", True)
    assert (message.pinned_at, message.pinned_by) == (None, None)
    assert not MessageEdit.objects.exists() and not Reaction.objects.exists()
    # Nor in what was published for it.
    deleted = published[-1]
    assert deleted.type == "message_deleted" and "launch" not in repr(deleted)
    assert deleted.message["deleted"] and deleted.message["body"] == ""
    assert deleted.message["reactions"] == [] and not deleted.message["pinned"]
    assert deleted.root is None
    assert deleted.seq == Room.objects.get(pk=room.pk).last_event_seq == message.version


def test_the_author_the_room_owner_and_administrators_delete(make_user, make_room, post):
    owner, ada, staff, superuser = make_user(), make_user(), make_user(), make_user()
    staff.is_staff = True
    staff.save()
    superuser.is_superuser = True
    superuser.save()
    room = make_room(owner)
    for by in (ada, owner, staff, superuser):
        message = post(ada, room, "to delete")
        assert message_delete(by=by, room=room, message_id=message.pk).deleted_at is not None


def test_others_may_not_delete(make_user, make_room, post):
    owner, ada, bob = make_user(), make_user(), make_user()
    room = make_room(owner)
    message = post(ada, room, "mine")
    with pytest.raises(Forbidden):
        message_delete(by=bob, room=room, message_id=message.pk)
    message.refresh_from_db()
    assert message.body == "mine" and message.deleted_at is None


def test_a_second_delete_finds_nothing(make_user, make_room, post, published):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "once")
    message_delete(by=ada, room=room, message_id=message.pk)
    with pytest.raises(NotFound):
        message_delete(by=ada, room=room, message_id=message.pk)
    assert [e.type for e in published] == ["message", "message_deleted"]


def test_a_message_in_a_room_one_cannot_see_is_not_found(make_user, make_room, post):
    owner, bob, stranger = make_user(), make_user(), make_user()
    stranger.is_staff = True
    stranger.save()
    room = make_room(owner, private=True)
    room_invite(room=room, by=owner, username=bob.username)
    message = post(bob, room, "private")
    with pytest.raises(NotFound):
        message_delete(by=stranger, room=room, message_id=message.pk)


def test_a_deleted_message_takes_no_more_changes(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "gone")
    message_delete(by=ada, room=room, message_id=message.pk)
    changes = [
        lambda: message_edit(by=ada, room=room, message_id=message.pk, body="back"),
        lambda: reaction_add(by=ada, room=room, message_id=message.pk, emoji="👍"),
        lambda: message_pin(by=ada, room=room, message_id=message.pk),
        lambda: message_unpin(by=ada, room=room, message_id=message.pk),
    ]
    for change in changes:
        with pytest.raises(NotFound):
            change()


def test_a_deleted_reply_leaves_its_root_one_reply_fewer(make_user, make_room, post, published):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    root = post(ada, room, "root")
    first = post(bob, room, "first", thread_root=root.pk)
    last = post(ada, room, "last", thread_root=root.pk)
    message_delete(by=ada, room=room, message_id=last.pk)
    root.refresh_from_db()
    assert (root.reply_count, root.last_reply_at) == (1, first.created_at)
    deleted = published[-1]
    assert root.version == deleted.seq
    assert deleted.root == {
        "id": root.pk,
        "reply_count": 1,
        "last_reply_at": first.created_at.isoformat().replace("+00:00", "Z"),
        "repliers": [user_payload(bob)],
        "version": deleted.seq,
    }
    message_delete(by=bob, room=room, message_id=first.pk)
    root.refresh_from_db()
    assert (root.reply_count, root.last_reply_at) == (0, None)
    assert published[-1].root["repliers"] == []


def test_a_deleted_root_keeps_its_replies(make_user, make_room, post):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    root = post(ada, room, "root")
    reply = post(bob, room, "reply", thread_root=root.pk)
    message_delete(by=ada, room=room, message_id=root.pk)
    root.refresh_from_db()
    assert root.reply_count == 1
    assert Message.objects.get(pk=reply.pk).body == "reply"
