"""socket.js's protocol v2 logic, run in chromium against a fake WebSocket the test drives:
event seq gaps, duplicates, the version rule, resume, reset, requests answered by `done`, and
posts retried with their client_id."""

import re

import pytest

from .pages import harness

pytestmark = pytest.mark.browser

HARNESS = """
async () => {
  const module = await import("/static/parley/socket.js");
  class FakeSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.sent = [];
      FakeSocket.all.push(this);
    }
    send(text) { this.sent.push(JSON.parse(text)); }
    close() { this.readyState = 3; }
    // What the server does:
    accept(user = { id: 1, username: "me", display_name: "Me" }) {
      this.readyState = 1;
      this.receive({ type: "hello", protocol: 2, user });
    }
    receive(frame) { this.onmessage({ data: JSON.stringify(frame) }); }
    drop(code = 1006) { this.readyState = 3; this.onclose({ code }); }
  }
  FakeSocket.all = [];
  const socket = new module.ParleySocket({
    url: "ws://test/ws/?protocol=2", WebSocketImpl: FakeSocket, storage: null, random: () => 0,
  });
  const events = [];
  for (const type of ["status", "fresh", "change", "ack", "post-failed", "identity"]) {
    socket.addEventListener(type, (event) => events.push({ type, ...event.detail }));
  }
  const other = { id: 2, username: "other", display_name: "Other" };
  // A MESSAGE as the server sends it; `number` is its seq (its number in the room).
  const payload = (id, extra = {}) => ({
    room: "r", seq: id, id, author: other, body: `m${id}`, html: "", is_action: false,
    created_at: "2026-01-01T00:00:00Z", client_id: `c${id}`, edited_at: null, deleted: false,
    thread_root: null, in_room: true, reply_count: 0, last_reply_at: null, repliers: [],
    pinned: false, reactions: [], version: 0, ...extra,
  });
  // A post at event seq `seq` of message `id`.
  const message = (seq, id = seq, extra = {}) => ({
    type: "message", room: "r", seq, message: payload(id, { version: seq, ...extra }), root: null,
  });
  const reaction = (seq, id, emoji = "👍") => ({
    type: "reaction_added", room: "r", seq, message_id: id, emoji, user: other, count: 1,
  });
  const last = () => FakeSocket.all[FakeSocket.all.length - 1];
  const seqs = () => events.filter((e) => e.type === "change").map((e) => e.frame.seq);
  window.h = { module, socket, FakeSocket, events, payload, message, reaction, last, seqs };
}
"""


@pytest.fixture
def page(new_page):
    return harness(new_page(), HARNESS)


def run(page, script: str):
    return page.evaluate(
        "() => { const { socket, FakeSocket, events, payload, message, reaction, last, seqs }"
        f" = window.h; {script} }}"
    )


def connect(page, last_seq: int = 0):
    run(
        page,
        f"""
        socket.subscribe("r"); socket.connect();
        last().accept();
        last().receive({{ type: "subscribed", room: "r", last_seq: {last_seq} }});
    """,
    )


def reconnect(page, sockets: int = 2):
    page.wait_for_function(f"() => window.h.FakeSocket.all.length === {sockets}")
    run(page, "last().accept();")


def test_the_page_asks_for_protocol_2(page):
    assert page.evaluate(
        "() => window.h.module.defaultUrl({ protocol: 'https:', host: 'chat.example' })"
    ) == ("wss://chat.example/ws/?protocol=2")


def test_first_subscribe_starts_fresh_from_the_rooms_last_seq(page):
    connect(page, last_seq=5)
    assert run(page, "return last().sent[0]") == {
        "type": "subscribe",
        "room": "r",
        "ref": "subscribe:r",
    }
    assert run(page, "return events.filter(e => e.type === 'fresh')") == [
        {"type": "fresh", "room": "r", "lastSeq": 5}
    ]
    assert run(page, "return socket.status") == "live"


def test_every_kind_of_change_is_emitted_once_in_order(page):
    connect(page, last_seq=5)
    run(
        page,
        """
        last().receive(message(6, 1));
        last().receive(reaction(7, 1));
        last().receive({ type: "message_edited", room: "r", seq: 8, message: payload(1, { body: "new", version: 8 }) });
        last().receive({ type: "member", room: "r", seq: 9, user: { id: 3 }, change: "joined" });
        last().receive({ type: "a_kind_from_the_future", room: "r", seq: 10 });
        last().receive(reaction(7, 1));
        last().receive(message(6, 1));
    """,
    )
    assert run(page, "return events.filter(e => e.type === 'change').map(e => e.frame.type)") == [
        "message",
        "reaction_added",
        "message_edited",
        "member",
        "a_kind_from_the_future",
    ]
    # No gap was seen: a kind this client does not know still counts in the stream.
    assert run(page, "return last().sent.filter(f => f.type === 'subscribe').length") == 1


