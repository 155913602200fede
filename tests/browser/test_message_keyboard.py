"""Every message action without a mouse: a message's menu, a reaction, an edit (from the menu
and with Up in the empty composer) and a thread, with the keyboard only."""

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import expect_settled, message, open_room, sign_up

pytestmark = pytest.mark.browser


def focused(page) -> str:
    """What has the focus: its accessible name or, for a field, its label."""
    return page.evaluate(
        """() => {
            const node = document.activeElement;
            return node.getAttribute("aria-label") || node.labels?.[0]?.textContent.trim()
                || node.textContent.trim();
        }"""
    )


def test_menu_reaction_edit_and_thread_with_the_keyboard_only(new_page):
    page = new_page()
    sign_up(page, unique("kim"), "Kim")
    open_room(page, unique("keys-"))
    page.locator("#chat-message-input").focus()
    keys = page.keyboard
    keys.type("first")
    keys.press("Enter")
    keys.type("second")
    keys.press("Enter")
    expect_settled(page)
    expect(page.locator("#chat-log .msg[data-id]")).to_have_count(2)

    # From the composer, back past its attach button into the log: the last message's
    # "More actions".
    keys.press("Shift+Tab")
    assert focused(page) == "Attach files"
    keys.press("Shift+Tab")
    assert focused(page) == "More actions"
    last = message(page, "second")
    expect(last.locator(".msg-toolbar")).to_have_css("opacity", "1")  # shown while focused
    keys.press("Enter")
    menu = page.get_by_role("menu")
    expect(menu).to_be_visible()
    assert focused(page) == "Add reaction…"
    keys.press("ArrowUp")  # wraps to the last item
    assert focused(page) == "Delete message…"
    keys.press("Escape")
    expect(menu).to_be_hidden()
    assert focused(page) == "More actions"

    # React: the menu's first item opens the picker; type a name, Enter picks.
    keys.press("Enter")
    keys.press("Enter")
    picker = page.get_by_role("dialog", name="Choose a reaction")
    expect(picker).to_be_visible()
    keys.type("rocket")
    expect(picker.get_by_role("button", name="rocket", exact=True)).to_be_visible()
    keys.press("Enter")
    expect(picker).to_be_hidden()
    chip = last.locator(".reaction", has_text="🚀")
    expect(chip).to_have_attribute("aria-pressed", "true")
    assert focused(page) == "More actions"

    # Edit from the menu: Enter saves.
    keys.press("Enter")
    expect(menu).to_be_visible()
    while focused(page) != "Edit message":
        keys.press("ArrowDown")
    keys.press("Enter")
    assert focused(page) == "Edit message"  # the editor
    keys.press("End")
    keys.type(", edited")
    keys.press("Enter")
    expect(last.locator(".msg-text")).to_have_text("second, edited (edited)")
    assert focused(page) == "More actions"

    # Up in the empty composer edits the last message; Esc leaves it as it was.
    page.locator("#chat-message-input").focus()  # as the skip link would
    keys.press("ArrowUp")
    assert focused(page) == "Edit message"
    keys.type(" not kept")
    keys.press("Escape")
    expect(last.locator(".msg-text")).to_have_text("second, edited (edited)")
    assert focused(page) == "Message " + page.locator("#room-title").inner_text().lstrip("# ")

    # A thread: "Reply in thread" opens the panel with its composer focused; Esc closes it.
    keys.press("Shift+Tab")  # the attach button
    keys.press("Shift+Tab")
    keys.press("Enter")
    while focused(page) != "Reply in thread":
        keys.press("ArrowDown")
    keys.press("Enter")
    panel = page.locator("#thread-panel")
    expect(panel).to_be_visible()
    assert focused(page) == "Reply in the thread"
    keys.type("a reply by keyboard")
    keys.press("Enter")
    expect(panel.locator("#thread-replies .msg-body")).to_have_text(["a reply by keyboard"])
    expect(last.locator(".thread-summary")).to_contain_text("1 reply")
    keys.press("Escape")
    expect(panel).to_be_hidden()
    assert focused(page) == "More actions"


def test_the_picker_grid_moves_with_arrow_keys(new_page):
    page = new_page()
    sign_up(page, unique("lee"))
    open_room(page, unique("grid-"))
    page.locator("#chat-message-input").focus()
    page.keyboard.type("pick one")
    page.keyboard.press("Enter")
    expect_settled(page)
    page.keyboard.press("Shift+Tab")  # the composer's attach button
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # the menu
    page.keyboard.press("Enter")  # Add reaction…
    page.keyboard.press("ArrowDown")  # from the search box into the grid
    assert focused(page) in ("👍", "thumbs up")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    chip = message(page, "pick one").locator(".reaction[data-emoji]")
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text("❤️")
