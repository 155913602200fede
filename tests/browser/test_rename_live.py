"""A profile change shows at once, without a reload: on the room pages of the people who share
a room with the person (member list, their messages shown) and on the person's own other tab
(the header, and the messages they post next)."""

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import open_room, send, sign_up

pytestmark = pytest.mark.browser


def test_a_rename_on_the_settings_page_shows_at_once_in_the_room(new_page):
    alice = new_page()
    bob_room = new_page()
    sign_up(alice, unique("alice"), "Alice")
    bob_username = unique("bob")
    sign_up(bob_room, bob_username, "Bob")
    room = unique("rename-")
    open_room(bob_room, room)
    open_room(alice, room)
    send(bob_room, "Hello, I am Bob")
    expect(alice.locator("#chat-log .msg").last.locator(".msg-author")).to_have_text("Bob")

    bob_settings = bob_room.context.new_page()  # another tab of Bob's, the same session
    bob_settings.goto("/settings/profile/")
    bob_settings.get_by_label("Display name").fill("Robert Tables")
    bob_settings.get_by_role("button", name="Save profile").click()
    expect(bob_settings.get_by_role("status")).to_contain_text("Profile saved.")

    bob_row = alice.locator(f'#members-panel li[data-username="{bob_username}"] .member-name')
    expect(bob_row).to_have_text("Robert Tables")
    expect(alice.locator("#chat-log .msg").last.locator(".msg-author")).to_have_text(
        "Robert Tables"
    )
    expect(bob_room.locator(".whoami strong")).to_have_text("Robert Tables")

    send(bob_room, "Same person, new name")
    last = alice.locator("#chat-log .msg").last
    expect(last).to_contain_text("Same person, new name")
    expect(last.locator(".msg-author")).to_have_text("Robert Tables")
