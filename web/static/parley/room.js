// The room page: wires the socket (socket.js) to the room's store (store.js) and the views
// (timeline.js, thread.js, panels.js, actions.js), and owns the composer, the typing line,
// the member list and the connection status.
//
// Layers as on the server: the socket speaks the protocol, the store holds state and applies
// changes, views render from the store and send intents through the socket.

import { MessageActions } from "./actions.js";
import { isSendable } from "./outbox.js";
import { Drawers, PinsPanel, ThreadsPanel } from "./panels.js";
import { EmojiPicker } from "./picker.js";
import { nameWithUsername } from "./render.js";
import { ParleySocket } from "./socket.js";
import { RoomStore } from "./store.js";
import { ThreadPanel } from "./thread.js";
import { Timeline } from "./timeline.js";

const TYPING_EVERY = 2000; // ms between our typing frames
const TYPING_SHOWN = 3000; // ms a "X is typing…" lasts without a new typing frame
const NAME_COMMAND = /^\/name(?:\s+([\s\S]*))?$/;
const STATUS_TEXT = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline: waiting for the network",
  "signed-out": "Signed out: log in again",
  forbidden: "No access to this room",
  closed: "Disconnected",
};

const $ = (id) => document.getElementById(id);
const root = $("room");
const slug = root.dataset.room;
const statusLine = $("connection-status");
const typingLine = $("typing");
const noticeLine = $("notice");
const composer = $("composer");
const input = $("chat-message-input");
const myName = $("my-name");

const socket = new ParleySocket();
const store = new RoomStore(slug);
let noticeTimer = null;

function notice(text, kind = "info") {
  clearTimeout(noticeTimer);
  noticeLine.textContent = text;
  noticeLine.dataset.kind = kind;
  noticeTimer = setTimeout(() => {
    noticeLine.textContent = "";
  }, 8000);
}

const drawers = new Drawers(root);
const timeline = new Timeline({ socket, store, slug, notice, myName: () => myName.textContent });
const signedIn = root.dataset.signedIn === "true";
const thread = new ThreadPanel({ socket, store, slug, notice, drawers });
const openThread = (id, options) => thread.open(id, options);
const actions = new MessageActions({
  socket,
  store,
  slug,
  notice,
  openThread,
  picker: new EmojiPicker({ url: root.dataset.emojiUrl }),
  canModerate: root.dataset.moderator === "true",
  canPin: root.dataset.canPin === "true",
});
new PinsPanel({
  store,
  slug,
  drawers,
  signedIn,
  jump: async (message) => {
    if (message.seq === null) return openThread(message.thread_root, { focus: false });
    if (window.matchMedia("(max-width: 720px)").matches) drawers.close();
    if (!(await timeline.jumpTo(message))) notice("That message is no longer in the room.", "error");
  },
});
new ThreadsPanel({ store, slug, drawers, signedIn, openThread });
window.parley = { socket, store }; // a handle for the console and the browser tests

// ---- identity ----

function setMe(user) {
  store.setMe(user);
  myName.textContent = user.display_name;
}

socket.addEventListener("hello", ({ detail }) => setMe(detail.user));
socket.addEventListener("identity", ({ detail }) => setMe(detail.user));
socket.addEventListener("named", ({ detail }) => {
  setMe(detail.user);
  notice(`You are now ${detail.user.display_name}.`);
});

// ---- the room's stream ----

socket.addEventListener("status", ({ detail }) => {
  statusLine.dataset.state = detail.status;
  statusLine.textContent = STATUS_TEXT[detail.status] ?? detail.status;
  if (detail.status === "live") timeline.retryLatest();
});

socket.addEventListener("fresh", ({ detail }) => {
  if (detail.room !== slug) return;
  store.clear();
  if (detail.reset) notice("You were away for a while: showing the latest messages.");
  timeline.loadLatest(detail.lastSeq);
});

socket.addEventListener("change", ({ detail: { room, frame } }) => {
  if (room !== slug) return;
  if (frame.type === "message") {
    const { message } = frame;
    if (store.me && store.me.id !== null && message.author.id === store.me.id) timeline.settle(message.client_id);
    stopTyping(message.author.id);
  }
  store.apply(frame);
});

socket.addEventListener("ack", ({ detail }) => {
  if (detail.room === slug) timeline.settle(detail.client_id, detail.number, detail.id);
});

socket.addEventListener("post-failed", ({ detail }) => timeline.failed(detail.client_id, detail.message));
socket.addEventListener("error", ({ detail }) => notice(detail.message, "error"));

// ---- room name, topic and members ----

store.addEventListener("room", ({ detail }) => {
  const title = $("room-title");
  title.lastChild.textContent = ` ${detail.name}`;
  document.title = `# ${detail.name} · Parley`;
  let topic = document.querySelector(".room-header .room-topic");
  if (!topic) {
    topic = document.createElement("p");
    topic.className = "room-topic";
    const header = document.querySelector(".room-header");
    header.insertBefore(topic, header.querySelector(".room-tools"));
  }
  topic.textContent = detail.topic;
  topic.hidden = !detail.topic;
  // An archived room is read-only: the server refuses posts (room_archived); say so at once.
  const archived = Boolean(detail.archived);
  root.dataset.archived = String(archived);
  $("archived-banner").hidden = !archived;
  $("chat-message-input").disabled = archived;
  $("chat-message-submit").disabled = archived;
  // A handover moves the owner badge (the Remove buttons follow at the next load).
  for (const row of memberList.querySelectorAll("li[data-username]")) {
    const badge = row.querySelector(".badge-owner");
    if (row.dataset.username !== detail.owner?.username) {
      badge?.remove();
    } else if (!badge) {
      const owner = document.createElement("span");
      owner.className = "badge badge-owner";
      owner.textContent = "owner";
      row.querySelector(".username").after(" ", owner);
    }
  }
});

