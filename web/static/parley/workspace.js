// The workspace: the conversations the app shell's sidebar lists, in sidebar order, and which
// one is open. The one source of the sidebar, the quick switcher and Alt+Up/Down; no DOM here.
//
// A conversation: {slug, name, kind: "channel" | "dm", private, archived, unread, mentions}.
// Today the page brings the rooms you joined as JSON (`#workspace-data`, web/shell.py);
// `replace(list)` takes a whole new list (a `ready` frame on the socket, say) and
// `update(slug, fields)` changes one (unread counts, a rename). Events: "change" (the list or
// a conversation changed), "current" (another conversation is open).

const DEFAULTS = { kind: "channel", private: false, archived: false, unread: 0, mentions: 0 };

export function conversation(fields) {
  return { ...DEFAULTS, ...fields, name: fields.name || fields.slug };
}

// Where a conversation lives: every one, a DM too, is a room at /chat/<slug>/ (a DM's slug is
// the server's `dm-…`; /dm/<username>/ finds the DM with that person and redirects there).
export function conversationUrl({ slug }) {
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
    const names = [entry.name.toLowerCase(), entry.slug.toLowerCase()];
    if (names.some((name) => name.startsWith(wanted))) starts.push(entry);
    else if (names.some((name) => name.includes(wanted))) holds.push(entry);
  }
  return [...starts, ...holds];
}

export class Workspace extends EventTarget {
  constructor(conversations = []) {
    super();
    this.list = [];
    this.current = null; // the open conversation's slug, or null (browsing channels)
    this.replace(conversations);
  }

  // The list the server rendered into the page.
  static fromPage(node = document.getElementById("workspace-data")) {
    return new Workspace(node ? JSON.parse(node.textContent) : []);
  }

  replace(conversations) {
    this.list = conversations.map(conversation);
    this.emit("change");
  }

  // Channels, then direct messages: the sidebar's order, which Alt+Up/Down follows.
  conversations() {
    return [...this.channels(), ...this.directMessages()];
  }

  channels() {
    return this.list.filter((entry) => entry.kind !== "dm");
  }

  directMessages() {
    return this.list.filter((entry) => entry.kind === "dm");
  }

  get(slug) {
    return this.list.find((entry) => entry.slug === slug) ?? null;
  }

  update(slug, fields) {
    const entry = this.get(slug);
    if (!entry) return;
    Object.assign(entry, fields);
    this.emit("change");
  }

  // A conversation is opened: listed if it was not (a public room visited for the first time,
  // a guest's room), in name order among its kind.
  visit(fields) {
    if (!this.get(fields.slug)) {
      const entry = conversation(fields);
      const after = this.list.findIndex((other) => other.kind === entry.kind && other.name.localeCompare(entry.name) > 0);
      this.list.splice(after === -1 ? this.list.length : after, 0, entry);
      this.emit("change");
    }
    this.setCurrent(fields.slug);
  }

  setCurrent(slug) {
    if (this.current === slug) return;
    this.current = slug;
    this.emit("current", { slug });
  }

  // The conversation `step` places away from the open one in sidebar order (-1 the previous,
  // 1 the next), wrapping around; from none open, the first or the last.
  neighbour(step) {
    const all = this.conversations();
    if (all.length === 0) return null;
    const index = all.findIndex((entry) => entry.slug === this.current);
    if (index === -1) return step > 0 ? all[0] : all[all.length - 1];
    return all[(index + step + all.length) % all.length];
  }

  emit(type, detail = {}) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }
}
