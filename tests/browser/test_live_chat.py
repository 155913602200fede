"""Two people chatting: live delivery, typing, and history that survives a reload."""

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import PASSWORD, expect_settled, open_room, send, shown_bodies, shown_seqs, sign_up

pytestmark = pytest.mark.browser


def test_two_users_see_each_others_messages_live(new_page):
    alice, bob = new_page(), new_page()
    sign_up(alice, unique("alice"), "Alice")
    bob_username = unique("bob")
    sign_up(bob, bob_username, "Bob")
    room = unique("team-")
    open_room(alice, room)
    open_room(bob, room)

    send(alice, "Hello from Alice")
    expect(bob.locator("#chat-log .msg").last).to_contain_text("Hello from Alice")
    expect(bob.locator("#chat-log .msg").last.locator(".msg-author")).to_have_text("Alice")

    bob.locator("#chat-message-input").press_sequentially("Hi Al")
    expect(alice.locator("#typing")).to_have_text(f"Bob (@{bob_username}) is typing…")
    bob.locator("#chat-message-input").press_sequentially("ice!")
    bob.locator("#chat-message-input").press("Enter")
    expect(alice.locator("#chat-log .msg").last).to_contain_text("Hi Alice!")
    expect(alice.locator("#typing")).to_have_text("")

    expect_settled(alice)
    assert shown_bodies(alice) == shown_bodies(bob) == ["Hello from Alice", "Hi Alice!"]
    # Bob joined by visiting, so the member list has both.
    bob.reload()
    expect(bob.locator(".members")).to_contain_text("Alice")
    expect(bob.locator(".members")).to_contain_text("Bob")


def test_reload_shows_history_in_order(new_page):
    page = new_page()
    sign_up(page, unique("carol"))
    room = unique("history-")
    open_room(page, room)
    lines = [f"line {n}" for n in range(1, 6)]
    for line in lines:
        send(page, line)
    page.locator("#chat-message-input").fill("two\nlines")  # Shift+Enter would make the same
    page.locator("#chat-message-input").press("Enter")
    expect(page.locator("#chat-log .msg")).to_have_count(6)
    expect_settled(page)

    sent = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    page.reload()
    expect(page.locator("#chat-log .msg")).to_have_count(6)
    assert shown_bodies(page) == [*lines, "two\nlines"]
    assert sum('"type":"history"' in frame for frame in sent) == 1
    assert shown_seqs(page) == [1, 2, 3, 4, 5, 6]
    expect(page.locator("#log-start")).to_be_visible()
    expect(page.locator("#load-older")).to_be_hidden()


def test_shift_enter_makes_a_new_line_and_enter_sends(new_page):
    page = new_page()
    open_room(page, unique("keys-"))
    composer = page.locator("#chat-message-input")
    composer.press_sequentially("first")
    composer.press("Shift+Enter")
    composer.press_sequentially("second")
    expect(composer).to_have_value("first\nsecond")
    composer.press("Enter")
    expect(composer).to_have_value("")
    expect(page.locator("#chat-log .msg-body")).to_have_text(["first\nsecond"])


def test_load_older_fetches_the_page_before_the_oldest_shown(new_page):
    page = new_page()
    sign_up(page, unique("dave"))
    room = unique("long-")
    open_room(page, room)
    # 60 posts in one go: more than the post rate limit's burst, so the outbox paces them.
    page.evaluate(
        "room => { for (let n = 1; n <= 60; n++) window.parley.socket.post(room, `m${n}`); }", room
    )
    expect(page.locator("#chat-log .msg")).to_have_count(60, timeout=20_000)

    page.reload()
    expect(page.locator("#chat-log .msg")).to_have_count(50)
    assert shown_bodies(page)[0] == "m11"
    page.get_by_role("button", name="Load older messages").click()
    expect(page.locator("#chat-log .msg")).to_have_count(60)
    assert shown_bodies(page) == [f"m{n}" for n in range(1, 61)]
    assert shown_seqs(page) == list(range(1, 61))
    expect(page.locator("#log-start")).to_be_visible()


def test_member_list_follows_joins_and_leaves_live(new_page):
    alice, bob = new_page(), new_page()
    alice_name, bob_name = unique("alice"), unique("bob")
    sign_up(alice, alice_name, "Alice")
    sign_up(bob, bob_name, "Bob")
    room = unique("members-")
    open_room(alice, room)
    members = alice.locator("#members-panel .members li[data-username]")
    expect(members).to_have_count(1)

    open_room(bob, room)  # opening a public room joins it
    expect(members).to_have_count(2)
    expect(
        alice.locator(f'#members-panel li[data-username="{bob_name}"] .member-name')
    ).to_have_text("Bob")
    expect(alice.locator("#members-count")).to_have_text("2")

    bob.get_by_role("button", name="Leave room").click()
    expect(members).to_have_count(1)
    expect(alice.locator("#members-count")).to_have_text("1")


def test_a_rename_and_a_new_topic_show_in_the_header_live(new_page):
    owner, reader = new_page(), new_page()
    owner_name = unique("olive")
    sign_up(owner, owner_name)
    room = unique("renamed-")
    open_room(owner, room)
    open_room(reader, room)
    token = owner.request.post(
        "/api/v1/auth/token", data={"username": owner_name, "password": PASSWORD}
    ).json()["token"]
    response = owner.request.patch(
        f"/api/v1/rooms/{room}",
        data={"name": "Renamed <b>room</b>", "topic": "A topic, new"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.ok, response.text()
    for page in (owner, reader):
        expect(page.locator("#room-title")).to_have_text("# Renamed <b>room</b>")
        expect(page.locator(".room-header .room-topic")).to_have_text("A topic, new")
        expect(page).to_have_title("# Renamed <b>room</b> · Parley")
