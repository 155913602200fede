// One room's messages as they are now: the timeline, the threads opened, reactions and pins,
// kept current by socket.js's "change" events and by history pages. No DOM here: views listen
// to the store's events and render.
//
// Every message carries `version`, the event seq of its latest change. A snapshot (a history
// page) replaces what the store holds only when it is newer; a change applies only when its
// seq is above the version of what it changes. Changes that arrive while a page is on its way
// are kept (the last RECENT of them since the room started afresh) and applied again to what
// the page brings, so a change that raced a page is never lost (Zulip's "fetch, then apply
// the queued events").
//
// Events (CustomEvent, data in `detail`):
// - "message" {message}: a message was added or changed; render it where it belongs;
// - "cleared": the room starts afresh (after a `reset`), drop everything shown;
// - "pins" {id, pinned, user}: `user` pinned or unpinned a message (it may not be held here);
// - "room" {name, topic, owner, archived}: the room was renamed, its topic changed, it was
//   handed over, archived or unarchived (each frame carries all four);
// - "member" {user, change}: someone joined, left, was invited or removed.

const RECENT = 1000;
const REACTION_USERS = 50; // the server names the first 50 who reacted with an emoji

// Reactions from a change, with `me` kept from the ones held where the change's list of who
// reacted is cut short (the first REACTION_USERS) and so cannot say.
function keepMine(reactions, held) {
  return reactions.map((reaction) => {
    if (typeof reaction.me === "boolean" || reaction.users.length >= reaction.count) return reaction;
    const before = held.find((other) => other.emoji === reaction.emoji);
    return typeof before?.me === "boolean" ? { ...reaction, me: before.me } : reaction;
  });
}

// What a change is about.
function targetOf(frame) {
  return frame.message?.id ?? frame.message_id;
}

export class RoomStore extends EventTarget {
  constructor(slug) {
    super();
    this.slug = slug;
    this.me = null; // the viewer: {id, username, display_name}
    this.messages = new Map(); // id -> message
    this.recent = []; // changes about messages since the start, oldest first
    // The lowest message number the timeline shows: older messages held for another reason
    // (a thread's reply also sent to the room) stay out of it until a page reaches them.
    this.floor = null;
  }

  setMe(user) {
    this.me = user;
  }

  get(id) {
    return this.messages.get(id);
  }

  inTimeline(message) {
    return message.seq !== null && message.seq !== undefined && (this.floor === null || message.seq >= this.floor);
  }

  // The timeline's messages, by number.
  timeline() {
    return [...this.messages.values()].filter((m) => this.inTimeline(m)).sort((a, b) => a.seq - b.seq);
  }

  // A thread's replies held, oldest first (ids grow in the order replies are stored).
  replies(rootId) {
    return [...this.messages.values()].filter((m) => m.thread_root === rootId).sort((a, b) => a.id - b.id);
  }

  pinned() {
    return [...this.messages.values()].filter((m) => m.pinned && !m.deleted).sort((a, b) => a.id - b.id);
  }

  // The viewer's newest message in the timeline that can still be edited.
  lastOwn() {
    if (!this.me || this.me.id === null) return null;
    const own = this.timeline().filter((m) => m.author.id === this.me.id && !m.deleted);
    return own.at(-1) ?? null;
  }

  // Whether the viewer reacted with a reaction summary's emoji.
  reactedByMe(reaction) {
    if (typeof reaction.me === "boolean") return reaction.me;
    return this.me !== null && this.me.id !== null && reaction.users.some((user) => user.id === this.me.id);
  }

  // Someone's profile changed (`user_updated`): the messages held take their new name and
  // avatar as author, so that a message drawn again later (a reaction) shows them. The views
  // update what is on screen themselves; nothing is emitted.
  personUpdated({ id, username, display_name: displayName, avatar }) {
    for (const message of this.messages.values()) {
      if (message.author.id === id) message.author = { id, username, display_name: displayName, avatar };
    }
  }

  // Show a message again as it is (an editor closed).
  touch(id) {
    const message = this.messages.get(id);
    if (message) this.emit("message", { message });
  }

