"""store.js, the room page's state, run in chromium without a server: how changes and history
pages combine (the version rule both ways, a change that raced a page), reactions, threads,
pins and the timeline's floor."""

import pytest

from .pages import harness

pytestmark = pytest.mark.browser

HARNESS = """
async () => {
  const { RoomStore } = await import("/static/parley/store.js");
  const ada = { id: 1, username: "ada", display_name: "Ada" };
  const bob = { id: 2, username: "bob", display_name: "Bob" };
  const store = new RoomStore("r");
  store.setMe(ada);
  const shown = [];
  store.addEventListener("message", (event) => shown.push(event.detail.message.id));
  const message = (id, extra = {}) => ({
    room: "r", seq: id, id, author: bob, body: `m${id}`, html: `<p>m${id}</p>`, is_action: false,
    created_at: "2026-01-01T00:00:00Z", client_id: `c${id}`, edited_at: null, deleted: false,
    thread_root: null, in_room: true, reply_count: 0, last_reply_at: null, repliers: [],
    pinned: false, reactions: [], version: id, ...extra,
  });
  const react = (seq, id, user, emoji, count, type = "reaction_added") =>
    ({ type, room: "r", seq, message_id: id, emoji, user, count });
  const summary = (id) => {
    const m = store.get(id);
    return m && { body: m.body, version: m.version, deleted: m.deleted, pinned: m.pinned,
      replies: m.reply_count, reactions: m.reactions.map((r) => [r.emoji, r.count, r.users.map((u) => u.id), store.reactedByMe(r)]) };
  };
  window.s = { store, ada, bob, message, react, summary, shown };
}
"""


@pytest.fixture
def page(new_page):
    return harness(new_page(), HARNESS)


def run(page, script: str):
    return page.evaluate(
        "() => { const { store, ada, bob, message, react, summary, shown } = window.s;"
        f" {script} }}"
    )


def test_reactions_count_who_reacted_and_keep_the_servers_order(page):
    result = run(
        page,
        """
        store.applyPage([message(1)], { floor: 0 });
        store.apply(react(2, 1, bob, "👍", 1));
        store.apply(react(3, 1, ada, "🎉", 1));
        store.apply(react(4, 1, ada, "👍", 2));
        store.apply(react(5, 1, bob, "👍", 1, "reaction_removed"));
        const middle = summary(1).reactions;
        store.apply(react(6, 1, ada, "👍", 0, "reaction_removed"));
        store.apply(react(7, 1, bob, "👍", 1));
        return [middle, summary(1).reactions];
    """,
    )
    assert result == [
        [["👍", 1, [1], True], ["🎉", 1, [1], True]],
        # 👍 fell to 0 and went; back from 0, it goes last.
        [["🎉", 1, [1], True], ["👍", 1, [2], False]],
    ]


def test_a_change_a_page_already_holds_is_skipped(page):
    result = run(
        page,
        """
        store.applyPage([message(1, { body: "edited", version: 8, reactions: [{ emoji: "👍", count: 1, users: [bob], me: false }] })], { floor: 0 });
        store.apply(react(6, 1, bob, "👍", 1));
        store.apply({ type: "message_edited", room: "r", seq: 7, message: message(1, { body: "first edit", version: 7 }) });
        const before = summary(1);
        store.apply(react(9, 1, ada, "👍", 2));
        return [before, summary(1)];
    """,
    )
    assert result[0]["body"] == "edited" and result[0]["version"] == 8
    assert result[0]["reactions"] == [["👍", 1, [2], False]]
    assert result[1]["version"] == 9
    assert result[1]["reactions"] == [["👍", 2, [2, 1], True]]


def test_a_change_that_raced_a_page_is_applied_to_it(page):
    # The page was read before the reaction was committed, but arrives after its frame.
    result = run(
        page,
        """
        store.apply(react(6, 1, bob, "👍", 1));
        store.applyPage([message(1, { version: 5 })], { floor: 0 });
        return summary(1);
    """,
    )
    assert result["version"] == 6
    assert result["reactions"] == [["👍", 1, [2], False]]


def test_a_replayed_change_carrying_a_newer_message_applies(page):
    # Held at 8 (a pin list, say); the replay's edit at 6 carries the message as it is at 10,
    # and the socket then skips the changes up to 10.
    result = run(
        page,
        """
        store.applyPage([message(1, { version: 8 })], { floor: 0 });
        store.apply({ type: "message_edited", room: "r", seq: 6, message: message(1, { body: "now", version: 10 }) });
        return summary(1);
    """,
    )
    assert (result["body"], result["version"]) == ("now", 10)


