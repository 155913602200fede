"""The settings pages by keyboard alone: from the header's Settings link to a saved profile and
a signed-out session, every control labelled and at least 44 px tall."""

import pytest
from playwright.sync_api import Page, expect

from .conftest import unique
from .pages import sign_up

pytestmark = pytest.mark.browser


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the element `selector` names has the focus."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_profile_is_changed_by_keyboard_and_shows_at_once(new_page):
    page = new_page()
    username = unique("kbd")
    sign_up(page, username, "Key Board")
    # From the top of a page (the lobby's length depends on the rooms the other tests made).
    page.goto(f"/u/{username}/")

    tab_to(page, 'header a[href="/settings/"]')
    page.keyboard.press("Enter")
    expect(page).to_have_url("/settings/profile/")
    expect(page.get_by_role("heading", name="Profile")).to_be_visible()

    tab_to(page, "#id_display_name")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("Ada Lovelace")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Status emoji")).to_be_focused()
    page.keyboard.insert_text("🌴")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Status", exact=True)).to_be_focused()
    page.keyboard.type("On holiday")
    page.keyboard.press("Tab")
    zone = page.get_by_label("Time zone")
    expect(zone).to_be_focused()
    # A select's type-ahead restarts after a pause between keys, which a busy machine makes:
    # the option is chosen directly, the rest of the form by keyboard.
    zone.select_option("Europe/Paris")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save profile")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Profile saved.")
    expect(page.locator(".whoami")).to_contain_text("Ada Lovelace")
    expect(page.locator(".profile-preview")).to_contain_text("🌴 On holiday")
    expect(page.locator(".profile-preview svg text")).to_have_text("AL")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Paris")

    for control in page.locator(
        ".settings-nav a, .settings button, .settings input:not([type=hidden]), .settings select"
    ).all():
        assert control.bounding_box()["height"] >= 44, control.evaluate("e => e.outerHTML")


def test_another_session_is_signed_out_by_keyboard(new_page):
    here, there = new_page(), new_page()
    username = unique("kbd")
    sign_up(here, username)
    there.goto("/accounts/login/")
    there.get_by_label("Username").fill(username)
    there.get_by_label("Password").fill("correct-horse-battery-staple")
    there.get_by_role("button", name="Log in").click()
    expect(there.locator(".whoami")).to_contain_text(username)

    here.goto("/settings/sessions/")
    expect(here.locator(".credential")).to_have_count(2)
    tab_to(here, "#logout-others")
    here.keyboard.press("Enter")
    expect(here.get_by_role("status")).to_contain_text("Signed out of 1 other session.")
    expect(here.locator(".credential")).to_have_count(1)
    expect(here.locator(".credential")).to_contain_text("This browser")

    there.goto("/settings/sessions/")
    expect(there).to_have_url("/accounts/login/?next=/settings/sessions/")
