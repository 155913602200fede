"""A Parley with guests and open sign-up switched off (the production defaults): visitors are
sent to log in, and the sign-up page says it is closed."""

import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .server import ParleyServer

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def closed_server():
    with tempfile.TemporaryDirectory(prefix="parley-closed-") as data_dir:
        parley = ParleyServer(Path(data_dir), env={"PARLEY_GUESTS": "0", "PARLEY_OPEN_SIGNUP": "0"})
        parley.migrate()
        parley.start()
        yield parley
        parley.stop()


@pytest.fixture
def page(browser, closed_server):
    context = browser.new_context(base_url=closed_server.url)
    yield context.new_page()
    context.close()


def test_visitors_are_sent_to_log_in(page):
    page.goto("/chat/general/")
    expect(page).to_have_url(
        f"{page.url.split('/accounts/')[0]}/accounts/login/?next=/chat/general/"
    )
    expect(page.get_by_role("link", name="Sign up")).to_have_count(0)
    page.goto("/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


def test_sign_up_page_says_it_is_closed(page):
    response = page.goto("/accounts/signup/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Sign-up is closed")).to_be_visible()
