"""What a person does on Parley's pages, as steps the browser tests share."""

from playwright.sync_api import Page, expect

PASSWORD = "correct-horse-battery-staple"


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
    """Every post on the page has been acknowledged."""
    expect(page.locator("#chat-log .msg.pending")).to_have_count(0)