def test_a_seq_gap_subscribes_again_from_the_last_contiguous_seq(page):
    connect(page, last_seq=5)
    run(
        page, "last().receive(message(6)); last().receive(message(9)); last().receive(message(10));"
    )
    assert run(page, "return seqs()") == [6]
    sent = run(page, "return last().sent.filter(f => f.type !== 'ping')")
    # Not a history fill: the server replays the gap, whatever kind its changes are.
    assert sent[1:] == [{"type": "subscribe", "room": "r", "since": 6, "ref": "subscribe:r"}]
    run(
        page,
        """
        last().receive({ type: "subscribed", room: "r", last_seq: 10, ref: "subscribe:r" });
        for (const seq of [7, 8, 9, 10]) last().receive(message(seq));
        last().receive(message(11));
    """,
    )
    # 9 and 10 waited for the gap: changes are emitted in seq order.
    assert run(page, "return seqs()") == [6, 7, 8, 9, 10, 11]
    assert run(page, "return events.filter(e => e.type === 'fresh').length") == 1
    assert run(page, "return last().sent.filter(f => f.type === 'subscribe').length") == 2


def test_a_change_already_in_a_history_page_is_skipped_by_the_version_rule(page):
    connect(page, last_seq=5)
    # The page was read after changes 6-8 to message 3 were committed, and arrives first.
    run(
        page,
        """
        window.page = socket.history("r");
        last().receive({ type: "history", room: "r", ref: last().sent.at(-1).ref, has_more: false,
                         messages: [payload(3, { version: 8 })] });
        last().receive(reaction(6, 3));
        last().receive(message(7, 20));
        last().receive({ type: "message_edited", room: "r", seq: 8, message: payload(3, { version: 8 }) });
        last().receive(reaction(9, 3));
    """,
    )
    assert run(page, "return seqs()") == [7, 9]
    # And the changes skipped still count: no gap.
    assert run(page, "return last().sent.filter(f => f.type === 'subscribe').length") == 1


def test_a_thread_reply_carries_its_roots_new_version(page):
    connect(page, last_seq=5)
    run(
        page,
        """
        last().receive({ ...message(6, 30, { seq: null, thread_root: 3, in_room: false }),
                         root: { id: 3, reply_count: 1, last_reply_at: null, repliers: [], version: 6 } });
        last().receive(reaction(7, 3));
    """,
    )
    assert run(page, "return seqs()") == [6, 7]
    assert run(page, "return socket.rooms.get('r').versions.get(3)") == 7


def test_reconnect_resumes_from_the_last_contiguous_seq(page):
    connect(page, last_seq=5)
    run(page, "last().receive(message(6)); last().receive(reaction(8, 6)); last().drop();")
    assert run(page, "return socket.status") == "reconnecting"
    reconnect(page)
    # 7 never arrived, so the resume starts after 6; 8 waited for it, and is emitted once.
    assert run(page, "return last().sent[0]") == {
        "type": "subscribe",
        "room": "r",
        "since": 6,
        "ref": "subscribe:r",
    }
    run(
        page,
        """
        last().receive({ type: "subscribed", room: "r", last_seq: 9 });
        last().receive({ type: "message_deleted", room: "r", seq: 7, message: payload(6, { deleted: true, body: "", version: 7 }) });
        last().receive(reaction(8, 6));
        last().receive({ type: "message_pinned", room: "r", seq: 9, message_id: 6, user: { id: 2 } });
    """,
    )
    assert run(page, "return seqs()") == [6, 7, 8, 9]
    assert run(page, "return events.filter(e => e.type === 'fresh').length") == 1


def test_reset_starts_the_room_afresh(page):
    connect(page, last_seq=5)
    run(page, "last().drop();")
    reconnect(page)
    run(
        page,
        """
        last().receive({ type: "subscribed", room: "r", last_seq: 900 });
        last().receive({ type: "reset", room: "r", last_seq: 900 });
        last().receive(message(900));
        last().receive(message(901));
    """,
    )
    assert run(page, "return events.filter(e => e.type === 'fresh').at(-1)") == {
        "type": "fresh",
        "room": "r",
        "lastSeq": 900,
        "reset": True,
    }
    assert run(page, "return seqs()") == [901]


