"""Presence dots: one person with two tabs shows online while either tab is in use, away when
both are hidden, offline when both are closed (web/static/parley/presence.js)."""

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import open_room, send, sign_up

pytestmark = pytest.mark.browser

HIDE = """() => {
  Object.defineProperty(document, "hidden", { value: true, configurable: true });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def test_a_person_with_two_tabs_is_away_when_both_are_hidden_and_offline_when_both_close(
    new_page,
):
    alice = new_page()
    sign_up(alice, unique("alice"), "Alice")
    bob_first = new_page()
    sign_up(bob_first, unique("bob"), "Bob")
    bob_second = bob_first.context.new_page()  # the same person's second tab
    room = unique("presence-")
    open_room(bob_first, room)
    send(bob_first, "here")  # Bob is an author on Alice's screen too
    open_room(bob_second, room)
    open_room(alice, room)

    bob_member = alice.locator(".members .member-name", has_text="Bob")
    bob_author = alice.locator("#chat-log .msg-author", has_text="Bob").first
    expect(bob_member).to_have_attribute("data-presence", "online")
    expect(bob_author).to_have_attribute("data-presence", "online")
    expect(bob_author).to_have_attribute("title", "Online")

    bob_first.evaluate(HIDE)
    bob_second.evaluate(HIDE)
    expect(bob_member).to_have_attribute("data-presence", "away")

    bob_first.close()
    bob_second.close()
    expect(bob_member).to_have_attribute("data-presence", "offline")
    expect(bob_author).to_have_attribute("data-presence", "offline")
