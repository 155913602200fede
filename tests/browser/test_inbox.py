"""inbox.js (conversations and unread counts as the server keeps them) and mentions.js (the
composer's @-autocomplete), run in chromium without a server socket."""

import pytest

pytestmark = pytest.mark.browser

HARNESS = """
async () => {
  const { Inbox } = await import("/static/parley/inbox.js");
  const ada = { id: 1, username: "ada", display_name: "Ada" };
  const bob = { id: 2, username: "bob", display_name: "Bob" };
  const inbox = new Inbox();
  inbox.setUser(ada);
  const heard = [];
  inbox.addEventListener("message", (e) => heard.push([e.detail.slug, e.detail.mention]));
  const conversation = (room, extra = {}) => ({
    id: room.length, room, kind: "channel", name: room, topic: "", private: false,
    seq: 10, last_read: 10, unread: 0, mentions: 0, notify: "mentions", wide_mentions: true, ...extra,
  });
  const message = (room, seq, id, extra = {}) => ({
    type: "message", room, seq,
    message: { id, room, author: bob, body: "hi", html: "<p>hi</p>", in_room: true,
      mentions_wide: false, deleted: false, ...extra },
  });
  const counts = (room) => { const c = inbox.get(room); return c && [c.unread, c.mentions]; };
  window.s = { inbox, ada, bob, conversation, message, counts, heard };
}
"""


@pytest.fixture
def page(new_page):
    page = new_page()
    page.goto("/accounts/login/")
    page.evaluate(HARNESS)
    return page


def run(page, script: str):
    return page.evaluate(
        "() => { const { inbox, ada, bob, conversation, message, counts, heard } = window.s;"
        f" {script} }}"
    )


def test_messages_by_others_after_the_marker_count_as_the_server_counts_them(page):
    result = run(
        page,
        """
        inbox.applyReady([conversation("general", { unread: 2 }), conversation("dm-1", { kind: "dm", notify: "all" })]);
        inbox.applyChange(message("general", 9, 100));           // at or below the marker
        inbox.applyChange(message("general", 11, 101));
        inbox.applyChange(message("general", 12, 102, { author: ada }));  // mine
        inbox.applyChange(message("general", 13, 103, { html: '<p><a class="mention" data-user="ada">@ada</a></p>' }));
        inbox.applyChange(message("general", 14, 104, { mentions_wide: true }));
        inbox.applyChange(message("general", 15, 105, { in_room: false }));  // thread only
        inbox.applyChange(message("general", 13, 103));         // the same one again
        inbox.applyChange(message("dm-1", 11, 200));
        const before = [counts("general"), counts("dm-1")];
        inbox.applyChange({ type: "message_deleted", room: "general", seq: 16, message: { id: 103 } });
        return [before, counts("general"), heard, inbox.totals()];
        """,
    )
    before, after, heard, totals = result
    assert before == [[5, 2], [1, 1]]
    assert after == [4, 1]
    assert heard == [["general", False], ["general", True], ["general", True], ["dm-1", True]]
    assert totals == {"unread": 5, "mentions": 2}


def test_the_stream_sets_markers_and_membership(page):
    result = run(
        page,
        """
        inbox.applyReady([conversation("general", { unread: 3, mentions: 1 })]);
        inbox.applyUserFrame({ type: "read_marker", room: "general", last_read: 12, unread: 1, mentions: 0 });
        const marked = counts("general");
        inbox.applyUserFrame({ type: "conversation_added", conversation: conversation("new") });
        inbox.applyUserFrame({ type: "conversation_added", conversation: conversation("new", { unread: 99 }) });
        const added = counts("new");
        inbox.applyUserFrame({ type: "conversation_removed", room: "general" });
        inbox.markedRead("new", 10);
        return [marked, added, inbox.list().map((c) => c.room)];
        """,
    )
    assert result == [[1, 0], [0, 0], ["new"]]


def test_mention_autocomplete_ranks_and_finds_the_word_at_the_caret(page):
    result = page.evaluate(
        """
        async () => {
          const { mentionAt, rank } = await import("/static/parley/mentions.js");
          const people = [
            { username: "bob", display_name: "Bob" },
            { username: "émile", display_name: "Émile Zola" },
            { username: "zeb", display_name: "Zebulon Bobbins" },
          ];
          return [
            mentionAt("hi @bo", 6), mentionAt("mail a@bo", 9), mentionAt("@", 1), mentionAt("x", 1),
            rank(people, "bo").map((p) => p.username),
            rank(people, "emi").map((p) => p.username),
            rank(people, "").length,
          ];
        }
        """
    )
    assert result == [
        {"query": "bo", "start": 3},
        None,
        {"query": "", "start": 0},
        None,
        ["bob", "zeb"],
        ["émile"],
        3,
    ]
