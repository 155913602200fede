"""Files in the browser: dropped onto the conversation, pasted, or chosen with the attach button;
shown with a progress bar until uploaded, removable before sending; an image inline for
everyone, its box reserved before it loads; any other file a download link."""

import base64

import pytest
from playwright.sync_api import expect

from tests.files import png

from .conftest import unique
from .pages import open_room, sign_up

pytestmark = pytest.mark.browser

# Builds files in the page and dispatches them as the browser would for a drop or a paste.
DROP = """([target, files]) => {
  const data = new DataTransfer();
  for (const [name, type, b64] of files) {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    data.items.add(new File([bytes], name, { type }));
  }
  const node = document.querySelector(target);
  for (const kind of ["dragenter", "dragover", "drop"]) {
    node.dispatchEvent(new DragEvent(kind, { bubbles: true, cancelable: true, dataTransfer: data }));
  }
}"""
PASTE = """([name, b64]) => {
  const data = new DataTransfer();
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  data.items.add(new File([bytes], name, { type: "image/png" }));
  const input = document.querySelector("#chat-message-input");
  input.dispatchEvent(new ClipboardEvent("paste", { bubbles: true, cancelable: true, clipboardData: data }));
}"""


def encoded(data: bytes) -> str:
    return base64.b64encode(data).decode()


def two_people_in_a_room(new_page):
    ada, bob = new_page(), new_page()
    sign_up(ada, unique("ada"), "Ada")
    sign_up(bob, unique("bob"), "Bob")
    room = unique("files-")
    open_room(ada, room)
    open_room(bob, room)
    expect(bob.locator(f'#room[data-room="{room}"]')).to_be_visible()
    return ada, bob


def test_an_image_dropped_on_the_conversation_shows_inline_for_another_user(new_page):
    ada, bob = two_people_in_a_room(new_page)
    ada.evaluate(DROP, ["#log-scroller", [["chart.png", "image/png", encoded(png(720, 360))]]])
    chip = ada.locator("#pending-files .pending-file")
    expect(chip).to_have_attribute("data-state", "done")
    expect(chip).to_contain_text("chart.png")
    ada.locator("#chat-message-input").fill("the chart")
    ada.locator("#chat-message-input").press("Enter")
    expect(ada.locator("#pending-files")).to_be_hidden()

    image = bob.locator("#chat-log .msg").last.locator(".attachment-image img")
    # Scaled into the 360x240 box, aspect kept, reserved before the image loads.
    expect(image).to_have_attribute("width", "360")
    expect(image).to_have_attribute("height", "180")
    expect(image).to_have_attribute("alt", "chart.png")
    bob.wait_for_function(
        "() => document.querySelector('#chat-log .msg:last-child .attachment-image img')?.naturalWidth > 0"
    )
    expect(bob.locator("#chat-log .msg").last.locator(".msg-body")).to_contain_text("the chart")
    link = bob.locator("#chat-log .msg").last.locator("a.attachment-image")
    assert link.get_attribute("href").endswith("/chart.png")


def test_a_pasted_image_is_sent_without_a_body(new_page):
    ada, bob = two_people_in_a_room(new_page)
    ada.locator("#chat-message-input").focus()
    ada.evaluate(PASTE, ["image.png", encoded(png(50, 40))])
    expect(ada.locator("#pending-files .pending-file")).to_have_attribute("data-state", "done")
    ada.locator("#chat-message-input").press("Enter")
    expect(bob.locator("#chat-log .msg").last.locator(".attachment-image img")).to_have_attribute(
        "width", "50"
    )


def test_the_attach_button_by_keyboard_and_a_removable_chip(new_page, tmp_path):
    ada, bob = two_people_in_a_room(new_page)
    notes, draft = tmp_path / "notes.pdf", tmp_path / "draft.txt"
    notes.write_bytes(b"%PDF-1.4 the minutes")
    draft.write_bytes(b"not this one")
    ada.locator("#chat-message-input").focus()
    ada.keyboard.press("Shift+Tab")
    expect(ada.get_by_role("button", name="Attach files")).to_be_focused()
    # Playwright turns file-chooser interception on when a listener is first added, without
    # waiting: on first, with a round trip, so that the chooser Enter opens is surely caught.
    ada.on("filechooser", lambda chooser: None)
    ada.evaluate("() => 1")
    with ada.expect_file_chooser() as chosen:
        ada.keyboard.press("Enter")
    chosen.value.set_files([str(notes), str(draft)])
    chips = ada.locator("#pending-files .pending-file")
    expect(chips).to_have_count(2)
    expect(chips.nth(1)).to_have_attribute("data-state", "done")
    ada.get_by_role("button", name="Remove draft.txt").click()
    expect(chips).to_have_count(1)
    expect(chips.first).to_have_attribute("data-state", "done")
    ada.locator("#chat-message-input").press("Enter")

    link = bob.locator("#chat-log .msg").last.locator("a.attachment-file")
    expect(link).to_contain_text("notes.pdf")
    expect(link).to_have_attribute("download", "")
    expect(bob.locator("#chat-log .msg").last).not_to_contain_text("draft.txt")
