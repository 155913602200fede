"""conversations.js (the one source of the sidebar, the switcher and the unread counts),
router.js's routes and sidebar.js's rows, run in chromium without a server socket: the quick
switcher's matching, Alt+Up/Down's order, counting as the server counts, the user's stream,
the reserved /dm/ route, unread and mention badges; and mentions.js's autocomplete."""

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import harness, open_room, sign_up

pytestmark = pytest.mark.browser

HARNESS = """
async () => {
  const conversations = await import("/static/parley/conversations.js");
  const router = await import("/static/parley/router.js");
  const sidebar = await import("/static/parley/sidebar.js");
  // A conversation as `ready` and the page bring it.
  const conversation = (room, extra = {}) => ({
    id: room.length, room, kind: "channel", name: room, topic: "", private: false, archived: false,
    seq: 10, last_read: 10, unread: 0, mentions: 0, notify: "mentions", wide_mentions: true, with: null,
    ...extra,
  });
  const list = [
    conversation("general", { name: "General" }),
    conversation("design-k3x9q2", { name: "Design reviews", private: true }),
    conversation("dm-7", { name: "Ada Lovelace", kind: "dm", with: "ada" }),
    conversation("random", { name: "Random" }),
  ];
  const ada = { id: 1, username: "ada", display_name: "Ada" };
  const bob = { id: 2, username: "bob", display_name: "Bob" };
  const message = (room, seq, id, extra = {}) => ({
    type: "message", room, seq,
    message: { id, room, author: bob, body: "hi", html: "<p>hi</p>", in_room: true,
      mentions_wide: false, deleted: false, ...extra },
  });
  window.w = { ...conversations, ...router, ...sidebar, conversation, list, ada, bob, message };
}
"""


@pytest.fixture
def page(new_page):
    return harness(new_page(), HARNESS)


def run(page, script: str):
    return page.evaluate(f"() => {{ const w = window.w; {script} }}")


def test_channels_come_before_direct_messages_and_alt_arrows_follow_that_order(page):
    order = run(
        page,
        """
        const space = new w.Conversations(w.list);
        const steps = [];
        steps.push(space.neighbour(1).room);  // none open: the first
        space.setCurrent("random");
        steps.push(space.neighbour(1).room, space.neighbour(-1).room);
        space.setCurrent("dm-7");
        steps.push(space.neighbour(1).room);  // past the last: the first
        return [space.conversations().map((c) => c.room), steps];
        """,
    )
    assert order == [
        ["design-k3x9q2", "general", "random", "dm-7"],
        ["design-k3x9q2", "dm-7", "general", "design-k3x9q2"],
    ]


def test_a_conversation_lives_at_its_room_address(page):
    assert run(
        page,
        """
        const space = new w.Conversations(w.list);
        return [w.conversationUrl(space.get("dm-7").room), w.conversationUrl("design-k3x9q2"),
                w.conversationUrl("a b")];
        """,
    ) == ["/chat/dm-7/", "/chat/design-k3x9q2/", "/chat/a%20b/"]


def test_the_switcher_finds_names_that_start_with_the_text_first(page):
    found = run(
        page,
        """
        const all = new w.Conversations([...w.list, w.conversation("team-design", { name: "Team design" })]).conversations();
        const names = (query) => w.conversationsMatching(all, query).map((c) => c.name);
        return [names("des"), names("#RAN"), names("@ada"), names("zzz"), names("").length];
        """,
    )
    assert found == [
        ["Design reviews", "Team design"],
        ["Random"],
        ["Ada Lovelace"],
        [],
        5,
    ]


def test_ready_replaces_the_list_and_a_room_not_yours_is_listed_while_open(page):
    assert run(
        page,
        """
        const space = new w.Conversations(w.list);
        let changes = 0;
        space.addEventListener("change", () => { changes += 1; });
        space.visit({ slug: "banter", name: "Banter" });  // a public room visited: listed, and open
        const visiting = space.channels().map((c) => c.room);
        space.rename("banter", "Banter room");
        const renamed = space.channels()[0].name;
        space.visit({ slug: "general", name: "General" });  // left: it goes
        const left = space.channels().map((c) => c.room);
        space.applyReady([w.conversation("only", { name: "Only" })]);
        return [changes, visiting, renamed, left, space.current, space.conversations().map((c) => c.room)];
        """,
    ) == [
        4,
        ["banter", "design-k3x9q2", "general", "random"],
        "Banter room",
        ["design-k3x9q2", "general", "random"],
        "general",
        ["only"],
    ]


def test_an_archived_conversation_is_listed_only_while_open(page):
    assert run(
        page,
        """
        const space = new w.Conversations([...w.list, w.conversation("old", { archived: true })]);
        const closed = space.channels().map((c) => c.room);
        space.visit({ slug: "old", name: "old" });
        const open = space.channels().map((c) => c.room);
        return [closed, open, space.active().map((c) => c.room)];
        """,
    ) == [
        ["design-k3x9q2", "general", "random"],
        ["design-k3x9q2", "general", "old", "random"],
        ["general", "design-k3x9q2", "dm-7", "random"],
    ]


def test_the_router_knows_rooms_direct_messages_and_browsing(page):
    assert run(
        page,
        """
        const route = (href) => { const found = w.routeOf(href); return found && [found.name, found.param]; };
        return [route("/chat/general/"), route("/chat/general/#thread-4"), route("/dm/ada/"),
                route("/"), route("/chat/"), route("/?page=2"), route("/u/ada/"),
                route("/chat/general/invite/"), route("https://example.com/chat/x/")];
        """,
    ) == [
        ["room", "general"],
        ["room", "general"],
        ["dm", "ada"],
        ["browse", None],
        ["browse", None],
        ["browse", None],
        None,
        None,
        None,
    ]


