// The room page: renders the room's messages from socket.js's events and sends what is typed.
//
// Every user-made string reaches the page through textContent or a DOM node, never as markup.
// Messages are kept in seq order; our own posts are shown "pending" at the bottom until their
// ack arrives, then placed by their seq.

import { isSendable } from "./outbox.js";
import { ParleySocket } from "./socket.js";

const HISTORY_PAGE = 50;
const TYPING_EVERY = 2000; // ms between our typing frames
const TYPING_SHOWN = 3000; // ms a "X is typing…" lasts without a new typing frame
const NEAR_BOTTOM = 60; // px: closer than this to the bottom follows new messages
const GROUP_GAP = 5 * 60 * 1000; // ms between two messages of one author shown as one group
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
const scroller = $("log-scroller");
const log = $("chat-log");
const olderButton = $("load-older");
const logStart = $("log-start");
const statusLine = $("connection-status");
const typingLine = $("typing");
const noticeLine = $("notice");
const composer = $("composer");
const input = $("chat-message-input");
const myName = $("my-name");

const socket = new ParleySocket();
window.parley = { socket }; // a handle for the console and the browser tests

let me = null; // the user from `hello` / `named`
const seqs = []; // seqs on the page, ascending
const bySeq = new Map(); // seq -> <li>
const pending = new Map(); // client_id -> {node, body}: our posts not yet acknowledged
const typers = new Map(); // user id -> {name, timer}
let generation = 0; // bumped by every fresh start, so a late history page of an older one is dropped
let latestRetry = null; // a last_seq whose latest page failed to load, to retry once live
let lastTypingSent = 0;
let noticeTimer = null;

// ---- rendering ----

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function usernameNode(user) {
  return el("span", "username", user.username ? `@${user.username}` : "");
}

// How a person is named in a sentence ("Ada (@ada) is typing…"): display names can repeat.
function nameWithUsername(user) {
  return user.username ? `${user.display_name} (@${user.username})` : user.display_name;
}

function timeNode(iso) {
  const node = el("time", "msg-time");
  const date = new Date(iso);
  node.dateTime = iso;
  node.textContent = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  node.title = date.toLocaleString();
  return node;
}

function messageNode({ seq, author, body, created_at }, { provisional = false } = {}) {
  const node = el("li", "msg");
  node.dataset.seq = seq;
  node.dataset.author = author.id;
  node.dataset.at = Date.parse(created_at);
  if (me && author.id === me.id) node.classList.add("mine");
  if (provisional) node.classList.add("provisional");
  const meta = el("div", "msg-meta");
  // The username beside the display name: two people may share a display name.
  meta.append(el("span", "msg-author", author.display_name), " ", usernameNode(author), " ", timeNode(created_at));
  node.append(meta, el("p", "msg-body", body));
  return node;
}

// A message right after one by the same author, within GROUP_GAP, is shown without its
// author line (still there for screen readers), as chat apps group a burst of messages.
function regroup(node) {
  if (!node || !node.dataset.seq) return;
  const previous = node.previousElementSibling;
  const continued =
    previous !== null &&
    previous.dataset.seq !== undefined &&
    previous.dataset.author === node.dataset.author &&
    Number(node.dataset.at) - Number(previous.dataset.at) < GROUP_GAP;
  node.classList.toggle("continued", continued);
}

// Index of the first seq greater than `seq`.
function slot(seq) {
  let low = 0;
  let high = seqs.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (seqs[mid] < seq) low = mid + 1;
    else high = mid;
  }
  return low;
}

function show(message, options) {
  const existing = bySeq.get(message.seq);
  if (existing) {
    // A message we placed from its ack gets the server's own rendering when it arrives.
    if (existing.classList.contains("provisional") && !options?.provisional) {
      const node = messageNode(message);
      existing.replaceWith(node);
      bySeq.set(message.seq, node);
      regroup(node);
      regroup(node.nextElementSibling);
    }
    return;
  }
  const node = messageNode(message, options);
  const index = slot(message.seq);
  const next = index < seqs.length ? bySeq.get(seqs[index]) : log.querySelector(".pending");
  log.insertBefore(node, next);
  seqs.splice(index, 0, message.seq);
  bySeq.set(message.seq, node);
  regroup(node);
  regroup(node.nextElementSibling);
}

function clearShown() {
  for (const node of bySeq.values()) node.remove();
  bySeq.clear();
  seqs.length = 0;
}

function nearBottom() {
  return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < NEAR_BOTTOM;
}

function scrollToBottom() {
  scroller.scrollTop = scroller.scrollHeight;
}

// A page of history; our own posts in it are stored, whatever their ack's fate.
function showPage(messages) {
  for (const message of messages) {
    if (me && message.author.id === me.id) settle(message.client_id);
    show(message);
  }
}

// Insert older messages above without moving what the reader is looking at.
function prepend(messages) {
  const fromBottom = scroller.scrollHeight - scroller.scrollTop;
  showPage(messages);
  scroller.scrollTop = scroller.scrollHeight - fromBottom;
}

function setHasMore(hasMore) {
  olderButton.hidden = !hasMore;
  logStart.hidden = hasMore;
}

function notice(text, kind = "info") {
  clearTimeout(noticeTimer);
  noticeLine.textContent = text;
  noticeLine.dataset.kind = kind;
  noticeTimer = setTimeout(() => {
    noticeLine.textContent = "";
  }, 8000);
}

// ---- our posts ----

