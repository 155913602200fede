"""What a person does on Parley's pages, as steps the browser tests share."""

from playwright.sync_api import Page, expect

PASSWORD = "correct-horse-battery-staple"

# An init script (`context.add_init_script`) that counts the WebSocket objects a page makes
# (window.__sockets) and the page loads of a tab (`loads`, kept in sessionStorage, which a load
# keeps): the app shell changes pages without either.
COUNT_SOCKETS = """
window.__sockets = 0;
const Native = window.WebSocket;
window.WebSocket = class extends Native {
  constructor(...args) { super(...args); window.__sockets += 1; }
};
sessionStorage.setItem("loads", String(Number(sessionStorage.getItem("loads") || 0) + 1));
"""


def loads(page: Page) -> int:
    return int(page.evaluate("sessionStorage.getItem('loads')"))


# An init script that records each desktop notification the page shows (headless Chromium
# draws none) in window.shown, the permission being the context's (`permissions=[...]`).
NOTIFICATIONS = """
window.shown = [];
const Real = window.Notification;
window.Notification = class extends Real {
  static get permission() { return Real.permission; }
  static requestPermission() { return Real.requestPermission(); }
  constructor(title, options) { super(title, options); window.shown.push({ title, body: options.body }); }
};
"""


def harness(page: Page, script: str) -> Page:
    """`page` on a page of the site without a socket or the shell (the login page), with
    `script` evaluated in it: how the tests that run the client's modules alone begin."""
    page.goto("/accounts/login/")
    page.evaluate(script)
    return page


def sign_up(page: Page, username: str, display_name: str = "") -> None:
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Display name").fill(display_name)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator(".whoami")).to_contain_text(display_name or username)


def open_room(page: Page, slug: str) -> None:
    """Go to the room, creating it (the "Create #slug?" page's button) if nobody has yet."""
    response = page.goto(f"/chat/{slug}/")
    if response is not None and response.status == 404:
        page.get_by_role("button", name=f"Create #{slug}").click()
    wait_live(page)


def wait_live(page: Page, timeout: float = 10_000) -> None:
    expect(page.locator("#connection-status")).to_have_attribute(
        "data-state", "live", timeout=timeout
    )


def send(page: Page, text: str) -> None:
    composer = page.locator("#chat-message-input")
    composer.fill(text)
    composer.press("Enter")


def shown_bodies(page: Page) -> list[str]:
    """The bodies of the stored messages on the page (pending posts left out), top to bottom."""
    return page.locator("#chat-log .msg:not(.pending):not(.failed) .msg-body").all_inner_texts()


def shown_seqs(page: Page) -> list[int]:
    return [
        int(seq)
        for seq in page.eval_on_selector_all(
            "#chat-log .msg[data-seq]", "nodes => nodes.map(n => n.dataset.seq)"
        )
    ]


def expect_settled(page: Page) -> None:
    """Every post on the page has been acknowledged, and has come back as a message."""
    expect(page.locator("#chat-log .msg.pending")).to_have_count(0)
    expect(page.locator("#chat-log .msg.provisional")).to_have_count(0)


# ---- messages that change ----


def message(page: Page, text: str, where: str = "#chat-log"):
    """The message in the log (or `where`) whose body holds `text` (waiting for it), found
    again by its id whatever its body becomes (an editor, a new text, a tombstone)."""
    found = page.locator(f"{where} li.msg[data-id]").filter(
        has=page.locator(".msg-body", has_text=text)
    )
    return page.locator(f'{where} li.msg[data-id="{found.first.get_attribute("data-id")}"]')


def choose(page: Page, item, action: str) -> None:
    """Open the message's "More actions" menu with the mouse and choose `action`."""
    item.hover()
    item.get_by_role("button", name="More actions").click()
    page.get_by_role("menuitem", name=action).click()


def edit(page: Page, item, new_text: str) -> None:
    choose(page, item, "Edit message")
    editor = item.get_by_role("textbox", name="Edit message")
    editor.fill(new_text)
    editor.press("Enter")
    expect(item.locator(".msg-editor")).to_have_count(0)


def react(page: Page, item, search: str, name: str) -> None:
    """React with the emoji called `name`, found in the picker by typing `search`."""
    item.hover()
    item.locator(".msg-toolbar [data-action=react]").click()
    picker = page.get_by_role("dialog", name="Choose a reaction")
    picker.get_by_label("Search emoji by name").fill(search)
    picker.get_by_role("button", name=name, exact=True).click()
    expect(picker).to_be_hidden()


def delete(page: Page, item) -> None:
    choose(page, item, "Delete message…")
    page.locator("#confirm-delete").get_by_role("button", name="Delete").click()


def open_thread(page: Page, item) -> None:
    item.hover()
    item.locator(".msg-toolbar [data-action=open-thread]").click()
    expect(page.locator("#thread-panel")).to_be_visible()


def reply(page: Page, text: str, *, also_to_room: bool = False) -> None:
    """Reply in the open thread panel."""
    panel = page.locator("#thread-panel")
    if also_to_room:
        panel.get_by_label("Also send to").check()
    composer = panel.get_by_role("textbox", name="Reply in the thread")
    composer.fill(text)
    composer.press("Enter")
    expect(panel.locator(".msg.pending")).to_have_count(0)


def log_text(page: Page) -> str:
    """What the log shows, as text: the timelines of two pages compare equal by it."""
    return page.locator("#chat-log").inner_text()
