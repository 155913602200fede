"""axe-core (axe-playwright-python bundles its JavaScript) on Parley's pages: no serious or
critical violation on the app shell (a room, the switcher, the drawers, search results) at
desktop and phone widths, light and dark, nor on the lobby, log-in and sign-up pages."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from .conftest import unique
from .pages import (
    expect_settled,
    message,
    open_room,
    open_thread,
    react,
    reply,
    send,
    sign_up,
    wait_live,
)

pytestmark = pytest.mark.browser

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
SERIOUS = {"serious", "critical"}


def serious_violations(page: Page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']}: "
        + "; ".join(node["target"][0] for node in violation["nodes"][:5])
        for violation in results.response["violations"]
        if violation["impact"] in SERIOUS
    ]


def a_lively_room(page: Page, friend: Page) -> str:
    """A room with messages, a reaction, a thread and a link, as `page` sees it."""
    sign_up(page, unique("axe"))
    sign_up(friend, unique("axefriend"))
    room = unique("axe-room-")
    open_room(page, room)
    open_room(friend, room)
    send(friend, "Hello, **world**: see https://example.com")
    send(page, "A reply with `code`")
    expect_settled(page)
    react(page, message(page, "Hello"), "thumbs", "thumbs up")
    open_thread(page, message(page, "Hello"))
    reply(page, "In a thread")
    page.keyboard.press("Escape")
    expect(page.locator("#thread-panel")).to_be_hidden()
    return room


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_app_shell_has_no_serious_violation(new_page, size, scheme):
    options = {**(DESKTOP if size == "desktop" else PHONE), "color_scheme": scheme}
    author = new_page(**DESKTOP)  # the mouse's toolbar sets the room up
    room = a_lively_room(author, new_page())
    page = new_page(**options, storage_state=author.context.storage_state())
    page.goto(f"/chat/{room}/")
    wait_live(page)
    expect(page.locator("#chat-log .reaction[data-emoji]")).to_have_count(1)
    expect(page.locator("#chat-log .thread-summary")).to_have_count(1)
    assert serious_violations(page) == [], "the room"
    page.keyboard.press("Control+k")
    expect(page.get_by_role("dialog", name="Jump to a conversation")).to_be_visible()
    assert serious_violations(page) == [], "the quick switcher"
    page.keyboard.press("Escape")
    if size == "phone":
        page.get_by_role("button", name="Conversations", exact=True).click()
        expect(page.locator("#sidebar")).to_be_visible()
        assert serious_violations(page) == [], "the sidebar drawer"
        page.keyboard.press("Escape")
    page.get_by_role("button", name="Details", exact=True).click()
    assert serious_violations(page) == [], "the details panel"
    page.goto("/search/?q=hello")
    # Each parameter's lively room adds its own match (the server is shared).
    expect(page.locator("#search-results .search-result mark").first).to_be_visible()
    assert serious_violations(page) == [], "the search results"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_the_other_pages_have_no_serious_violation(new_page, size, scheme):
    options = {**(DESKTOP if size == "desktop" else PHONE), "color_scheme": scheme}
    visitor = new_page(**options)
    for where in ("/", "/accounts/login/", "/accounts/signup/"):
        visitor.goto(where)
        assert serious_violations(visitor) == [], where
    member = new_page(**options)
    sign_up(member, unique("lobbyist"))
    open_room(member, unique("lobby-room-"))
    member.goto("/")
    expect(member.get_by_role("heading", name="Browse rooms")).to_be_visible()
    assert serious_violations(member) == [], "the lobby, signed in"
