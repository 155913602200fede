"""A picture instead of initials: uploaded and removed on the settings page by keyboard alone,
and shown at once, without a reload, beside the person's name in the rooms of the people who
share one with them (the member list, their messages)."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.files import jpeg_halves, png

from .conftest import unique
from .pages import open_room, send, sign_up
from .test_settings_keyboard import tab_to

pytestmark = pytest.mark.browser


def loaded(image) -> bool:
    """Whether the <img> was served and decoded (the CSP, the URL and the type all right)."""
    return image.evaluate("image => image.complete && image.naturalWidth > 0")


def picture_file(data: bytes) -> dict:
    return {"name": "me.jpg", "mimeType": "image/jpeg", "buffer": data}


def test_a_picture_is_uploaded_and_removed_by_keyboard(new_page):
    page = new_page()
    sign_up(page, unique("face"), "Pic Ture")
    page.goto("/settings/profile/")
    expect(page.locator(".profile-preview svg text")).to_have_text("PT")

    tab_to(page, "#id_picture")
    expect(page.get_by_label("Image file")).to_be_focused()
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(picture_file(jpeg_halves(600, 400, orientation=6)))
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Upload a picture")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Picture saved.")
    picture = page.locator(".profile-preview img.avatar")
    expect(picture).to_have_attribute("alt", "")
    expect(picture).to_have_attribute("src", re.compile(r"^/avatars/\d+/[0-9a-f]+\.jpg$"))
    page.wait_for_function("image => image.complete", arg=picture.element_handle())
    assert loaded(picture)
    assert picture.evaluate("image => [image.naturalWidth, image.naturalHeight]") == [256, 256]

    tab_to(page, ".picture-remove button")
    expect(page.get_by_role("button", name="Remove picture")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Picture removed")
    expect(page.locator(".profile-preview svg text")).to_have_text("PT")
    expect(page.get_by_role("button", name="Remove picture")).to_have_count(0)


def test_a_new_picture_shows_at_once_in_the_rooms_of_others(new_page):
    alice: Page = new_page()
    bob_room: Page = new_page()
    sign_up(alice, unique("alice"), "Alice")
    bob = unique("bob")
    sign_up(bob_room, bob, "Bob Builder")
    room = unique("faces-")
    open_room(bob_room, room)
    open_room(alice, room)
    send(bob_room, "Hello, I am Bob")
    bobs_message = alice.locator("#chat-log .msg").last
    expect(bobs_message.locator(".msg-meta svg.avatar text")).to_have_text("BB")
    bobs_row = alice.locator(f'#members-panel li[data-username="{bob}"]')
    expect(bobs_row.locator("svg.avatar text")).to_have_text("BB")

    bob_settings = bob_room.context.new_page()  # another tab of Bob's, the same session
    bob_settings.goto("/settings/profile/")
    bob_settings.get_by_label("Image file").set_input_files(picture_file(png(300, 200)))
    bob_settings.get_by_role("button", name="Upload a picture").click()
    expect(bob_settings.get_by_role("status")).to_contain_text("Picture saved.")
    url = bob_settings.locator(".profile-preview img.avatar").get_attribute("src")

    for image in (bobs_row.locator("img.avatar"), bobs_message.locator(".msg-meta img.avatar")):
        expect(image).to_have_attribute("src", url)
        alice.wait_for_function("image => image.complete", arg=image.element_handle())
        assert loaded(image)
    send(bob_room, "Now with a face")
    expect(alice.locator("#chat-log .msg").last).to_contain_text("Now with a face")
    expect(
        bob_room.locator("#chat-log .msg:not(.pending)").last.locator("img.avatar")
    ).to_have_attribute("src", url)

    bob_settings.get_by_role("button", name="Remove picture").click()
    expect(bob_settings.get_by_role("status")).to_contain_text("Picture removed")
    expect(bobs_row.locator("svg.avatar text")).to_have_text("BB")
    expect(bobs_message.locator(".msg-meta svg.avatar text")).to_have_text("BB")