def test_an_unacknowledged_post_is_resent_with_the_same_client_id(page):
    run(page, "window.cid = socket.post('r', 'hello');")  # queued before connecting
    connect(page)
    first = run(page, "return last().sent.filter(f => f.type === 'post')")
    assert first == [
        {
            "type": "post",
            "room": "r",
            "body": "hello",
            "client_id": run(page, "return cid"),
            "ref": run(page, "return cid"),
        }
    ]
    run(page, "last().drop();")
    reconnect(page)
    run(page, "last().receive({ type: 'subscribed', room: 'r', last_seq: 0 });")
    assert run(page, "return last().sent.filter(f => f.type === 'post')") == first
    run(
        page,
        "last().receive({ type: 'ack', client_id: cid, room: 'r', seq: 1, number: 1, id: 1, ref: cid });",
    )
    assert run(page, "return socket.outbox.size") == 0
    assert run(page, "return events.filter(e => e.type === 'ack').map(e => [e.seq, e.number])") == [
        [1, 1]
    ]


def test_a_thread_reply_is_posted_and_kept_with_its_thread(page):
    kept = page.evaluate("""() => {
        const { module, FakeSocket } = window.h;
        const store = new Map();
        const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v) };
        const first = new module.ParleySocket({ url: "ws://test/", WebSocketImpl: FakeSocket, storage });
        first.post("r", "in the thread", { threadRoot: 3, alsoToRoom: true });
        first.close();
        // A reload: a new page, the same sessionStorage.
        const second = new module.ParleySocket({ url: "ws://test/", WebSocketImpl: FakeSocket, storage });
        return second.pendingPosts("r").map(({ body, thread_root, also_to_room }) => [body, thread_root, also_to_room]);
    }""")
    assert kept == [["in the thread", 3, True]]
    run(page, "window.cid = socket.post('r', 'reply', { threadRoot: 3 });")
    connect(page)
    assert run(page, "return last().sent.filter(f => f.type === 'post')") == [
        {
            "type": "post",
            "room": "r",
            "body": "reply",
            "client_id": run(page, "return cid"),
            "ref": run(page, "return cid"),
            "thread_root": 3,
            "also_to_room": False,
        }
    ]


def test_own_message_replayed_on_resume_settles_the_post(page):
    connect(page)
    run(
        page,
        """
        window.cid = socket.post('r', 'mine');
        last().receive(message(1, 1, { client_id: cid, author: { id: 1, username: "me", display_name: "Me" } }));
    """,
    )
    assert run(page, "return socket.outbox.size") == 0
    assert run(page, "return events.filter(e => e.type === 'ack').map(e => e.client_id)") == [
        run(page, "return cid")
    ]


def test_an_anonymous_socket_learns_its_guest_from_its_first_post(page):
    run(
        page,
        """
        socket.subscribe("r"); socket.connect();
        last().accept({ id: null, username: null, display_name: "Anonymous" });
        last().receive({ type: "subscribed", room: "r", last_seq: 0 });
        window.cid = socket.post('r', 'hi');
        last().receive({ type: 'ack', client_id: cid, room: 'r', seq: 1, number: 1, id: 1, ref: cid });
        last().receive(message(1, 1, { client_id: cid, author: { id: 9, username: "guest-x", display_name: "Anonymous" } }));
    """,
    )
    assert run(page, "return events.filter(e => e.type === 'identity').map(e => e.user.id)") == [9]
    assert run(page, "return socket.user.id") == 9


def test_requests_are_answered_by_done_and_fail_on_error_or_a_drop(page):
    connect(page)
    run(
        page,
        """
        window.results = [];
        const note = (p) => p.then((f) => results.push(["done", f.seq]), (e) => results.push(["error", e.code]));
        note(socket.edit("r", 1, "new body"));
        note(socket.react("r", 1, "👍"));
        note(socket.pin("r", 1));
        const [edit, react, pin] = last().sent.slice(-3);
        last().receive({ type: "done", room: "r", seq: 7, ref: edit.ref });
        last().receive({ type: "error", code: "forbidden", message: "No.", ref: react.ref });
        note(socket.deleteMessage("r", 1));
        last().drop();
    """,
    )
    page.wait_for_function("() => window.results.length === 4")
    assert run(page, "return results") == [
        ["done", 7],
        ["error", "forbidden"],
        ["error", "disconnected"],
        ["error", "disconnected"],
    ]
    sent = run(page, "return FakeSocket.all[0].sent.filter(f => f.ref?.startsWith('r'))")
    assert [{k: v for k, v in f.items() if k != "ref"} for f in sent] == [
        {"type": "edit", "room": "r", "id": 1, "body": "new body"},
        {"type": "react", "room": "r", "id": 1, "emoji": "👍"},
        {"type": "pin", "room": "r", "id": 1},
        {"type": "delete", "room": "r", "id": 1},
    ]


