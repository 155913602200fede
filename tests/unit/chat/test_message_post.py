"""message_post: durable first, contiguous seq, idempotent retries, broadcast only after commit."""

import threading
import uuid

import pytest
from django.db import connection, transaction

from chat.models import Message, Room
from chat.services.messages import message_post
from parley import events
from parley.errors import BadRequest, Conflict, Forbidden, TooLong


@pytest.fixture
def published(monkeypatch):
    """Message and member events as the fan-out backend receives them (after commit); the
    room_opened events of the rooms the tests set up, and the users' own streams, are left
    out."""
    sent: list[events.RoomChange] = []

    class Recorder:
        def publish(self, event):
            if not isinstance(event, events.RoomOpened | events.UserEvent):
                sent.append(event)

    monkeypatch.setattr(events, "backend", lambda: Recorder())
    return sent


def test_seqs_are_contiguous_per_room(make_user, make_room):
    alice = make_user()
    lobby, other = make_room(alice), make_room(alice)
    seqs = [
        message_post(author=alice, room=lobby, body=f"m{i}", client_id=uuid.uuid4())[0].seq
        for i in range(5)
    ]
    assert seqs == [1, 2, 3, 4, 5]
    assert message_post(author=alice, room=other, body="x", client_id=uuid.uuid4())[0].seq == 1
    assert Room.objects.get(pk=lobby.pk).last_seq == 5


def test_body_is_trimmed_and_bounded(make_user, make_room, settings):
    alice = make_user()
    room = make_room(alice)
    message, _ = message_post(author=alice, room=room, body="  hello \n", client_id=uuid.uuid4())
    assert message.body == "hello"
    with pytest.raises(BadRequest):
        message_post(author=alice, room=room, body=" \n\t ", client_id=uuid.uuid4())
    assert (
        message_post(author=alice, room=room, body="é" * 4000, client_id=uuid.uuid4())[0].seq == 2
    )
    with pytest.raises(TooLong):
        message_post(author=alice, room=room, body="x" * 4001, client_id=uuid.uuid4())
    assert Message.objects.filter(room=room).count() == 2


def test_retry_with_same_client_id_is_stored_once(make_user, make_room):
    alice = make_user()
    room = make_room(alice)
    client_id = uuid.uuid4()
    first, created = message_post(author=alice, room=room, body="once", client_id=client_id)
    again, created_again = message_post(author=alice, room=room, body="once", client_id=client_id)
    assert (created, created_again) == (True, False)
    assert (again.pk, again.seq) == (first.pk, first.seq)
    assert Message.objects.filter(room=room).count() == 1


def test_client_id_is_unique_per_author_not_globally(make_user, make_room):
    alice, bob = make_user(), make_user()
    room = make_room(alice)
    client_id = uuid.uuid4()
    a, _ = message_post(author=alice, room=room, body="a", client_id=client_id)
    b, created = message_post(author=bob, room=room, body="b", client_id=client_id)
    assert created and (a.seq, b.seq) == (1, 2)


def test_client_id_reused_in_another_room_is_a_conflict(make_user, make_room):
    alice = make_user()
    client_id = uuid.uuid4()
    message_post(author=alice, room=make_room(alice), body="a", client_id=client_id)
    with pytest.raises(Conflict):
        message_post(author=alice, room=make_room(alice), body="a", client_id=client_id)


def test_private_room_refuses_non_members_and_guests(make_user, make_room):
    from accounts.services import guest_create

    owner, stranger = make_user(), make_user()
    room = make_room(owner, private=True)
    for outsider in (stranger, guest_create()):
        with pytest.raises(Forbidden):
            message_post(author=outsider, room=room, body="hi", client_id=uuid.uuid4())
    assert not Message.objects.filter(room=room).exists()


def test_posting_to_a_public_room_joins_it(make_user, make_room):
    from chat.selectors import room_is_member

    owner, bob = make_user(), make_user()
    room = make_room(owner)
    message_post(author=bob, room=room, body="hi", client_id=uuid.uuid4())
    assert room_is_member(room=room, user=bob)


@pytest.mark.django_db(transaction=True)
def test_event_is_published_only_after_commit(make_user, make_room, published):
    alice = make_user()
    room = make_room(alice)
    with transaction.atomic():
        message_post(author=alice, room=room, body="later", client_id=uuid.uuid4())
        assert published == []
    assert [(e.type, e.number, e.message["body"]) for e in published] == [("message", 1, "later")]


@pytest.mark.django_db(transaction=True)
def test_rolled_back_post_is_never_published(make_user, make_room, published):
    alice = make_user()
    room = make_room(alice)
    with pytest.raises(RuntimeError), transaction.atomic():
        message_post(author=alice, room=room, body="ghost", client_id=uuid.uuid4())
        raise RuntimeError("the surrounding work failed")
    assert published == []
    assert not Message.objects.exists()
    assert Room.objects.get(pk=room.pk).last_seq == 0


@pytest.mark.django_db(transaction=True)
def test_retry_publishes_nothing(make_user, make_room, published):
    alice = make_user()
    room = make_room(alice)
    client_id = uuid.uuid4()
    message_post(author=alice, room=room, body="x", client_id=client_id)
    message_post(author=alice, room=room, body="x", client_id=client_id)
    assert len(published) == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_posters_get_contiguous_seqs(make_user, make_room, published):
    """Many threads (each its own database connection) post into one room at once."""
    users = [make_user() for _ in range(8)]
    room = make_room(users[0])
    per_thread = 15
    errors: list[BaseException] = []
    start = threading.Barrier(len(users))

    def post_many(user):
        try:
            start.wait()
            for i in range(per_thread):
                message_post(
                    author=user, room=room, body=f"{user.username}-{i}", client_id=uuid.uuid4()
                )
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=post_many, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    total = len(users) * per_thread
    assert sorted(Message.objects.filter(room=room).values_list("seq", flat=True)) == list(
        range(1, total + 1)
    )
    assert Room.objects.get(pk=room.pk).last_seq == total
    assert sorted(e.number for e in published if e.type == "message") == list(range(1, total + 1))
    # Every change took the room's next event seq: posts and joins, contiguous.
    assert sorted(e.seq for e in published) == list(range(1, len(published) + 1))
    joined = [e.user["id"] for e in published if e.type == "member"]
    assert sorted(joined) == sorted(u.pk for u in users[1:])  # each new poster announced once


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_client_id_store_one_message(make_user, make_room, published):
    alice = make_user()
    room = make_room(alice)
    client_id = uuid.uuid4()
    results, start = [], threading.Barrier(6)

    def retry():
        try:
            start.wait()
            results.append(
                message_post(author=alice, room=room, body="same", client_id=client_id)[0].seq
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [1] * 6
    assert Message.objects.filter(room=room).count() == 1
    assert len(published) == 1


@pytest.mark.django_db(transaction=True)
def test_first_post_to_a_public_room_announces_the_new_member_once(make_user, make_room, published):
    owner, bob = make_user(), make_user()
    room = make_room(owner)
    for body in ("one", "two"):
        message_post(author=bob, room=room, body=body, client_id=uuid.uuid4())
    kinds = [(e.type, e.seq, getattr(e, "change", None)) for e in published]
    assert kinds == [("member", 1, "joined"), ("message", 2, None), ("message", 3, None)]
