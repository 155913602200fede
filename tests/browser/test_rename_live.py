"""A profile change shows at once, without a reload: on the room pages of the people who share
a room with the person (member list, their messages shown) and on the person's own other tab
(the header, and the messages they post next)."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import open_room, send, sign_up, wait_live

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


def test_a_rename_renames_the_dms_and_the_header_on_every_page_without_a_reload(new_page):
    """A DM is named after the others in it: when one of them is renamed, its sidebar row, the
    quick switcher and its open page's header and title follow; the one renamed sees their new
    name in the header of a page that is no room (the lobby)."""
    ada = new_page()
    sign_up(ada, unique("ada"), "Ada")
    bob = new_page()
    bob_username = unique("bob")
    sign_up(bob, bob_username, "Bob")
    cy_username = unique("cy")
    sign_up(new_page(), cy_username, "Cy")

    for people in (bob_username, f"{bob_username}, {cy_username}"):
        ada.get_by_label("New message to").fill(people)
        ada.get_by_role("button", name="Start").click()
        expect(ada.get_by_label("New message to")).to_have_value("")
    wait_live(ada)
    expect(ada.locator("#room-title")).to_have_text("@ Bob, Cy")
    dms = ada.locator("#dm-list .conversation-name")
    expect(dms).to_have_text(["Bob", "Bob, Cy"])

    bob.goto("/")  # the lobby: no room open
    bob.wait_for_function("() => window.parley?.socket?.status === 'live'")
    settings = bob.context.new_page()  # another tab of Bob's
    settings.goto("/settings/profile/")
    settings.get_by_label("Display name").fill("Zed")
    settings.get_by_role("button", name="Save profile").click()
    expect(settings.get_by_role("status")).to_contain_text("Profile saved.")

    expect(dms).to_have_text(["Cy, Zed", "Zed"])  # as the server names them, and sorted anew
    expect(ada.locator("#room-title")).to_have_text("@ Cy, Zed")
    expect(ada).to_have_title(re.compile(r"@ Cy, Zed · Parley$"))
    expect(ada.locator("#about-name")).to_have_text("Cy, Zed")
    expect(ada.locator("#chat-message-input")).to_have_attribute("placeholder", "Message Cy, Zed")
    expect(
        ada.locator(f'#members-panel li[data-username="{bob_username}"] .member-name')
    ).to_have_text("Zed")
    ada.keyboard.press("Control+k")
    expect(ada.locator("#switcher-list")).to_contain_text("Cy, Zed")
    expect(bob.locator(".whoami strong")).to_have_text("Zed")
    assert ada.evaluate("() => window.parley.conversations.current").startswith("dm-")
