"""Direct messages, read markers, unread and mention counts, and who hears what on their own
stream: chat/services/conversations.py, chat/services/reading.py, chat.selectors."""

import pytest

from accounts.services import guest_create
from chat.models import Membership, Room, RoomEvent
from chat.selectors import conversation_list, room_can_see, room_list_visible
from chat.services.conversations import dm_find, dm_open
from chat.services.messages import message_delete, message_edit
from chat.services.reading import marker_read, marker_unread_from, markers_read_all, notify_set
from chat.services.rooms import member_remove, room_invite, room_join, room_leave, room_update
from parley import events
from parley.errors import BadRequest, Forbidden, NotFound

# Events leave after commit: the tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard(monkeypatch):
    """The user events published (after commit), as their sockets get them."""
    sent: list[dict] = []

    class Recorder:
        def publish(self, event):
            if isinstance(event, events.UserEvent):
                sent.append(event.as_dict())

    monkeypatch.setattr(events, "backend", lambda: Recorder())
    return sent


def entry(user, room) -> dict:
    (found,) = [c for c in conversation_list(user=user) if c["id"] == room.pk]
    return found


def test_a_dm_is_found_by_its_people_in_any_order(make_user):
    ada, bob, cy = make_user("ada"), make_user("bob"), make_user("cy")
    room, created = dm_open(by=ada, usernames=["bob"])
    assert created and room.kind == Room.Kind.DM and room.private
    assert dm_open(by=bob, usernames=["ada"]) == (room, False)
    group, created = dm_open(by=ada, usernames=["cy", "bob", "bob"])
    assert created and group != room
    assert dm_open(by=cy, usernames=["bob", "ada"]) == (group, False)
    assert {m.user.username for m in group.memberships.all()} == {"ada", "bob", "cy"}


def test_a_dm_with_oneself_is_a_place_for_notes(make_user):
    ada = make_user()
    room, _ = dm_open(by=ada, usernames=[])
    assert dm_open(by=ada, usernames=[ada.username]) == (room, False)
    assert entry(ada, room)["name"] == ada.shown_name


def test_dm_limits_guests_and_unknown_people(make_user, settings):
    ada = make_user()
    others = [make_user() for _ in range(8)]
    with pytest.raises(BadRequest):
        dm_open(by=ada, usernames=[u.username for u in others])  # nine people
    assert dm_open(by=ada, usernames=[u.username for u in others[:7]])[1]
    with pytest.raises(NotFound):
        dm_open(by=ada, usernames=["nobody"])
    guest = guest_create()
    with pytest.raises(Forbidden):
        dm_open(by=guest, usernames=[ada.username])
    with pytest.raises(NotFound):  # a guest cannot be messaged either
        dm_open(by=ada, usernames=[guest.username])
    assert Room.objects.filter(kind=Room.Kind.DM).count() == 1


def test_a_dm_is_invisible_to_everyone_else(make_user):
    ada, bob, eve = make_user(), make_user(), make_user()
    room, _ = dm_open(by=ada, usernames=[bob.username])
    assert room_can_see(room=room, user=bob) and not room_can_see(room=room, user=eve)
    assert room not in room_list_visible(user=eve)
    assert [c["id"] for c in conversation_list(user=eve)] == []


def test_a_dm_is_named_by_the_others_as_each_member_sees_it(make_user):
    ada, bob, cy = make_user("ada", "Ada"), make_user("bob", "Bob"), make_user("cy", "Cy")
    room, _ = dm_open(by=ada, usernames=["bob", "cy"])
    assert entry(ada, room)["name"] == "Bob, Cy"
    assert entry(bob, room)["name"] == "Ada, Cy"
    assert [m["username"] for m in entry(cy, room)["members"]] == ["ada", "bob", "cy"]
    assert entry(cy, room)["notify"] == "all"


