"""Anonymous visitors chat as "Anonymous" guests (PARLEY_GUESTS) and rename with /name."""

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import expect_settled, open_room, send, shown_bodies

pytestmark = pytest.mark.browser


def test_guest_posts_as_anonymous_and_renames_with_name_command(new_page):
    guest, watcher = new_page(), new_page()
    room = unique("guests-")
    open_room(guest, room)
    open_room(watcher, room)
    expect(guest.locator("#my-name")).to_have_text("Anonymous")

    send(guest, "hi, I am nobody")
    last = watcher.locator("#chat-log .msg").last
    expect(last.locator(".msg-body")).to_have_text("hi, I am nobody")
    expect(last.locator(".msg-author")).to_have_text("Anonymous")

    send(guest, "/name Ada Lovelace")
    expect(guest.locator("#notice")).to_have_text("You are now Ada Lovelace.")
    expect(guest.locator("#my-name")).to_have_text("Ada Lovelace")
    send(guest, "now with a name")
    last = watcher.locator("#chat-log .msg").last
    expect(last.locator(".msg-body")).to_have_text("now with a name")
    expect(last.locator(".msg-author")).to_have_text("Ada Lovelace")

    expect_settled(guest)
    assert shown_bodies(guest) == [
        "hi, I am nobody",
        "now with a name",
    ]  # the command is not posted

    # The guest identity lives in the session: a reload keeps the name.
    guest.reload()
    expect(guest.locator("#my-name")).to_have_text("Ada Lovelace")


def test_name_command_without_a_name_explains_itself(new_page):
    guest = new_page()
    open_room(guest, unique("guests-"))
    send(guest, "/name")
    expect(guest.locator("#notice")).to_contain_text("type /name followed by the new name")
    expect(guest.locator("#chat-log .msg")).to_have_count(0)
