"""A GET creates nothing: /chat/<name>/ for a room nobody created shows "Create #name?", whose
button creates and opens it; the lobby's box creates and opens in one step."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import send, sign_up, wait_live

pytestmark = pytest.mark.browser


def test_a_missing_room_offers_to_create_it(new_page):
    page, other = new_page(), new_page()
    slug = unique("offered-")
    response = page.goto(f"/chat/{slug}/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text(f"Create #{slug}?")

    other.goto("/")
    expect(other.locator("main")).not_to_contain_text(slug)  # the visit created nothing

    page.get_by_role("button", name=f"Create #{slug}").click()
    expect(page).to_have_url(re.compile(rf"/chat/{slug}/$"))
    wait_live(page)
    send(page, "first!")
    expect(page.locator("#chat-log .msg-body")).to_have_text(["first!"])
    other.goto("/")
    expect(other.locator(".room-list")).to_contain_text(slug)


def test_a_signed_in_visitor_creates_from_the_offer_too(new_page):
    page = new_page()
    sign_up(page, unique("maker"))
    slug = unique("mine-")
    page.goto(f"/chat/{slug}/")
    page.get_by_role("button", name=f"Create #{slug}").click()
    wait_live(page)
    expect(page.locator("#room-title")).to_contain_text(slug)


def test_the_lobby_box_creates_and_opens_in_one_step(new_page):
    page = new_page()
    page.goto("/")
    name = unique("Lobby Made ")
    page.locator("#room-name-input").fill(name)
    page.locator("#room-name-input").press("Enter")
    slug = name.lower().replace(" ", "-")
    expect(page).to_have_url(re.compile(rf"/chat/{slug}/$"))
    wait_live(page)
    send(page, "made from the lobby")
    expect(page.locator("#chat-log .msg-body")).to_have_text(["made from the lobby"])