def test_rate_limited_post_waits_then_is_resent(page):
    connect(page)
    run(
        page,
        """
        window.cid = socket.post('r', 'slow down');
        last().receive({ type: 'error', code: 'rate_limited', message: 'Too many', retry_after: 0.2, ref: cid });
    """,
    )
    assert run(page, "return last().sent.filter(f => f.type === 'post').length") == 1
    page.wait_for_function("() => window.h.last().sent.filter(f => f.type === 'post').length === 2")


def test_rejected_post_is_reported_and_not_retried(page):
    connect(page)
    run(
        page,
        """
        window.cid = socket.post('r', 'x'.repeat(5000));
        last().receive({ type: 'error', code: 'too_long', message: 'Too long', ref: cid });
    """,
    )
    assert run(page, "return events.filter(e => e.type === 'post-failed').map(e => e.code)") == [
        "too_long"
    ]
    assert run(page, "return socket.outbox.size") == 0


def test_one_post_is_in_flight_at_a_time_so_posts_keep_their_order(page):
    connect(page)
    run(page, "for (let n = 0; n < 3; n++) socket.post('r', `p${n}`);")
    sent = "return last().sent.filter(f => f.type === 'post').map(f => f.body)"
    assert run(page, sent) == ["p0"]
    # p0 must be retried: p1 still waits, so it cannot be stored before p0.
    run(
        page,
        "const p = last().sent.find(f => f.type === 'post'); last().receive({ type: 'error', code: 'rate_limited', retry_after: 0.05, message: 'slow', ref: p.client_id });",
    )
    page.wait_for_timeout(200)
    assert run(page, sent) == ["p0", "p0"]
    run(
        page,
        "const p = last().sent.at(-1); last().receive({ type: 'ack', client_id: p.client_id, room: 'r', seq: 1, number: 1, id: 1 });",
    )
    assert run(page, sent) == ["p0", "p0", "p1"]


def test_not_authenticated_close_stops_reconnecting(page):
    connect(page)
    run(page, "last().drop(4401);")
    page.wait_for_timeout(400)
    assert run(page, "return [socket.status, FakeSocket.all.length]") == ["signed-out", 1]


def test_a_subscription_the_server_ends_is_forgotten_and_reported(page):
    connect(page)
    run(
        page,
        "window.lost = []; socket.addEventListener('lost', (e) => window.lost.push(e.detail));",
    )
    run(page, "last().receive({ type: 'unsubscribed', room: 'r', reason: 'removed' });")
    # Reported for that room (the view showing it says so); the socket goes on for the others.
    assert run(page, "return [window.lost, socket.status]") == [
        [{"room": "r", "reason": "removed"}],
        "live",
    ]
    run(page, "last().drop(1006);")
    reconnect(page)
    assert run(page, "return last().sent.filter(f => f.type === 'subscribe')") == []


def test_backoff_grows_with_jitter_and_is_capped(page):
    delays = page.evaluate("""() => {
        const { backoffDelay } = window.h.module;
        return [0, 1, 2, 10].map(n => [backoffDelay(n, { random: () => 0 }), backoffDelay(n, { random: () => 1 })]);
    }""")
    assert delays == [[250, 500], [500, 1000], [1000, 2000], [15000, 30000]]


def test_client_ids_are_uuid4_with_or_without_random_uuid(page):
    ids = page.evaluate("""() => {
        const { newClientId } = window.h.module;
        const native = newClientId();
        const randomUUID = crypto.randomUUID;
        crypto.randomUUID = undefined;  // as on a plain-http page
        try { return [native, newClientId(), newClientId()]; } finally { crypto.randomUUID = randomUUID; }
    }""")
    pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"
    assert all(re.match(pattern, client_id) for client_id in ids)
    assert len(set(ids)) == 3


