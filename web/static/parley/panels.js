// The room page's drawers (one open at a time, at the right of the log; a full-screen overlay
// on a phone): the thread panel (thread.js), the room's pinned messages, and the threads you
// took part in. Esc or "Close" closes a drawer and puts the focus back where it was.
//
// Pins and threads come from the REST API with the page's session (GET needs no CSRF token);
// guests have no REST API, so theirs are read from the messages the page holds.

import { el, focusBack, focusMark, shortTime, threadSummaryText } from "./render.js";
import { getJson } from "./rest.js";

export class Drawers {
  constructor(room, { signal } = {}) {
    this.room = room;
    this.panels = new Map(); // name -> {panel, onClose}
    this.current = null;
    this.opener = null;
    // Esc in the open drawer, or with the focus nowhere (a drawer opened by the page's address).
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape" || event.defaultPrevented || this.current === null) return;
      const focus = document.activeElement;
      if (focus !== document.body && focus !== null && !this.panels.get(this.current).panel.contains(focus)) return;
      event.preventDefault();
      this.close();
    }, { signal });
  }

  register(name, panel, onClose = () => {}) {
    this.panels.set(name, { panel, onClose });
    panel.querySelector("[data-close]")?.addEventListener("click", () => this.close());
  }

  isOpen(name) {
    return this.current === name;
  }

  open(name) {
    if (this.current === name) return;
    if (this.current !== null) this.hide();
    else this.opener = focusMark();
    this.current = name;
    this.panels.get(name).panel.hidden = false;
    this.room.dataset.drawer = name;
  }

  hide() {
    const { panel, onClose } = this.panels.get(this.current);
    panel.hidden = true;
    this.current = null;
    delete this.room.dataset.drawer;
    onClose();
  }

  close() {
    if (this.current === null) return;
    this.hide();
    focusBack(this.opener, document.getElementById("chat-message-input"));
    this.opener = null;
  }

  toggle(name) {
    if (this.current === name) this.close();
    else this.open(name);
  }
}

// A message's text without its markup, for a one-line preview.
function plainText(message) {
  if (message.deleted) return "This message was deleted.";
  if (!message.html) return message.body;
  return new DOMParser().parseFromString(message.html, "text/html").body.textContent.trim();
}

function previewNode(message, action) {
  const item = el("li", "compact");
  const go = el("button", "compact-item");
  go.type = "button";
  const head = el("span", "compact-head");
  head.append(el("span", "msg-author", message.author.display_name), " ", el("span", "msg-time", shortTime(message.created_at)));
  go.append(head, el("span", "compact-text", plainText(message)));
  go.addEventListener("click", () => action(message));
  item.append(go);
  return item;
}

export class PinsPanel {
  constructor({ store, slug, drawers, signedIn, jump }) {
    this.store = store;
    this.slug = slug;
    this.drawers = drawers;
    this.signedIn = signedIn;
    this.jump = jump;
    this.panel = document.getElementById("pins-panel");
    this.list = document.getElementById("pins-list");
    this.empty = document.getElementById("pins-empty");
    this.state = document.getElementById("pins-state");
    this.generation = 0;
    this.pins = new Map(); // message id -> {at, by}: when and by whom, as far as the page knows
    drawers.register("pins", this.panel);
    document.getElementById("show-pins").addEventListener("click", async () => {
      this.drawers.toggle("pins");
      if (this.drawers.isOpen("pins")) {
        await this.load();
        this.list.querySelector("button")?.focus();
      }
    });
    store.addEventListener("pins", ({ detail }) => {
      if (detail.pinned) this.pins.set(detail.id, { at: Date.now(), by: detail.user });
      if (!this.drawers.isOpen("pins")) return;
      if (this.store.get(detail.id)) this.render();
      else this.load(); // pinned: a message the page does not hold
    });
    store.addEventListener("message", ({ detail }) => {
      if (this.drawers.isOpen("pins") && (detail.message.pinned || this.list.querySelector(`[data-id="${detail.message.id}"]`))) this.render();
    });
  }

  // The room's pins (the newest 100), merged into the store as any page of messages is.
  async load() {
    const mine = ++this.generation;
    if (this.signedIn) {
      this.state.textContent = "Loading…";
      try {
        const data = await getJson(`/api/v1/rooms/${encodeURIComponent(this.slug)}/pins`);
        if (mine !== this.generation) return;
        for (const pin of data.pins) this.pins.set(pin.message.id, { at: Date.parse(pin.pinned_at), by: pin.pinned_by });
        this.store.applyPage(data.pins.map((pin) => pin.message));
        this.state.textContent = "";
      } catch (error) {
        this.state.textContent = `Could not load the pins: ${error.message}`;
      }
    }
    this.render();
  }

  render() {
    const when = (message) => this.pins.get(message.id)?.at ?? 0;
    const pins = this.store.pinned().sort((a, b) => when(b) - when(a) || b.id - a.id);
    this.list.replaceChildren(
      ...pins.map((message) => {
        const item = previewNode(message, this.jump);
        item.dataset.id = message.id;
        const by = this.pins.get(message.id)?.by;
        if (by) item.querySelector(".compact-item").append(el("span", "compact-foot", `Pinned by ${by.display_name}`));
        item.querySelector("button").setAttribute("aria-label", `Jump to ${message.author.display_name}'s message: ${plainText(message)}`);
        return item;
      }),
    );
    this.empty.hidden = pins.length > 0;
  }
}

export class ThreadsPanel {
  constructor({ store, slug, drawers, signedIn, openThread, navigate = (url) => window.location.assign(url) }) {
    this.navigate = navigate;
    this.store = store;
    this.slug = slug;
    this.drawers = drawers;
    this.signedIn = signedIn;
    this.openThread = openThread;
    this.panel = document.getElementById("threads-panel");
    this.list = document.getElementById("threads-list");
    this.empty = document.getElementById("threads-empty");
    this.state = document.getElementById("threads-state");
    drawers.register("threads", this.panel);
    document.getElementById("show-threads").addEventListener("click", async () => {
      this.drawers.toggle("threads");
      if (this.drawers.isOpen("threads")) {
        await this.load();
        this.list.querySelector("button")?.focus();
      }
    });
  }

  // Threads you started or replied to (newest activity first); a guest's, from this room's
  // messages on the page.
  async threads() {
    if (this.signedIn) return (await getJson("/api/v1/threads")).threads;
    const me = this.store.me;
    const took = (m) => me && me.id !== null && (m.author.id === me.id || m.repliers.some((user) => user.id === me.id));
    return this.store
      .timeline()
      .filter((m) => m.reply_count > 0 && took(m))
      .sort((a, b) => Date.parse(b.last_reply_at) - Date.parse(a.last_reply_at));
  }

  async load() {
    this.state.textContent = "Loading…";
    let roots;
    try {
      roots = await this.threads();
      this.state.textContent = "";
    } catch (error) {
      this.state.textContent = `Could not load your threads: ${error.message}`;
      return;
    }
    this.list.replaceChildren(
      ...roots.map((root) => {
        const item = previewNode(root, () => this.go(root));
        const { replies, last } = threadSummaryText(root);
        const where = root.room === this.slug ? "" : `#${root.room} · `;
        item.querySelector(".compact-item").append(el("span", "compact-foot", `${where}${replies}${last}`));
        return item;
      }),
    );
    this.empty.hidden = roots.length > 0;
  }

  go(root) {
    if (root.room === this.slug) this.openThread(root.id, { focus: true });
    else this.navigate(`/chat/${encodeURIComponent(root.room)}/#thread-${root.id}`);
  }
}
