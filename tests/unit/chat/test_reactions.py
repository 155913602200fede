"""Reactions: one emoji, once per user per message, recorded with the new count; adding what is
there or removing what is not changes nothing; summaries keep the order a replay derives."""

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.services import guest_create
from chat.models import Reaction, Room
from chat.payloads import user_payload
from chat.selectors import reaction_summaries
from chat.services.reactions import (
    emoji_clean,
    reaction_add,
    reaction_remove,
    reaction_toggle,
)
from chat.services.rooms import room_invite
from parley.errors import BadRequest, Forbidden, NotFound

pytestmark = pytest.mark.django_db(transaction=True)


def last_event_seq(room) -> int:
    return Room.objects.get(pk=room.pk).last_event_seq


def test_a_reaction_is_recorded_with_the_new_count(make_user, make_room, post, published):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    message = post(ada, room, "ship it?")
    assert reaction_add(by=ada, room=room, message_id=message.pk, emoji="👍").count == 1
    assert reaction_add(by=bob, room=room, message_id=message.pk, emoji="👍").count == 2
    assert reaction_remove(by=ada, room=room, message_id=message.pk, emoji="👍").count == 1
    changes = [(e.type, e.seq, e.message_id, e.emoji, e.user, e.count) for e in published[1:]]
    assert changes == [
        ("reaction_added", 2, message.pk, "👍", user_payload(ada), 1),
        ("reaction_added", 3, message.pk, "👍", user_payload(bob), 2),
        ("reaction_removed", 4, message.pk, "👍", user_payload(ada), 1),
    ]
    message.refresh_from_db()
    assert message.version == 4


def test_adding_twice_or_removing_what_is_not_there_records_nothing(
    make_user, make_room, post, published
):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "hi")
    assert reaction_remove(by=ada, room=room, message_id=message.pk, emoji="🎉").count == 0
    reaction_add(by=ada, room=room, message_id=message.pk, emoji="🎉")
    seq = last_event_seq(room)
    assert reaction_add(by=ada, room=room, message_id=message.pk, emoji="🎉").count == 1
    assert last_event_seq(room) == seq
    assert Reaction.objects.count() == 1
    assert [e.type for e in published] == ["message", "reaction_added"]


def test_toggle_adds_then_removes(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "hi")
    on = reaction_toggle(by=ada, room=room, message_id=message.pk, emoji="🚀")
    off = reaction_toggle(by=ada, room=room, message_id=message.pk, emoji="🚀")
    assert (on.mine, on.count, off.mine, off.count) == (True, 1, False, 0)
    assert on.emoji == "🚀" and on.message_id == message.pk


@pytest.mark.parametrize(
    "refused", ["", "a", ":)", "👍👍", "👍 ", "thumbs_up", ":thumbs_up:", "\x00", "\ud800", "1"]
)
def test_anything_but_one_emoji_is_refused(refused):
    with pytest.raises(BadRequest):
        emoji_clean(refused)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("👍", "👍"),
        ("👍🏽", "👍🏽"),
        ("❤", "❤️"),  # unqualified: stored fully qualified, one reaction with "❤️"
        ("❤️", "❤️"),
        ("🇫🇷", "🇫🇷"),
        ("👨‍👩‍👧", "👨‍👩‍👧"),
        ("#⃣", "#️⃣"),
    ],
)
def test_an_emoji_is_stored_fully_qualified(given, stored):
    assert emoji_clean(given) == stored


def test_one_reaction_whichever_form_of_an_emoji(make_user, make_room, post):
    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "hi")
    reaction_add(by=ada, room=room, message_id=message.pk, emoji="❤")
    assert reaction_add(by=ada, room=room, message_id=message.pk, emoji="❤️").count == 1
    assert reaction_remove(by=ada, room=room, message_id=message.pk, emoji="❤").count == 0


def test_guests_react_in_public_rooms_and_the_anonymous_do_not(make_user, make_room, post):
    room = make_room(make_user())
    message = post(make_user(), room, "hi")
    assert reaction_add(by=guest_create(), room=room, message_id=message.pk, emoji="👋").count == 1
    with pytest.raises(Forbidden):
        reaction_add(by=AnonymousUser(), room=room, message_id=message.pk, emoji="👋")


def test_a_message_in_a_private_room_one_is_not_in_is_not_found(make_user, make_room, post):
    owner, bob, stranger = make_user(), make_user(), make_user()
    room = make_room(owner, private=True)
    room_invite(room=room, by=owner, username=bob.username)
    message = post(bob, room, "private")
    for outsider in (stranger, guest_create()):
        with pytest.raises(NotFound):
            reaction_add(by=outsider, room=room, message_id=message.pk, emoji="👀")
    other = make_room(owner)
    with pytest.raises(NotFound):
        reaction_add(by=owner, room=other, message_id=message.pk, emoji="👀")


def test_summaries_keep_an_emojis_place_while_anyone_has_reacted_so(make_user, make_room, post):
    """An emoji keeps its place while its count stays above 0 (the first to react may leave),
    and goes last when it comes back from 0: what a client applying the events also gets."""
    ada, bob, carol = make_user(), make_user(), make_user()
    room = make_room(ada)
    message = post(ada, room, "hi")

    def react(user, emoji, add=True):
        (reaction_add if add else reaction_remove)(
            by=user, room=room, message_id=message.pk, emoji=emoji
        )

    def order(viewer=None):
        summary = reaction_summaries(message_ids=[message.pk], viewer=viewer)[message.pk]
        return [(entry["emoji"], entry["count"]) for entry in summary]

    react(ada, "👍")
    react(bob, "🎉")
    react(carol, "👍")
    react(ada, "👍", add=False)
    assert order() == [("👍", 1), ("🎉", 1)]
    react(carol, "👍", add=False)
    react(bob, "👍")
    assert order() == [("🎉", 1), ("👍", 1)]
    summary = reaction_summaries(message_ids=[message.pk], viewer=bob)[message.pk]
    assert [(e["users"], e["me"]) for e in summary] == [
        ([user_payload(bob)], True),
        ([user_payload(bob)], True),
    ]
    assert all(
        e["me"] is False
        for e in reaction_summaries(message_ids=[message.pk], viewer=ada)[message.pk]
    )


def test_reactions_and_pins_count_as_posts(make_user, make_room, post, settings):
    from chat.services.pins import message_pin
    from chat.services.reactions import reaction_toggle
    from parley.errors import RateLimited

    ada = make_user()
    room = make_room(ada)
    message = post(ada, room, "flood me")
    settings.PARLEY_POST_RATE = (0.001, 2)
    reaction_toggle(by=ada, room=room, message_id=message.pk, emoji="👍")
    reaction_toggle(by=ada, room=room, message_id=message.pk, emoji="👍")
    with pytest.raises(RateLimited):
        reaction_toggle(by=ada, room=room, message_id=message.pk, emoji="👍")
    with pytest.raises(RateLimited):
        message_pin(by=ada, room=room, message_id=message.pk)
