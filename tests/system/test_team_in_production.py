"""A team of three in the browser on the production settings (`make serve`: PostgreSQL + Redis),
across two server processes: channels from the sidebar, a DM, a mention's desktop notification
and its badge clearing in the other tab once read, who is online, and a room renamed and
archived, all without loading a page (issue 9's "Done means", which the browser tier walks on
the embedded default)."""

import re

import pytest
from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.browser.pages import (
    COUNT_SOCKETS,
    NOTIFICATIONS,
    loads,
    open_room,
    send,
    sign_up,
    wait_live,
)

from .engines import production_env
from .server import ParleyServer, free_port

pytestmark = [pytest.mark.system, pytest.mark.browser]


@pytest.fixture
def servers(engines, tmp_path):
    """Two production server processes on one database and one Redis, as `make serve` runs
    them (each with its job worker), open to sign-ups."""
    database = engines.create()
    ports = [free_port(), free_port()]
    origins = ",".join(f"http://127.0.0.1:{port}" for port in ports)
    started = []
    for port in ports:
        env = production_env(
            database,
            engines.redis_url,
            PARLEY_ALLOWED_ORIGINS=origins,
            PARLEY_OPEN_SIGNUP="1",
            PARLEY_ROOMS_PER_HOUR="0",
        )
        started.append(ParleyServer(tmp_path / str(port), env=env, port=port))
    for server in started:
        server.log.parent.mkdir(parents=True, exist_ok=True)
        server.start()
    yield started
    for server in started:
        server.stop()


@pytest.fixture
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_a_team_of_three_on_two_production_processes(servers, browser):
    a, b = servers
    errors: list[str] = []

    def person(server: ParleyServer, name: str, *scripts: str, **options):
        context = browser.new_context(base_url=server.url, **options)
        context.set_default_timeout(15_000)
        for script in (COUNT_SOCKETS, *scripts):
            context.add_init_script(script)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{name}: {error}"))
        sign_up(page, name, name.capitalize())
        return page

    ada = person(a, "ada", NOTIFICATIONS, permissions=["notifications"])
    bob = person(b, "ben")
    carol = person(b, "cleo")

    # ada makes a channel from the sidebar's New channel (the lobby's form), the others join.
    ada.get_by_role("link", name="New channel").click()
    ada.get_by_label("Name", exact=True).fill("Launch")
    ada.get_by_role("button", name="Create room").click()
    wait_live(ada)
    slug = ada.url.rstrip("/").rsplit("/", 1)[1]
    for page in (bob, carol):
        open_room(page, slug)
    ada_loads = loads(ada)

    send(bob, "the build is green")
    expect(ada.locator("#chat-log")).to_contain_text("the build is green")

    # (The seeded users of the database are alice, bob, carol...: the team signs up anew.)
    # ada writes to ben from the sidebar; his sidebar lists the DM with its count, he answers.
    ada.get_by_label("New message to").fill("ben")
    ada.get_by_label("New message to").press("Enter")
    expect(ada.locator("#room")).to_have_attribute("data-room", re.compile("^dm-"))
    wait_live(ada)
    send(ada, "a word in private")
    dm = bob.locator("#dm-list .conversation-link", has_text="Ada")
    expect(dm.locator(".count-mention")).to_have_text("1")
    dm.click()
    expect(bob.locator("#chat-log")).to_contain_text("a word in private")
    send(bob, "got it")
    expect(ada.locator("#chat-log")).to_contain_text("got it")
    # Who is online: bob's DM row shows ada, on the other process, online.
    expect(dm.locator("[data-presence-user]")).to_have_attribute("data-presence", "online")

    # ada has a second tab, on the other process. carol mentions her in #Launch while she is in
    # the DM: a desktop notification, and the badge in both tabs; read in one, gone in both.
    ada_tab = ada.context.new_page()  # cookies know no ports: she is signed in there too
    ada_tab.goto(f"{b.url}/")
    ada_tab.wait_for_function("() => window.parley.socket.isOpen()")
    expect(ada_tab.locator(".whoami")).to_contain_text("Ada")
    send(carol, "@ada can you look at the release notes?")
    for page in (ada, ada_tab):
        expect(page.locator(f'#channel-list a[data-slug="{slug}"] .count-mention')).to_have_text(
            "1"
        )
    ada.wait_for_function("() => window.shown.length > 0")
    shown = ada.evaluate("window.shown")
    assert shown[0]["title"] == "Cleo in #Launch"
    assert "release notes" in shown[0]["body"]
    ada.locator(f'#channel-list a[data-slug="{slug}"]').click()
    expect(ada.locator("#chat-log")).to_contain_text("release notes")
    for page in (ada, ada_tab):
        expect(page.locator(f'#channel-list a[data-slug="{slug}"] .count')).to_have_count(0)

    # ada renames the room and archives it from its page; bob's open page follows at once.
    ada.locator("#manage-panel summary").click()
    ada.get_by_label("Name", exact=True).fill("Launch day")
    ada.get_by_role("button", name="Save").click()
    expect(bob.locator(f'#channel-list a[data-slug="{slug}"]')).to_contain_text("Launch day")
    ada.locator("#manage-panel summary").click()
    ada.get_by_role("button", name="Archive room").click()
    expect(ada.locator(".flash")).to_contain_text("is archived")
    open_room(bob, slug)
    expect(bob.locator("#archived-banner")).to_be_visible()
    expect(bob.locator("#chat-message-input")).to_be_disabled()

    assert loads(ada) == ada_loads, "ada's tab loaded a page"
    assert ada.evaluate("window.__sockets") == 1
    assert not errors, errors
