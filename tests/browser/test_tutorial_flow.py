"""The Channels tutorial's flow: the index asks for a room name, Enter opens /chat/<room>/,
and the tutorial's own `{"message"}` socket talks to the same room."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import send, wait_live

pytestmark = pytest.mark.browser


def test_index_to_room_to_chat(new_page):
    page = new_page()
    page.goto("/chat/")
    name = unique("Tutorial Room ")
    page.locator("#room-name-input").fill(name + "!")
    page.locator("#room-name-input").press("Enter")
    slug = name.lower().replace(" ", "-")
    expect(page).to_have_url(re.compile(rf"/chat/{slug}/$"))
    expect(page.locator("#room-title")).to_contain_text(name + "!")  # named as typed
    wait_live(page)

    send(page, "hello tutorial")
    expect(page.locator("#chat-log .msg-body")).to_have_text(["hello tutorial"])

    # The tutorial's protocol on /ws/chat/<room>/ reaches the same room, both ways.
    page.evaluate(
        """slug => new Promise((resolve, reject) => {
            const ws = new WebSocket(`ws://${location.host}/ws/chat/${slug}/`);
            window.tutorialHeard = [];
            ws.onmessage = (event) => window.tutorialHeard.push(JSON.parse(event.data).message);
            ws.onopen = () => { ws.send(JSON.stringify({message: "from the tutorial socket"})); resolve(); };
            ws.onerror = reject;
        })""",
        slug,
    )
    expect(page.locator("#chat-log .msg-body")).to_have_text(
        ["hello tutorial", "from the tutorial socket"]
    )
    send(page, "back to the tutorial")
    page.wait_for_function("() => window.tutorialHeard.includes('back to the tutorial')")


def test_room_box_works_without_javascript(new_page):
    page = new_page(java_script_enabled=False)
    page.goto("/chat/")
    page.locator("#room-name-input").fill("No Script Café")
    page.locator("#room-name-input").press("Enter")
    expect(page).to_have_url(re.compile(r"/chat/no-script-cafe/$"))
    expect(page.locator("#room-title")).to_contain_text("No Script Café")
