// Your conversations as the server keeps them, and which one is open: the one source of the
// sidebar, the quick switcher, Alt+Up/Down, the unread badges and what notifies. No DOM here.
//
// A conversation is the server's object (docs/protocol.md, "ready"): {room, name, kind:
// "channel" | "dm", private, archived, seq, last_read, unread, mentions, notify, with, ...}.
// - The page brings the list (`#workspace-data`, web/shell.py), so the sidebar shows before
//   the socket opens.
// - `ready` (after every hello) replaces it: the server's counts, read in one query.
// - The user's own stream then sets what changes: a conversation added or removed, a read
//   marker moved in any tab or device (with the server's counts at it), a person renamed (the
//   DMs they are in are named anew, as the server names them: `dmName`).
// - Between those, a message in a followed conversation that someone else wrote after the
//   marker counts as unread (and as a mention when it names this user, says @room/@here, or is
//   in a DM), exactly as the server counts it, so badges move live without asking it.
// - A conversation the shell does not follow (`isFollowed`: it follows at most so many) learns
//   of a mention by name from the user's stream (`mentioned`): one mention more. Each message
//   counts once, whichever of its message and its `mentioned` comes first.
// A room open that is not one of yours (a public room visited, a guest's room) is listed while
// it is open; an archived room of yours is listed only while it is open.
//
// Events (CustomEvent): "change" (the list or a conversation changed), "current" {slug} (another
// conversation is open), "message" {slug, message, mention} (a message that counted: what
// notifies), "renamed" {slug, name} (a DM's name changed with one of its people's).

import { mentionsMe } from "./render.js";

// Where a conversation lives: every one, a DM too, is a room at /chat/<slug>/ (a DM's slug is
// the server's `dm-…`; /dm/<username>/ finds the DM with that person and redirects there).
export function conversationUrl(slug) {
  return `/chat/${encodeURIComponent(slug)}/`;
}

