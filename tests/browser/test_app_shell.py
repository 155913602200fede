"""The app shell: the sidebar, switching rooms without loading a page on one socket, deep links
and the back button, the quick switcher, Alt+Up/Down, the phone's drawer, the skip link and
touch targets."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import unique
from .pages import COUNT_SOCKETS, expect_settled, loads, open_room, send, sign_up, wait_live

pytestmark = pytest.mark.browser


def three_rooms(page: Page, who: str) -> list[str]:
    """Signs `who` up and opens three rooms with one message each; returns their slugs in
    sidebar (name) order."""
    sign_up(page, unique(who))
    rooms = sorted(unique(f"{who}-{name}-") for name in ("alpha", "bravo", "charlie"))
    for room in rooms:
        open_room(page, room)
        send(page, f"first words in {room}")
        expect_settled(page)
    return rooms


def expect_in_room(page: Page, slug: str) -> None:
    expect(page).to_have_url(re.compile(f"/chat/{slug}/$"))
    expect(page.locator("#room")).to_have_attribute("data-room", slug)
    wait_live(page)
    expect(page.locator("#chat-log .msg-body").first).to_have_text(f"first words in {slug}")
    current = page.locator("#sidebar [aria-current=page]")
    expect(current).to_have_attribute("data-slug", slug)


def test_the_sidebar_lists_the_rooms_you_joined(new_page):
    page = new_page()
    rooms = three_rooms(page, "side")
    links = page.locator("#channel-list .conversation-link")
    expect(links).to_have_count(3)
    assert [link.get_attribute("data-slug") for link in links.all()] == rooms
    expect(page.locator("#dm-empty")).to_have_text("No direct messages yet.")
    expect(page.get_by_role("link", name="Browse channels")).to_be_visible()
    expect(page.get_by_role("link", name="New channel")).to_be_visible()


def test_switching_rooms_loads_no_page_and_keeps_one_socket(new_page):
    page, other = new_page(), new_page()
    page.context.add_init_script(COUNT_SOCKETS)
    rooms = three_rooms(page, "switch")
    page.goto(f"/chat/{rooms[0]}/")
    wait_live(page)
    before = loads(page)

    for slug in (rooms[1], rooms[2], rooms[0], rooms[1]):
        page.locator(f'#channel-list a[data-slug="{slug}"]').click()
        expect_in_room(page, slug)
        # Your conversations stay followed (their unread counts move); nothing else is.
        assert sorted(page.evaluate("window.parley.socket.subscribedRooms()")) == sorted(rooms)
    assert loads(page) == before, "a room switch loaded a page"
    assert page.evaluate("window.__sockets") == 1

    # The room switched to is live: someone else's message arrives, and ours is sent.
    sign_up(other, unique("other"))
    open_room(other, rooms[1])
    send(other, "hello from the other side")
    expect(page.locator("#chat-log")).to_contain_text("hello from the other side")
    send(page, "and back")
    expect_settled(page)
    expect(other.locator("#chat-log")).to_contain_text("and back")
    assert page.evaluate("window.__sockets") == 1


def test_deep_link_then_the_back_and_forward_buttons(new_page):
    page = new_page()
    page.context.add_init_script(COUNT_SOCKETS)
    rooms = three_rooms(page, "deep")
    page.goto(f"/chat/{rooms[2]}/")  # a deep link: the shell with that room open
    expect_in_room(page, rooms[2])
    expect(page).to_have_title(re.compile(rooms[2]))
    start = loads(page)

    page.locator(f'#channel-list a[data-slug="{rooms[0]}"]').click()
    expect_in_room(page, rooms[0])
    page.get_by_role("link", name="Browse channels").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(
        page.get_by_role("heading", name="What chat room would you like to enter?")
    ).to_be_visible()
    expect(page.locator("#sidebar [aria-current=page]")).to_have_count(0)

    page.go_back()
    expect_in_room(page, rooms[0])
    page.go_back()
    expect_in_room(page, rooms[2])
    page.go_forward()
    expect_in_room(page, rooms[0])
    assert loads(page) == start
    assert page.evaluate("window.__sockets") == 1


def test_quick_switcher_by_keyboard_only(new_page):
    page = new_page()
    rooms = three_rooms(page, "quick")
    composer = page.locator("#chat-message-input")
    composer.focus()

    page.keyboard.press("Control+k")
    switcher = page.get_by_role("dialog", name="Jump to a conversation")
    expect(switcher).to_be_visible()
    box = page.get_by_role("combobox", name="Jump to a conversation")
    expect(box).to_be_focused()
    expect(switcher.get_by_role("option")).to_have_count(3)
    # Esc closes it, and the focus is back where it was.
    page.keyboard.press("Escape")
    expect(switcher).to_be_hidden()
    expect(composer).to_be_focused()

    page.keyboard.press("Control+k")
    page.keyboard.type("bravo")
    expect(switcher.get_by_role("option")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(switcher).to_be_hidden()
    expect_in_room(page, rooms[1])
    expect(page.locator("#chat-message-input")).to_be_focused()

    page.keyboard.press("Control+k")
    page.keyboard.type("quick")  # all three; the arrows choose
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(switcher.get_by_role("option", selected=True)).to_contain_text(rooms[1])
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect_in_room(page, rooms[2])


def test_alt_up_and_down_go_through_the_sidebar(new_page):
    page = new_page()
    rooms = three_rooms(page, "alt")  # now in the last
    page.locator("#chat-message-input").focus()
    page.keyboard.press("Alt+ArrowUp")
    expect_in_room(page, rooms[1])
    page.keyboard.press("Alt+ArrowUp")
    expect_in_room(page, rooms[0])
    page.keyboard.press("Alt+ArrowDown")
    expect_in_room(page, rooms[1])
    page.keyboard.press("Alt+ArrowDown")
    expect_in_room(page, rooms[2])
    page.keyboard.press("Alt+ArrowDown")  # past the last: the first
    expect_in_room(page, rooms[0])


def test_the_details_panel_folds_away(new_page):
    page = new_page(viewport={"width": 1280, "height": 800})
    sign_up(page, unique("details"))
    open_room(page, unique("details-room-"))
    details = page.get_by_role("complementary", name="Details")
    toggle = page.get_by_role("button", name="Details", exact=True)
    expect(details).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    toggle.click()
    expect(details).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    page.reload()  # as it was left
    wait_live(page)
    expect(page.get_by_role("complementary", name="Details")).to_be_hidden()
    page.get_by_role("button", name="Details", exact=True).click()
    expect(page.get_by_role("complementary", name="Details")).to_contain_text("Members (1)")


def test_phone_sidebar_is_a_drawer_that_keeps_the_focus(new_page):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    rooms = three_rooms(page, "drawer")
    sidebar = page.locator("#sidebar")
    toggle = page.get_by_role("button", name="Conversations", exact=True)
    expect(sidebar).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")

    toggle.click()
    expect(sidebar).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(sidebar.locator("[aria-current=page]")).to_be_focused()
    stops = sidebar.locator("a[href], button").count()
    for _ in range(stops + 2):  # round and round: the focus stays in the drawer
        page.keyboard.press("Tab")
        assert page.evaluate("document.getElementById('sidebar').contains(document.activeElement)")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.getElementById('sidebar').contains(document.activeElement)")
    page.keyboard.press("Escape")
    expect(sidebar).to_be_hidden()
    expect(toggle).to_be_focused()

    toggle.click()
    sidebar.locator(f'a[data-slug="{rooms[0]}"]').click()  # choosing closes it
    expect_in_room(page, rooms[0])
    expect(sidebar).to_be_hidden()

    # The details panel covers the whole page, and Esc gives the page back.
    page.get_by_role("button", name="Details", exact=True).click()
    details = page.get_by_role("complementary", name="Details")
    box = details.bounding_box()
    assert box is not None and box["width"] == 390 and box["height"] >= 800
    page.keyboard.press("Escape")
    expect(details).to_be_hidden()
    expect(page.get_by_role("button", name="Details", exact=True)).to_be_focused()


def test_on_a_phone_the_drawer_button_carries_the_counts(new_page):
    """The sidebar's badges are out of sight behind ☰ on a phone: ☰ shows the mentions' count
    (a dot for unread messages alone) and says it in its name, and both go once read."""
    ada = new_page()
    sign_up(ada, unique("teller"))
    room = unique("told-")
    open_room(ada, room)
    bob_name = unique("bob")
    bob = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    sign_up(bob, bob_name)
    open_room(bob, room)  # he joins it
    open_room(bob, unique("elsewhere-"))
    toggle = bob.locator("#sidebar-toggle")
    badge = toggle.locator(".toggle-count")
    expect(toggle).to_have_attribute("aria-label", "Conversations")
    expect(badge).to_be_hidden()

    send(ada, "plain words")
    expect(toggle).to_have_attribute("aria-label", "Conversations, unread messages")
    expect(badge).to_be_visible()
    expect(badge).to_have_class(re.compile(r"\bcount-dot\b"))
    send(ada, f"@{bob_name} a word for you")
    expect(toggle).to_have_attribute("aria-label", "Conversations, 1 mention")
    expect(badge).to_have_text("1")

    toggle.click()
    bob.locator(f'#sidebar a[data-slug="{room}"]').click()
    expect(toggle).to_have_attribute("aria-label", "Conversations")
    expect(badge).to_be_hidden()


@pytest.mark.parametrize("where", ["/", "/accounts/login/", "/accounts/signup/", "room"])
def test_skip_to_content_is_the_first_tab_stop(new_page, where):
    page = new_page()
    if where == "room":
        sign_up(page, unique("skipper"))
        open_room(page, unique("skip-room-"))
        page.reload()
        wait_live(page)
    else:
        page.goto(where)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    if where == "room":
        expect(page.locator("#chat-message-input")).to_be_focused()
    else:
        expect(page.locator("main")).to_be_focused()


# Interactive elements, each with how big it is as a target: a field with the label that
# activates it counts as one, and a link inside a sentence is exempt (WCAG 2.5.8's inline
# exception), as is anything not shown or outside the screen.
MEASURE_TARGETS = """
() => {
  const shown = (node) => node.checkVisibility({ visibilityProperty: true, opacityProperty: true });
  const inline = (node) => node.tagName === "A" && getComputedStyle(node).display === "inline"
    && node.closest("p, .msg-text, .hint, .helptext");
  const nodes = document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), textarea, select, summary, [role=button], [tabindex='0']");
  const out = [];
  for (const node of nodes) {
    if (!shown(node) || inline(node)) continue;
    let box = node.getBoundingClientRect();
    if (box.width === 0 || box.bottom <= 0 || box.right <= 0 || box.top >= innerHeight || box.left >= innerWidth) continue;
    for (const label of node.labels ?? []) {
      const other = label.getBoundingClientRect();
      if (other.width === 0) continue;
      const left = Math.min(box.left, other.left), top = Math.min(box.top, other.top);
      box = { width: Math.max(box.right, other.right) - left, height: Math.max(box.bottom, other.bottom) - top };
    }
    out.push({ what: node.outerHTML.slice(0, 120), width: box.width, height: box.height });
  }
  return out;
}
"""


def small_targets(page: Page) -> list[dict]:
    return [
        target
        for target in page.evaluate(MEASURE_TARGETS)
        if target["width"] < 44 or target["height"] < 44
    ]


def assert_targets(page: Page, where: str) -> None:
    small = small_targets(page)
    assert not small, f"{where}: " + "\n".join(
        f"{t['width']:.0f}x{t['height']:.0f} {t['what']}" for t in small
    )


def test_touch_targets_are_at_least_44_px_on_a_phone(new_page):
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    page, friend = new_page(**phone), new_page()
    rooms = three_rooms(page, "touch")
    sign_up(friend, unique("friend"))
    open_room(friend, rooms[2])
    send(friend, "a message with a [link](https://example.com) and a reaction")
    item = page.locator("#chat-log li.msg").filter(has_text="a message with")
    expect(item).to_be_visible()
    item.get_by_role("button", name="More actions").click()
    page.get_by_role("menuitem", name="Add reaction…").click()
    picker = page.get_by_role("dialog", name="Choose a reaction")
    picker.get_by_label("Search emoji by name").fill("thumbs")
    assert_targets(page, "the emoji picker")
    picker.get_by_role("button", name="thumbs up", exact=True).click()
    expect(item.locator(".reaction[data-emoji]")).to_have_count(1)
    item.get_by_role("button", name="More actions").click()
    assert_targets(page, "the message menu")
    page.get_by_role("menuitem", name="Reply in thread").click()
    page.locator("#thread-input").fill("a reply")
    page.locator("#thread-input").press("Enter")
    expect(page.locator("#thread-replies .msg.pending")).to_have_count(0)
    assert_targets(page, "the thread panel")
    page.keyboard.press("Escape")
    expect(page.locator("#thread-panel")).to_be_hidden()
    expect(page.locator("#chat-log .thread-summary")).to_be_visible()
    assert_targets(page, "the room")

    page.get_by_role("button", name="Conversations", exact=True).click()
    expect(page.locator("#sidebar")).to_be_visible()
    assert_targets(page, "the sidebar")
    page.keyboard.press("Escape")

    page.get_by_role("button", name="Details", exact=True).click()
    assert_targets(page, "the details panel")

    page.goto("/")
    assert_targets(page, "the lobby")
    for where in ("/accounts/login/", "/accounts/signup/"):
        anonymous = new_page(**phone)
        anonymous.goto(where)
        assert_targets(anonymous, where)


def test_a_room_that_cannot_be_opened_in_place_loads_as_a_page(new_page):
    page = new_page()
    sign_up(page, unique("fallback"))
    open_room(page, unique("fallback-room-"))
    missing = unique("nowhere-")
    page.evaluate(f"window.parley.router.go('/chat/{missing}/')")
    expect(page.get_by_role("heading", name=f"Create #{missing}?")).to_be_visible()
    expect(page).to_have_url(re.compile(f"/chat/{missing}/$"))
    expect(page.locator("#sidebar")).to_have_count(0)  # a page of its own, not the shell


def test_a_visitor_sees_the_room_open_in_the_sidebar(new_page):
    """Guests join no room: the sidebar lists the room open, and Browse channels, no New
    channel."""
    owner, visitor = new_page(), new_page()
    sign_up(owner, unique("host"))
    room = unique("visited-")
    open_room(owner, room)
    visitor.goto(f"/chat/{room}/")
    wait_live(visitor)
    expect(visitor.locator("#channel-list .conversation-link")).to_have_count(1)
    expect(visitor.locator("#sidebar [aria-current=page]")).to_have_attribute("data-slug", room)
    expect(visitor.get_by_role("link", name="Browse channels")).to_be_visible()
    expect(visitor.get_by_role("link", name="New channel")).to_have_count(0)
