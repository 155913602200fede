"""Messages that change, in the browser: two people edit, delete, react, reply in threads and
pin, each seeing the other's changes live; a third who was offline meanwhile catches up on
reconnect and ends with the same timeline."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import (
    choose,
    delete,
    edit,
    expect_settled,
    log_text,
    message,
    open_room,
    open_thread,
    react,
    reply,
    send,
    sign_up,
    wait_live,
)

pytestmark = pytest.mark.browser


def _people_in_a_room(new_page, *names):
    pages = []
    room = unique("changes-")
    for name in names:
        page = new_page()
        sign_up(page, unique(name.lower()), name)
        open_room(page, room)
        pages.append(page)
    return room, pages


def test_two_people_see_each_others_changes_live(new_page):
    _, (alice, bob) = _people_in_a_room(new_page, "Alice", "Bob")
    send(alice, "Lunch at noon?")
    send(bob, "Noon works")
    expect_settled(alice)
    expect_settled(bob)
    expect(message(alice, "Noon works")).to_have_count(1)

    # Alice edits hers: Bob sees the new text and "(edited)".
    edit(alice, message(alice, "Lunch at noon?"), "Lunch at 12:30?")
    on_bob = message(bob, "Lunch at 12:30?")
    expect(on_bob.locator(".msg-edited")).to_have_text("(edited)")
    expect(on_bob.locator(".msg-edited")).to_have_attribute("title", re.compile(r"^Edited "))

    # Bob reacts; Alice sees who, and adds hers by clicking the chip.
    react(bob, on_bob, "thumbs", "thumbs up")
    chip = message(alice, "Lunch at 12:30?").locator(".reaction", has_text="👍")
    expect(chip).to_have_attribute("aria-label", "Bob reacted with 👍")
    expect(chip).to_have_attribute("aria-pressed", "false")
    chip.click()
    expect(chip).to_have_attribute("aria-pressed", "true")
    expect(chip).to_contain_text("2")
    expect(chip).to_have_attribute("aria-label", "You and Bob reacted with 👍")
    bob_chip = on_bob.locator(".reaction", has_text="👍")
    expect(bob_chip).to_have_attribute("aria-label", "You and Alice reacted with 👍")
    # Bob takes his back.
    bob_chip.click()
    expect(chip).to_have_attribute("aria-label", "You reacted with 👍")
    expect(chip).to_contain_text("1")

    # Bob replies in a thread; Alice sees the summary, opens it and answers, also to the room.
    open_thread(bob, on_bob)
    reply(bob, "Can we make it 12:45?")
    summary = message(alice, "Lunch at 12:30?").locator(".thread-summary")
    expect(summary).to_contain_text("1 reply")
    expect(summary).to_contain_text("Bob")
    summary.click()
    thread = alice.locator("#thread-replies")
    expect(thread.locator(".msg-body")).to_have_text(["Can we make it 12:45?"])
    reply(alice, "12:45 it is", also_to_room=True)
    expect(bob.locator("#thread-replies .msg-body")).to_have_text(
        ["Can we make it 12:45?", "12:45 it is"]
    )
    expect(message(bob, "12:45 it is").locator(".msg-in-thread")).to_be_visible()
    expect(message(bob, "Lunch at 12:30?").locator(".thread-summary")).to_contain_text("2 replies")

    # Alice pins Bob's message; Bob sees it pinned and finds it in the pins.
    choose(alice, message(alice, "Noon works"), "Pin to room")
    expect(message(bob, "Noon works").locator(".msg-pin")).to_have_text("📌 Pinned")
    bob.get_by_role("button", name="📌 Pinned").click()
    expect(bob.locator("#pins-list li")).to_have_count(1)
    expect(bob.locator("#pins-list")).to_contain_text("Noon works")
    expect(bob.locator("#pins-list")).to_contain_text("Pinned by Alice")
    bob.keyboard.press("Escape")
    expect(bob.locator("#pins-panel")).to_be_hidden()

    # Bob deletes his message: gone for Alice too, and from the pins.
    delete(bob, message(bob, "Noon works"))
    expect(alice.locator("#chat-log .msg-deleted")).to_have_text(["This message was deleted."])
    expect(alice.locator("#chat-log .msg-pin")).to_have_count(0)

    expect(alice.locator("#chat-log")).to_have_text(log_text(bob), use_inner_text=True)


def test_a_page_that_was_offline_catches_up_with_every_change(new_page):
    _, (alice, bob, carol) = _people_in_a_room(new_page, "Alice", "Bob", "Carol")
    for text in ("one", "two", "three"):
        send(alice, text)
    expect_settled(alice)
    expect(carol.locator("#chat-log .msg")).to_have_count(3)

    carol.context.set_offline(True)
    expect(carol.locator("#connection-status")).to_have_attribute("data-state", "offline")
    edit(alice, message(alice, "one"), "one, edited")
    react(bob, message(bob, "two"), "party", "party popper")
    delete(alice, message(alice, "three"))
    open_thread(bob, message(bob, "two"))
    reply(bob, "a reply")
    reply(bob, "a reply for the room too", also_to_room=True)
    choose(alice, message(alice, "two"), "Pin to room")
    send(bob, "four")
    expect_settled(bob)
    expect(message(alice, "four")).to_have_count(1)
    expect(message(alice, "two").locator(".msg-pin")).to_have_count(1)
    assert carol.locator("#chat-log .msg-edited").count() == 0  # still offline

    carol.context.set_offline(False)
    wait_live(carol)
    expected = log_text(alice)
    for page in (bob, carol):
        expect(page.locator("#chat-log")).to_have_text(expected, use_inner_text=True)
    for text in ("one, edited", "(edited)", "This message was deleted.", "🎉", "2 replies"):
        assert text in expected
    assert "three" not in expected


def test_room_owner_deletes_anyones_message_others_only_their_own(new_page):
    _, (owner, guest) = _people_in_a_room(new_page, "Olga", "Gus")
    send(guest, "from Gus")
    send(owner, "from Olga")
    expect(message(owner, "from Gus")).to_have_count(1)
    expect(message(guest, "from Olga")).to_have_count(1)

    menu = guest.get_by_role("menu")
    message(guest, "from Olga").hover()
    message(guest, "from Olga").get_by_role("button", name="More actions").click()
    expect(menu.get_by_role("menuitem")).to_have_text(
        ["Add reaction…", "Reply in thread", "Pin to room", "Mark unread from here"]
    )
    guest.keyboard.press("Escape")
    expect(menu).to_be_hidden()

    delete(owner, message(owner, "from Gus"))
    expect(guest.locator("#chat-log .msg-deleted")).to_have_count(1)
