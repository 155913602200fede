"""The server-rendered pages: sign-up, lobby, private rooms, invitations, leaving, phones."""

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import PASSWORD, open_room, sign_up, wait_live

pytestmark = pytest.mark.browser


def _create_room(page, name: str, *, topic: str = "", private: bool = False) -> str:
    page.goto("/")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Topic").fill(topic)
    if private:
        page.get_by_label("Private").check()
    page.get_by_role("button", name="Create room").click()
    wait_live(page)
    return page.url.rstrip("/").rsplit("/", 1)[1]


def test_private_room_is_hidden_until_the_owner_invites(new_page):
    owner, friend = new_page(), new_page()
    sign_up(owner, unique("owner"))
    friend_name = unique("friend")
    sign_up(friend, friend_name)
    slug = _create_room(owner, unique("Secret plans "), topic="shh", private=True)
    expect(owner.locator(".badge-private")).to_be_visible()

    response = friend.goto(f"/chat/{slug}/")
    assert response.status == 404
    expect(friend.locator("h1")).to_have_text(f"Create #{slug}?")  # as for a missing room
    friend.goto("/")
    expect(friend.locator("main")).not_to_contain_text("Secret plans")

    owner.get_by_label("Invite by username").fill(friend_name)
    owner.get_by_role("button", name="Invite").click()
    expect(owner.locator(".flash")).to_contain_text(f"{friend_name} is now a member")
    expect(owner.locator(".members")).to_contain_text(friend_name)

    open_room(friend, slug)
    expect(friend.get_by_label("Invite by username")).to_have_count(0)  # only the owner invites
    friend.goto("/")
    expect(friend.locator(".room-list").first).to_contain_text("Secret plans")

    friend.goto(f"/chat/{slug}/")
    friend.get_by_role("button", name="Leave room").click()
    expect(friend.locator(".flash")).to_contain_text("You left Secret plans")
    assert friend.goto(f"/chat/{slug}/").status == 404


def test_inviting_an_unknown_user_says_so(new_page):
    owner = new_page()
    sign_up(owner, unique("owner"))
    _create_room(owner, unique("Closed "), private=True)
    owner.get_by_label("Invite by username").fill("nobody-by-that-name")
    owner.get_by_role("button", name="Invite").click()
    expect(owner.locator(".flash-error")).to_contain_text("There is no user 'nobody-by-that-name'")


def test_sign_up_shows_what_is_wrong(new_page):
    first = new_page()
    taken = unique("taken")
    sign_up(first, taken)
    page = new_page()
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill(taken)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".errorlist")).to_contain_text("is taken")

    page.get_by_label("Username").fill(unique("fresh"))
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password (again)").fill("short")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".errorlist")).to_contain_text("too short")


def test_log_out_then_log_in_again(new_page):
    page = new_page()
    username = unique("gina")
    sign_up(page, username)
    page.get_by_role("button", name="Log out").click()
    account = page.get_by_role("navigation", name="Account")
    expect(account.get_by_role("link", name="Log in")).to_be_visible()
    expect(page.get_by_role("heading", name="New room")).to_have_count(0)  # visitors cannot create

    account.get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".whoami")).to_contain_text(username)


def test_login_from_a_room_returns_to_it(new_page):
    page = new_page()
    username = unique("hal")
    sign_up(page, username)
    page.get_by_role("button", name="Log out").click()
    slug = unique("back-here-")
    open_room(page, slug)  # as a guest
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Log in").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{page.url.split('/chat/')[0]}/chat/{slug}/")
    expect(page.locator("#my-name")).to_have_text(username)


def test_room_page_fits_a_phone_and_is_keyboard_usable(new_page):
    page = new_page(viewport={"width": 360, "height": 640}, is_mobile=True, has_touch=True)
    open_room(page, unique("phone-"))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    # The details (members) are folded away; "Skip to content" leads to the composer.
    expect(page.get_by_role("complementary", name="Details")).to_be_hidden()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    composer = page.locator("#chat-message-input")
    expect(composer).to_be_focused()
    expect(composer).to_be_in_viewport()
    page.keyboard.type("typed on a phone")
    page.keyboard.press("Enter")
    expect(page.locator("#chat-log .msg-body")).to_have_text(["typed on a phone"])


def test_pages_send_a_content_security_policy(new_page):
    page = new_page()
    slug = unique("csp-")
    open_room(page, slug)  # and the page's own socket is allowed by the policy
    response = page.goto(f"/chat/{slug}/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy
    wait_live(page)