def test_opening_a_dm_tells_each_member_once(make_user, heard):
    ada, bob = make_user(), make_user()
    room, _ = dm_open(by=ada, usernames=[bob.username])
    dm_open(by=bob, usernames=[ada.username])
    added = [
        (e["user_id"], e["conversation"]["id"]) for e in heard if e["type"] == "conversation_added"
    ]
    assert sorted(added) == sorted([(ada.pk, room.pk), (bob.pk, room.pk)])


def test_unread_counts_messages_by_others_after_the_marker(make_user, make_room, post):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    room_join(room=room, user=bob)
    assert entry(bob, room)["unread"] == 0  # a new member has read everything
    post(ada, room, "one")
    two = post(ada, room, "two")
    post(bob, room, "mine")  # one's own messages are never unread
    root = post(ada, room, "three")
    post(ada, room, "only in the thread", thread_root=root.pk)  # not in the room's timeline
    post(ada, room, "also in the room", thread_root=root.pk, also_to_room=True)
    assert entry(bob, room)["unread"] == 4
    message_delete(by=ada, room=room, message_id=two.pk)
    assert entry(bob, room)["unread"] == 3
    assert entry(ada, room)["unread"] == 1  # bob's


def test_mentions_count_by_name_and_by_room_where_the_room_allows_it(make_user, make_room, post):
    ada, bob, _cy = make_user("ada"), make_user("bob"), make_user("cy")
    room = make_room(ada)
    room_join(room=room, user=bob)
    post(ada, room, "hi @bob")
    post(ada, room, "@bob and @room")  # one message, counted once
    post(ada, room, "`@bob` in code mentions nobody")
    post(ada, room, "@cy is not in the room")
    assert (entry(bob, room)["unread"], entry(bob, room)["mentions"]) == (4, 2)
    Room.objects.filter(pk=room.pk).update(wide_mentions=False)
    room.refresh_from_db()
    post(ada, room, "@here anyone?")
    assert entry(bob, room)["mentions"] == 2
    assert entry(bob, room)["unread"] == 5


def test_an_edit_that_adds_a_mention_tells_only_the_new_one(make_user, make_room, post, heard):
    ada, bob, cy = make_user("ada"), make_user("bob"), make_user("cy")
    room = make_room(ada)
    room_join(room=room, user=bob)
    room_join(room=room, user=cy)
    message = post(ada, room, "hi @bob")
    message_edit(by=ada, room=room, message_id=message.pk, body="hi @bob and @cy")
    mentioned = [(e["user_id"], e["id"]) for e in heard if e["type"] == "mentioned"]
    assert mentioned == [(bob.pk, message.pk), (cy.pk, message.pk)]
    assert entry(cy, room)["mentions"] == 1


def test_a_deleted_mention_no_longer_counts(make_user, make_room, post):
    ada, bob = make_user("ada"), make_user("bob")
    room = make_room(ada)
    room_join(room=room, user=bob)
    message = post(ada, room, "@bob @room")
    message_delete(by=ada, room=room, message_id=message.pk)
    assert entry(bob, room)["mentions"] == 0


def test_notify_none_counts_the_mention_and_tells_no_one(make_user, make_room, post, heard):
    ada, bob = make_user("ada"), make_user("bob")
    room = make_room(ada)
    room_join(room=room, user=bob)
    notify_set(user=bob, room=room, notify="none")
    post(ada, room, "@bob")
    assert [e for e in heard if e["type"] == "mentioned"] == []
    assert entry(bob, room)["mentions"] == 1
    with pytest.raises(BadRequest):
        notify_set(user=bob, room=room, notify="loud")
    assert entry(bob, room)["notify"] == "none"
    assert notify_set(user=bob, room=room, notify="") == ""
    assert entry(bob, room)["notify"] == "mentions"


def test_every_unread_message_of_a_dm_counts_as_a_mention(make_user, post):
    ada, bob = make_user(), make_user()
    room, _ = dm_open(by=ada, usernames=[bob.username])
    post(ada, room, "psst")
    post(ada, room, "are you there")
    assert (entry(bob, room)["unread"], entry(bob, room)["mentions"]) == (2, 2)


