// A protocol v2 client (docs/protocol.md): one WebSocket at /ws/?protocol=2 for every room.
//
// In v2 every durable change to a room (a post or thread reply, an edit, a deletion, a
// reaction, a pin, a rename, a membership) is a frame with the room's next event `seq`. What
// this module promises the page:
// - every change of a subscribed room is emitted once ("change"), in seq order, whether it
//   arrives live or is replayed on resume (one that arrives past a gap waits for the gap); a change already reflected in a message the page
//   holds is not emitted at all (the version rule: a frame about a message whose seq is at or
//   below that message's `version` is skipped, wherever that message was read: a frame, a
//   history page, a thread);
// - the server refills gaps itself; should the client still see one (a seq past the next), it
//   subscribes again from the last contiguous seq, and the replay fills it;
// - after a drop it reconnects (exponential backoff with jitter) and resumes each room from
//   the last contiguous seq it saw; a server `reset` becomes a "fresh" event (rebuild the
//   room from the latest history), as does the first subscribe;
// - a post is kept in an outbox (in sessionStorage, so a reload keeps it) until its `ack`,
//   and resent with the SAME client_id after a reconnect, which the server stores once.
// - edit, delete, react, unreact, pin, unpin and preview_remove are requests answered by `done` (the change
//   itself arrives as a "change" like everyone else's); they are not retried after a drop.
//
// Events (CustomEvent, data in `detail`): status, hello, ready, user, identity, fresh, change,
// ack, post-failed, typing, typing-stopped, presence, named, lost, error. "lost" {room, reason}:
// a room can no longer be followed (left, removed, not found). `ready` carries the user's
// conversations (sent after every hello), `user` each frame of the user's own stream after it
// (docs/protocol.md, "Your own stream"), in order.

import { newClientId, Outbox, sessionStore } from "./outbox.js";
import { changeTargets, RoomStream } from "./stream.js";

export { newClientId };

const HISTORY_MAX = 100; // the server's largest history page
// Posts in flight at once. One: a post that must be retried (rate_limited, unavailable) would
// otherwise be stored after the ones sent behind it, and messages must keep the order they
// were typed in. People type far slower than a post's round trip.
const POST_WINDOW = 1;
// Subscribes are paced: the server closes a socket that sends more than PARLEY_FRAME_RATE
// frames (50 a second, bursts of 200), and the app shell follows every conversation of yours
// (hundreds, after each reconnect). A burst of SUBSCRIBE_BURST, then SUBSCRIBE_STEP every
// SUBSCRIBE_EVERY ms (40 a second), leaves room for everything else.
const SUBSCRIBE_BURST = 100;
const SUBSCRIBE_STEP = 20;
const SUBSCRIBE_EVERY = 500;
// Frames that answer the client or say something about the socket; every other frame with a
// `room` and a numeric `seq` is a change in a room's event stream.
const REPLIES = new Set([
  "hello", "ready", "subscribed", "unsubscribed", "reset", "ack", "history", "done", "named", "pong", "error", "typing",
  "typing_stopped", "presence",
]);
// The frames of the user's own stream.
const USER_FRAMES = new Set(["conversation_added", "conversation_removed", "read_marker", "mentioned", "user_updated"]);

export function defaultUrl(loc = window.location) {
  return `${loc.protocol === "https:" ? "wss" : "ws"}://${loc.host}/ws/?protocol=2`;
}

