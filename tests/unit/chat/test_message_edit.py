"""message_edit: one's own live message, history kept, MessageEdited recorded at the room's next
event seq and published after commit; concurrent edits decided by commit order."""

import threading
import uuid

import pytest
from django.db import connection, transaction

from accounts.services import guest_create
from chat.models import MessageEdit, Room, RoomEvent
from chat.services.messages import message_delete, message_edit, message_post
from chat.services.rooms import room_invite, room_leave
from parley.errors import BadRequest, Forbidden, NotFound, RateLimited, TooLong

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_edit_replaces_the_body_and_keeps_the_old_one(make_user, make_room, post, published):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "helo")
    edited = message_edit(by=ada, room=room, message_id=message.pk, body="  hello \n")
    message.refresh_from_db()
    assert (message.body, message.edited_at) == ("hello", edited.edited_at)
    assert message.edited_at is not None
    assert list(MessageEdit.objects.filter(message=message).values_list("body", flat=True)) == [
        "helo"
    ]
    change = published[-1]
    assert (change.type, change.seq) == ("message_edited", 2)
    assert change.message["body"] == "hello"
    assert change.message["edited_at"] is not None
    assert change.message["version"] == 2 == message.version
    assert change.message["seq"] == message.seq == 1
    row = RoomEvent.objects.get(room=room, seq=2)
    assert (row.type, row.message_id, row.data) == ("message_edited", message.pk, {})


def test_each_edit_keeps_the_body_it_replaced(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "one")
    for body in ("two", "three"):
        message_edit(by=ada, room=room, message_id=message.pk, body=body)
    assert list(message.edits.values_list("body", flat=True)) == ["one", "two"]


def test_a_retried_post_of_an_edited_or_deleted_message_returns_it(make_user, make_room):
    ada = make_user()
    room = make_room(ada)
    client_id = uuid.uuid4()
    message, _ = message_post(author=ada, room=room, body="first", client_id=client_id)
    message_edit(by=ada, room=room, message_id=message.pk, body="second")
    again, created = message_post(author=ada, room=room, body="first", client_id=client_id)
    assert (again.pk, again.body, created) == (message.pk, "second", False)
    message_delete(by=ada, room=room, message_id=message.pk)
    again, created = message_post(author=ada, room=room, body="first", client_id=client_id)
    assert (again.pk, again.body, created) == (message.pk, "", False)


def test_the_same_body_again_changes_and_records_nothing(make_user, make_room, post, published):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "same")
    message_edit(by=ada, room=room, message_id=message.pk, body=" same ")
    assert [e.type for e in published] == ["message"]
    assert Room.objects.get(pk=room.pk).last_event_seq == 1
    assert not MessageEdit.objects.exists()


def test_only_the_author_edits(make_user, make_room, post):
    ada, bob, admin = make_user(), make_user(), make_user()
    admin.is_staff = admin.is_superuser = True
    admin.save()
    room = make_room(bob)
    message = post(ada, room, "mine")
    for other in (bob, admin):
        with pytest.raises(Forbidden):
            message_edit(by=other, room=room, message_id=message.pk, body="theirs")
    message.refresh_from_db()
    assert message.body == "mine" and message.edited_at is None
    assert Room.objects.get(pk=room.pk).last_event_seq == message.event_seq


def test_a_missing_deleted_or_invisible_message_is_not_found(make_user, make_room, post):
    owner, bob = make_user(), make_user()
    room, other = make_room(owner, private=True), make_room(owner)
    room_invite(room=room, by=owner, username=bob.username)
    message = post(bob, room, "secret")
    deleted = post(bob, room, "gone")
    message_delete(by=bob, room=room, message_id=deleted.pk)
    elsewhere = post(bob, other, "elsewhere")
    for missing in (deleted.pk, elsewhere.pk, 10**9):
        with pytest.raises(NotFound):
            message_edit(by=bob, room=room, message_id=missing, body="x")
    room_leave(room=room, user=bob)
    with pytest.raises(NotFound) as refused:
        message_edit(by=bob, room=room, message_id=message.pk, body="x")
    assert refused.value.message == f"There is no message {message.pk}."


def test_an_edit_follows_the_rules_of_a_post(make_user, make_room, post, settings):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "body")
    with pytest.raises(BadRequest):
        message_edit(by=ada, room=room, message_id=message.pk, body=" \n ")
    with pytest.raises(TooLong):
        message_edit(by=ada, room=room, message_id=message.pk, body="x" * 4001)
    with pytest.raises(BadRequest):
        message_edit(by=ada, room=room, message_id=message.pk, body="nul \x00")
    settings.PARLEY_POST_RATE = (0.001, 2)
    message_edit(by=ada, room=room, message_id=message.pk, body="a")
    message_edit(by=ada, room=room, message_id=message.pk, body="b")
    with pytest.raises(RateLimited):
        message_edit(by=ada, room=room, message_id=message.pk, body="c")
    message.refresh_from_db()
    assert message.body == "b"


def test_a_guest_edits_their_own_message(make_user, make_room, post):
    room = make_room(make_user())
    guest = guest_create()
    message = post(guest, room, "hi")
    assert message_edit(by=guest, room=room, message_id=message.pk, body="hello").body == "hello"


def test_an_edit_is_published_only_after_commit(make_user, make_room, post, published):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "before")
    with transaction.atomic():
        message_edit(by=ada, room=room, message_id=message.pk, body="after")
        assert [e.type for e in published] == ["message"]
    assert [e.type for e in published] == ["message", "message_edited"]


def test_a_rolled_back_edit_leaves_nothing(make_user, make_room, post, published):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "before")
    with pytest.raises(RuntimeError), transaction.atomic():
        message_edit(by=ada, room=room, message_id=message.pk, body="after")
        raise RuntimeError("the surrounding work failed")
    message.refresh_from_db()
    assert message.body == "before"
    assert not MessageEdit.objects.exists() and not RoomEvent.objects.exists()
    assert Room.objects.get(pk=room.pk).last_event_seq == 1
    assert [e.type for e in published] == ["message"]


def test_concurrent_edits_are_decided_by_commit_order(make_user, make_room, post, published):
    """Threads (each its own connection) edit one message at once: the body it ends with is
    the last committed edit's, each earlier body is in the history once, in order, and the
    recorded edits carry contiguous event seqs in that same order."""
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "original")
    bodies = [f"edit {i}" for i in range(8)]
    errors: list[BaseException] = []
    start = threading.Barrier(len(bodies))

    def edit(body):
        try:
            start.wait()
            message_edit(by=ada, room=room, message_id=message.pk, body=body)
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    edits = sorted((e for e in published if e.type == "message_edited"), key=lambda e: e.seq)
    assert [e.seq for e in edits] == list(range(2, 2 + len(bodies)))
    order = [e.message["body"] for e in edits]
    assert sorted(order) == sorted(bodies)
    message.refresh_from_db()
    assert (message.body, message.version) == (order[-1], edits[-1].seq)
    history = list(message.edits.order_by("id").values_list("body", flat=True))
    assert history == ["original", *order[:-1]]
    rows = RoomEvent.objects.filter(room=room).order_by("seq").values_list("seq", flat=True)
    assert list(rows) == [e.seq for e in edits]
