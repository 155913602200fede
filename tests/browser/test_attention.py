"""notify.js's `Attention`, run in chromium over conversations.js's `Conversations`: the tab
title's counts, the favicon's badge, desktop notifications as each conversation's level lets
them through (never for the one on screen), and the permission asked only from the *Enable
desktop notifications* button, never on page load (docs/web.md, "Getting your attention")."""

import pytest
from playwright.sync_api import expect

from .conftest import unique
from .pages import open_room, sign_up

pytestmark = pytest.mark.browser

ICON = "/static/parley/icon.svg"

HARNESS = """
async () => {
  const { Conversations } = await import("/static/parley/conversations.js");
  const { Attention } = await import("/static/parley/notify.js");
  const conversation = (room, extra = {}) => ({
    id: room.length, room, kind: "channel", name: room, topic: "", private: false, archived: false,
    seq: 10, last_read: 10, unread: 0, mentions: 0, notify: "mentions", wide_mentions: true, with: null,
    ...extra,
  });
  const ada = { id: 1, username: "ada", display_name: "Ada" };
  const bob = { id: 2, username: "bob", display_name: "Bob" };
  let seq = 10;
  let id = 100;
  // A message by bob in `room`, after the marker; naming ada when `mention`.
  const message = (room, mention = false) => ({
    type: "message", room, seq: ++seq,
    message: { id: ++id, room, author: bob, body: mention ? "@ada look" : "hi",
      html: mention ? '<p><a class="mention" data-user="ada">@ada</a> look</p>' : "<p>hi</p>",
      in_room: true, mentions_wide: false, deleted: false },
  });
  // The browser's Notification, as a stand-in that records what is shown.
  const shown = [];
  class FakeNotification {
    static permission = "granted";
    static asked = 0;
    static async requestPermission() { FakeNotification.asked += 1; return FakeNotification.permission; }
    constructor(title, options) { this.title = title; this.options = options; this.closed = false; shown.push(this); }
    close() { this.closed = true; }
  }
  // A document whose visibility and focus the test sets (the page's own are the browser's).
  const screen = {
    title: "Parley", visibilityState: "visible", focused: true,
    hasFocus() { return this.focused; },
    querySelector: () => null,
    createElement: (tag) => document.createElement(tag),
    dispatchEvent: (event) => document.dispatchEvent(event),
  };
  window.w = { Conversations, Attention, conversation, ada, message, shown, FakeNotification, screen };
}
"""


@pytest.fixture
def page(new_page):
    page = new_page()
    page.goto("/accounts/login/")
    page.evaluate(HARNESS)
    return page


def run(page, script: str):
    return page.evaluate(f"async () => {{ const w = window.w; {script} }}")


# ---- the title and the favicon ----


def test_the_title_counts_mentions_and_marks_unread_only_with_a_star(page):
    titles = run(
        page,
        """
        const space = new w.Conversations([w.conversation("general"), w.conversation("quiet", { notify: "none" })]);
        const attention = new w.Attention({ conversations: space, doc: w.screen, NotificationImpl: w.FakeNotification });
        attention.setBaseTitle("# general · Parley");
        const titles = [w.screen.title];
        const set = (room, counts) => { Object.assign(space.get(room), counts); space.emit("change"); titles.push(w.screen.title); };
        set("general", { unread: 3 });
        set("general", { unread: 3, mentions: 2 });
        set("general", { unread: 0, mentions: 0 });
        set("quiet", { unread: 7, mentions: 1 });  // a conversation set to "none" counts for nothing
        return titles;
        """,
    )
    assert titles == [
        "# general · Parley",
        "* # general · Parley",
        "(2) # general · Parley",
        "# general · Parley",
        "# general · Parley",
    ]


def favicon(page) -> str:
    return page.evaluate(
        """() => document.querySelector('link[rel="icon"]').getAttribute("href")"""
    )


def set_counts(page, unread: int, mentions: int) -> None:
    run(
        page,
        f"""Object.assign(window.space.get("general"), {{ unread: {unread}, mentions: {mentions} }});
        window.space.emit("change");""",
    )


def painted(page) -> str:
    """The favicon once it is a badge (drawn when the icon has loaded)."""
    page.wait_for_function(
        """() => document.querySelector('link[rel="icon"]').getAttribute("href").startsWith("data:")"""
    )
    return favicon(page)


def test_the_favicon_gets_a_badge_with_mentions_or_unread_and_loses_it_at_zero(page):
    assert favicon(page) == ICON
    run(
        page,
        """window.space = new w.Conversations([w.conversation("general")]);
        new w.Attention({ conversations: window.space, NotificationImpl: w.FakeNotification });""",
    )
    assert favicon(page) == ICON
    set_counts(page, 2, 1)
    with_mention = painted(page)
    assert with_mention.startswith("data:image/png;base64,")
    set_counts(page, 0, 0)
    assert favicon(page) == ICON
    set_counts(page, 4, 0)
    unread_only = painted(page)
    assert unread_only.startswith("data:image/png;base64,") and unread_only != with_mention
    set_counts(page, 0, 0)
    assert favicon(page) == ICON


def test_counts_that_fall_to_zero_while_the_icon_loads_leave_no_badge(page):
    """The badge is drawn once the icon has loaded: counts read before that must not be drawn
    over what was set since."""
    run(
        page,
        """window.space = new w.Conversations([w.conversation("general")]);
        new w.Attention({ conversations: window.space, NotificationImpl: w.FakeNotification });""",
    )
    run(
        page,
        """const general = window.space.get("general");
        Object.assign(general, { unread: 2, mentions: 1 });
        window.space.emit("change");  // the icon starts loading
        Object.assign(general, { unread: 0, mentions: 0 });
        window.space.emit("change");  // read in another tab before it has
        """,
    )
    page.wait_for_timeout(500)
    assert favicon(page) == ICON
    set_counts(page, 3, 0)  # and the badge still comes when there is something
    assert painted(page).startswith("data:image/png;base64,")


