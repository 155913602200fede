"""A link gets a preview card for everyone in the room, and its author removes it by keyboard."""

import re

import pytest
from playwright.sync_api import expect

from tests.linkserver import link_server_running

from .conftest import unique
from .pages import expect_settled, message, open_room, send, sign_up
from .test_accessibility import serious_violations

pytestmark = pytest.mark.browser


def test_a_link_gets_a_card_and_its_author_removes_it(new_page, server):
    room = unique("previews-")
    ada, bob = new_page(), new_page()
    sign_up(ada, unique("ada"), "Ada")
    sign_up(bob, unique("bob"), "Bob")
    open_room(ada, room)
    open_room(bob, room)
    with link_server_running() as site:
        send(ada, f"read {site.url('/og')}")
        expect_settled(ada)
        # The job runs in a worker process of its own here: on the embedded in-memory layer its
        # `message_updated` does not reach this server's sockets, so the pages load again.
        server.manage("db_worker", "--batch", "--no-startup-delay")
    for page in (ada, bob):
        open_room(page, room)
        card = message(page, "read").locator(".preview-card")
        title = card.locator("a.preview-title")
        expect(title).to_have_text("Deploy & ship")
        expect(title).to_have_attribute("target", "_blank")
        expect(title).to_have_attribute("rel", "noopener noreferrer")
        expect(card.locator(".preview-site")).to_have_text("Example Blog")
        expect(card.locator(".preview-description")).to_have_text("How we deploy, <b>safely</b>.")
        image = card.locator("img.preview-image")
        expect(image).to_have_attribute("width", "480")
        expect(image).to_have_attribute("height", "240")
        # Parley's copy, served to a member (the site is gone by now).
        page.wait_for_function(
            "img => img.complete && img.naturalWidth === 480", arg=image.element_handle()
        )
    expect(message(bob, "read").locator(".preview-remove")).to_have_count(0)
    assert serious_violations(ada) == []  # the card and its remove button (axe-core)

    remove = message(ada, "read").get_by_role(
        "button", name=re.compile(r"^Remove the preview of Deploy")
    )
    remove.focus()
    ada.keyboard.press("Enter")
    expect(message(ada, "read").locator(".preview-card")).to_have_count(0)
    expect(message(bob, "read").locator(".preview-card")).to_have_count(0)
