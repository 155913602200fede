"""workspace.js (the sidebar's one source), router.js's routes and sidebar.js's rows, run in
chromium without a room: the quick switcher's matching, Alt+Up/Down's order, new data from the
socket later, the reserved /dm/ route, and unread and mention badges."""

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import open_room, sign_up

pytestmark = pytest.mark.browser

HARNESS = """
async () => {
  const workspace = await import("/static/parley/workspace.js");
  const router = await import("/static/parley/router.js");
  const sidebar = await import("/static/parley/sidebar.js");
  const list = [
    { slug: "general", name: "General" },
    { slug: "design-k3x9q2", name: "Design reviews", private: true },
    { slug: "ada", name: "Ada Lovelace", kind: "dm" },
    { slug: "random", name: "Random" },
  ];
  window.w = { ...workspace, ...router, ...sidebar, list };
}
"""


@pytest.fixture
def page(new_page):
    page = new_page()
    page.goto("/accounts/login/")
    page.evaluate(HARNESS)
    return page


def run(page, script: str):
    return page.evaluate(f"() => {{ const w = window.w; {script} }}")


def test_channels_come_before_direct_messages_and_alt_arrows_follow_that_order(page):
    order = run(
        page,
        """
        const space = new w.Workspace(w.list);
        const steps = [];
        steps.push(space.neighbour(1).slug);  // none open: the first
        space.setCurrent("random");
        steps.push(space.neighbour(1).slug, space.neighbour(-1).slug);
        space.setCurrent("ada");
        steps.push(space.neighbour(1).slug);  // past the last: the first
        return [space.conversations().map((c) => c.slug), steps];
        """,
    )
    assert order == [
        ["general", "design-k3x9q2", "random", "ada"],
        ["general", "ada", "design-k3x9q2", "general"],
    ]


def test_a_conversation_has_every_field_and_its_address(page):
    assert run(
        page,
        """
        const space = new w.Workspace(w.list);
        return [space.get("general"), w.conversationUrl(space.get("ada")),
                w.conversationUrl(space.get("design-k3x9q2"))];
        """,
    ) == [
        {
            "slug": "general",
            "name": "General",
            "kind": "channel",
            "private": False,
            "archived": False,
            "unread": 0,
            "mentions": 0,
        },
        "/chat/ada/",
        "/chat/design-k3x9q2/",
    ]


def test_the_switcher_finds_names_that_start_with_the_text_first(page):
    found = run(
        page,
        """
        const all = new w.Workspace([...w.list, { slug: "team-design", name: "Team design" }]).conversations();
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


def test_new_data_replaces_and_updates_the_list_and_says_so(page):
    assert run(
        page,
        """
        const space = new w.Workspace(w.list);
        let changes = 0;
        space.addEventListener("change", () => { changes += 1; });
        space.update("general", { unread: 4, mentions: 1 });
        space.visit({ slug: "banter", name: "Banter" });  // listed in name order, and open
        space.replace([{ slug: "only", name: "Only" }]);  // a `ready` frame, say
        return [changes, space.current, space.conversations().map((c) => c.slug)];
        """,
    ) == [3, "banter", ["only"]]
    assert run(
        page,
        """
        const space = new w.Workspace(w.list);
        space.visit({ slug: "banter", name: "Banter" });
        return space.channels().map((c) => c.slug);
        """,
    ) == ["banter", "general", "design-k3x9q2", "random"]


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
          const node = w.conversationRow(w.conversation(fields), "general").querySelector("a");
          document.body.append(node);
          return [node.getAttribute("aria-current"), [...node.querySelectorAll(".count")].map((n) => n.textContent),
                  node.getAttribute("aria-label"), node.classList.contains("unread")];
        };
        return [row({ slug: "general", name: "General" }),
                row({ slug: "x", name: "X", unread: 3, mentions: 1, private: true })];
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
    page.evaluate(f"window.parley.workspace.update('{room}', {{ unread: 12, mentions: 2 }})")
    expect(link.locator(".count")).to_have_text(["2", "12"])
    expect(page.get_by_role("link", name=f"{room}, 2 mentions, 12 unread")).to_be_visible()