# ---- desktop notifications ----


def notified(page, script: str):
    """Runs `script` with `space`, `attention`, `post(room, mention)`; the notifications shown."""
    return run(
        page,
        """
        const space = new w.Conversations([
          w.conversation("all", { notify: "all" }),
          w.conversation("mentions", { notify: "mentions" }),
          w.conversation("none", { notify: "none" }),
          w.conversation("dm-3", { kind: "dm", name: "Bob", notify: "all" }),
        ]);
        space.setUser(w.ada);
        const attention = new w.Attention({ conversations: space, doc: w.screen, NotificationImpl: w.FakeNotification });
        const post = (room, mention = false) => space.applyChange(w.message(room, mention));
        """
        + script
        + """
        return w.shown.map((n) => [n.title, n.options.body, n.options.tag]);
        """,
    )


def test_each_conversation_notifies_as_its_level_says(page):
    assert notified(
        page,
        """
        for (const room of ["all", "mentions", "none", "dm-3"]) { post(room); post(room, true); }
        """,
    ) == [
        ["Bob in #all", "hi", "parley-all"],
        ["Bob in #all", "@ada look", "parley-all"],
        ["Bob in #mentions", "@ada look", "parley-mentions"],
        ["Bob in Bob", "hi", "parley-dm-3"],
        ["Bob in Bob", "@ada look", "parley-dm-3"],
    ]


def test_nothing_for_the_conversation_on_screen_while_it_is_looked_at(page):
    assert notified(
        page,
        """
        attention.setCurrent("all");
        post("all");                          // on screen, visible, focused: nothing
        post("mentions", true);               // another conversation: notified
        w.screen.focused = false;
        post("all");                          // the window is not focused
        w.screen.focused = true;
        w.screen.visibilityState = "hidden";
        post("all", true);                    // the tab is hidden
        """,
    ) == [
        ["Bob in #mentions", "@ada look", "parley-mentions"],
        ["Bob in #all", "hi", "parley-all"],
        ["Bob in #all", "@ada look", "parley-all"],
    ]


def test_nothing_without_the_permission(page):
    shown = notified(
        page,
        """
        w.FakeNotification.permission = "default";
        post("all", true);
        w.FakeNotification.permission = "denied";
        post("dm-3");
        """,
    )
    assert shown == []


def test_a_notification_clicked_opens_its_conversation(page):
    assert run(
        page,
        """
        const space = new w.Conversations([w.conversation("all", { notify: "all" })]);
        space.setUser(w.ada);
        new w.Attention({ conversations: space, doc: w.screen, NotificationImpl: w.FakeNotification });
        const opened = [];
        document.addEventListener("parley:open", (event) => opened.push(event.detail));
        const frame = w.message("all");
        space.applyChange(frame);
        const [note] = w.shown;
        note.onclick();
        return [opened, frame.message.id, note.closed];
        """,
    ) == [[{"slug": "all", "id": 101}], 101, True]


def test_the_permission_is_asked_only_when_the_person_says_so(page):
    assert run(
        page,
        """
        w.FakeNotification.permission = "default";
        const space = new w.Conversations([]);
        const attention = new w.Attention({ conversations: space, doc: w.screen, NotificationImpl: w.FakeNotification });
        const before = [w.FakeNotification.asked, attention.canAsk(), attention.enabled()];
        w.FakeNotification.permission = "granted";
        const answer = await attention.ask();
        const none = new w.Attention({ conversations: space, doc: w.screen, NotificationImpl: null });
        return [before, w.FakeNotification.asked, answer, attention.canAsk(), attention.enabled(),
                none.canAsk(), none.enabled(), await none.ask()];
        """,
    ) == [[0, True, False], 1, "granted", False, True, False, False, "denied"]


# ---- the real page ----

# The browser's Notification, undecided, counting the requests for the permission.
UNDECIDED = """
window.permissionRequests = 0;
window.Notification = class {
  static permission = "default";
  static requestPermission() {
    window.permissionRequests += 1;
    window.Notification.permission = "granted";
    return Promise.resolve("granted");
  }
  constructor() {}
};
"""


def test_loading_the_app_shell_asks_nothing_and_the_button_asks(new_page):
    page = new_page()
    sign_up(page, unique("asker"))
    page.add_init_script(UNDECIDED)
    page.goto("/")
    page.wait_for_function("() => window.parley?.socket.isOpen()")
    button = page.get_by_role("button", name="Enable desktop notifications")
    expect(button).to_be_visible()
    assert page.evaluate("window.permissionRequests") == 0
    open_room(page, unique("ask-"))  # a room loaded as a page too
    expect(button).to_be_visible()
    assert page.evaluate("window.permissionRequests") == 0
    button.click()
    expect(button).to_be_hidden()
    assert page.evaluate("window.permissionRequests") == 1
    assert page.evaluate("window.Notification.permission") == "granted"


def test_the_button_is_not_offered_once_the_browser_was_answered(new_page):
    page = new_page()
    sign_up(page, unique("answered"))
    page.add_init_script(UNDECIDED.replace('permission = "default"', 'permission = "denied"'))
    page.goto("/")
    page.wait_for_function("() => window.parley?.socket.isOpen()")
    expect(page.locator("#enable-notifications")).to_be_hidden()
    assert page.evaluate("window.permissionRequests") == 0
