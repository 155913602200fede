"""A team in the app shell: unread badges that move live and clear in every tab once read, the
"New messages" line, direct messages started from the sidebar, @-mention autocomplete, and a
desktop notification for a mention (the permission granted in the browser context)."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import NOTIFICATIONS, message, open_room, send, sign_up, wait_live

pytestmark = pytest.mark.browser


def badge(page, name: str):
    return page.locator("#sidebar .conversation-link", has_text=name)


def test_unread_counts_move_live_and_clear_in_every_tab_once_read(new_page):
    ada = new_page()
    sign_up(ada, unique("ada"), "Ada")
    general, random = unique("general"), unique("random")
    open_room(ada, random)
    open_room(ada, general)
    bob = new_page()
    bob_name = unique("bob")
    sign_up(bob, bob_name, "Bob")
    open_room(bob, random)
    open_room(bob, general)  # bob is in both; he reads #general
    bob_tab = bob.context.new_page()  # his second tab, also on #general
    open_room(bob_tab, general)

    # ada writes in #random, which bob is not looking at: both his tabs count it.
    ada.locator("#sidebar .conversation-link", has_text=random).click()
    expect(ada.locator("#room")).to_have_attribute("data-room", random)  # switched, not loading
    wait_live(ada)
    send(ada, "first in random")
    send(ada, f"@{bob_name} second, for you")
    for page in (bob, bob_tab):
        link = badge(page, random)
        expect(link.locator(".count-mention")).to_have_text("1")
        expect(link.locator(".count:not(.count-mention)")).to_have_text("2")
        expect(link).to_have_attribute("aria-label", f"{random}, 1 mention, 2 unread")
    expect(bob).to_have_title(f"(1) # {general} · Parley")

    # He opens it in one tab: the "New messages" line sits above the first of them, and the
    # badge goes in both tabs.
    badge(bob, random).click()
    expect(bob.locator("#room")).to_have_attribute("data-room", random)
    wait_live(bob)
    divider = bob.locator("#chat-log .unread-divider")
    expect(divider).to_be_visible()
    first = message(bob, "first in random")
    assert divider.evaluate("(node) => node.nextElementSibling.dataset.id") == first.get_attribute(
        "data-id"
    )
    expect(message(bob, "second, for you")).to_have_class(re.compile(r"\bmentions-me\b"))
    for page in (bob, bob_tab):
        expect(badge(page, random).locator(".count")).to_have_count(0)
    expect(bob_tab).to_have_title(f"# {general} · Parley")

    # Esc marks read and takes the line away.
    bob.locator("#chat-message-input").focus()
    bob.keyboard.press("Escape")
    expect(divider).to_have_count(0)


def test_mark_unread_from_here_and_mark_all_read(new_page):
    ada = new_page()
    sign_up(ada, unique("ada"), "Ada")
    room = unique("room")
    open_room(ada, room)
    for text in ("one", "two", "three"):
        send(ada, text)
    bob = new_page()
    sign_up(bob, unique("bob"), "Bob")
    open_room(bob, room)
    item = message(bob, "two")
    item.hover()
    item.get_by_role("button", name="More actions").click()
    bob.get_by_role("menuitem", name="Mark unread from here").click()
    expect(badge(bob, room).locator(".count")).to_have_text("2")
    expect(bob.locator("#chat-log .unread-divider")).to_be_visible()
    bob.get_by_role("button", name="Mark all read").click()
    expect(badge(bob, room).locator(".count")).to_have_count(0)


def test_a_direct_message_from_the_sidebar_reaches_the_other_at_once(new_page):
    ada = new_page()
    ada_name = unique("ada")
    sign_up(ada, ada_name, "Ada")
    open_room(ada, unique("lobby"))
    bob = new_page()
    bob_name = unique("bob")
    sign_up(bob, bob_name, "Bob")
    open_room(bob, unique("elsewhere"))

    ada.get_by_label("New message to").fill(bob_name)
    ada.get_by_role("button", name="Start").click()
    expect(ada.locator("#room")).to_have_attribute("data-room", re.compile(r"^dm-"))
    wait_live(ada)
    expect(ada.locator("#dm-list .conversation-link[aria-current=page]")).to_contain_text("Bob")
    send(ada, "just between us")

    dm = bob.locator("#dm-list .conversation-link", has_text="Ada")
    expect(dm).to_be_visible()
    expect(dm.locator(".count-mention")).to_have_text("1")  # a DM's every message is for you
    dm.click()
    expect(bob.locator("#room")).to_have_attribute("data-room", re.compile(r"^dm-"))
    wait_live(bob)
    expect(message(bob, "just between us")).to_be_visible()

    # The same person again opens the same conversation; a stranger is refused clearly.
    ada.get_by_label("New message to").fill(f"@{bob_name}")
    ada.get_by_role("button", name="Start").click()
    expect(ada.get_by_label("New message to")).to_have_value("")  # opened: the field clears
    expect(ada.locator("#dm-list .conversation-link")).to_have_count(1)
    ada.get_by_label("New message to").fill("nobody-at-all")
    ada.get_by_role("button", name="Start").click()
    expect(ada.locator("#new-dm-error")).to_contain_text("nobody-at-all")


def test_a_mention_autocompletes_and_notifies_the_one_mentioned(new_page):
    room = unique("room")
    bob = new_page()
    bob_name = unique("bob")
    bob.context.grant_permissions(["notifications"])
    bob.context.add_init_script(NOTIFICATIONS)
    sign_up(bob, bob_name, "Bob")
    open_room(bob, room)
    open_room(bob, unique("elsewhere"))  # bob looks at another room
    ada = new_page()
    sign_up(ada, unique("ada"), "Ada")
    open_room(ada, room)

    composer = ada.locator("#chat-message-input")
    composer.fill(f"hey @{bob_name[:4]}")
    composer.press("End")
    composer.type("")
    options = ada.get_by_role("option")
    expect(options.first).to_contain_text(f"@{bob_name}")
    composer.press("Enter")  # chooses, does not send
    expect(composer).to_have_value(f"hey @{bob_name} ")
    composer.type("look")
    composer.press("Enter")
    expect(message(ada, "look")).to_be_visible()

    bob.wait_for_function("() => window.shown.length > 0")
    shown = bob.evaluate("() => window.shown")
    assert shown[0]["title"] == f"Ada in #{room}"
    assert f"@{bob_name} look" in shown[0]["body"]


def test_a_direct_message_is_started_and_written_to_by_keyboard_alone(new_page):
    bob = new_page()
    bob_name = unique("bob")
    sign_up(bob, bob_name, "Bob")
    ada = new_page()
    sign_up(ada, unique("ada"), "Ada")
    open_room(ada, unique("room"))
    for _ in range(80):  # Tab through the page to the sidebar's field
        ada.keyboard.press("Tab")
        if ada.evaluate("() => document.activeElement.id") == "new-dm-people":
            break
    else:
        raise AssertionError("New message to is not reachable with Tab")
    ada.keyboard.type(bob_name)
    ada.keyboard.press("Enter")
    expect(ada.locator("#room")).to_have_attribute("data-room", re.compile(r"^dm-"))
    wait_live(ada)
    # The conversation opens with the composer focused: write at once.
    expect(ada.locator("#chat-message-input")).to_be_focused()
    ada.keyboard.type("typed without a mouse")
    ada.keyboard.press("Enter")
    expect(message(ada, "typed without a mouse")).to_be_visible()
