"""An owner manages a room from its page: renames it, archives it (another member's open page
turns read-only at once, without a reload), unarchives it, and leaves a private room by
handing it over; the owner's own page loads no page for any of it (the shell's router sends
the forms and keeps the one socket)."""

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import COUNT_SOCKETS, loads, open_room, send, shown_bodies, sign_up, wait_live

pytestmark = pytest.mark.browser


def _create(page, name: str, *, private: bool = False) -> str:
    page.goto("/")
    page.get_by_label("Name", exact=True).fill(name)
    if private:
        page.get_by_label("Private").check()
    page.get_by_role("button", name="Create room").click()
    wait_live(page)
    return page.url.rstrip("/").rsplit("/", 1)[1]


def test_an_archive_turns_open_pages_read_only_and_unarchive_opens_them(new_page):
    owner, member = new_page(), new_page()
    owner.context.add_init_script(COUNT_SOCKETS)
    sign_up(owner, unique("owner"))
    sign_up(member, unique("member"))
    name = unique("Launch ")
    slug = _create(owner, name)
    open_room(member, slug)
    send(member, "before the archive")
    expect(owner.locator("#chat-log")).to_contain_text("before the archive")
    before = loads(owner)

    owner.locator("#manage-panel summary").click()
    owner.get_by_label("Name", exact=True).fill(f"{name} renamed")
    owner.get_by_label("Topic").fill("Shipped")
    owner.get_by_role("button", name="Save").click()
    expect(member.locator(".room-header .room-topic")).to_have_text("Shipped")
    expect(member.locator("#room-title")).to_have_text(f"# {name} renamed")
    expect(owner.locator(".flash")).to_contain_text("Saved.")
    expect(owner.locator(f'#channel-list a[data-slug="{slug}"]')).to_have_text(f"#{name} renamed")
    name = f"{name} renamed"

    owner.locator("#manage-panel summary").click()  # the form's answer is the page again
    owner.get_by_role("button", name="Archive room").click()
    expect(owner.locator(".flash")).to_contain_text("is archived")
    expect(owner.locator("#chat-message-input")).to_be_disabled()
    expect(member.locator("#archived-banner")).to_be_visible()
    expect(member.locator("#chat-message-input")).to_be_disabled()
    assert shown_bodies(member) == ["before the archive"]  # the history stays
    member.goto("/")
    expect(member.locator("#browse-title")).to_have_text("Browse rooms")
    expect(member.locator("main")).not_to_contain_text(name)
    member.get_by_role("link", name="Archived rooms").click()
    expect(member.locator("main")).to_contain_text(name)

    open_room(member, slug)
    owner.locator("#manage-panel summary").click()
    owner.get_by_role("button", name="Unarchive").click()
    expect(member.locator("#chat-message-input")).to_be_enabled()
    expect(member.locator("#archived-banner")).to_be_hidden()

    member_name = member.locator("#my-name").inner_text()
    owner.locator("#manage-panel summary").click()
    owner.get_by_label("Hand the room to").select_option(label=f"{member_name} (@{member_name})")
    owner.get_by_role("button", name="Make owner").click()
    expect(member.locator(".members .badge-owner")).to_have_count(1)
    expect(
        member.locator(f'.members li[data-username="{member_name}"] .badge-owner')
    ).to_be_visible()
    assert loads(owner) == before, "a form of the room loaded a page"
    assert owner.evaluate("window.__sockets") == 1


def test_the_owner_of_a_private_room_hands_it_over_as_they_leave(new_page):
    owner, friend = new_page(), new_page()
    sign_up(owner, unique("owner"))
    friend_name = unique("friend")
    sign_up(friend, friend_name)
    slug = _create(owner, unique("Plans "), private=True)
    owner.get_by_label("Invite by username").fill(friend_name)
    owner.get_by_role("button", name="Invite").click()
    expect(owner.locator(".members")).to_contain_text(friend_name)
    owner.get_by_label("Hand the room to", exact=True).first.select_option(friend_name)
    owner.get_by_role("button", name="Leave room").click()
    expect(owner.locator(".flash")).to_contain_text("You left")

    open_room(friend, slug)
    expect(friend.locator(f'.members li[data-username="{friend_name}"] .badge')).to_have_text(
        "owner"
    )
    expect(friend.get_by_label("Invite by username")).to_be_visible()


def test_the_lobby_searches_rooms_by_name(new_page):
    page = new_page()
    sign_up(page, unique("searcher"))
    marker = unique("Zebrafish")
    _create(page, f"{marker} Café")
    page.goto("/")
    page.get_by_label("Search rooms by name").fill(f"{marker.lower()} cafe")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#browse-title + form + p + .room-list")).to_contain_text(f"{marker} Café")
    expect(page.locator("#browse-title ~ .room-list li")).to_have_count(1)
