"""socket.js's protocol logic, run in chromium against a fake WebSocket the test drives:
seq gaps, duplicates, resume, reset, and posts retried with their client_id."""

import re

import pytest

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
      this.receive({ type: "hello", protocol: 1, user });
    }
    receive(frame) { this.onmessage({ data: JSON.stringify(frame) }); }
    drop(code = 1006) { this.readyState = 3; this.onclose({ code }); }
  }
  FakeSocket.all = [];
  const socket = new module.ParleySocket({
    url: "ws://test/ws/", WebSocketImpl: FakeSocket, storage: null, random: () => 0,
  });
  const events = [];
  for (const type of ["status", "fresh", "message", "ack", "post-failed"]) {
    socket.addEventListener(type, (event) => events.push({ type, ...event.detail }));
  }
  const message = (seq, extra = {}) => ({
    type: "message", room: "r", seq, id: seq, body: `m${seq}`, client_id: `c${seq}`,
    created_at: "2026-01-01T00:00:00Z", author: { id: 2, username: "other", display_name: "Other" },
    ...extra,
  });
  const last = () => FakeSocket.all[FakeSocket.all.length - 1];
  const seqs = () => events.filter((e) => e.type === "message").map((e) => e.message.seq);
  window.h = { module, socket, FakeSocket, events, message, last, seqs };
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
        f"() => {{ const {{ socket, FakeSocket, events, message, last, seqs }} = window.h; {script} }}"
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


def test_a_seq_gap_is_filled_with_history_and_duplicates_are_dropped(page):
    connect(page, last_seq=5)
    run(page, "last().receive(message(6)); last().receive(message(9));")
    assert run(page, "return last().sent.at(-1)") == {
        "type": "history",
        "room": "r",
        "before": 9,
        "limit": 2,
        "ref": "r1",
    }
    run(
        page,
        """
        last().receive({ type: "history", room: "r", ref: "r1", has_more: true,
                         messages: [message(7), message(8)].map(({ type, ...m }) => m) });
    """,
    )
    assert run(page, "return seqs()") == [6, 9, 7, 8]
    run(page, "last().receive(message(8)); last().receive(message(6));")
    assert run(page, "return seqs()") == [6, 9, 7, 8]


def test_a_large_gap_is_fetched_in_pages_of_at_most_100(page):
    connect(page, last_seq=0)
    run(page, "last().receive(message(1)); last().receive(message(251));")
    requests = run(
        page, "return last().sent.filter(f => f.type === 'history').map(f => [f.before, f.limit])"
    )
    assert requests == [[251, 100], [151, 100], [51, 49]]


def test_reconnect_resumes_from_the_last_contiguous_seq(page):
    connect(page, last_seq=5)
    run(page, "last().receive(message(6)); last().receive(message(8)); last().drop();")
    assert run(page, "return socket.status") == "reconnecting"
    page.wait_for_function("() => window.h.FakeSocket.all.length === 2")
    run(page, "last().accept();")
    # 7 never arrived, so the resume starts after 6; 8 is not emitted twice.
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
        for (const seq of [7, 8, 9]) last().receive(message(seq));
    """,
    )
    assert run(page, "return seqs()") == [6, 8, 7, 9]
    assert run(page, "return events.filter(e => e.type === 'fresh').length") == 1


def test_reset_starts_the_room_afresh(page):
    connect(page, last_seq=5)
    run(page, "last().drop();")
    page.wait_for_function("() => window.h.FakeSocket.all.length === 2")
    run(
        page,
        """
        last().accept();
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
    page.wait_for_function("() => window.h.FakeSocket.all.length === 2")
    run(page, "last().accept(); last().receive({ type: 'subscribed', room: 'r', last_seq: 0 });")
    assert run(page, "return last().sent.filter(f => f.type === 'post')") == first
    run(
        page, "last().receive({ type: 'ack', client_id: cid, room: 'r', seq: 1, id: 1, ref: cid });"
    )
    assert run(page, "return socket.outbox.size") == 0
    assert run(page, "return events.filter(e => e.type === 'ack').map(e => e.seq)") == [1]


def test_own_message_replayed_on_resume_settles_the_post(page):
    connect(page)
    run(
        page,
        """
        window.cid = socket.post('r', 'mine');
        last().receive(message(1, { client_id: cid, author: { id: 1, username: "me", display_name: "Me" } }));
    """,
    )
    assert run(page, "return socket.outbox.size") == 0
    assert run(page, "return events.filter(e => e.type === 'ack').map(e => e.client_id)") == [
        run(page, "return cid")
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
        "const p = last().sent.at(-1); last().receive({ type: 'ack', client_id: p.client_id, room: 'r', seq: 1, id: 1 });",
    )
    assert run(page, sent) == ["p0", "p0", "p1"]


def test_not_authenticated_close_stops_reconnecting(page):
    connect(page)
    run(page, "last().drop(4401);")
    page.wait_for_timeout(400)
    assert run(page, "return [socket.status, FakeSocket.all.length]") == ["signed-out", 1]


def test_a_subscription_the_server_ends_is_forgotten_and_reported(page):
    connect(page)
    run(page, "last().receive({ type: 'unsubscribed', room: 'r', reason: 'removed' });")
    assert run(page, "return socket.status") == "forbidden"
    run(page, "last().drop(1006);")
    page.wait_for_function("() => window.h.FakeSocket.all.length === 2")
    run(page, "last().accept();")
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
        socket.subscribe("r"); socket.connect(); last().accept();
        last().receive({ type: "error", code: "forbidden", message: "No.", ref: "subscribe:r" });
    """,
    )
    page.wait_for_timeout(400)
    assert run(page, "return [socket.status, FakeSocket.all.length]") == ["forbidden", 1]
