"""User text is text: markup in messages, names, room names and topics is shown, never run."""

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import open_room, send, sign_up, wait_live

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"


def _watch_dialogs(page, dialogs):
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))


def test_html_in_messages_and_names_shows_as_text(new_page):
    dialogs = []
    mallory, reader = new_page(), new_page()
    _watch_dialogs(mallory, dialogs)
    _watch_dialogs(reader, dialogs)
    room = unique("xss-")
    open_room(mallory, room)
    open_room(reader, room)

    send(mallory, "/name <b>Mallory</b>")
    expect(mallory.locator("#my-name")).to_have_text("<b>Mallory</b>")
    send(mallory, HOSTILE)
    last = reader.locator("#chat-log .msg").last
    expect(last.locator(".msg-body")).to_have_text(HOSTILE)
    expect(last.locator(".msg-author")).to_have_text("<b>Mallory</b>")
    # And again from history, which takes another path onto the page.
    reader.reload()
    wait_live(reader)
    expect(reader.locator("#chat-log .msg-body")).to_have_text([HOSTILE])

    for page in (mallory, reader):
        assert page.locator("#chat-log img, #chat-log b").count() == 0
    assert dialogs == []


def test_html_in_room_name_and_topic_shows_as_text(new_page):
    dialogs = []
    page = new_page()
    _watch_dialogs(page, dialogs)
    sign_up(page, unique("owner"))
    page.goto("/")
    page.get_by_label("Name", exact=True).fill("<script>alert(2)</script>")
    page.get_by_label("Topic").fill(HOSTILE)
    page.get_by_role("button", name="Create room").click()
    expect(page.locator("#room-title")).to_contain_text("<script>alert(2)</script>")
    expect(page.locator(".room-topic")).to_have_text(HOSTILE)
    wait_live(page)
    page.goto("/")
    expect(page.locator(".room-list").first).to_contain_text("<script>alert(2)</script>")
    assert page.locator("main img").count() == 0
    assert dialogs == []


HOSTILE_MARKDOWN = [
    "<script>window.pwned = 'script'</script>",
    "<img src=x onerror=\"window.pwned = 'img'\">",
    "[a link](javascript:window.pwned='link')",
    "![an image](javascript:window.pwned='image')",
    "<a href=\"javascript:window.pwned='raw a'\">raw a</a>",
    "<svg onload=\"window.pwned='svg'\"></svg>",
    "[data](data:text/html,<script>window.pwned='data'</script>)",
    "**bold** `<img src=x onerror=\"window.pwned='code'\">`",
    "<iframe srcdoc=\"<script>parent.pwned='iframe'</script>\"></iframe>",
]


def test_hostile_markdown_renders_without_running_anything(new_page):
    dialogs = []
    mallory, reader = new_page(), new_page()
    _watch_dialogs(mallory, dialogs)
    _watch_dialogs(reader, dialogs)
    sign_up(mallory, unique("mallory"))
    room = unique("md-xss-")
    open_room(mallory, room)
    open_room(reader, room)
    for body in HOSTILE_MARKDOWN:
        send(mallory, body)
    expect(reader.locator("#chat-log .msg[data-id]")).to_have_count(len(HOSTILE_MARKDOWN))
    # An edit and a thread reply take other paths onto the page.
    first = reader.locator("#chat-log .msg[data-id]").first
    mallory.locator("#chat-log .msg[data-id]").first.hover()
    mallory.locator("#chat-log .msg[data-id]").first.get_by_role(
        "button", name="More actions"
    ).click()
    mallory.get_by_role("menuitem", name="Edit message").click()
    editor = mallory.get_by_role("textbox", name="Edit message")
    editor.fill("<img src=y onerror=\"window.pwned='edit'\"> [x](javascript:window.pwned='edit')")
    editor.press("Enter")
    expect(first.locator(".msg-edited")).to_have_count(1)
    reader.reload()
    wait_live(reader)
    expect(reader.locator("#chat-log .msg[data-id]")).to_have_count(len(HOSTILE_MARKDOWN))

    for page in (mallory, reader):
        log = page.locator("#chat-log")
        # Nothing but the authors' avatars, which the page draws itself (avatar.js).
        drawn = ":not(.msg-meta > .avatar)"
        assert log.locator(f"script, img{drawn}, svg{drawn}, iframe, object, embed").count() == 0
        hrefs = log.locator("a").evaluate_all("links => links.map(a => a.href)")
        assert all(not href.lower().startswith(("javascript:", "data:")) for href in hrefs)
        # A click on each link in a body would do nothing of Mallory's either.
        assert page.evaluate("() => window.pwned") is None
    # The bold renders as bold (server-rendered Markdown), the code as code.
    expect(reader.locator("#chat-log .msg-text strong")).to_have_text(["bold"])
    expect(reader.locator("#chat-log .msg-text code")).to_contain_text(["<img src=x"])
    assert dialogs == []