def test_the_marker_moves_forward_and_never_past_the_newest(make_user, make_room, post, heard):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    room_join(room=room, user=bob)
    first, second = post(ada, room, "one"), post(ada, room, "two")
    assert marker_read(user=bob, room=room, seq=first.event_seq) == first.event_seq
    assert entry(bob, room)["unread"] == 1
    assert marker_read(user=bob, room=room, seq=0) == first.event_seq  # a slower tab
    assert marker_read(user=bob, room=room, seq=10**6) == second.event_seq
    assert entry(bob, room)["unread"] == 0
    moved = [(e["last_read"], e["unread"]) for e in heard if e["type"] == "read_marker"]
    assert moved == [(first.event_seq, 1), (second.event_seq, 0)]


def test_mark_unread_from_a_message(make_user, make_room, post):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    room_join(room=room, user=bob)
    post(ada, room, "one")
    second = post(ada, room, "two")
    post(ada, room, "three")
    marker_read(user=bob, room=room)
    assert marker_unread_from(user=bob, room=room, message_id=second.pk) == second.event_seq - 1
    assert entry(bob, room)["unread"] == 2
    with pytest.raises(NotFound):
        marker_unread_from(user=bob, room=room, message_id=10**9)


def test_mark_all_read(make_user, make_room, post, heard):
    ada, bob = make_user(), make_user()
    rooms = [make_room(ada) for _ in range(3)]
    for room in rooms:
        room_join(room=room, user=bob)
    post(ada, rooms[0], "one")
    post(ada, rooms[2], "two")
    assert markers_read_all(user=bob) == 2
    assert [c["unread"] for c in conversation_list(user=bob)] == [0, 0, 0]
    assert markers_read_all(user=bob) == 0
    assert len([e for e in heard if e["type"] == "read_marker"]) == 2


def test_only_members_have_markers(make_user, make_room):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    with pytest.raises(NotFound):
        marker_read(user=bob, room=room)


def test_an_invited_member_starts_with_everything_read(make_user, make_room, post, heard):
    ada, bob = make_user(), make_user()
    room = make_room(ada, private=True)
    post(ada, room, "before bob")
    room_invite(room=room, by=ada, username=bob.username)
    assert entry(bob, room)["unread"] == 0
    (added,) = [e for e in heard if e["type"] == "conversation_added" and e["user_id"] == bob.pk]
    assert added["conversation"]["room"] == room.slug


def test_the_conversation_added_is_the_one_the_list_gives(make_user, make_room, post, heard):
    """conversation_added builds the new member's conversation without the counting query:
    it must be what conversation_list (ready, the page) says of it, for a channel joined, a
    room invited to, and a DM of three."""
    ada, bob, cy = make_user("ada", "Ada"), make_user("bob", "Bob"), make_user("cy", "Cy")
    public, private = make_room(ada), make_room(ada, private=True)
    post(ada, public, "before bob")
    post(ada, private, "before bob")
    room_join(room=public, user=bob)
    room_invite(room=private, by=ada, username=bob.username)
    dm, _ = dm_open(by=ada, usernames=["bob", "cy"])
    added = {
        (e["user_id"], e["conversation"]["room"]): e["conversation"]
        for e in heard
        if e["type"] == "conversation_added"
    }
    for user, room in ((bob, public), (bob, private), (ada, dm), (bob, dm), (cy, dm)):
        assert added[(user.pk, room.slug)] == entry(user, room)


def test_a_first_post_joins_with_the_marker_at_the_join(make_user, make_room, post):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    post(ada, room, "before bob")
    post(bob, room, "hello")  # joins the public room
    assert Membership.objects.filter(room=room, user=bob).exists()
    assert entry(bob, room)["unread"] == 0


