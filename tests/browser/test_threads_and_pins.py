"""The thread panel, the Threads list (across rooms) and the pins, on a wide screen and on a
phone."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import (
    choose,
    expect_settled,
    message,
    open_room,
    open_thread,
    reply,
    send,
    sign_up,
    wait_live,
)

pytestmark = pytest.mark.browser


def test_the_threads_list_holds_my_threads_in_every_room(new_page):
    page = new_page()
    sign_up(page, unique("tess"), "Tess")
    rooms = [unique("threads-a-"), unique("threads-b-")]
    for room in rooms:
        open_room(page, room)
        send(page, f"question in {room}")
        expect_settled(page)
        open_thread(page, message(page, f"question in {room}"))
        reply(page, f"answer in {room}")
    # Now in the second room: both threads are listed, the newest reply first.
    page.get_by_role("button", name="💬 Threads").click()
    listed = page.locator("#threads-list li")
    expect(listed).to_have_count(2)
    expect(listed.nth(0)).to_contain_text(f"question in {rooms[1]}")
    expect(listed.nth(1)).to_contain_text(f"question in {rooms[0]}")
    expect(listed.nth(1)).to_contain_text(f"#{rooms[0]} · 1 reply")
    # One in another room opens that room's page with the thread.
    listed.nth(1).get_by_role("button").click()
    expect(page).to_have_url(re.compile(rf"/chat/{rooms[0]}/#thread-\d+$"))
    wait_live(page)
    expect(page.locator("#thread-root .msg-body")).to_have_text([f"question in {rooms[0]}"])
    expect(page.locator("#thread-replies .msg-body")).to_have_text([f"answer in {rooms[0]}"])
    page.keyboard.press("Escape")
    expect(page.locator("#thread-panel")).to_be_hidden()
    expect(page).to_have_url(re.compile(rf"/chat/{rooms[0]}/$"))


def test_a_pin_jumps_to_its_message_even_one_not_loaded_yet(new_page):
    page = new_page()
    sign_up(page, unique("pia"), "Pia")
    room = unique("pins-")
    open_room(page, room)
    send(page, "the one to find")
    expect_settled(page)
    choose(page, message(page, "the one to find"), "Pin to room")
    expect(message(page, "the one to find").locator(".msg-pin")).to_have_count(1)
    page.evaluate(
        "room => { for (let n = 1; n <= 60; n++) window.parley.socket.post(room, `later ${n}`); }",
        room,
    )
    expect(page.locator("#chat-log .msg[data-id]")).to_have_count(61, timeout=20_000)
    page.reload()
    wait_live(page)
    expect(page.locator("#chat-log .msg[data-id]")).to_have_count(50)

    page.get_by_role("button", name="📌 Pinned").click()
    pins = page.locator("#pins-list li")
    expect(pins).to_have_count(1)
    expect(pins).to_contain_text("the one to find")
    expect(pins).to_contain_text("Pinned by Pia")
    pins.get_by_role("button").click()
    target = page.locator('#chat-log .msg[data-seq="1"]')
    expect(target).to_be_focused()
    expect(target).to_be_in_viewport()
    expect(page.locator("#chat-log .msg[data-id]")).to_have_count(61)


def test_on_a_phone_the_thread_covers_the_page_and_closes_back(new_page):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    sign_up(page, unique("phil"))
    open_room(page, unique("phone-thread-"))
    send(page, "start a thread")
    expect_settled(page)
    item = message(page, "start a thread")
    more = item.get_by_role("button", name="More actions")
    expect(more).to_be_visible()  # no hover on a touch screen: always shown
    more.tap()
    page.get_by_role("menuitem", name="Reply in thread").tap()
    panel = page.locator("#thread-panel")
    box = panel.bounding_box()
    assert box == {"x": 0, "y": 0, "width": 390, "height": 844}
    reply(page, "from the phone", also_to_room=True)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    panel.get_by_role("button", name="Close the thread").tap()
    expect(panel).to_be_hidden()
    expect(page.locator("#chat-log .msg-body")).to_have_text(["start a thread", "from the phone"])
    expect(item.locator(".thread-summary")).to_contain_text("1 reply")


def test_a_thread_longer_than_a_page_is_read_whole(new_page):
    page = new_page()
    sign_up(page, unique("lena"))
    room = unique("long-thread-")
    open_room(page, room)
    send(page, "a long thread")
    expect_settled(page)
    root = int(message(page, "a long thread").get_attribute("data-id"))
    page.evaluate(
        """([room, root]) => {
            for (let n = 1; n <= 105; n++) window.parley.socket.post(room, `reply ${n}`, { threadRoot: root });
        }""",
        [room, root],
    )
    summary = message(page, "a long thread").locator(".thread-summary")
    expect(summary).to_contain_text("105 replies", timeout=30_000)
    page.reload()
    wait_live(page)
    message(page, "a long thread").locator(".thread-summary").click()
    replies = page.locator("#thread-replies .msg-body")
    expect(replies).to_have_count(105)
    assert replies.all_inner_texts() == [f"reply {n}" for n in range(1, 106)]
