"""Fetching for link previews against a local server: what is fetched, and each hostile case
refused with a reason (never an exception out of `unfurl`, never a hang)."""

import logging
import socket

import pytest

from links import unfurl
from links.fetch import USER_AGENT, FetchRefused, fetch
from links.images import THUMBNAIL

HTML = ("text/html",)


def test_an_opengraph_page_gives_its_card_and_a_thumbnail(link_server):
    card = unfurl(link_server.url("/og"))
    assert card is not None
    assert (card.title, card.description, card.site_name) == (
        "Deploy & ship",
        "How we deploy, <b>safely</b>.",
        "Example Blog",
    )
    assert card.image is not None
    assert (card.image.width, card.image.height) == (THUMBNAIL[0], THUMBNAIL[0] // 2)
    assert card.image.data.startswith(b"\xff\xd8")  # a JPEG Parley wrote, not the site's PNG
    assert [path for path, _ in link_server.requests] == ["/og", "/img.png"]


def test_a_page_with_only_a_title_gives_a_card_without_image(link_server):
    card = unfurl(link_server.url("/title"))
    assert card is not None
    assert (card.title, card.description, card.image) == (
        "Only a title",
        "A plain description",
        None,
    )


def test_the_bot_names_itself_and_sends_no_cookie_even_one_set_on_a_redirect(link_server):
    fetch(link_server.url("/redirect?to=/og"), accept=HTML, max_bytes=100_000)
    (_, first), (_, second) = link_server.requests
    for headers in (first, second):
        assert headers["User-Agent"] == USER_AGENT
        assert "Cookie" not in headers and "Authorization" not in headers
        assert headers["Accept-Encoding"] == "identity"


def test_a_name_is_resolved_once_and_the_request_names_the_host(link_server, monkeypatch):
    real = socket.getaddrinfo
    asked = []

    def resolver(host, port, *args, **kwargs):
        asked.append(host)
        return real("127.0.0.2" if host == "blog.test" else host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    port = link_server.server_address[1]
    page = fetch(f"http://blog.test:{port}/og", accept=HTML, max_bytes=100_000)
    assert page.url == f"http://blog.test:{port}/og"
    # Resolved once; the connection is made to the vetted address (a literal: no lookup).
    assert asked == ["blog.test", "127.0.0.2"]
    assert link_server.requests[0][1]["Host"] == f"blog.test:{port}"


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://127.0.0.1:{port}/og", "loopback"),
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://[::1]:{port}/og", "loopback"),
        ("http://2130706433:{port}/og", "loopback"),
        ("http://0x7f.1:{port}/og", "loopback"),
        ("http://[::ffff:127.0.0.1]:{port}/og", "loopback"),
        ("http://10.0.0.1/", "private"),
        ("file:///etc/passwd", "scheme"),
        ("gopher://127.0.0.2:{port}/", "scheme"),
    ],
)
def test_a_redirect_to_a_refused_address_or_scheme_is_refused(link_server, target, reason):
    port = link_server.server_address[1]
    target = target.format(port=port)
    with pytest.raises(FetchRefused, match=reason):
        fetch(link_server.url(f"/redirect?to={target}"), accept=HTML, max_bytes=100_000)
    assert len(link_server.requests) == 1  # nothing reached the server after the redirect


def test_the_same_addresses_are_refused_when_linked_directly(link_server):
    port = link_server.server_address[1]
    for url in (f"http://127.0.0.1:{port}/og", "http://169.254.169.254/", f"http://[::1]:{port}/"):
        with pytest.raises(FetchRefused):
            fetch(url, accept=HTML, max_bytes=100_000)
    assert link_server.requests == []


def test_a_redirect_loop_and_a_long_chain_stop_at_the_cap(link_server, settings):
    with pytest.raises(FetchRefused, match="more than 3 redirects"):
        fetch(link_server.url("/loop"), accept=HTML, max_bytes=100_000)
    assert len(link_server.requests) == settings.PARLEY_PREVIEW_REDIRECTS + 1
    assert fetch(link_server.url("/chain?n=3"), accept=HTML, max_bytes=100_000).url.endswith("/og")
    with pytest.raises(FetchRefused, match="redirects"):
        fetch(link_server.url("/chain?n=4"), accept=HTML, max_bytes=100_000)


@pytest.mark.parametrize("path", ["/slow", "/slow-headers"])
def test_a_server_trickling_bytes_is_cut_off_at_the_time_cap(link_server, path):
    with pytest.raises(FetchRefused, match="within 1 s"):
        fetch(link_server.url(path), accept=HTML, max_bytes=100_000)


@pytest.mark.parametrize("path", ["/huge", "/huge-stream"])
def test_a_page_past_the_size_cap_is_refused(link_server, path):
    with pytest.raises(FetchRefused, match="bytes"):
        fetch(link_server.url(path), accept=HTML, max_bytes=256 * 1024)


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/json", "application/json is not"), ("/gzip", "gzip"), ("/404", "answered 404")],
)
def test_only_an_unencoded_html_page_answered_200_is_read(link_server, path, reason):
    with pytest.raises(FetchRefused, match=reason):
        fetch(link_server.url(path), accept=HTML, max_bytes=100_000)


def test_credentials_in_a_url_are_refused(link_server):
    with pytest.raises(FetchRefused, match="credentials"):
        fetch(link_server.url("/og").replace("http://", "http://u:p@"), accept=HTML, max_bytes=10)


def test_unfurl_logs_each_refusal_and_returns_no_card(link_server, caplog):
    port = link_server.server_address[1]
    caplog.set_level(logging.INFO, logger="links")
    for path in ("/slow", "/huge", "/json", "/loop", f"/redirect?to=http://127.0.0.1:{port}/og"):
        assert unfurl(link_server.url(path)) is None
    refusals = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(refusals) == 5
    assert all("link preview refused" in r.getMessage() for r in refusals)


@pytest.mark.parametrize("path", ["/bomb-page", "/notimage-page"])
def test_a_bomb_or_fake_image_leaves_the_card_without_image(link_server, caplog, path):
    caplog.set_level(logging.WARNING, logger="links")
    card = unfurl(link_server.url(path))
    assert card is not None and card.title == "Deploy & ship" and card.image is None
    assert "image refused" in caplog.text


def test_a_path_outside_ascii_is_sent_percent_encoded():
    from links.fetch import _target

    assert _target("http://example.test/caf\u00e9.png?q=\u00e9") == (
        "http",
        "example.test",
        80,
        "/caf%C3%A9.png?q=%C3%A9",
    )
    assert _target("https://example.test")[2:] == (443, "/")


def test_a_name_that_resolves_slowly_is_cut_off_at_the_time_cap(link_server, monkeypatch):
    import time

    def slow(*args, **kwargs):
        time.sleep(3)
        raise OSError("too late")

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    # Refused for the time, not for the resolver's own failure that comes later.
    with pytest.raises(FetchRefused, match="did not resolve within 1 s"):
        fetch("http://slow-dns.test/", accept=HTML, max_bytes=10)
