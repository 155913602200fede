"""An open room page loses what its user no longer has, without a reload: signing out in
another tab signs the page out; leaving a private room in another tab shows "No access"."""

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import open_room, sign_up, wait_live

pytestmark = pytest.mark.browser


def status(page):
    return page.locator("#connection-status")


def test_signing_out_in_another_tab_signs_the_open_room_out(new_page):
    page = new_page()
    sign_up(page, unique("dana"))
    open_room(page, unique("open-"))
    other = page.context.new_page()  # the same browser: the same session
    other.goto("/")
    other.get_by_role("button", name="Log out").click()
    expect(status(page)).to_have_attribute("data-state", "signed-out")


def test_leaving_a_private_room_in_another_tab_ends_the_open_page(new_page):
    page = new_page()
    sign_up(page, unique("erin"))
    page.goto("/")
    page.locator("#id_name").fill(unique("Hidden "))
    page.locator("#id_private").check()
    page.get_by_role("button", name="Create room").click()
    wait_live(page)
    other = page.context.new_page()
    other.goto(page.url)
    other.locator("details").first.evaluate("node => node.open = true")
    other.get_by_role("button", name="Leave room").click()
    expect(status(page)).to_have_attribute("data-state", "forbidden")
    expect(status(page)).to_have_text("No access to this room")
