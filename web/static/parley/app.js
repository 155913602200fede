// The app shell (docs/web.md, "The app shell"): the one socket, the workspace's sidebar, the
// page in the middle (a room, mounted by room.js, or the lobby as "Browse channels"), the
// router that switches between them without loading a page, and the shell's keyboard.

import { mountRoom } from "./room.js";
import { Router } from "./router.js";
import { Sidebar, SidebarDrawer } from "./sidebar.js";
import { ParleySocket } from "./socket.js";
import { Switcher } from "./switcher.js";
import { conversationUrl, markConversationRead, Workspace } from "./workspace.js";

const main = document.getElementById("main");
const socket = new ParleySocket();
const workspace = Workspace.fromPage();
const drawer = new SidebarDrawer();
new Sidebar({ workspace });
let view = null; // the room shown, from mountRoom

window.parley = { socket, workspace };

function leave() {
  view?.unmount();
  view = null;
}

// Shows what <main> now holds; the rooms left behind are unsubscribed, unless a post of
// theirs is still on its way (the socket sends it only to a subscribed room).
function enter({ focus }) {
  const root = document.getElementById("room");
  if (root) {
    view = mountRoom(root, { socket, navigate: (url) => router.go(url), onRenamed, focus });
    workspace.visit({ slug: root.dataset.room, name: root.dataset.name, private: root.dataset.private === "true" });
  } else {
    workspace.setCurrent(null);
    if (location.hash === "#new-room") focusNewRoom();
    else if (focus) main.focus();
  }
  for (const slug of socket.subscribedRooms()) {
    if (slug !== view?.slug && socket.pendingPosts(slug).length === 0) socket.unsubscribe(slug);
  }
  drawer.close({ focus: false });
}

function onRenamed(slug, name) {
  workspace.update(slug, { name });
}

const router = new Router({ main, leave, enter });
const open = (entry) => router.go(conversationUrl(entry));
const switcher = new Switcher({ workspace, choose: open });
window.parley.router = router;

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
    const next = workspace.neighbour(event.key === "ArrowUp" ? -1 : 1);
    if (next && next.slug !== workspace.current) open(next);
  }
});

// Esc on the conversation (the focus in the room, not in a drawer, menu or dialog that took
// the Esc first): mark it read. On the window, so it runs after the room's own Esc handlers.
window.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || event.defaultPrevented || !view) return;
  const focus = document.activeElement;
  const room = document.getElementById("room");
  if (focus !== document.body && !room?.querySelector(".room-main")?.contains(focus)) return;
  markConversationRead(view.slug);
});

// New channel: the lobby's New room form (/#new-room), its name field focused.
function focusNewRoom() {
  if (location.hash === "#new-room") document.getElementById("id_name")?.focus();
}
window.addEventListener("hashchange", focusNewRoom);

// ---- start ----

enter({ focus: false });
socket.connect();
