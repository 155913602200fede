"""Makes docs/screenshot-room.png: a room with a few messages, seen by one of two people.

.venv/bin/python -m tests.browser.screenshot [--out PATH] [--width 1200] [--height 760]
"""

import argparse
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from .conftest import CHROMIUM, CHROMIUM_ARGS
from .pages import expect_settled, open_room, send, sign_up
from .server import REPO, ParleyServer

CONVERSATION = [
    ("ada", "Morning! The release branch is cut. Anything left for 2.4?"),
    ("grace", "Just the migration note. I'll write it up after stand-up."),
    ("ada", "Great. Reminder: the staging deploy is at 14:00 UTC."),
    ("grace", "Tests are green on staging.\nRolling out to production next."),
    ("grace", "Dashboards look calm so far."),
    ("ada", "Ship it!"),
    ("ada", "I'll post the changelog here once it's out."),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshot-room.png")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=760)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="parley-shot-") as data_dir:
        server = ParleyServer(Path(data_dir))
        server.migrate()
        server.start()
        try:
            shoot(server, args)
        finally:
            server.stop()
    print(f"wrote {args.out}")


def shoot(server: ParleyServer, args) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        viewport = {"width": args.width, "height": args.height}
        people = {}
        for username, name in (("ada", "Ada Lovelace"), ("grace", "Grace Hopper")):
            page = browser.new_context(
                base_url=server.url, viewport=viewport, color_scheme="light"
            ).new_page()
            sign_up(page, username, name)
            people[username] = page
        ada = people["ada"]
        ada.goto("/")
        ada.get_by_label("Name", exact=True).fill("Release train")
        ada.get_by_label("Topic").fill("Shipping 2.4: blockers, deploys, go/no-go")
        ada.get_by_role("button", name="Create room").click()
        expect(ada.locator("#connection-status")).to_have_attribute("data-state", "live")
        slug = ada.url.rstrip("/").rsplit("/", 1)[1]
        open_room(people["grace"], slug)
        for who, text in CONVERSATION:
            send(people[who], text)
            expect_settled(people[who])
        ada.reload()  # so the member list shows both
        expect(ada.locator("#chat-log .msg")).to_have_count(len(CONVERSATION))
        people["grace"].wait_for_timeout(2100)  # typing frames are sent at most every 2 s
        people["grace"].locator("#chat-message-input").press_sequentially("On it")
        expect(ada.locator("#typing")).to_have_text("Grace Hopper is typing…")
        ada.locator("#chat-message-input").fill("Thanks, both!")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        ada.screenshot(path=str(args.out))
        browser.close()


if __name__ == "__main__":
    main()