// The member list, rendered by the server at load, kept current by `member` changes. The page
// lists the first members only (the server's page); the count is of all of them.
const memberList = document.querySelector("#members-panel .members");
let memberCount = Number($("members-count").textContent);

store.addEventListener("member", ({ detail: { user, change } }) => {
  const rows = () => [...memberList.querySelectorAll("li[data-username]")];
  const existing = rows().find((row) => row.dataset.username === user.username);
  if (change === "left" || change === "removed") {
    existing?.remove(); // or one of those past the first page
    memberCount = Math.max(0, memberCount - 1);
  } else if (!existing) {
    memberCount += 1;
    const row = document.createElement("li");
    row.dataset.username = user.username;
    const name = document.createElement("span");
    name.className = "member-name";
    name.textContent = user.display_name;
    const handle = document.createElement("span");
    handle.className = "username";
    handle.textContent = `@${user.username}`;
    row.append(name, " ", handle);
    // In username order, as the server renders the list.
    memberList.insertBefore(row, rows().find((other) => other.dataset.username > user.username) ?? null);
  }
  const count = rows().length;
  $("members-count").textContent = String(memberCount);
  const more = memberCount - count;
  $("members-more-count").textContent = String(more);
  $("members-more").hidden = more <= 0;
  memberList.querySelector("li.muted")?.remove();
  if (memberCount === 0) {
    const empty = document.createElement("li");
    empty.className = "muted";
    empty.textContent = "No members yet.";
    memberList.append(empty);
  }
});

// Someone changed their profile (`user_updated`: a person in one of your rooms, or you in another
// tab, the settings page or the API): their name at once in the member list and on their messages
// shown; yours in the header and on what you post next too.
socket.addEventListener("user", ({ detail: { frame } }) => {
  if (frame.type !== "user_updated") return;
  const { user } = frame;
  if (store.me && store.me.id === user.id) {
    setMe(user);
    const header = document.querySelector(".whoami strong");
    if (header) header.textContent = user.display_name;
  }
  for (const row of memberList.querySelectorAll("li[data-username]")) {
    if (row.dataset.username === user.username) row.querySelector(".member-name").textContent = user.display_name;
  }
  for (const node of document.querySelectorAll(`.msg[data-author="${Number(user.id)}"]`)) {
    const author = node.querySelector(".msg-author");
    if (author) author.textContent = user.display_name;
    const actor = node.querySelector(".msg-actor");
    if (actor) actor.textContent = `* ${user.display_name}`;
  }
});

// ---- typing ----

const typers = new Map(); // user id -> {name, timer}
let lastTypingSent = 0;

function renderTyping() {
  const names = [...typers.values()].map((typer) => typer.name);
  if (names.length === 0) typingLine.textContent = "";
  else if (names.length === 1) typingLine.textContent = `${names[0]} is typing…`;
  else if (names.length === 2) typingLine.textContent = `${names[0]} and ${names[1]} are typing…`;
  else typingLine.textContent = "Several people are typing…";
}

function stopTyping(userId) {
  const typer = typers.get(userId);
  if (!typer) return;
  clearTimeout(typer.timer);
  typers.delete(userId);
  renderTyping();
}

socket.addEventListener("typing", ({ detail }) => {
  if (detail.room !== slug || (store.me && detail.user.id === store.me.id)) return;
  const previous = typers.get(detail.user.id);
  if (previous) clearTimeout(previous.timer);
  const timer = setTimeout(() => stopTyping(detail.user.id), TYPING_SHOWN);
  typers.set(detail.user.id, { name: nameWithUsername(detail.user), timer });
  renderTyping();
});

// ---- the composer ----

function autosize() {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
}

// Returns false, and says why, for text the server would refuse: it stays in the composer.
function post(body) {
  if (!isSendable(body)) {
    notice("This message holds a character that cannot be sent (U+0000 or half of an emoji); remove it and send again.", "error");
    return false;
  }
  const clientId = socket.post(slug, body);
  timeline.showPending({ client_id: clientId, body });
  return true;
}

async function rename(name) {
  if (!name) {
    notice("To rename yourself, type /name followed by the new name.", "error");
    return;
  }
  try {
    await socket.rename(name);
  } catch (error) {
    notice(`Could not rename you: ${error.message}`, "error");
  }
}

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    composer.requestSubmit();
  } else if (event.key === "ArrowUp" && input.value === "" && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.metaKey) {
    // As in Slack: Up in an empty composer edits your last message.
    const last = store.lastOwn();
    if (last && actions.startEdit(last.id, { returnTo: input })) event.preventDefault();
  }
});

input.addEventListener("input", () => {
  autosize();
  const text = input.value.trim();
  if (!text || text.startsWith("/")) return;
  const now = Date.now();
  if (now - lastTypingSent >= TYPING_EVERY && socket.isOpen()) {
    lastTypingSent = now;
    socket.typing(slug);
  }
});

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  const command = text.match(NAME_COMMAND);
  if (command) rename((command[1] ?? "").trim());
  else if (!post(text)) return;
  input.value = "";
  autosize();
  input.focus();
});

// ---- start ----

if (window.matchMedia("(max-width: 720px)").matches) $("members-panel").open = false;
for (const entry of socket.pendingPosts(slug)) {
  // Kept across a reload.
  if (entry.thread_root === null) timeline.showPending(entry);
  else thread.showPending(entry);
}
socket.subscribe(slug);
socket.connect();
const linked = location.hash.match(/^#thread-(\d+)$/);
if (linked) openThread(Number(linked[1]));
else input.focus();