def test_keepalive_pings(page):
    page.evaluate("""() => {
        const { ParleySocket } = window.h.module;
        const socket = new ParleySocket({ url: "ws://test/ws/", WebSocketImpl: window.h.FakeSocket, storage: null, pingInterval: 50 });
        socket.connect();
        window.h.last().accept();
    }""")
    page.wait_for_function("() => window.h.last().sent.some(f => f.type === 'ping')")


def test_a_refused_subscribe_is_reported_not_retried(page):
    run(
        page,
        """
        window.lost = []; socket.addEventListener("lost", (e) => window.lost.push(e.detail));
        socket.subscribe("r"); socket.connect(); last().accept();
        last().receive({ type: "error", code: "forbidden", message: "No.", ref: "subscribe:r" });
    """,
    )
    page.wait_for_timeout(400)
    assert run(page, "return [window.lost, socket.subscribedRooms(), FakeSocket.all.length]") == [
        [{"room": "r", "reason": "forbidden"}],
        [],
        1,
    ]


def test_a_thread_is_read_a_page_at_a_time_after_a_reply(page):
    connect(page)
    run(page, "socket.threadHistory('r', 3); socket.threadHistory('r', 3, { after: 12 });")
    sent = run(page, "return last().sent.filter(f => f.type === 'history')")
    assert [{k: v for k, v in f.items() if k != "ref"} for f in sent] == [
        {"type": "history", "room": "r", "thread": 3, "limit": 100},
        {"type": "history", "room": "r", "thread": 3, "after": 12, "limit": 100},
    ]


def test_unsubscribe_forgets_the_room_and_a_later_subscribe_starts_it_afresh(page):
    """The app shell leaves a room: its changes are no longer delivered, and coming back reads
    it afresh (a new `fresh`, a subscribe with no `since`)."""
    connect(page, last_seq=5)
    run(page, "socket.unsubscribe('r'); last().receive(message(6));")
    assert run(page, "return last().sent.at(-1)") == {"type": "unsubscribe", "room": "r"}
    assert run(page, "return socket.subscribedRooms()") == []
    assert run(page, "return seqs()") == []
    run(
        page,
        "socket.subscribe('r'); last().receive({ type: 'subscribed', room: 'r', last_seq: 6 });",
    )
    assert run(page, "return last().sent.at(-1)") == {
        "type": "subscribe",
        "room": "r",
        "ref": "subscribe:r",
    }
    assert run(page, "return events.filter(e => e.type === 'fresh').map(e => e.lastSeq)") == [5, 6]


def test_subscribing_to_a_room_followed_already_says_fresh_again(page):
    """A room kept subscribed (a post of it on its way when the shell left it) opened again: no
    second subscribe, and a `fresh` for the view that opens it now."""
    connect(page, last_seq=5)
    run(page, "last().receive(message(6));")
    sent = run(page, "return last().sent.length")
    run(page, "socket.subscribe('r');")
    page.wait_for_function("() => window.h.events.filter(e => e.type === 'fresh').length === 2")
    assert run(page, "return events.filter(e => e.type === 'fresh').map(e => e.lastSeq)") == [5, 6]
    assert run(page, "return last().sent.length") == sent


def test_subscribes_are_paced_under_the_frame_limit_and_the_room_on_screen_goes_first(page):
    """Hundreds of conversations followed must not trip the server's frame limit (50 a second,
    bursts of 200): a burst of 100, then 20 every half second; after a reconnect the room on
    screen resumes first. `since` starts a room from an event seq (no "fresh")."""
    subscribes = "return last().sent.filter(f => f.type === 'subscribe')"
    run(
        page,
        """
        for (let i = 0; i < 150; i++) socket.subscribe(`r${i}`, { since: 7 });
        socket.connect(); last().accept();
        """,
    )
    first = run(page, subscribes)
    assert len(first) == 100 and first[0] == {
        "type": "subscribe",
        "room": "r0",
        "ref": "subscribe:r0",
        "since": 7,
    }
    page.wait_for_timeout(650)
    assert len(run(page, subscribes)) == 120
    page.wait_for_timeout(1200)
    assert len(run(page, subscribes)) == 150
    assert run(page, "return events.filter(e => e.type === 'fresh').length") == 0

    run(page, "socket.setFocus('r149'); last().drop(1006);")
    page.wait_for_function("() => window.h.FakeSocket.all.length === 2")
    run(page, "last().accept();")
    again = run(page, subscribes)
    assert again[0]["room"] == "r149" and len(again) == 100
