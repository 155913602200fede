// A protocol v1 client (DESIGN.md, docs/protocol.md): one WebSocket at /ws/ for every room.
//
// What it promises the page:
// - every message of a subscribed room is emitted once ("message"), whether it arrives live,
//   is replayed on resume, or is fetched to fill a seq gap;
// - after a drop it reconnects (exponential backoff with jitter) and resumes each room from
//   the last contiguous seq it saw; a server `reset` becomes a "fresh" event (rebuild the
//   room from the latest history), as does the first subscribe;
// - a post is kept in an outbox (in sessionStorage, so a reload keeps it) until its `ack`,
//   and resent with the SAME client_id after a reconnect, which the server stores once.
//
// Events (CustomEvent, data in `detail`): status, hello, fresh, message, ack, post-failed,
// typing, named, error.

import { newClientId, Outbox, sessionStore } from "./outbox.js";

export { newClientId };

const HISTORY_MAX = 100; // the server's largest history page
// Posts in flight at once. One: a post that must be retried (rate_limited, unavailable) would
// otherwise be stored after the ones sent behind it, and messages must keep the order they
// were typed in. People type far slower than a post's round trip.
const POST_WINDOW = 1;

export function defaultUrl(loc = window.location) {
  return `${loc.protocol === "https:" ? "wss" : "ws"}://${loc.host}/ws/`;
}

