"""Presence dots: one person with two tabs shows online while either tab is in use, away when
both are hidden, offline when both are closed; a tab idle for 5 minutes is away until its next
input (web/static/parley/presence.js)."""

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


def test_a_person_idle_for_five_minutes_is_away_until_their_next_input(new_page):
    """Bob's tab has no input: at 5 minutes (his page's clock run forward) Alice sees him away,
    and his next keystroke brings him back online (presence.js's idle timer)."""
    alice = new_page()
    sign_up(alice, unique("alice"), "Alice")
    bob = new_page()
    sign_up(bob, unique("bob"), "Bob")
    bob.clock.install()  # before the room's page loads: its timers run on this clock
    room = unique("idle-")
    open_room(bob, room)
    send(bob, "here")
    open_room(alice, room)
    bob_member = alice.locator(".members .member-name", has_text="Bob")
    expect(bob_member).to_have_attribute("data-presence", "online")

    def idle_for(seconds: int) -> None:
        # In steps shorter than the socket's keepalive allows for silence (its pings go and
        # their pongs come back at each step), so the socket stays up through the idle time.
        for _ in range(seconds // 20):
            bob.clock.fast_forward(20_000)
            bob.wait_for_function(
                "() => Date.now() - window.parley.socket.lastFrameAt < 5000", polling=100
            )

    idle_for(280)  # 4 minutes 40 seconds: still online
    alice.wait_for_timeout(1500)  # time for a presence change to reach Alice, were one sent
    expect(bob_member).to_have_attribute("data-presence", "online")
    idle_for(40)  # past 5 minutes
    expect(bob_member).to_have_attribute("data-presence", "away")
    expect(bob_member).to_have_attribute("title", "Away")

    bob.keyboard.press("Shift")
    expect(bob_member).to_have_attribute("data-presence", "online")