def test_a_row_shows_and_says_its_counts(page):
    rows = run(
        page,
        """
        const row = (fields) => {
          const node = w.conversationRow(w.conversation(fields.room, fields), "general").querySelector("a");
          document.body.append(node);
          return [node.getAttribute("aria-current"), [...node.querySelectorAll(".count")].map((n) => n.textContent),
                  node.getAttribute("aria-label"), node.classList.contains("unread")];
        };
        return [row({ room: "general", name: "General" }),
                row({ room: "x", name: "X", unread: 3, mentions: 1, private: true })];
        """,
    )
    assert rows == [
        ["page", [], None, False],
        [None, ["1", "3"], "X, private, 1 mention, 3 unread", True],
    ]


def test_the_sidebar_shows_badges_when_the_counts_come(new_page):
    page = new_page()
    sign_up(page, unique("badges"))
    room = unique("badges-room-")
    open_room(page, room)
    link = page.locator(f'#channel-list a[data-slug="{room}"]')
    expect(link.locator(".count")).to_have_count(0)
    page.evaluate(
        f"""() => {{ const c = window.parley.conversations.get('{room}');
        Object.assign(c, {{ unread: 12, mentions: 2 }});
        window.parley.conversations.emit("change"); }}"""
    )
    expect(link.locator(".count")).to_have_text(["2", "12"])
    expect(page.get_by_role("link", name=f"{room}, 2 mentions, 12 unread")).to_be_visible()


def counting(page, script: str):
    return page.evaluate(
        """() => { const { ada, conversation, message } = window.w;
        const inbox = new window.w.Conversations();
        inbox.setUser(ada);
        const heard = [];
        inbox.addEventListener("message", (e) => heard.push([e.detail.slug, e.detail.mention]));
        const counts = (room) => { const c = inbox.get(room); return c && [c.unread, c.mentions]; };
        """
        + script
        + " }"
    )


def test_messages_by_others_after_the_marker_count_as_the_server_counts_them(page):
    result = counting(
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
    result = counting(
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
        return [marked, added, inbox.conversations().map((c) => c.room)];
        """,
    )
    assert result == [[1, 0], [0, 0], ["new"]]


def test_a_mention_counts_once_whether_its_message_or_its_mentioned_comes(page):
    """The shell follows at most so many conversations live; for the others `mentioned` is the
    only word of a mention (one more). A followed one counts the message itself, never its
    `mentioned` again, in whichever order they come."""
    result = counting(
        page,
        """
        inbox.isFollowed = (slug) => slug === "general";
        inbox.applyReady([conversation("general"), conversation("far")]);
        const named = { html: '<p><a class="mention" data-user="ada">@ada</a></p>' };
        const mentioned = (room, id) => inbox.applyUserFrame({ type: "mentioned", room_id: 1, room, id });
        mentioned("general", 300);                      // before its message
        inbox.applyChange(message("general", 11, 300, named));
        inbox.applyChange(message("general", 12, 301, named));
        mentioned("general", 301);                      // after it
        mentioned("far", 400);
        mentioned("far", 400);                          // the same message again
        mentioned("far", 401);
        mentioned("elsewhere", 500);                    // not a conversation of yours
        const before = [counts("general"), counts("far"), inbox.totals()];
        // Followed later (opened): its message, replayed, is unread; its mention counted already.
        inbox.isFollowed = () => true;
        inbox.applyChange(message("far", 11, 400, named));
        const followed = counts("far");
        inbox.applyUserFrame({ type: "read_marker", room: "far", last_read: 11, unread: 0, mentions: 1 });
        return [before, followed, counts("far"), heard];
        """,
    )
    before, followed, marked, heard = result
    assert before == [[2, 2], [0, 2], {"unread": 2, "mentions": 4}]
    assert followed == [1, 2]
    assert marked == [0, 1]  # the server's counts
    assert heard == [["general", True], ["general", True], ["far", True]]


def test_a_rename_names_the_dms_anew_as_the_server_does(page):
    result = counting(
        page,
        """
        const bob = { id: 2, username: "bob", display_name: "Bob" };
        const cy = { id: 3, username: "cy", display_name: "cy" };
        inbox.applyReady([
          conversation("dm-2", { kind: "dm", name: "Bob", members: [ada, bob], with: 2 }),
          conversation("dm-3", { kind: "dm", name: "Bob, cy", members: [ada, bob, cy] }),
          conversation("dm-1", { kind: "dm", name: "Ada", members: [ada] }),
          conversation("general", { name: "General" }),
        ]);
        const renamed = [];
        let changes = 0;
        inbox.addEventListener("renamed", (e) => renamed.push([e.detail.slug, e.detail.name]));
        inbox.addEventListener("change", () => { changes += 1; });
        inbox.applyUserFrame({ type: "user_updated", user: { ...bob, display_name: "Zed" } });
        inbox.applyUserFrame({ type: "user_updated", user: { ...ada, display_name: "Ada L." } });
        inbox.applyUserFrame({ type: "user_updated", user: { id: 9, username: "x", display_name: "X" } });
        return [renamed, changes, inbox.directMessages().map((c) => c.name),
                inbox.get("dm-3").members.map((m) => m.display_name), inbox.me.display_name,
                window.w.dmName([cy, bob, { ...ada, display_name: "ada" }], 1)];
        """,
    )
    assert result == [
        [["dm-2", "Zed"], ["dm-3", "cy, Zed"], ["dm-1", "Ada L."]],
        2,  # one per frame that renamed something
        ["Ada L.", "cy, Zed", "Zed"],
        ["Ada L.", "cy", "Zed"],
        "Ada L.",
        "Bob, cy",
    ]


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
