"""Search from the header: `/` focuses the box, Enter shows the results page, and a result
opens its room at the message, highlighted, even far back (the page around it, with a gap
that fills); the back button returns to the results. At phone width too, by keyboard alone."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import expect_settled, open_room, send, sign_up, wait_live

pytestmark = pytest.mark.browser


def search_by_keyboard(page, query: str) -> None:
    page.locator("#main").focus()
    page.keyboard.press("/")
    expect(page.locator("#search-input")).to_be_focused()
    page.keyboard.type(query)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))


def test_search_and_jump_to_a_message_far_back(new_page):
    page = new_page()
    sign_up(page, unique("sam"), "Sam")
    room = unique("search-")
    open_room(page, room)
    send(page, "the needle is here")
    expect_settled(page)
    # Far enough back that the room opens without it: the page around it is read instead.
    page.evaluate(
        "room => { for (let n = 1; n <= 160; n++) window.parley.socket.post(room, `hay ${n}`); }",
        room,
    )
    expect(page.locator("#chat-log .msg[data-id]")).to_have_count(161, timeout=60_000)

    search_by_keyboard(page, "needle")
    results = page.locator("#search-results .search-result")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(f"#{room}")
    expect(results.first).to_contain_text("Sam")
    expect(results.first.locator("mark")).to_have_text("needle")
    expect(results.first).to_be_focused()  # the first result, ready for Enter
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/chat/{room}/#msg-1$"))
    wait_live(page)
    target = page.locator('#chat-log .msg[data-seq="1"]')
    expect(target).to_be_focused()
    expect(target).to_be_in_viewport()
    # The newest page and the page around it, with the gap between them to fill.
    gap = page.locator("#chat-log .log-gap button")
    expect(gap).to_be_visible()
    gap.click()
    expect(page.locator("#chat-log .log-gap")).to_have_count(0)
    expect(page.locator("#chat-log .msg[data-id]")).to_have_count(161)

    page.go_back()
    expect(page).to_have_url(re.compile(r"/search/\?q=needle$"))
    expect(page.locator("#search-results .search-result")).to_have_count(1)
    expect(page.locator("#search-input")).to_have_value("needle")


def test_search_on_a_phone_says_a_bad_query_and_escape_leaves_the_box(new_page):
    page = new_page(viewport={"width": 390, "height": 800}, has_touch=True)
    sign_up(page, unique("pho"), "Pho")
    room = unique("phone-search-")
    open_room(page, room)
    send(page, "release notes are out")
    expect_settled(page)
    expect(page.locator("#search-input")).to_be_visible()
    search_by_keyboard(page, '"release notes"')
    expect(page.locator("#search-results .search-result")).to_have_count(1)
    search_by_keyboard(page, "note:x")
    expect(page.locator("#search-error")).to_contain_text("Unknown filter note:")
    page.keyboard.press("Control+Shift+F")
    expect(page.locator("#search-input")).to_be_focused()
    page.keyboard.press("Escape")
    expect(page.locator("#search-input")).not_to_be_focused()
