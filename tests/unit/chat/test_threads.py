"""Thread replies: a reply names its root, takes an event seq always and a message number only
when also sent to the room, and keeps its root's summary; the threads one took part in."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.models import Message, Room
from chat.payloads import thread_summary, user_payload
from chat.selectors import (
    message_history,
    message_range,
    thread_list_participated,
    thread_replies,
)
from chat.services.messages import message_delete, message_post
from chat.services.rooms import room_invite, room_leave
from parley.errors import BadRequest, Conflict, NotFound


def test_a_reply_takes_an_event_seq_but_no_message_number(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    root = post(ada, room, "root")
    reply = post(ada, room, "in the thread", thread_root=root.pk)
    after = post(ada, room, "next in the room")
    assert (root.seq, reply.seq, after.seq) == (1, None, 2)
    assert (root.event_seq, reply.event_seq, after.event_seq) == (1, 2, 3)
    assert (reply.thread_root_id, reply.in_room) == (root.pk, False)
    room.refresh_from_db()
    assert (room.last_seq, room.last_event_seq) == (2, 3)


def test_a_reply_also_sent_to_the_room_takes_the_next_number(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    root = post(ada, room, "root")
    reply = post(ada, room, "said twice", thread_root=root.pk, also_to_room=True)
    assert (reply.seq, reply.event_seq, reply.in_room) == (2, 2, True)


def test_the_room_timeline_holds_only_room_messages(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    root = post(ada, room, "root")
    post(ada, room, "hidden", thread_root=root.pk)
    post(ada, room, "shown", thread_root=root.pk, also_to_room=True)
    post(ada, room, "last")
    bodies = [m.body for m in message_history(room=room)[0]]
    assert bodies == ["root", "shown", "last"]
    assert [m.seq for m in message_history(room=room, after=0)[0]] == [1, 2, 3]
    assert [m.seq for m in message_history(room=room, before=3)[0]] == [1, 2]
    assert [m.seq for m in message_range(room_id=room.pk, after=0, upto=3)] == [1, 2, 3]


@pytest.mark.django_db(transaction=True)
def test_a_reply_updates_its_roots_summary_and_carries_it(make_user, make_room, post, published):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    root = post(ada, room, "root")
    first = post(bob, room, "one", thread_root=root.pk)
    second = post(ada, room, "two", thread_root=root.pk)
    root.refresh_from_db()
    assert (root.reply_count, root.last_reply_at) == (2, second.created_at)
    assert root.version == second.event_seq
    posted = [e for e in published if e.type == "message"]
    assert posted[0].root is None and posted[0].number == 1
    assert posted[1].number is None
    assert posted[1].root == {
        "id": root.pk,
        "reply_count": 1,
        "last_reply_at": posted[1].message["created_at"],
        "repliers": [user_payload(bob)],
        "version": first.event_seq,
    }
    assert posted[2].root == thread_summary(root, repliers=[user_payload(bob), user_payload(ada)])
    assert posted[2].message["thread_root"] == root.pk


def test_a_reply_to_a_reply_joins_the_roots_thread(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    root = post(ada, room, "root")
    reply = post(ada, room, "reply", thread_root=root.pk)
    nested = post(ada, room, "reply to the reply", thread_root=reply.pk)
    assert nested.thread_root_id == root.pk
    root.refresh_from_db()
    reply.refresh_from_db()
    assert (root.reply_count, reply.reply_count) == (2, 0)


def test_a_root_must_be_a_live_message_of_the_same_room(make_user, make_room, post):
    ada = make_user()
    room, other = make_room(ada), make_room(ada)
    elsewhere = post(ada, other, "elsewhere")
    gone = post(ada, room, "gone")
    message_delete(by=ada, room=room, message_id=gone.pk)
    root = post(ada, room, "root")
    deleted_reply = post(ada, room, "reply", thread_root=root.pk)
    message_delete(by=ada, room=room, message_id=deleted_reply.pk)
    before = Room.objects.get(pk=room.pk).last_event_seq
    for missing in (elsewhere.pk, gone.pk, deleted_reply.pk, 10**9):
        with pytest.raises(NotFound):
            post(ada, room, "orphan", thread_root=missing)
    assert Room.objects.get(pk=room.pk).last_event_seq == before
    assert not Message.objects.filter(body="orphan").exists()


def test_replying_in_the_thread_of_a_deleted_root_is_refused(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    root = post(ada, room, "root")
    reply = post(ada, room, "reply", thread_root=root.pk)
    message_delete(by=ada, room=room, message_id=root.pk)
    with pytest.raises(NotFound):
        post(ada, room, "late", thread_root=reply.pk)


def test_also_to_room_is_for_replies_only(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    with pytest.raises(BadRequest):
        post(ada, room, "top level", also_to_room=True)


def test_a_retried_reply_is_stored_once_and_a_reused_client_id_elsewhere_conflicts(
    make_user, make_room, post
):
    ada = make_user()
    room = make_room(ada)
    root, other = post(ada, room, "root"), post(ada, room, "other root")
    reply = post(ada, room, "reply", thread_root=root.pk)
    client_id = uuid.uuid4()

    def send(thread_root):
        return message_post(
            author=ada, room=room, body="once", client_id=client_id, thread_root=thread_root
        )

    first, created = send(root.pk)
    again, created_again = send(reply.pk)  # named by a reply of the same thread
    assert (created, created_again, again.pk) == (True, False, first.pk)
    for elsewhere in (other.pk, None):
        with pytest.raises(Conflict):
            send(elsewhere)
    root.refresh_from_db()
    assert root.reply_count == 2


def test_a_top_level_post_costs_no_more_statements(make_user, make_room, post):
    """The post path the bench measures: the membership, the seq, the message."""
    ada = make_user()
    room = make_room(ada)
    post(ada, room, "first")
    with CaptureQueriesContext(connection) as queries:
        post(ada, room, "second")
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"].upper()]
    assert len(statements) == 3, statements


def test_thread_replies_come_in_order_a_page_at_a_time(make_user, make_room, post):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    root = post(ada, room, "root")
    replies = [post(bob if i % 2 else ada, room, f"r{i}", thread_root=root.pk) for i in range(5)]
    post(ada, room, "elsewhere")
    page, more = thread_replies(root=root, limit=3)
    assert ([m.body for m in page], more) == (["r0", "r1", "r2"], True)
    page, more = thread_replies(root=root, after=replies[2].event_seq, limit=3)
    assert ([m.body for m in page], more) == (["r3", "r4"], False)
    page, _ = thread_replies(root=root, after_reply=replies[3].pk)
    assert [m.body for m in page] == ["r4"]
    for stranger in (root.pk, 10**30):
        assert thread_replies(root=root, after_reply=stranger) == ([], False)


def test_the_threads_one_took_part_in_newest_activity_first(make_user, make_room, post):
    ada, bob, carol = make_user(), make_user(), make_user()
    room = make_room(ada)
    mine = post(ada, room, "ada's root")
    theirs = post(bob, room, "bob's root")
    unreplied = post(ada, room, "no thread")
    other = post(carol, room, "carol's root")
    post(carol, room, "carol replies to ada", thread_root=mine.pk)
    post(ada, room, "ada replies to bob", thread_root=theirs.pk)
    post(bob, room, "bob replies to carol", thread_root=other.pk)
    threads = list(thread_list_participated(user=ada))
    assert [t.pk for t in threads] == [theirs.pk, mine.pk]
    assert unreplied.pk not in [t.pk for t in thread_list_participated(user=ada)]
    # Carol's reply in ada's thread makes it carol's too, newest activity first.
    assert [t.pk for t in thread_list_participated(user=carol)] == [other.pk, mine.pk]


def test_a_thread_whose_only_reply_by_you_was_deleted_is_not_yours(make_user, make_room, post):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    root = post(bob, room, "root")
    reply = post(ada, room, "reply", thread_root=root.pk)
    post(bob, room, "another", thread_root=root.pk)
    message_delete(by=ada, room=room, message_id=reply.pk)
    assert list(thread_list_participated(user=ada)) == []


def test_threads_in_a_private_room_one_left_are_not_listed(make_user, make_room, post):
    owner, bob = make_user(), make_user()
    room = make_room(owner, private=True)
    room_invite(room=room, by=owner, username=bob.username)
    root = post(owner, room, "root")
    post(bob, room, "reply", thread_root=root.pk)
    assert [t.pk for t in thread_list_participated(user=bob)] == [root.pk]
    room_leave(room=room, user=bob)
    assert list(thread_list_participated(user=bob)) == []
