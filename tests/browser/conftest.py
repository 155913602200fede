"""The browser tier: the real server and Debian's chromium via Playwright, one of each for
the package.

Package scope, not session: while Playwright's sync API is alive its event loop counts as
running in the main thread, so `asyncio.run()` in the tiers collected after this one would
fail. Each test opens fresh browser contexts (separate cookie jars, so separate people)
through `new_page`; a JavaScript error on any page fails the test."""

import itertools
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from .server import ParleyServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery-staple"
_names = itertools.count(1)

expect.set_options(timeout=10_000)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_names)}"


@pytest.fixture(scope="package")
def server():
    with tempfile.TemporaryDirectory(prefix="parley-browser-") as data_dir:
        # Every page of the suite comes from 127.0.0.1 and makes guests and rooms for a whole
        # run: the per-address and per-user limits (tested in tests/web) would be reached.
        # Link previews may fetch from the tests' local web server (tests/linkserver.py).
        parley = ParleyServer(
            Path(data_dir),
            env={
                "PARLEY_GUESTS_PER_HOUR": "0",
                "PARLEY_ROOMS_PER_HOUR": "0",
                "PARLEY_PREVIEW_ALLOWED_NETWORKS": "127.0.0.2/32",
            },
        )
        parley.migrate()
        parley.start()
        yield parley
        parley.stop()


@pytest.fixture(scope="package")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, server):
    """Opens a page in a new browser context: a new visitor, with their own cookies."""
    contexts, errors = [], []

    def open_page(**context_options):
        context = browser.new_context(base_url=server.url, **context_options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors: {errors}"
