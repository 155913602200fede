// The app shell's sidebar: your channels and direct messages (conversations.js), the open one
// marked, unread and mention badges; and, on a phone, the sidebar as a drawer behind ☰, which
// carries a badge of its own while anything is unread.

import { conversationUrl } from "./conversations.js";
import { el } from "./render.js";

const PHONE = "(max-width: 640px)";

function countText(count, one, many) {
  return `${count} ${count === 1 ? one : many}`;
}

// One row: "# general" (🔒 for a private room, @ for a DM), then its badges. The link's
// accessible name says the counts in words ("general, 3 unread, 1 mention").
export function conversationRow(entry, current) {
  const item = el("li", "conversation");
  const link = el("a", "conversation-link");
  link.href = conversationUrl(entry.room);
  link.dataset.slug = entry.room;
  if (entry.room === current) link.setAttribute("aria-current", "page");
  if (entry.unread > 0) link.classList.add("unread");
  if (entry.archived) link.classList.add("archived");
  const sign = entry.kind === "dm" ? "@" : entry.private ? "🔒" : "#";
  const name = el("span", "conversation-name", entry.name);
  // A DM of two shows whether that person is online (presence.js paints it).
  if (entry.kind === "dm" && entry.with) name.dataset.presenceUser = entry.with;
  link.append(el("span", "conversation-sign", sign), name);
  link.firstChild.setAttribute("aria-hidden", "true");
  const spoken = [];
  if (entry.private && entry.kind !== "dm") spoken.push("private");
  if (entry.archived) spoken.push("archived");
  if (entry.mentions > 0) {
    link.append(el("span", "count count-mention", String(entry.mentions)));
    spoken.push(countText(entry.mentions, "mention", "mentions"));
  }
  if (entry.unread > 0) {
    link.append(el("span", "count", String(entry.unread)));
    spoken.push(`${entry.unread} unread`);
  }
  for (const badge of link.querySelectorAll(".count")) badge.setAttribute("aria-hidden", "true");
  if (spoken.length > 0) link.setAttribute("aria-label", `${entry.name}, ${spoken.join(", ")}`);
  item.append(link);
  return item;
}

export class Sidebar {
  constructor({ conversations }) {
    this.conversations = conversations;
    this.channels = document.getElementById("channel-list");
    this.channelsEmpty = document.getElementById("channel-empty");
    this.dms = document.getElementById("dm-list");
    this.dmsEmpty = document.getElementById("dm-empty");
    conversations.addEventListener("change", () => this.render());
    conversations.addEventListener("current", () => this.render());
    this.render();
  }

  render() {
    const { current } = this.conversations;
    const channels = this.conversations.channels();
    const dms = this.conversations.directMessages();
    this.channels.replaceChildren(...channels.map((entry) => conversationRow(entry, current)));
    this.dms.replaceChildren(...dms.map((entry) => conversationRow(entry, current)));
    this.channelsEmpty.hidden = channels.length > 0;
    this.dmsEmpty.hidden = dms.length > 0;
  }
}

// On a phone the sidebar is a drawer over the page: the header's ☰ opens it, Esc, ✕ or a tap
// outside closes it, the focus stays inside while it is open and goes back to ☰ after.
export class SidebarDrawer {
  constructor({ conversations }) {
    this.sidebar = document.getElementById("sidebar");
    this.toggle = document.getElementById("sidebar-toggle");
    this.label = this.toggle.getAttribute("aria-label");
    this.badge = el("span", "count toggle-count");
    this.badge.setAttribute("aria-hidden", "true");
    this.toggle.append(this.badge);
    conversations.addEventListener("change", () => this.showCounts(conversations.totals()));
    this.showCounts(conversations.totals());
    this.backdrop = document.getElementById("sidebar-backdrop");
    this.outside = [document.getElementById("main"), document.querySelector(".site-header .brand"), document.querySelector(".site-header .account")];
    this.toggle.addEventListener("click", () => (this.isOpen() ? this.close() : this.open()));
    document.getElementById("sidebar-close").addEventListener("click", () => this.close());
    this.backdrop.addEventListener("click", () => this.close());
    this.sidebar.addEventListener("keydown", (event) => this.onKey(event));
    // Leaving the phone width with the drawer open leaves the page as on a desktop.
    window.matchMedia(PHONE).addEventListener("change", () => this.close({ focus: false }));
  }

  // ☰ says whether anything waits behind it: the mentions' count in red, or a quiet dot for
  // unread messages alone; its name says it in words ("Conversations, 2 mentions").
  showCounts({ unread, mentions }) {
    this.badge.hidden = !(unread > 0 || mentions > 0);
    this.badge.textContent = mentions > 0 ? String(mentions) : "";
    this.badge.classList.toggle("count-mention", mentions > 0);
    this.badge.classList.toggle("count-dot", mentions === 0 && unread > 0);
    let label = this.label;
    if (mentions > 0) label += `, ${countText(mentions, "mention", "mentions")}`;
    else if (unread > 0) label += ", unread messages";
    this.toggle.setAttribute("aria-label", label);
  }

  isOpen() {
    return document.body.dataset.sidebar === "open";
  }

  open() {
    document.body.dataset.sidebar = "open";
    this.toggle.setAttribute("aria-expanded", "true");
    this.backdrop.hidden = false;
    for (const node of this.outside) if (node) node.inert = true;
    (this.sidebar.querySelector("[aria-current=page]") ?? this.focusables()[0])?.focus();
  }

  close({ focus = true } = {}) {
    if (!this.isOpen()) return;
    delete document.body.dataset.sidebar;
    this.toggle.setAttribute("aria-expanded", "false");
    this.backdrop.hidden = true;
    for (const node of this.outside) if (node) node.inert = false;
    if (focus) this.toggle.focus();
  }

  focusables() {
    return [...this.sidebar.querySelectorAll("a[href], button:not([disabled])")].filter((node) => node.offsetParent !== null);
  }

  onKey(event) {
    if (!this.isOpen()) return;
    if (event.key === "Escape") {
      event.preventDefault();
      this.close();
    } else if (event.key === "Tab") {
      // The focus cycles inside the open drawer.
      const nodes = this.focusables();
      const first = nodes[0];
      const last = nodes[nodes.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  }
}