  clear() {
    this.messages.clear();
    this.recent = [];
    this.floor = null;
    this.emit("cleared", {});
  }

  // Messages read from the server (a timeline page, a thread, a pin list). `floor`: the
  // timeline now reaches down to that message number (0: to the room's first message).
  applyPage(messages, { floor } = {}) {
    if (floor !== undefined) this.floor = this.floor === null ? floor : Math.min(this.floor, floor);
    for (const snapshot of messages) {
      const held = this.messages.get(snapshot.id);
      if (!held || snapshot.version > held.version) this.messages.set(snapshot.id, { ...snapshot });
    }
    for (const frame of this.recent) this.applyToMessages(frame);
    for (const snapshot of messages) this.emit("message", { message: this.messages.get(snapshot.id) });
  }

  // A change from the room's event stream (socket.js's "change").
  apply(frame) {
    switch (frame.type) {
      case "room_updated":
        this.emit("room", {
          name: frame.name,
          topic: frame.topic,
          owner: frame.owner,
          archived: frame.archived,
          user: frame.user,
        });
        return;
      case "member":
        this.emit("member", { user: frame.user, change: frame.change });
        return;
      default:
        if (targetOf(frame) === undefined) return; // a kind this page does not know
    }
    this.recent.push(frame);
    if (this.recent.length > RECENT) this.recent.shift();
    this.applyToMessages(frame);
    if (frame.type === "message_pinned" || frame.type === "message_unpinned") {
      this.emit("pins", { id: frame.message_id, pinned: frame.type === "message_pinned", user: frame.user });
    }
  }

  applyToMessages(frame) {
    const id = targetOf(frame);
    const held = this.messages.get(id);
    if (frame.root) this.applyRoot(frame.root);
    // A change that carries its message carries it as it is now: newer than the change itself
    // when it is replayed. It applies when what it brings is newer than what is held.
    const version = Math.max(frame.seq, frame.message?.version ?? 0);
    if (held && held.version >= version) return;
    let message;
    switch (frame.type) {
      case "message":
      case "message_edited":
      case "message_updated":
      case "message_deleted":
        // The message as it is now (a replayed change may carry later changes too, which the
        // socket then skips): taken whole, but for whether the viewer reacted, which a
        // change cannot say for the 51st person on.
        if (!held && frame.type !== "message") return;
        message = { ...frame.message, reactions: keepMine(frame.message.reactions, held?.reactions ?? []) };
        break;
      case "reaction_added":
      case "reaction_removed":
        if (!held) return;
        message = { ...held, reactions: this.react(held.reactions, frame) };
        break;
      case "message_pinned":
      case "message_unpinned":
        if (!held) return;
        message = { ...held, pinned: frame.type === "message_pinned" };
        break;
      default:
        return;
    }
    message.version = version;
    this.messages.set(id, message);
    this.emit("message", { message });
  }

  // A thread root's new summary (reply count, last reply, repliers), carried by a reply.
  applyRoot(summary) {
    const root = this.messages.get(summary.id);
    if (!root || root.version >= summary.version) return;
    const { id, ...fields } = summary;
    const message = { ...root, ...fields };
    this.messages.set(id, message);
    this.emit("message", { message });
  }

  // Reactions after `frame`: an emoji's count is the server's; one that reaches 0 goes, one
  // that rises from 0 goes last (the order the server's summaries keep).
  react(reactions, { type, emoji, user, count }) {
    const list = reactions.map((reaction) => ({ ...reaction, users: [...reaction.users] }));
    let entry = list.find((reaction) => reaction.emoji === emoji);
    const mine = this.me !== null && this.me.id !== null && user.id === this.me.id;
    if (type === "reaction_added") {
      if (!entry) {
        entry = { emoji, count: 0, users: [] };
        list.push(entry);
      }
      if (!entry.users.some((other) => other.id === user.id) && entry.users.length < REACTION_USERS) entry.users.push(user);
      if (mine) entry.me = true;
    } else if (entry) {
      entry.users = entry.users.filter((other) => other.id !== user.id);
      if (mine) entry.me = false;
    }
    if (entry) entry.count = count;
    return list.filter((reaction) => reaction.count > 0);
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