def test_an_older_snapshot_does_not_undo_a_newer_state(page):
    result = run(
        page,
        """
        store.applyPage([message(1)], { floor: 0 });
        store.apply({ type: "message_deleted", room: "r", seq: 4, message: message(1, { body: "", html: "", deleted: true, version: 4 }) });
        store.applyPage([message(1, { version: 3 })]);
        return summary(1);
    """,
    )
    assert result == {
        "body": "",
        "version": 4,
        "deleted": True,
        "pinned": False,
        "replies": 0,
        "reactions": [],
    }


def test_an_edit_takes_the_message_as_it_is_and_keeps_whether_i_reacted(page):
    # Changes carry a message without the viewer's `me`; past the 50 people named, only the
    # page's summary could say. A replayed edit carries reactions added after it too.
    result = run(
        page,
        """
        const many = { emoji: "👍", count: 60, users: [bob], me: true };
        store.applyPage([message(1, { reactions: [many] })], { floor: 0 });
        store.apply({ type: "message_edited", room: "r", seq: 5, message: message(1, { body: "new", version: 7,
            reactions: [{ emoji: "👍", count: 61, users: [bob] }, { emoji: "🎉", count: 1, users: [ada] }] }) });
        return summary(1);
    """,
    )
    assert result["body"] == "new"
    assert result["version"] == 7
    assert result["reactions"] == [["👍", 61, [2], True], ["🎉", 1, [1], True]]


def test_a_reply_updates_its_roots_summary_and_its_thread(page):
    result = run(
        page,
        """
        store.applyPage([message(1)], { floor: 0 });
        const reply = message(50, { seq: null, thread_root: 1, in_room: false, version: 7 });
        store.apply({ type: "message", room: "r", seq: 7, message: reply,
                      root: { id: 1, reply_count: 1, last_reply_at: "2026-01-01T00:01:00Z", repliers: [bob], version: 7 } });
        // Replayed again (an older copy of the summary): nothing changes.
        store.apply({ type: "message", room: "r", seq: 7, message: reply,
                      root: { id: 1, reply_count: 0, last_reply_at: null, repliers: [], version: 6 } });
        return [summary(1).replies, store.replies(1).map((m) => m.id), store.timeline().map((m) => m.id)];
    """,
    )
    assert result == [1, [50], [1]]


def test_pins_follow_pin_and_unpin(page):
    result = run(
        page,
        """
        const pins = [];
        store.addEventListener("pins", (event) => pins.push([event.detail.id, event.detail.pinned]));
        store.applyPage([message(1), message(2)], { floor: 0 });
        store.apply({ type: "message_pinned", room: "r", seq: 3, message_id: 2, user: bob });
        store.apply({ type: "message_pinned", room: "r", seq: 4, message_id: 1, user: bob });
        store.apply({ type: "message_unpinned", room: "r", seq: 5, message_id: 2, user: bob });
        store.apply({ type: "message_pinned", room: "r", seq: 6, message_id: 99, user: bob });
        return [store.pinned().map((m) => m.id), pins];
    """,
    )
    assert result == [[1], [[2, True], [1, True], [2, False], [99, True]]]


def test_the_timeline_starts_at_the_oldest_page_loaded(page):
    result = run(
        page,
        """
        store.applyPage([message(40), message(41)], { floor: 40 });
        // A reply also sent to the room, long ago, read with its thread.
        store.applyPage([message(3, { thread_root: 2 })]);
        const before = store.timeline().map((m) => m.seq);
        store.applyPage([message(2), message(3, { thread_root: 2 })], { floor: 0 });
        return [before, store.timeline().map((m) => m.seq)];
    """,
    )
    assert result == [[40, 41], [2, 3, 40, 41]]


def test_up_arrow_edits_my_last_message_that_is_not_deleted(page):
    result = run(
        page,
        """
        store.applyPage([message(1, { author: ada }), message(2, { author: ada }), message(3)], { floor: 0 });
        const first = store.lastOwn().id;
        store.apply({ type: "message_deleted", room: "r", seq: 9, message: message(2, { author: ada, deleted: true, body: "", version: 9 }) });
        return [first, store.lastOwn().id];
    """,
    )
    assert result == [2, 1]


def test_room_and_member_changes_are_passed_on(page):
    result = run(
        page,
        """
        const seen = [];
        store.addEventListener("room", (event) => {
          const { name, topic, owner, archived } = event.detail;
          seen.push(["room", name, topic, owner.id, archived]);
        });
        store.addEventListener("member", (event) => seen.push(["member", event.detail.user.id, event.detail.change]));
        store.apply({ type: "room_updated", room: "r", seq: 1, name: "New", topic: "t", owner: bob, archived: true, user: ada });
        store.apply({ type: "member", room: "r", seq: 2, user: bob, change: "joined" });
        return seen;
    """,
    )
    assert result == [["room", "New", "t", 2, True], ["member", 2, "joined"]]
