"""Reconnects resume exactly: what was posted while a client was away appears once, in order;
what it posted while away is sent (with its client_id) once it is back."""

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import expect_settled, open_room, send, shown_bodies, shown_seqs, sign_up, wait_live

pytestmark = pytest.mark.browser


def _two_people_in_a_room(new_page):
    alice, bob = new_page(), new_page()
    sign_up(alice, unique("alice"), "Alice")
    sign_up(bob, unique("bob"), "Bob")
    room = unique("resume-")
    open_room(alice, room)
    open_room(bob, room)
    send(alice, "before")
    expect(bob.locator("#chat-log .msg-body")).to_have_text(["before"])
    return alice, bob


def test_offline_then_online_resumes_without_gaps_or_duplicates(new_page):
    alice, bob = _two_people_in_a_room(new_page)

    alice.context.set_offline(True)
    expect(alice.locator("#connection-status")).to_have_attribute("data-state", "offline")
    for n in (1, 2, 3):
        send(bob, f"while away {n}")
    send(alice, "written offline")
    expect(alice.locator("#chat-log .msg.pending")).to_have_count(1)
    expect_settled(bob)
    assert shown_bodies(alice) == ["before"]

    alice.context.set_offline(False)
    wait_live(alice)
    expect_settled(alice)
    expected = ["before", "while away 1", "while away 2", "while away 3", "written offline"]
    expect(alice.locator("#chat-log .msg-body")).to_have_text(expected)
    expect(bob.locator("#chat-log .msg-body")).to_have_text(expected)
    assert shown_seqs(alice) == shown_seqs(bob) == [1, 2, 3, 4, 5]


def test_server_restart_resumes_and_delivers_posts_made_while_it_was_down(new_page, server):
    alice, bob = _two_people_in_a_room(new_page)

    server.stop()
    expect(alice.locator("#connection-status")).to_have_attribute("data-state", "reconnecting")
    send(bob, "sent while the server was down")
    expect(bob.locator("#chat-log .msg.pending")).to_have_count(1)

    server.start()
    # The clients' backoff has grown while the server was down: the next try may be seconds away.
    wait_live(alice, timeout=30_000)
    wait_live(bob, timeout=30_000)
    expect_settled(bob)
    send(alice, "after restart")
    expected = ["before", "sent while the server was down", "after restart"]
    expect(alice.locator("#chat-log .msg-body")).to_have_text(expected)
    expect(bob.locator("#chat-log .msg-body")).to_have_text(expected)
    assert shown_seqs(alice) == shown_seqs(bob) == [1, 2, 3]


def test_unacknowledged_post_survives_a_reload(new_page):
    page = new_page()
    sign_up(page, unique("erin"))
    room = unique("outbox-")
    open_room(page, room)
    page.context.set_offline(True)
    expect(page.locator("#connection-status")).to_have_attribute("data-state", "offline")
    send(page, "kept in the outbox")
    expect(page.locator("#chat-log .msg.pending")).to_have_count(1)
    page.context.set_offline(False)
    # Reload at once: the post may or may not have gone out; either way it is stored once.
    page.reload()
    wait_live(page)
    expect_settled(page)
    expect(page.locator("#chat-log .msg-body")).to_have_text(["kept in the outbox"])