def test_counts_for_many_conversations_take_two_queries(
    make_user, make_room, post, django_assert_max_num_queries
):
    ada, bob = make_user(), make_user()
    for index in range(20):
        room = make_room(ada)
        room_join(room=room, user=bob)
        post(ada, room, f"hello {index}")
        dm_open(by=bob, usernames=[make_user().username])
    with django_assert_max_num_queries(2):
        listed = conversation_list(user=bob)
    assert len(listed) == 40 and sum(c["unread"] for c in listed) == 20


def test_room_update_still_works_on_channels(make_user, make_room):
    ada = make_user()
    room = make_room(ada, "Ops")
    assert room_update(room=room, by=ada, name="Operations").name == "Operations"


def test_nobody_is_added_to_a_dm_and_it_is_not_renamed(make_user):
    ada, bob, cy = make_user(), make_user(), make_user()
    room, _ = dm_open(by=ada, usernames=[bob.username])
    with pytest.raises(BadRequest):
        room_invite(room=room, by=ada, username=cy.username)
    with pytest.raises(Forbidden):
        room_join(room=room, user=cy)
    staff = make_user()
    staff.is_staff = True
    with pytest.raises(Forbidden):  # a DM is its people's, not an administrator's
        room_update(room=room, by=staff, name="Ours")
    assert room.memberships.count() == 2


def test_nobody_leaves_a_dm_nor_is_removed_from_it(make_user):
    """Its people are what it is (`dm_key`): leaving would leave a DM that opening the same
    people again finds, without you in it."""
    ada, bob, staff = make_user("ada"), make_user("bob"), make_user("staff")
    staff.is_staff = True
    staff.save()
    room, _ = dm_open(by=ada, usernames=["bob", "staff"])
    with pytest.raises(BadRequest, match="cannot be left"):
        room_leave(room=room, user=bob)
    with pytest.raises(BadRequest, match="cannot be left"):
        member_remove(room=room, by=bob, username="bob")  # leaving, said the other way
    with pytest.raises(Forbidden, match="direct message"):  # nor an administrator in it
        member_remove(room=room, by=staff, username="bob")
    assert room.memberships.count() == 3
    assert dm_open(by=bob, usernames=["ada", "staff"]) == (room, False)
    with pytest.raises(NotFound):  # one who is not in it is told nothing more
        room_leave(room=room, user=make_user())


def test_opening_a_dm_again_brings_back_who_left_it_before(make_user, heard):
    """Data from before leaving was refused (or a membership deleted in the admin): opening the
    DM again reaches it with all its people in it, the one who opens it first, rather than a
    room that answers 404."""
    ada, bob, cy = make_user("ada"), make_user("bob"), make_user("cy")
    room, _ = dm_open(by=ada, usernames=["bob", "cy"])
    Membership.objects.filter(room=room, user__in=[bob, cy]).delete()  # as a leave once did
    assert dm_find(by=ada, usernames=["bob", "cy"]) is None  # a GET offers to open it again
    heard.clear()

    assert dm_open(by=bob, usernames=["ada", "cy"]) == (room, False)
    assert room_can_see(room=room, user=bob) and room_can_see(room=room, user=cy)
    assert {m.user_id for m in room.memberships.all()} == {ada.pk, bob.pk, cy.pk}
    assert entry(bob, room)["unread"] == 0
    added = sorted(e["user_id"] for e in heard if e["type"] == "conversation_added")
    assert added == sorted([bob.pk, cy.pk])
    changes = [
        (change.data["user"]["username"], change.data["change"])
        for change in RoomEvent.objects.filter(room=room, type="member").order_by("seq")
    ]
    assert changes[-2:] == [("bob", "joined"), ("cy", "invited")]
    assert dm_find(by=ada, usernames=["bob", "cy"]) == room
    heard.clear()
    assert dm_open(by=cy, usernames=["ada", "bob"]) == (room, False)  # nothing more to restore
    assert [e for e in heard if e["type"] == "conversation_added"] == []
