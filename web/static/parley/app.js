// The app shell (docs/web.md, "The app shell"): the one socket, the workspace's sidebar, the
// page in the middle (a room, mounted by room.js, or the lobby as "Browse channels"), the
// router that switches between them without loading a page, and the shell's keyboard.

import { Conversations, conversationUrl } from "./conversations.js";
import { Attention } from "./notify.js";
import { startPresence } from "./presence.js";
import { sendJson } from "./rest.js";
import { mountRoom } from "./room.js";
import { Router } from "./router.js";
import { enterSearchPage, mountSearchBox } from "./search.js";
import { Sidebar, SidebarDrawer } from "./sidebar.js";
import { ParleySocket } from "./socket.js";
import { Switcher } from "./switcher.js";

const main = document.getElementById("main");
const socket = new ParleySocket();
// Your conversations and their unread counts as the server keeps them (`ready`, then the
// user's stream and the rooms' changes): what the sidebar, the switcher and the badges show.
const conversations = Conversations.fromPage();
const drawer = new SidebarDrawer({ conversations });
new Sidebar({ conversations });
let view = null; // the room shown, from mountRoom

// Who is online: one tracker for the whole page (the sidebar's DMs, member lists, authors).
const presence = startPresence(socket);
// A message arriving in the conversation on screen is read, not counted (nor notified).
conversations.isViewing = (slug) => slug === view?.slug && slug !== holdRead && document.visibilityState === "visible";
// A followed conversation counts its messages as they come; the others count `mentioned`.
conversations.isFollowed = (slug) => socket.subscribedRooms().includes(slug);
// What gets your attention when you are elsewhere.
const attention = new Attention({ conversations });
window.parley = { socket, conversations, presence, attention };

function leave() {
  view?.unmount();
  view = null;
}

// Shows what <main> now holds; the rooms left behind are unsubscribed, unless a post of
// theirs is still on its way (the socket sends it only to a subscribed room).
function enter({ focus }) {
  retitle(); // the router set the new page's title
  const root = document.getElementById("room");
  if (root) {
    const slug = root.dataset.room;
    // Where you left off: the "New messages" line goes after it.
    const unread = unreadOf(slug);
    holdRead = null;
    view = mountRoom(root, { socket, navigate: (url) => router.go(url), onRenamed, onMarkedUnread, focus, unread });
    conversations.visit({ slug, name: root.dataset.name, private: root.dataset.private === "true" });
    attention.setCurrent(slug);
    readSoon();
  } else {
    conversations.setCurrent(null);
    attention.setCurrent(null);
    if (location.hash === "#new-room") focusNewRoom();
    else if (enterSearchPage({ focus })) {
      // the results page took the focus (its first result) when asked
    } else if (focus) main.focus();
  }
  // Rooms left behind stay followed while they are conversations of yours (their unread
  // counts move live) or a post of theirs is on its way; the others are let go.
  for (const slug of socket.subscribedRooms()) {
    if (slug !== view?.slug && !conversations.get(slug) && socket.pendingPosts(slug).length === 0) socket.unsubscribe(slug);
  }
  drawer.close({ focus: false });
}

// The page's title as the page set it (a room's name), under the counts that Attention puts
// before it.
function retitle() {
  attention.setBaseTitle(document.title.replace(/^(\(\d+\) |\* )/, ""));
}

function onRenamed(slug, name) {
  retitle();
  conversations.rename(slug, name);
}

const router = new Router({ main, leave, enter });
const open = (entry) => router.go(conversationUrl(entry.room));
const switcher = new Switcher({ conversations, choose: open });
window.parley.router = router;
mountSearchBox({ go: (url) => router.go(url) });

// ---- the shell's keyboard ----

document.addEventListener("keydown", (event) => {
  if (event.isComposing) return;
  const plainAlt = event.altKey && !event.ctrlKey && !event.metaKey && !event.shiftKey;
  if ((event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey && event.key.toLowerCase() === "k") {
    event.preventDefault();
    drawer.close({ focus: false });
    switcher.open();
  } else if (plainAlt && (event.key === "ArrowUp" || event.key === "ArrowDown") && !switcher.isOpen()) {
    event.preventDefault();
    const next = conversations.neighbour(event.key === "ArrowUp" ? -1 : 1);
    if (next && next.room !== conversations.current) open(next);
  }
});

// Esc on the conversation (the focus in the room, not in a drawer, menu or dialog that took
// the Esc first): mark it read. On the window, so it runs after the room's own Esc handlers.
window.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || event.defaultPrevented || !view) return;
  const focus = document.activeElement;
  const room = document.getElementById("room");
  if (focus !== document.body && !room?.querySelector(".room-main")?.contains(focus)) return;
  markRead(view.slug, { clearDivider: true });
});

// ---- unread: the server's counts, kept live ----

// What of the conversation is new to you now: after your marker, up to its newest event.
function unreadOf(slug) {
  const c = conversations.get(slug);
  return c && c.unread > 0 ? { after: c.last_read, upTo: c.seq } : null;
}