function pendingNode(entry) {
  const node = el("li", "msg mine pending");
  node.dataset.clientId = entry.client_id;
  const meta = el("div", "msg-meta");
  meta.append(el("span", "msg-author", me ? me.display_name : myName.textContent), " ");
  if (me) meta.append(usernameNode(me), " ");
  meta.append(el("span", "msg-state", "sending…"));
  node.append(meta, el("p", "msg-body", entry.body));
  log.append(node);
  pending.set(entry.client_id, { node, body: entry.body });
  return node;
}

function settle(clientId, seq) {
  const entry = pending.get(clientId);
  if (!entry) return;
  pending.delete(clientId);
  entry.node.remove();
  if (seq !== undefined && me) {
    show(
      { seq, author: me, body: entry.body, created_at: new Date().toISOString() },
      { provisional: true },
    );
  }
}

// Returns false, and says why, for text the server would refuse: it stays in the composer.
function post(body) {
  if (!isSendable(body)) {
    notice("This message holds a character that cannot be sent (U+0000 or half of an emoji); remove it and send again.", "error");
    return false;
  }
  const clientId = socket.post(slug, body);
  pendingNode({ client_id: clientId, body });
  scrollToBottom();
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

// ---- history ----

async function loadLatest(lastSeq) {
  const mine = ++generation;
  latestRetry = null;
  if (lastSeq === 0) {
    setHasMore(false);
    return;
  }
  try {
    const page = await socket.history(slug, { before: lastSeq + 1, limit: HISTORY_PAGE });
    if (mine !== generation) return;
    showPage(page.messages);
    setHasMore(page.has_more);
    scrollToBottom();
  } catch {
    if (mine === generation) latestRetry = lastSeq; // disconnected: again once live
  }
}

async function loadOlder() {
  if (seqs.length === 0) return;
  olderButton.disabled = true;
  try {
    const page = await socket.history(slug, { before: seqs[0], limit: HISTORY_PAGE });
    prepend(page.messages);
    setHasMore(page.has_more);
  } catch (error) {
    notice(`Could not load older messages: ${error.message}`, "error");
  } finally {
    olderButton.disabled = false;
  }
}

// ---- typing ----

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

// ---- socket events ----

socket.addEventListener("status", ({ detail }) => {
  statusLine.dataset.state = detail.status;
  statusLine.textContent = STATUS_TEXT[detail.status] ?? detail.status;
  if (detail.status === "live" && latestRetry !== null) loadLatest(latestRetry);
});

socket.addEventListener("hello", ({ detail }) => {
  me = detail.user;
  myName.textContent = me.display_name;
});

socket.addEventListener("named", ({ detail }) => {
  me = detail.user;
  myName.textContent = me.display_name;
  notice(`You are now ${me.display_name}.`);
});

socket.addEventListener("fresh", ({ detail }) => {
  if (detail.room !== slug) return;
  clearShown();
  if (detail.reset) notice("You were away for a while: showing the latest messages.");
  loadLatest(detail.lastSeq);
});

socket.addEventListener("message", ({ detail: { message } }) => {
  if (message.room !== slug) return;
  const own = me !== null && message.author.id === me.id;
  if (own) settle(message.client_id);
  stopTyping(message.author.id);
  const follow = own || nearBottom();
  show(message);
  if (follow) scrollToBottom();
});

socket.addEventListener("ack", ({ detail }) => {
  if (detail.room === slug) settle(detail.client_id, detail.seq);
});

socket.addEventListener("post-failed", ({ detail }) => {
  const entry = pending.get(detail.client_id);
  if (!entry) return;
  pending.delete(detail.client_id);
  entry.node.classList.replace("pending", "failed");
  entry.node.querySelector(".msg-state").textContent = `not sent: ${detail.message}`;
  const discard = el("button", "button-quiet", "Discard");
  discard.type = "button";
  discard.addEventListener("click", () => entry.node.remove());
  entry.node.querySelector(".msg-meta").append(" ", discard);
});

socket.addEventListener("typing", ({ detail }) => {
  if (detail.room !== slug || (me && detail.user.id === me.id)) return;
  const previous = typers.get(detail.user.id);
  if (previous) clearTimeout(previous.timer);
  const timer = setTimeout(() => stopTyping(detail.user.id), TYPING_SHOWN);
  typers.set(detail.user.id, { name: nameWithUsername(detail.user), timer });
  renderTyping();
});

socket.addEventListener("error", ({ detail }) => notice(detail.message, "error"));

// The member list, rendered by the server at load, kept current by `member` frames.
const memberList = document.querySelector("#members-panel .members");

// The page lists the first members only (the server's page); the count is of all of them.
let memberCount = Number($("members-count").textContent);

socket.addEventListener("member", ({ detail: { room, user, change } }) => {
  if (room !== slug) return;
  const rows = () => [...memberList.querySelectorAll("li[data-username]")];
  const existing = rows().find((row) => row.dataset.username === user.username);
  if (change === "left") {
    existing?.remove();
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

// ---- the composer ----

function autosize() {
  input.style.height = "auto";
  input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
}

input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    composer.requestSubmit();
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

olderButton.addEventListener("click", loadOlder);

// ---- start ----

if (window.matchMedia("(max-width: 720px)").matches) $("members-panel").open = false;
for (const entry of socket.pendingPosts(slug)) pendingNode(entry); // kept across a reload
socket.subscribe(slug);
socket.connect();
input.focus();