// Delay before reconnect attempt `attempt` (0, 1, 2, ...): "equal jitter" backoff, so that a
// server restart is not met by every client at the same instant.
export function backoffDelay(attempt, { base = 500, max = 30000, random = Math.random } = {}) {
  const ceiling = Math.min(max, base * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
}

// Per-room seq bookkeeping. `contiguous`: every seq up to it (since the subscription's start)
// has been emitted; `seen`: emitted seqs above it; `highest`: the largest seq seen.
class RoomState {
  constructor(slug) {
    this.slug = slug;
    this.contiguous = null; // null until the first `subscribed`
    this.highest = 0;
    this.seen = new Set();
    this.subscribed = false; // on the current socket
  }

  restart(lastSeq) {
    this.contiguous = lastSeq;
    this.highest = lastSeq;
    this.seen.clear();
  }

  // Records `seq`; false when it was emitted before.
  accept(seq) {
    if (seq <= this.contiguous || this.seen.has(seq)) return false;
    this.seen.add(seq);
    this.highest = Math.max(this.highest, seq);
    while (this.seen.has(this.contiguous + 1)) {
      this.contiguous += 1;
      this.seen.delete(this.contiguous);
    }
    return true;
  }
}

export class ParleySocket extends EventTarget {
  constructor({
    url = defaultUrl(),
    WebSocketImpl = globalThis.WebSocket,
    storage = sessionStore(),
    pingInterval = 20000,
    random = Math.random,
  } = {}) {
    super();
    this.url = url;
    this.WebSocketImpl = WebSocketImpl;
    this.pingInterval = pingInterval;
    this.random = random;
    this.ws = null;
    this.user = null;
    this.status = "idle";
    this.rooms = new Map(); // slug -> RoomState
    this.outbox = new Outbox(storage);
    this.requests = new Map(); // ref -> {resolve, reject}
    this.nextRef = 1;
    this.attempt = 0;
    this.reconnectTimer = null;
    this.keepaliveTimer = null;
    this.pausedUntil = 0; // after `rate_limited`, posts wait until then
    this.pumpTimer = null;
    this.lastFrameAt = 0;
    this.stopped = false;
    this.onOnline = () => this.reconnectNow();
    // Going offline rarely closes a socket by itself; drop it now and resume once online.
    this.onOffline = () => this.drop();
    globalThis.addEventListener?.("online", this.onOnline);
    globalThis.addEventListener?.("offline", this.onOffline);
  }

  // ---- public API ----

  connect() {
    this.stopped = false;
    this.open();
    return this;
  }

  close() {
    this.stopped = true;
    globalThis.removeEventListener?.("online", this.onOnline);
    globalThis.removeEventListener?.("offline", this.onOffline);
    this.detach();
    this.setStatus("closed");
  }

  subscribe(slug) {
    if (!this.rooms.has(slug)) this.rooms.set(slug, new RoomState(slug));
    if (this.isOpen()) this.sendSubscribe(this.rooms.get(slug));
  }

  // Queues a post and returns its client_id. It is sent when the room is subscribed on a live
  // socket, and again after every reconnect until acknowledged.
  post(room, body, clientId = newClientId()) {
    this.outbox.add(room, body, clientId);
    this.pump();
    return clientId;
  }

  pendingPosts(room) {
    return this.outbox.forRoom(room);
  }

  history(room, { before = null, limit = 50 } = {}) {
    const frame = { type: "history", room, limit: Math.min(limit, HISTORY_MAX) };
    if (before !== null) frame.before = before;
    return this.request(frame);
  }

  typing(room) {
    this.send({ type: "typing", room });
  }

  rename(displayName) {
    return this.request({ type: "name", display_name: displayName }).then((frame) => {
      this.user = frame.user;
      return frame.user;
    });
  }

  // ---- connection ----

  isOpen() {
    return this.ws !== null && this.ws.readyState === 1 && this.user !== null;
  }

  open() {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    this.detach();
    if (this.status === "idle") this.setStatus("connecting");
    else this.setStatus(globalThis.navigator?.onLine === false ? "offline" : "reconnecting");
    let ws;
    try {
      ws = new this.WebSocketImpl(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onmessage = (event) => this.onFrame(event.data);
    ws.onclose = (event) => this.onClose(event.code);
    ws.onerror = () => {}; // a close event follows
  }

  // Forget the socket without waiting for a closing handshake (a dead link never finishes it).
  detach() {
    clearInterval(this.keepaliveTimer);
    this.rejectRequests("disconnected");
    for (const state of this.rooms.values()) state.subscribed = false;
    this.outbox.unsend();
    this.user = null;
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        // already closed
      }
    }
  }

  drop() {
    if (this.stopped) return;
    this.detach();
    this.scheduleReconnect();
  }

  reconnectNow() {
    if (this.stopped || this.isOpen()) return;
    this.attempt = 0;
    this.open();
  }

  onClose(code) {
    this.ws = null;
    this.detach();
    if (code === 4401) return this.setStatus("signed-out");
    if (code === 4403) return this.setStatus("forbidden");
    if (code === 4000) this.attempt = 0; // the server asks for a prompt reconnect
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    if (this.stopped) return;
    clearTimeout(this.reconnectTimer);
    const delay = backoffDelay(this.attempt, { random: this.random });
    this.attempt += 1;
    const offline = globalThis.navigator?.onLine === false;
    this.setStatus(offline ? "offline" : "reconnecting", { retryIn: delay });
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }

  setStatus(status, extra = {}) {
    this.status = status;
    this.emit("status", { status, ...extra });
  }

  keepalive() {
    clearInterval(this.keepaliveTimer);
    this.lastFrameAt = Date.now();
    this.keepaliveTimer = setInterval(() => {
      // Any frame proves the link alive; silence for two intervals means it is dead.
      if (Date.now() - this.lastFrameAt > 2 * this.pingInterval + 5000) {
        this.drop();
      } else {
        this.send({ type: "ping" });
      }
    }, this.pingInterval);
  }

  // ---- frames in ----

  onFrame(text) {
    this.lastFrameAt = Date.now();
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    const handler = this[`on_${frame.type}`];
    if (handler) handler.call(this, frame);
  }

  on_hello(frame) {
    this.user = frame.user;
    this.keepalive();
    this.emit("hello", { user: frame.user });
    for (const state of this.rooms.values()) this.sendSubscribe(state);
    if (this.rooms.size === 0) this.live();
  }

  on_subscribed(frame) {
    const state = this.rooms.get(frame.room);
    if (!state) return;
    state.subscribed = true;
    if (state.contiguous === null) {
      state.restart(frame.last_seq);
      this.emit("fresh", { room: frame.room, lastSeq: frame.last_seq });
    }
    // A resume is followed by the replay of everything after `since` (or by `reset`).
    this.live();
    this.pump();
  }

  on_reset(frame) {
    const state = this.rooms.get(frame.room);
    if (!state) return;
    state.restart(frame.last_seq);
    this.emit("fresh", { room: frame.room, lastSeq: frame.last_seq, reset: true });
  }

  on_message(frame) {
    const state = this.rooms.get(frame.room);
    if (!state || state.contiguous === null) return;
    const gapFrom = state.highest;
    if (!state.accept(frame.seq)) return;
    if (frame.seq > gapFrom + 1) this.fillGap(frame.room, gapFrom, frame.seq);
    const { type, ...message } = frame;
    this.emit("message", { message });
    this.settleOwn(message);
  }

  on_ack(frame) {
    this.outbox.take(frame.client_id);
    this.emit("ack", { client_id: frame.client_id, room: frame.room, seq: frame.seq, id: frame.id });
    this.pump();
  }

  on_history(frame) {
    const waiter = this.takeRequest(frame.ref);
    if (waiter) waiter.resolve(frame);
  }

  on_typing(frame) {
    this.emit("typing", { room: frame.room, user: frame.user });
  }

  on_member(frame) {
    this.emit("member", { room: frame.room, user: frame.user, change: frame.change });
  }

  on_named(frame) {
    const waiter = this.takeRequest(frame.ref);
    if (waiter) waiter.resolve(frame);
    this.emit("named", { user: frame.user });
  }

  on_pong() {}

  on_unsubscribed(frame) {
    // With a reason, the server ended the subscription: you left the room or were removed
    // from it, and may no longer see it. Forget the room (a reconnect must not resubscribe)
    // and say so (a page shows one room).
    if (!frame.reason || !this.rooms.delete(frame.room)) return;
    this.setStatus("forbidden");
  }

  on_error(frame) {
    const entry = frame.ref ? this.outbox.get(frame.ref) : undefined;
    if (entry) return this.postError(entry, frame);
    if (frame.ref?.startsWith("subscribe:")) {
      // No such room or no longer allowed in: stay put and say so (a page shows one room).
      // Anything else (the database unavailable, say) is retried with backoff.
      if (frame.code === "forbidden" || frame.code === "not_found") this.setStatus("forbidden");
      else this.drop();
    }
    const waiter = this.takeRequest(frame.ref);
    const error = Object.assign(new Error(frame.message), { code: frame.code });
    if (waiter) waiter.reject(error);
    this.emit("error", { code: frame.code, message: frame.message, ref: frame.ref });
  }

  // ---- posts ----

  // Sends queued posts in order, at most POST_WINDOW unacknowledged at a time.
  pump() {
    clearTimeout(this.pumpTimer);
    if (!this.isOpen()) return;
    const wait = this.pausedUntil - Date.now();
    if (wait > 0) {
      this.pumpTimer = setTimeout(() => this.pump(), wait);
      return;
    }
    let inFlight = 0;
    for (const entry of this.outbox.values()) {
      if (inFlight >= POST_WINDOW) break;
      if (entry.sent) {
        inFlight += 1;
        continue;
      }
      if (!this.rooms.get(entry.room)?.subscribed) continue;
      this.send({ type: "post", room: entry.room, body: entry.body, client_id: entry.client_id, ref: entry.client_id });
      entry.sent = true;
      inFlight += 1;
    }
  }

  postError(entry, frame) {
    if (frame.code === "rate_limited" || frame.code === "unavailable") {
      entry.sent = false;
      const seconds = frame.code === "rate_limited" ? Number(frame.retry_after) || 1 : 2;
      this.pausedUntil = Math.max(this.pausedUntil, Date.now() + seconds * 1000);
      this.pump();
      return;
    }
    this.outbox.take(entry.client_id);
    this.emit("post-failed", { client_id: entry.client_id, room: entry.room, code: frame.code, message: frame.message });
    this.pump();
  }

  // Our own message came back (live or replayed): it is stored, whether or not its ack made it.
  settleOwn(message) {
    if (!this.user || message.author.id !== this.user.id || !this.outbox.take(message.client_id)) return;
    this.emit("ack", { client_id: message.client_id, room: message.room, seq: message.seq, id: message.id });
  }

  // ---- plumbing ----

  live() {
    this.attempt = 0;
    if (this.status !== "live") this.setStatus("live");
  }

  sendSubscribe(state) {
    const frame = { type: "subscribe", room: state.slug, ref: `subscribe:${state.slug}` };
    if (state.contiguous !== null) frame.since = state.contiguous;
    this.send(frame);
  }

  // Fetch seqs from+1 .. to-1 in pages of at most HISTORY_MAX, newest page first.
  fillGap(room, from, to) {
    for (let before = to; before - 1 > from; before -= HISTORY_MAX) {
      const limit = Math.min(HISTORY_MAX, before - 1 - from);
      this.history(room, { before, limit })
        .then((frame) => {
          for (const message of frame.messages) this.on_message({ type: "message", ...message });
        })
        .catch(() => {}); // a drop: the resume replays from the last contiguous seq
    }
  }

  request(frame) {
    if (!this.isOpen()) return Promise.reject(Object.assign(new Error("Not connected."), { code: "disconnected" }));
    const ref = `r${this.nextRef++}`;
    return new Promise((resolve, reject) => {
      this.requests.set(ref, { resolve, reject });
      this.send({ ...frame, ref });
    });
  }

  takeRequest(ref) {
    const waiter = ref ? this.requests.get(ref) : undefined;
    if (waiter) this.requests.delete(ref);
    return waiter;
  }

  rejectRequests(code) {
    for (const waiter of this.requests.values()) {
      waiter.reject(Object.assign(new Error("The connection dropped."), { code }));
    }
    this.requests.clear();
  }

  send(frame) {
    if (this.ws && this.ws.readyState === 1) this.ws.send(JSON.stringify(frame));
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
