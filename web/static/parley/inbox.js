// The user's conversations and their unread counts, kept as the server says (docs/protocol.md,
// "ready" and "Your own stream"):
// - `ready` (after every hello) sets everything: the server's counts, read in one query;
// - the user's own stream then sets what changes: a conversation added or removed, a read
//   marker moved in any tab or device (with the server's counts at it);
// - between those, a message in a subscribed conversation that someone else wrote after the
//   marker counts as unread (and as a mention when it names this user, says @room/@here, or is
//   in a DM), exactly as the server counts it, so badges move live without asking it.
// Events (CustomEvent): "change" {slug} for one conversation, "reset" after `ready`, "removed"
// {slug}, "message" {slug, message, mention} for a message that counted (what notifies).

import { mentionsMe } from "./render.js";

export class Inbox extends EventTarget {
  constructor() {
    super();
    this.me = null; // the user object from hello
    this.bySlug = new Map(); // slug -> conversation (the server's object, counts kept current)
    this.counted = new Map(); // slug -> Map(message id -> {mention}) counted since ready
    // Whether the page shows the conversation now (its messages are read as they come).
    this.isViewing = () => false;
  }

  setUser(user) {
    this.me = user;
  }

  applyReady(conversations) {
    this.bySlug = new Map(conversations.map((c) => [c.room, { ...c }]));
    this.counted = new Map();
    this.emit("reset", {});
  }

  applyUserFrame(frame) {
    if (frame.type === "conversation_added") {
      const c = frame.conversation;
      if (!this.bySlug.has(c.room)) this.bySlug.set(c.room, { ...c });
      this.emit("change", { slug: c.room });
    } else if (frame.type === "conversation_removed") {
      if (this.bySlug.delete(frame.room)) {
        this.counted.delete(frame.room);
        this.emit("removed", { slug: frame.room });
      }
    } else if (frame.type === "read_marker") {
      const c = this.bySlug.get(frame.room);
      if (!c) return;
      c.last_read = frame.last_read;
      c.unread = frame.unread;
      c.mentions = frame.mentions;
      // What was counted live is in the server's counts now.
      this.counted.delete(frame.room);
      this.emit("change", { slug: frame.room });
    }
  }

  // A change of a room's event stream, as socket.js emits it ("change").
  applyChange(frame) {
    const c = this.bySlug.get(frame.room);
    if (!c) return;
    if (Number.isInteger(frame.seq) && frame.seq > c.seq) c.seq = frame.seq;
    if (frame.type === "message") this.countMessage(c, frame);
    else if (frame.type === "message_deleted") this.uncount(c, frame.message.id);
    else if (frame.type === "room_updated" && c.kind !== "dm") {
      c.name = frame.name ?? c.name;
      c.topic = frame.topic ?? c.topic;
      c.archived = Boolean(frame.archived);
      this.emit("change", { slug: c.room });
    }
  }

  countMessage(c, frame) {
    const message = frame.message;
    if (frame.seq <= c.last_read || !this.me || message.author.id === this.me.id) return;
    if (this.isViewing(c.room)) return;
    const mention = this.mentions(c, message);
    const inRoom = message.in_room !== false;
    if (!inRoom && !mention) return;
    const seen = this.counted.get(c.room) ?? new Map();
    if (seen.has(message.id)) return;
    seen.set(message.id, { inRoom, mention });
    this.counted.set(c.room, seen);
    if (inRoom) c.unread += 1;
    if (mention) c.mentions += 1;
    this.emit("change", { slug: c.room });
    this.emit("message", { slug: c.room, message, mention });
  }

  uncount(c, id) {
    const seen = this.counted.get(c.room);
    const entry = seen?.get(id);
    if (!entry) return;
    seen.delete(id);
    if (entry.inRoom) c.unread = Math.max(0, c.unread - 1);
    if (entry.mention) c.mentions = Math.max(0, c.mentions - 1);
    this.emit("change", { slug: c.room });
  }

  // Whether `message` is for this user as the server counts mentions: every message of a DM,
  // a mention by name (a link the server made only for people who exist), @room/@here.
  mentions(c, message) {
    if (c.kind === "dm") return message.in_room !== false;
    return mentionsMe(message, this.me);
  }

  // The marker moved here first (before the server's read_marker confirms it).
  markedRead(slug, seq) {
    const c = this.bySlug.get(slug);
    if (!c || seq <= c.last_read) return;
    c.last_read = seq;
    if (seq >= c.seq) {
      c.unread = 0;
      c.mentions = 0;
      this.counted.delete(slug);
    }
    this.emit("change", { slug });
  }

  get(slug) {
    return this.bySlug.get(slug) ?? null;
  }

  // Channels, then DMs, each by name as people sort names.
  list() {
    const byName = (a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" });
    const all = [...this.bySlug.values()];
    return [...all.filter((c) => c.kind !== "dm").sort(byName), ...all.filter((c) => c.kind === "dm").sort(byName)];
  }

  totals() {
    let unread = 0;
    let mentions = 0;
    for (const c of this.bySlug.values()) {
      if (c.notify === "none") continue;
      unread += c.unread;
      mentions += c.mentions;
    }
    return { unread, mentions };
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