// Delay before reconnect attempt `attempt` (0, 1, 2, ...): "equal jitter" backoff, so that a
// server restart is not met by every client at the same instant.
export function backoffDelay(attempt, { base = 500, max = 30000, random = Math.random } = {}) {
  const ceiling = Math.min(max, base * 2 ** attempt);
  return ceiling / 2 + random() * (ceiling / 2);
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
    this.rooms = new Map(); // slug -> RoomStream
    this.outbox = new Outbox(storage);
    this.requests = new Map(); // ref -> {resolve, reject, room?}
    // Posts acknowledged while the socket was anonymous: the first one back names the guest
    // the server made for it ("identity").
    this.ackedAnonymously = new Set();
    this.nextRef = 1;
    this.attempt = 0;
    this.reconnectTimer = null;
    this.keepaliveTimer = null;
    this.pausedUntil = 0; // after `rate_limited`, posts wait until then
    this.pumpTimer = null;
    this.subscribeQueue = []; // rooms to subscribe to, paced (queueSubscribe)
    this.subscribeBudget = SUBSCRIBE_BURST;
    this.subscribeTimer = null;
    this.focused = null; // the room on screen (setFocus): resumed first after a reconnect
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

  // Subscribes to a room. A room already followed (a post of it was still on its way when the
  // app shell last left it, so it stayed subscribed) gets a "fresh" event instead, soon, so
  // that the view opening it now reads its latest history. With `since` (an event seq, such as
  // `ready`'s), the room is followed from there: every change after it arrives, none before
  // (no "fresh": a view opening it later gets one then).
  subscribe(slug, { since = null } = {}) {
    const known = this.rooms.get(slug);
    if (known) {
      // Subscribed, or resuming: the first `subscribed` (contiguous still null) will say fresh.
      if (known.contiguous !== null) queueMicrotask(() => this.emit("fresh", { room: slug, lastSeq: known.contiguous }));
      return;
    }
    const state = new RoomStream(slug);
    if (since !== null) state.restart(since);
    this.rooms.set(slug, state);
    if (this.isOpen()) this.queueSubscribe(state);
  }

  // The room on screen: subscribed first, before the rooms followed only for their counts.
  setFocus(slug) {
    this.focused = slug;
    const index = this.subscribeQueue.findIndex((state) => state.slug === slug);
    if (index > 0) this.subscribeQueue.unshift(...this.subscribeQueue.splice(index, 1));
  }

  // Stops following a room (the app shell left it): its changes are no longer delivered, and
  // a later `subscribe` starts it afresh. Its unsent posts wait in the outbox until then.
  unsubscribe(slug) {
    if (!this.rooms.delete(slug)) return;
    if (this.isOpen()) this.send({ type: "unsubscribe", room: slug });
  }

  // The rooms followed now.
  subscribedRooms() {
    return [...this.rooms.keys()];
  }

  // Queues a post and returns its client_id. It is sent when the room is subscribed on a live
  // socket, and again after every reconnect until acknowledged. With `threadRoot` (a message
  // id) it is a reply in that thread, shown in the room too with `alsoToRoom`. `files`: ids of
  // the user's uploads (files.js) the message carries.
  post(room, body, { threadRoot = null, alsoToRoom = false, files = [], clientId = newClientId() } = {}) {
    this.outbox.add(room, body, clientId, { threadRoot, alsoToRoom, files });
    this.pump();
    return clientId;
  }

  pendingPosts(room) {
    return this.outbox.forRoom(room);
  }

  // The room's timeline: the newest `limit` messages numbered below `before` (a message
  // number, `message.seq`), or the newest overall.
  history(room, { before = null, limit = 50 } = {}) {
    const frame = { type: "history", room, limit: Math.min(limit, HISTORY_MAX) };
    if (before !== null) frame.before = before;
    return this.request(frame, room);
  }

  // A thread: its root and replies, oldest first; with `after` (a reply's id), the replies
  // after that one.
  threadHistory(room, root, { after = null, limit = HISTORY_MAX } = {}) {
    const frame = { type: "history", room, thread: root, limit: Math.min(limit, HISTORY_MAX) };
    if (after !== null) frame.after = after;
    return this.request(frame, room);
  }

  edit(room, id, body) {
    return this.request({ type: "edit", room, id, body }, room);
  }

  deleteMessage(room, id) {
    return this.request({ type: "delete", room, id }, room);
  }

  react(room, id, emoji) {
    return this.request({ type: "react", room, id, emoji }, room);
  }

  unreact(room, id, emoji) {
    return this.request({ type: "unreact", room, id, emoji }, room);
  }

  pin(room, id) {
    return this.request({ type: "pin", room, id }, room);
  }

  unpin(room, id) {
    return this.request({ type: "unpin", room, id }, room);
  }

  removePreview(room, id, preview) {
    return this.request({ type: "preview_remove", room, id, preview }, room);
  }

  typing(room) {
    this.send({ type: "typing", room });
  }

  // Presence (docs/protocol.md, "Presence"): whom the page shows (answered with their states,
  // then their changes, as "presence" events), and whether this tab is in use.
  watchPresence(users) {
    this.send({ type: "presence_watch", users, ref: "presence" });
  }

  setPresence(state) {
    this.send({ type: "presence", state });
  }

  // Read up to event seq `seq` (everything when null); answered with `done` {seq: the marker}.
  markRead(room, seq = null) {
    return this.request(seq === null ? { type: "read", room } : { type: "read", room, seq }, room);
  }

  // "Mark unread from here": the marker moves to just before message `id`.
  markUnread(room, id) {
    return this.request({ type: "unread", room, id }, room);
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
    clearTimeout(this.subscribeTimer);
    this.subscribeTimer = null;
    this.subscribeQueue = [];
    this.rejectRequests("disconnected");
    for (const state of this.rooms.values()) {
      state.subscribed = false;
      state.resyncing = false;
      state.waiting.clear(); // the resume replays everything after the last contiguous seq
    }
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
    if (REPLIES.has(frame.type)) this[`on_${frame.type}`](frame);
    else if (USER_FRAMES.has(frame.type)) this.emit("user", { frame });
    else if (typeof frame.room === "string" && Number.isInteger(frame.seq)) this.onChange(frame);
  }

  on_hello(frame) {
    this.user = frame.user;
    this.keepalive();
    this.emit("hello", { user: frame.user });
    this.subscribeQueue = [];
    this.subscribeBudget = SUBSCRIBE_BURST;
    // The room on screen resumes first; the others (followed for their counts) after it.
    const states = [...this.rooms.values()];
    states.sort((a, b) => (b.slug === this.focused) - (a.slug === this.focused));
    for (const state of states) this.queueSubscribe(state);
    if (this.rooms.size === 0) this.live();
  }

  on_ready(frame) {
    this.emit("ready", { conversations: frame.conversations ?? [] });
    // The presence of the people your DMs are with, as a presence frame would say it.
    if (frame.presence && Object.keys(frame.presence).length > 0) this.emit("presence", { users: frame.presence });
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

  // A change in a room's event stream.
  onChange(frame) {
    const state = this.rooms.get(frame.room);
    if (!state || state.contiguous === null) return;
    const ready = state.take(frame);
    if (state.hasGap()) this.resync(state);
    else state.resyncing = false;
    for (const change of ready) this.deliver(state, change);
  }

  deliver(state, frame) {
    if (frame.type === "message") {
      this.learnIdentity(frame.message);
      this.settleOwn(frame.message, frame.seq);
    }
    if (state.stale(frame)) return;
    for (const [id, version] of changeTargets(frame)) state.noteVersion(id, version);
    this.emit("change", { room: frame.room, frame });
  }

  on_ack(frame) {
    this.outbox.take(frame.client_id);
    if (this.user && this.user.id === null) this.ackedAnonymously.add(frame.client_id);
    this.emit("ack", { client_id: frame.client_id, room: frame.room, seq: frame.seq, number: frame.number, id: frame.id });
    this.pump();
  }

  on_history(frame) {
    const waiter = this.takeRequest(frame.ref);
    if (!waiter) return;
    this.rooms.get(waiter.room)?.noteMessages(frame.messages ?? []);
    waiter.resolve(frame);
  }

  on_done(frame) {
    this.takeRequest(frame.ref)?.resolve(frame);
  }

  on_typing(frame) {
    this.emit("typing", { room: frame.room, user: frame.user });
  }

  on_typing_stopped(frame) {
    this.emit("typing-stopped", { room: frame.room, user: frame.user });
  }

  on_presence(frame) {
    this.emit("presence", { users: frame.users });
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
    // and say so ("lost": the view showing that room says it; the others go on).
    if (!frame.reason || !this.rooms.delete(frame.room)) return;
    this.emit("lost", { room: frame.room, reason: frame.reason });
  }

  on_error(frame) {
    const entry = frame.ref ? this.outbox.get(frame.ref) : undefined;
    if (entry) return this.postError(entry, frame);
    if (frame.ref?.startsWith("subscribe:")) {
      // No such room or no longer allowed in: forget it and say so ("lost"). Anything else
      // (the database unavailable, say) is retried with backoff.
      const room = frame.ref.slice("subscribe:".length);
      if (frame.code === "forbidden" || frame.code === "not_found") {
        this.rooms.delete(room);
        this.emit("lost", { room, reason: frame.code });
      } else this.drop();
    }
    const waiter = this.takeRequest(frame.ref);
    const error = Object.assign(new Error(frame.message), { code: frame.code });
    if (waiter) waiter.reject(error);
    // A request's caller reports its own failure; anything else is said here.
    else this.emit("error", { code: frame.code, message: frame.message, ref: frame.ref });
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
      const frame = { type: "post", room: entry.room, body: entry.body, client_id: entry.client_id, ref: entry.client_id };
      if (entry.thread_root !== null) {
        frame.thread_root = entry.thread_root;
        frame.also_to_room = entry.also_to_room;
      }
      if (entry.files?.length) frame.files = entry.files;
      this.send(frame);
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

  // An anonymous socket becomes a guest on its first write; its first post coming back says who.
  learnIdentity(message) {
    if (!this.user || this.user.id !== null || !this.ackedAnonymously.has(message.client_id)) return;
    this.ackedAnonymously.clear();
    this.user = message.author;
    this.emit("identity", { user: message.author });
  }

  // Our own message came back (live or replayed): it is stored, whether or not its ack made it.
  settleOwn(message, seq) {
    if (!this.user || message.author.id !== this.user.id || !this.outbox.take(message.client_id)) return;
    this.emit("ack", { client_id: message.client_id, room: message.room, seq, number: message.seq, id: message.id });
    this.pump();
  }

  // ---- plumbing ----

  live() {
    this.attempt = 0;
    if (this.status !== "live") this.setStatus("live");
  }

  queueSubscribe(state) {
    this.subscribeQueue.push(state);
    this.drainSubscribes();
  }

  drainSubscribes() {
    while (this.subscribeQueue.length > 0 && this.subscribeBudget > 0 && this.isOpen()) {
      const state = this.subscribeQueue.shift();
      if (this.rooms.get(state.slug) !== state || state.subscribed) continue; // let go meanwhile
      this.subscribeBudget -= 1;
      this.sendSubscribe(state);
    }
    if (this.subscribeQueue.length > 0 && this.subscribeTimer === null && this.isOpen()) {
      this.subscribeTimer = setTimeout(() => {
        this.subscribeTimer = null;
        this.subscribeBudget = Math.min(SUBSCRIBE_BURST, this.subscribeBudget + SUBSCRIBE_STEP);
        this.drainSubscribes();
      }, SUBSCRIBE_EVERY);
    }
  }

  sendSubscribe(state) {
    const frame = { type: "subscribe", room: state.slug, ref: `subscribe:${state.slug}` };
    if (state.contiguous !== null) frame.since = state.contiguous;
    this.send(frame);
  }

  // A seq jumped past the next one. The server refills gaps before it sends a newer frame,
  // so this should not happen; if it does, subscribing again from the last contiguous seq
  // replays the missing changes (those that arrived since wait for them).
  resync(state) {
    if (state.resyncing || !state.subscribed) return;
    state.resyncing = true;
    this.sendSubscribe(state);
  }

  request(frame, room = null) {
    if (!this.isOpen()) return Promise.reject(Object.assign(new Error("Not connected."), { code: "disconnected" }));
    const ref = `r${this.nextRef++}`;
    return new Promise((resolve, reject) => {
      this.requests.set(ref, { resolve, reject, room });
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