// What the quick switcher finds for `query`: names starting with it first, then names holding
// it, each group in sidebar order.
export function conversationsMatching(conversations, query) {
  const wanted = query.trim().toLowerCase().replace(/^[#@]/, "");
  if (!wanted) return conversations;
  const starts = [];
  const holds = [];
  for (const entry of conversations) {
    const names = [entry.name.toLowerCase(), entry.room.toLowerCase()];
    if (names.some((name) => name.startsWith(wanted))) starts.push(entry);
    else if (names.some((name) => name.includes(wanted))) holds.push(entry);
  }
  return [...starts, ...holds];
}

const byName = (a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: "base" });

// People by their shown name, case-insensitively, by code point as the server sorts them
// (Python's `sorted(key=str.casefold)`; equal names keep their order).
function byShownName(people) {
  const key = (person) => person.display_name.toLowerCase();
  return [...people].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

// A DM's name as the member `meId` sees it, as the server names it (chat/payloads.py
// `dm_name`): the other members' names, sorted case-insensitively, joined by ", "; their own
// in a DM with only themself.
export function dmName(members, meId) {
  const people = byShownName(members);
  const others = people.filter((person) => person.id !== meId);
  return (others.length > 0 ? others : people.filter((person) => person.id === meId)).map((person) => person.display_name).join(", ");
}

export class Conversations extends EventTarget {
  constructor(list = []) {
    super();
    this.me = null; // the user object from hello
    this.bySlug = new Map(); // slug -> conversation (the server's object, counts kept current)
    this.counted = new Map(); // slug -> Map(message id -> {inRoom, mention}) counted since ready
    this.current = null; // the open conversation's slug, or null (browsing channels)
    this.visiting = null; // the open room when it is not one of yours: {room, name, private}
    // Whether the page shows the conversation now (its messages are read as they come).
    this.isViewing = () => false;
    // Whether the shell follows the conversation live (its messages come as they are posted).
    this.isFollowed = () => false;
    this.replace(list);
  }

  // The list the server rendered into the page.
  static fromPage(node = document.getElementById("workspace-data")) {
    return new Conversations(node ? JSON.parse(node.textContent) : []);
  }

  setUser(user) {
    this.me = user;
  }

  // ---- what the server says ----

  applyReady(conversations) {
    this.replace(conversations);
  }

  replace(conversations) {
    this.bySlug = new Map(conversations.map((c) => [c.room, { ...c }]));
    this.counted = new Map();
    if (this.bySlug.has(this.visiting?.room)) this.visiting = null;
    this.emit("change");
  }

  applyUserFrame(frame) {
    if (frame.type === "conversation_added") {
      const c = frame.conversation;
      if (!this.bySlug.has(c.room)) this.bySlug.set(c.room, { ...c });
      if (this.visiting?.room === c.room) this.visiting = null;
      this.emit("change");
    } else if (frame.type === "conversation_removed") {
      if (this.bySlug.delete(frame.room)) {
        this.counted.delete(frame.room);
        this.emit("change");
      }
    } else if (frame.type === "read_marker") {
      const c = this.bySlug.get(frame.room);
      if (!c) return;
      c.last_read = frame.last_read;
      c.unread = frame.unread;
      c.mentions = frame.mentions;
      // What was counted live is in the server's counts now.
      this.counted.delete(frame.room);
      this.emit("change");
    } else if (frame.type === "mentioned") {
      this.countMention(frame);
    } else if (frame.type === "user_updated") {
      this.applyProfile(frame.user);
    }
  }

  // A message mentions you by name (`mentioned`). A followed conversation counts it from the
  // message itself, which comes too (and says more: whether it is unread, where it is); one
  // the shell does not follow counts one mention more, once per message. Its unread count
  // moves at the next marker or `ready`. (An edit that names you in a message you had read
  // counts too, until then: the frame does not say where the message is.)
  countMention(frame) {
    const c = this.bySlug.get(frame.room);
    if (!c || this.isFollowed(c.room) || this.isViewing(c.room)) return;
    const seen = this.counted.get(c.room) ?? new Map();
    if (seen.get(frame.id)?.mention) return;
    seen.set(frame.id, { inRoom: seen.get(frame.id)?.inRoom ?? false, mention: true });
    this.counted.set(c.room, seen);
    c.mentions += 1;
    this.emit("change");
  }

  // Someone's profile changed (`user_updated`): the DMs they are in are named anew, as the
  // server names them; you, renamed, rename a DM with only you.
  applyProfile(user) {
    if (this.me?.id === user.id) this.me = { ...this.me, display_name: user.display_name };
    const renamed = [];
    for (const c of this.bySlug.values()) {
      if (c.kind !== "dm" || !c.members?.some((member) => member.id === user.id)) continue;
      c.members = byShownName(
        c.members.map((member) => (member.id === user.id ? { ...member, display_name: user.display_name, avatar: user.avatar ?? member.avatar } : member)),
      );
      const name = this.me ? dmName(c.members, this.me.id) : c.name;
      if (name && name !== c.name) {
        c.name = name;
        renamed.push({ slug: c.room, name });
      }
    }
    if (renamed.length === 0) return;
    this.emit("change");
    for (const detail of renamed) this.emit("renamed", detail);
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
      this.emit("change");
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
    // Counted already: this message again, or its `mentioned` (which counted the mention).
    const before = seen.get(message.id) ?? { inRoom: false, mention: false };
    const unread = inRoom && !before.inRoom;
    const mentioned = mention && !before.mention;
    if (!unread && !mentioned) return;
    seen.set(message.id, { inRoom: before.inRoom || inRoom, mention: before.mention || mention });
    this.counted.set(c.room, seen);
    if (unread) c.unread += 1;
    if (mentioned) c.mentions += 1;
    this.emit("change");
    this.emit("message", { slug: c.room, message, mention });
  }

  uncount(c, id) {
    const seen = this.counted.get(c.room);
    const entry = seen?.get(id);
    if (!entry) return;
    seen.delete(id);
    if (entry.inRoom) c.unread = Math.max(0, c.unread - 1);
    if (entry.mention) c.mentions = Math.max(0, c.mentions - 1);
    this.emit("change");
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
    this.emit("change");
  }

  // ---- what the page does ----

  // A conversation is opened: listed while it is open if it is not one of yours.
  visit({ slug, name, private: isPrivate }) {
    const mine = this.bySlug.get(slug);
    if (mine) {
      if (name && mine.name !== name && mine.kind !== "dm") mine.name = name;
      this.visiting = null;
    } else {
      this.visiting = { room: slug, name: name || slug, kind: "channel", private: Boolean(isPrivate), archived: false, unread: 0, mentions: 0 };
    }
    this.setCurrent(slug);
    this.emit("change");
  }

  setCurrent(slug) {
    if (this.current === slug) return;
    this.current = slug;
    if (this.visiting && this.visiting.room !== slug) this.visiting = null;
    this.emit("current", { slug });
  }

  // The open room was renamed (its page's own form, say).
  rename(slug, name) {
    const entry = this.bySlug.get(slug) ?? (this.visiting?.room === slug ? this.visiting : null);
    if (!entry || entry.name === name) return;
    entry.name = name;
    this.emit("change");
  }

  // ---- what the page reads ----

  // One of your conversations (with its counts), or null.
  get(slug) {
    return this.bySlug.get(slug) ?? null;
  }

  // Your conversations that are not archived: the ones to follow live.
  active() {
    return [...this.bySlug.values()].filter((c) => !c.archived);
  }

  // What the sidebar lists: channels, then DMs, each by name as people sort names.
  channels() {
    return this.listed().filter((c) => c.kind !== "dm");
  }

  directMessages() {
    return this.listed().filter((c) => c.kind === "dm");
  }

  // The sidebar's order, which Alt+Up/Down and the quick switcher follow.
  conversations() {
    return [...this.channels(), ...this.directMessages()];
  }

  listed() {
    const shown = [...this.bySlug.values()].filter((c) => !c.archived || c.room === this.current);
    if (this.visiting) shown.push(this.visiting);
    return shown.sort(byName);
  }

  // The conversation `step` places away from the open one in sidebar order (-1 the previous,
  // 1 the next), wrapping around; from none open, the first or the last.
  neighbour(step) {
    const all = this.conversations();
    if (all.length === 0) return null;
    const index = all.findIndex((entry) => entry.room === this.current);
    if (index === -1) return step > 0 ? all[0] : all[all.length - 1];
    return all[(index + step + all.length) % all.length];
  }

  // Unread and mentions over every conversation that may notify (not those set to "none").
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

  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
