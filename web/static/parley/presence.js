// Presence (docs/protocol.md, "Presence"): who is online, away or offline, shown as a dot on
// every element of the page marked `data-presence-user="<user id>"` (the member list, message
// authors; the sidebar's DM entries once it lists them).
//
// - The store holds the states the server told (socket "presence" events); views paint from it.
// - The watch list is the set of users marked on the page: sent again (at most every second)
//   when the marked elements change, and after every (re)connect, whose answer carries their
//   states at once.
// - This tab tells the server it is `away` when it is hidden or has had no input for 5
//   minutes, and `online` again at the next input or when it is shown.

const IDLE_AFTER = 5 * 60 * 1000; // ms without input before this tab is away
const WATCH_MAX = 1000; // the server's bound on a watch list
const WATCH_EVERY = 1000; // ms between two watch lists sent on page changes
const LABELS = { online: "Online", away: "Away", offline: "Offline" };

export class PresenceStore extends EventTarget {
  constructor() {
    super();
    this.states = new Map(); // user id (number) -> "online" | "away" | "offline"
  }

  apply(users) {
    for (const [id, state] of Object.entries(users)) this.states.set(Number(id), state);
    this.dispatchEvent(new CustomEvent("change"));
  }

  of(id) {
    return this.states.get(Number(id)) ?? "offline";
  }
}

// Marks every presence element under `root` with its user's state (data-presence, title).
export function paint(store, root = document) {
  for (const node of root.querySelectorAll("[data-presence-user]")) {
    const state = store.of(node.dataset.presenceUser);
    if (node.dataset.presence === state) continue;
    node.dataset.presence = state;
    node.title = LABELS[state];
  }
}

function shownUsers(root) {
  const ids = new Set();
  for (const node of root.querySelectorAll("[data-presence-user]")) {
    const id = Number(node.dataset.presenceUser);
    if (Number.isInteger(id) && id > 0) ids.add(id);
  }
  return [...ids].sort((a, b) => a - b).slice(0, WATCH_MAX);
}

export function startPresence(socket, { root = document, doc = document, win = window } = {}) {
  const store = new PresenceStore();
  let watched = "";
  let watchTimer = null;
  let state = "online";
  let idleTimer = null;

  const sendWatch = (force = false) => {
    const users = shownUsers(root);
    const key = users.join(",");
    if (!force && key === watched) return;
    watched = key;
    socket.watchPresence(users);
  };
  const watchSoon = () => {
    if (watchTimer === null) {
      watchTimer = setTimeout(() => {
        watchTimer = null;
        sendWatch();
        paint(store, root);
      }, WATCH_EVERY);
    }
  };

  const tell = (next) => {
    if (next === state) return;
    state = next;
    socket.setPresence(state);
  };
  const active = () => {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => tell("away"), IDLE_AFTER);
    if (!doc.hidden) tell("online");
  };

  socket.addEventListener("presence", ({ detail }) => {
    store.apply(detail.users);
    paint(store, root);
  });
  socket.addEventListener("hello", () => {
    // A new socket starts online and watches no one.
    sendWatch(true);
    if (state === "away") socket.setPresence("away");
  });
  new MutationObserver(watchSoon).observe(root.body ?? root, { childList: true, subtree: true });
  doc.addEventListener("visibilitychange", () => (doc.hidden ? tell("away") : active()));
  for (const type of ["pointerdown", "keydown", "wheel", "touchstart", "focus"]) {
    win.addEventListener(type, active, { passive: true, capture: true });
  }
  let lastMove = 0;
  win.addEventListener(
    "pointermove",
    () => {
      const now = Date.now();
      if (now - lastMove > 10000) {
        lastMove = now;
        active();
      }
    },
    { passive: true },
  );
  active();
  if (doc.hidden) tell("away");
  return store;
}
