"""Makes docs/screenshot-room.png: the app shell, its sidebar with four rooms (unread and mention
badges on one) and a direct message, one room open as seen by one of two people (each with a
picture of their own), with Markdown, reactions, an edited and a deleted message, a pin, an
image posted, and a thread open beside the log.

.venv/bin/python -m tests.browser.screenshot [--out PATH] [--width 1280] [--height 800]
    [--phone] [--no-thread] [--drawer]

`--phone --no-thread --out docs/screenshot-room-phone.png` makes the phone-sized one (390 x 844,
a touch screen); on a phone the thread panel covers the log, hence `--no-thread`. Add
`--drawer --out docs/screenshot-sidebar-phone.png` for the phone's sidebar drawer open.
"""

import argparse
import io
import re
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.sync_api import expect, sync_playwright

from .conftest import CHROMIUM, CHROMIUM_ARGS
from .pages import (
    choose,
    delete,
    edit,
    expect_settled,
    message,
    open_room,
    open_thread,
    react,
    reply,
    send,
    sign_up,
)
from .server import REPO, ParleyServer

CONVERSATION = [
    ("ada", "Morning! The release branch is cut. Anything left for **2.4**?"),
    ("grace", "Just the migration note. I'll write it up after stand-up."),
    ("ada", "Reminder: the staging deploy is at `14:00 UTC`."),
    ("grace", "Tests are green on staging.\nRolling out to production next."),
    ("grace", "Oops, wrong room."),
    ("grace", "/me is watching the dashboards"),
    ("ada", "Ship it! 🚀"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshot-room.png")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--phone", action="store_true", help="390 x 844, a touch screen")
    parser.add_argument("--no-thread", action="store_true", help="leave the thread closed")
    parser.add_argument(
        "--drawer", action="store_true", help="the sidebar open as a drawer (phone)"
    )
    args = parser.parse_args()
    if args.phone:
        args.width, args.height = 390, 844
    with tempfile.TemporaryDirectory(prefix="parley-shot-") as data_dir:
        server = ParleyServer(Path(data_dir))
        server.migrate()
        server.start()
        try:
            shoot(server, args)
        finally:
            server.stop()
    print(f"wrote {args.out}")


def picture(colours: tuple[str, str], seed: int) -> bytes:
    """A person's picture: two colours in bands at an angle, as a stand-in for a photo."""
    image = Image.new("RGB", (256, 256), colours[0])
    draw = ImageDraw.Draw(image)
    for band in range(-256, 512, 64):
        offset = band + seed * 16
        draw.polygon(
            [(offset, 0), (offset + 32, 0), (offset + 32 - 256, 256), (offset - 256, 256)],
            fill=colours[1],
        )
    draw.ellipse((72, 56, 184, 168), fill="#f5d0a9")
    draw.ellipse((40, 170, 216, 330), fill="#f5d0a9")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def graph() -> bytes:
    """The canary's graph: requests a minute, flat, then the 5 % step."""
    image = Image.new("RGB", (720, 360), "#ffffff")
    draw = ImageDraw.Draw(image)
    for y in range(40, 330, 58):
        draw.line((50, y, 700, y), fill="#e5e7eb", width=1)
    points = [(50 + x * 13, 250 - (x // 25) * 60 + (7 * x % 11)) for x in range(51)]
    draw.line(points, fill="#4338ca", width=4)
    errors = [(50 + x * 13, 318 - (3 * x % 5)) for x in range(51)]
    draw.line(errors, fill="#b91c1c", width=3)
    draw.line((50, 330, 700, 330), fill="#6b7280", width=2)
    draw.line((50, 30, 50, 330), fill="#6b7280", width=2)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def set_picture(page, data: bytes, tmp: Path) -> None:
    path = tmp / f"picture-{id(page)}.png"
    path.write_bytes(data)
    page.goto("/settings/")
    page.get_by_label("Image file").set_input_files(str(path))
    page.get_by_role("button", name="Upload a picture").click()
    expect(page.get_by_role("button", name="Remove picture")).to_be_visible()


def create_room(page, name: str, *, topic: str = "", private: bool = False) -> None:
    page.goto("/")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Topic").fill(topic)
    if private:
        page.get_by_label("Private").check()
    page.get_by_role("button", name="Create room").click()
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "live")


def shoot(server: ParleyServer, args) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        people = {}
        for username, name in (("ada", "Ada Lovelace"), ("grace", "Grace Hopper")):
            page = browser.new_context(
                base_url=server.url,
                viewport={"width": 1280, "height": 800},
                color_scheme="light",
            ).new_page()
            sign_up(page, username, name)
            people[username] = page
        ada, grace = people["ada"], people["grace"]
        shots = Path(server.env["PARLEY_DATA_DIR"])
        set_picture(ada, picture(("#1d4ed8", "#3b82f6"), 1), shots)
        set_picture(grace, picture(("#0f766e", "#14b8a6"), 2), shots)
        for name, private in (("General", False), ("Design reviews", True), ("Random", False)):
            create_room(ada, name, private=private)
        create_room(ada, "Release train", topic="Shipping 2.4: blockers, deploys, go/no-go")
        slug = ada.url.rstrip("/").rsplit("/", 1)[1]
        open_room(grace, slug)
        for who, text in CONVERSATION:
            send(people[who], text)
            expect_settled(people[who])

        edit(
            grace,
            message(grace, "Just the migration note"),
            "Just the migration note. Writing it up **now**.",
        )
        delete(grace, message(grace, "Oops, wrong room."))
        react(grace, message(grace, "Ship it!"), "party", "party popper")
        react(grace, message(grace, "Ship it!"), "rocket", "rocket")
        react(ada, message(ada, "Ship it!"), "party", "party popper")
        react(ada, message(ada, "Tests are green"), "thumbs", "thumbs up")
        choose(ada, message(ada, "staging deploy"), "Pin to room")
        open_thread(grace, message(grace, "Tests are green"))
        reply(grace, "Canary at 5% looks healthy.")
        open_thread(ada, message(ada, "Tests are green"))
        reply(ada, "Great: 50% after lunch, then everyone.")
        reply(grace, "Will do. I'll post the graphs here.")
        expect(ada.locator("#thread-replies .msg[data-id]")).to_have_count(3)
        chart = shots / "canary-requests.png"
        chart.write_bytes(graph())
        grace.locator("#file-input").set_input_files(str(chart))
        expect(grace.locator(".pending-file")).to_have_attribute("data-state", "done")
        send(grace, "Canary, first hour: requests up, errors flat.")
        expect(ada.locator("#chat-log .attachment-image img")).to_be_visible()

        # Elsewhere, for the sidebar's badges: a mention in #general and a direct message.
        release = grace.url
        open_room(grace, "general")
        send(grace, "@ada stand-up moved to 10:30 today")
        send(grace, "Coffee first?")
        grace.get_by_label("New message to").fill("ada")
        grace.get_by_role("button", name="Start").click()
        expect(grace.locator("#room")).to_have_attribute("data-room", re.compile(r"^dm-"))
        expect(grace.locator("#connection-status")).to_have_attribute("data-state", "live")
        send(grace, "Got a minute for the migration note after lunch?")
        grace.goto(release)
        expect(grace.locator("#connection-status")).to_have_attribute("data-state", "live")

        if args.no_thread:
            ada.keyboard.press("Escape")
        if args.phone:  # a phone's own page: touch, no hover
            phone = browser.new_context(
                base_url=server.url,
                viewport={"width": args.width, "height": args.height},
                is_mobile=True,
                has_touch=True,
                color_scheme="light",
                storage_state=ada.context.storage_state(),
            ).new_page()
            phone.goto(ada.url)
            ada = phone
        else:
            ada.set_viewport_size({"width": args.width, "height": args.height})
            ada.reload()  # so the member list shows both, and the thread opens from the address
        expect(ada.locator("#connection-status")).to_have_attribute("data-state", "live")
        if not args.no_thread:
            expect(ada.locator("#thread-replies .msg[data-id]")).to_have_count(3)
        grace.wait_for_timeout(2100)  # typing frames are sent at most every 2 s
        grace.locator("#chat-message-input").press_sequentially("On it")
        expect(ada.locator("#typing")).to_have_text("Grace Hopper (@grace) is typing…")
        composer = "#chat-message-input" if args.no_thread else "#thread-input"
        ada.locator(composer).fill("Thanks, both!")
        ada.mouse.move(0, 0)
        if args.drawer:
            ada.locator("#sidebar-toggle").click()
            expect(ada.locator("#sidebar")).to_be_visible()
        args.out.parent.mkdir(parents=True, exist_ok=True)
        ada.screenshot(path=str(args.out))
        browser.close()


if __name__ == "__main__":
    main()
