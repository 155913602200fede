"""The page never blocks behind a post the server refuses, also after a reload; and people who
share a display name can be told apart."""

import json

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import expect_settled, open_room, send, shown_bodies, sign_up

pytestmark = pytest.mark.browser


def outbox_size(page) -> int:
    return page.evaluate("() => window.parley.socket.outbox.size")


def test_a_message_with_u0000_is_refused_on_the_page_and_the_next_one_goes(new_page):
    page = new_page()
    room = unique("nul-")
    open_room(page, room)
    page.evaluate(
        """() => {
            const input = document.getElementById("chat-message-input");
            input.value = "a\\u0000b";
            document.getElementById("composer").requestSubmit();
        }"""
    )
    expect(page.locator("#notice")).to_contain_text("cannot be sent")
    assert page.locator("#chat-message-input").input_value() == "a\x00b"  # kept, to be fixed
    send(page, "after the refused one")
    expect(page.locator("#chat-log .msg-body")).to_have_text(["after the refused one"])
    expect_settled(page)
    assert outbox_size(page) == 0


def test_a_post_the_server_refuses_is_dropped_and_the_outbox_goes_on(new_page):
    page = new_page()
    room = unique("refused-")
    open_room(page, room)
    # Past the page's own check, as an older page or another client would send it.
    page.evaluate(f"() => window.parley.socket.post({json.dumps(room)}, 'x\\u0000y')")
    send(page, "next")
    expect(page.locator("#chat-log .msg-body")).to_have_text(["next"])
    page.wait_for_function("() => window.parley.socket.outbox.size === 0")


def test_unsendable_posts_kept_by_an_older_page_do_not_wedge_the_outbox_after_a_reload(new_page):
    page = new_page()
    room = unique("wedge-")
    open_room(page, room)
    stored = [
        {"room": room, "body": "a\x00b", "client_id": "00000000-0000-4000-8000-000000000001"},
        {
            "room": room,
            "body": "queued before the reload",
            "client_id": "00000000-0000-4000-8000-000000000002",
        },
    ]
    # A lone surrogate cannot pass through Playwright's JSON: the page writes it itself.
    page.evaluate(
        """stored => {
            stored.splice(1, 0, {room: stored[0].room, body: "half \\ud83d", client_id: "00000000-0000-4000-8000-000000000003"});
            sessionStorage.setItem("parley.outbox", JSON.stringify(stored));
        }""",
        stored,
    )
    page.reload()
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "live")
    expect(page.locator("#chat-log .msg-body")).to_have_text(["queued before the reload"])
    send(page, "typed after the reload")
    expect(page.locator("#chat-log .msg-body")).to_have_text(
        ["queued before the reload", "typed after the reload"]
    )
    expect_settled(page)
    assert outbox_size(page) == 0
    assert shown_bodies(page) == ["queued before the reload", "typed after the reload"]


def test_two_people_with_one_display_name_are_told_apart_by_username(new_page):
    first, second = new_page(), new_page()
    first_name, second_name = unique("sam"), unique("sam")
    sign_up(first, first_name, "Sam")
    sign_up(second, second_name, "Sam")
    room = unique("sams-")
    open_room(first, room)
    open_room(second, room)
    send(first, "one")
    expect(second.locator("#chat-log .msg-body")).to_have_text(["one"])
    second.locator("#chat-message-input").press_sequentially("two")
    expect(first.locator("#typing")).to_have_text(f"Sam (@{second_name}) is typing…")
    second.locator("#chat-message-input").press("Enter")
    expect(first.locator("#chat-log .msg-body")).to_have_text(["one", "two"])
    expect(first.locator("#chat-log .msg .msg-meta .username")).to_have_text(
        [f"@{first_name}", f"@{second_name}"]
    )
    first.reload()
    expect(first.locator(".members")).to_contain_text(f"@{first_name}")
    expect(first.locator(".members")).to_contain_text(f"@{second_name}")