// Follow your conversations, so that their counts move as messages arrive: at most FOLLOWED
// (the server takes 500 subscriptions a socket; the rest move at the next `ready` or marker).
const FOLLOWED = 450;
function followAll() {
  const known = new Set(socket.subscribedRooms());
  const followed = conversations.active().slice(0, FOLLOWED);
  // From `ready`'s seq: a message posted between `ready` and the subscription is replayed, so
  // it counts.
  for (const c of followed) if (!known.has(c.room)) socket.subscribe(c.room, { since: c.seq });
}

socket.addEventListener("hello", ({ detail }) => conversations.setUser(detail.user));
let firstReady = true;
socket.addEventListener("ready", ({ detail }) => {
  conversations.applyReady(detail.conversations);
  // A page loaded on a room learns where you left off only now (a switch knows it at once).
  if (firstReady && view) view.setUnread(unreadOf(view.slug));
  firstReady = false;
  followAll();
  readSoon();
});
socket.addEventListener("user", ({ detail }) => {
  conversations.applyUserFrame(detail.frame);
  if (detail.frame.type === "conversation_added") followAll();
  if (detail.frame.type === "user_updated") onProfile(detail.frame.user);
});

// Someone changed their profile (`user_updated`). You: the header's "Signed in as" on every
// page (a room shows it in its details too, room.js). The DMs named after them are renamed
// in conversations.js; the one open follows here.
function onProfile(user) {
  const me = conversations.me ?? socket.user;
  if (me?.id !== user.id) return;
  const whoami = document.querySelector(".whoami strong");
  if (whoami) whoami.textContent = user.display_name;
}
conversations.addEventListener("renamed", ({ detail }) => {
  if (detail.slug !== view?.slug) return;
  view.setName(detail.name);
  retitle();
});
socket.addEventListener("change", ({ detail }) => {
  conversations.applyChange(detail.frame);
  if (detail.room === view?.slug && detail.frame.type === "message") readSoon();
});

// The open conversation is read while you look at it: when it opens, and as messages arrive
// while the tab is visible (not while it is hidden: then they stay unread, and count).
let readTimer = null;
// A room you marked unread stays unread until you leave it (or press Esc), as in Slack.
let holdRead = null;
function onMarkedUnread(slug) {
  holdRead = slug;
}
function readSoon() {
  clearTimeout(readTimer);
  readTimer = setTimeout(() => {
    if (view && view.slug !== holdRead && document.visibilityState === "visible") markRead(view.slug);
  }, 800);
}
document.addEventListener("visibilitychange", readSoon);
window.addEventListener("focus", readSoon);

async function markRead(slug, { clearDivider = false } = {}) {
  const c = conversations.get(slug);
  if (clearDivider) {
    view?.clearUnread();
    holdRead = null;
  }
  if (!c || c.last_read >= c.seq || !socket.isOpen()) return;
  conversations.markedRead(slug, c.seq);
  try {
    await socket.markRead(slug);
  } catch {
    // The next `ready` says where the marker is.
  }
}

// ---- the sidebar's actions ----

document.getElementById("mark-all-read")?.addEventListener("click", async () => {
  try {
    await sendJson("POST", "/api/v1/conversations/read");
  } catch (error) {
    view?.notice?.(`Could not mark all read: ${error.message}`, "error");
  }
});

const enableNotifications = document.getElementById("enable-notifications");
if (enableNotifications) {
  enableNotifications.hidden = !attention.canAsk();
  enableNotifications.addEventListener("click", async () => {
    await attention.ask();
    enableNotifications.hidden = !attention.canAsk();
  });
}

// A notification clicked: open its conversation.
document.addEventListener("parley:open", ({ detail }) => router.go(conversationUrl(detail.slug)));

const newDm = document.getElementById("new-dm");
let dmAttempt = 0; // only the latest start's answer counts (an older one may come back later)
newDm?.addEventListener("submit", async (event) => {
  event.preventDefault();
  const field = document.getElementById("new-dm-people");
  const error = document.getElementById("new-dm-error");
  const usernames = field.value.split(/[\s,]+/).map((name) => name.replace(/^@/, "")).filter(Boolean);
  if (usernames.length === 0) return field.focus();
  const attempt = ++dmAttempt;
  try {
    const conversation = await sendJson("POST", "/api/v1/dms", { usernames });
    if (attempt !== dmAttempt) return;
    error.hidden = true;
    field.value = "";
    conversations.applyUserFrame({ type: "conversation_added", conversation });
    followAll();
    router.go(conversationUrl(conversation.room));
  } catch (failure) {
    if (attempt !== dmAttempt) return;
    error.textContent = failure.message;
    error.hidden = false;
    field.focus();
  }
});

// New channel: the lobby's New room form (/#new-room), its name field focused.
function focusNewRoom() {
  if (location.hash === "#new-room") document.getElementById("id_name")?.focus();
}
window.addEventListener("hashchange", focusNewRoom);

// ---- start ----

enter({ focus: false });
socket.connect();
