// A room in the app shell: wires the one socket (socket.js) to the room's store (store.js)
// and the views (timeline.js, thread.js, panels.js, actions.js), and owns the composer, the
// typing line, the member list, the details panel and the connection status.
//
// `mountRoom` starts the room whose markup the server rendered (`#room`) and returns a handle
// whose `unmount()` stops it: every listener it added (on the shared socket and on the
// document) goes with it, so switching rooms leaves nothing behind but the one socket.
//
// Layers as on the server: the socket speaks the protocol, the store holds state and applies
// changes, views render from the store and send intents through the socket.

import { MessageActions } from "./actions.js";
import { avatarNode, avatarRefresh } from "./avatar.js";
import { Uploads } from "./files.js";
import { MentionAutocomplete } from "./mentions.js";
import { isSendable } from "./outbox.js";
import { Drawers, PinsPanel, ThreadsPanel } from "./panels.js";
import { EmojiPicker } from "./picker.js";
import { nameWithUsername } from "./render.js";
import { getJson } from "./rest.js";
import { RoomStore } from "./store.js";
import { ThreadPanel } from "./thread.js";
import { Timeline } from "./timeline.js";

const TYPING_EVERY = 2000; // ms between our typing frames
const TYPING_SHOWN = 3000; // ms a "X is typing…" lasts without a new typing frame
const NAME_COMMAND = /^\/name(?:\s+([\s\S]*))?$/;
const STATUS_TEXT = {
  idle: "Connecting…",
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
  offline: "Offline: waiting for the network",
  "signed-out": "Signed out: log in again",
  forbidden: "No access to this room",
  closed: "Disconnected",
};
const PHONE = "(max-width: 640px)";
const OVERLAY = "(max-width: 900px)"; // the details panel covers the log instead of a column
const WIDE = "(min-width: 1100px)";
const DETAILS_KEY = "parley.details"; // "open" or "closed": the details panel, as last left

// The socket as the room's views see it: every listener they add goes when `signal` aborts.
function scoped(socket, signal) {
  return new Proxy(socket, {
    get(target, name) {
      if (name === "addEventListener") return (type, listener, options = {}) => target.addEventListener(type, listener, { ...options, signal });
      const value = Reflect.get(target, name, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

// `navigate(url)` opens another page of the shell (a room's thread in the threads list);
// `focus` says whether the composer takes the focus (a switch, not the page's first load).
// `unread`: {after, upTo}, your read marker when the room opened and its newest seq then, for
// the "New messages" line (null: none).
// `onMarkedUnread(slug)`: you marked the room unread from a message (the shell then leaves it
// unread while you stay).
export function mountRoom(root, { socket: shared, navigate, onRenamed, onMarkedUnread, focus = false, unread = null }) {
  const aborter = new AbortController();
  const { signal } = aborter;
  const socket = scoped(shared, signal);
  const $ = (id) => document.getElementById(id);
  const slug = root.dataset.room;
  const statusLine = $("connection-status");
  const typingLine = $("typing");
  const noticeLine = $("notice");
  const composer = $("composer");
  const input = $("chat-message-input");
  const myName = $("my-name");

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

  const drawers = new Drawers(root, { signal });
  const signedIn = root.dataset.signedIn === "true";
  const timeline = new Timeline({ socket, store, slug, notice, myName: () => myName.textContent, canReadRest: signedIn });
  const thread = new ThreadPanel({ socket, store, slug, notice, drawers });
  const openThread = (id, options) => thread.open(id, options);
  const actions = new MessageActions({
    socket,
    store,
    slug,
    notice,
    openThread,
    picker: new EmojiPicker({ url: root.dataset.emojiUrl, signal }),
    canModerate: root.dataset.moderator === "true",
    canPin: root.dataset.canPin === "true",
    markUnread: root.dataset.member === "true" ? markUnreadFrom : null,
    signal,
  });

  async function markUnreadFrom(message) {
    onMarkedUnread?.(slug);
    timeline.setUnreadAfter(message.event_seq - 1); // up to the newest: all of it is unread
    try {
      await socket.markUnread(slug, message.id);
    } catch (error) {
      notice(`Could not mark it unread: ${error.message}`, "error");
    }
  }
  new PinsPanel({
    store,
    slug,
    drawers,
    signedIn,
    jump: async (message) => {
      if (message.seq === null) return openThread(message.thread_root, { focus: false });
      if (window.matchMedia(PHONE).matches) drawers.close();
      if (!(await timeline.jumpTo(message))) notice("That message is no longer in the room.", "error");
    },
  });
  new ThreadsPanel({ store, slug, drawers, signedIn, openThread, navigate });
  window.parley = { ...window.parley, socket: shared, store }; // a handle for the console and the browser tests

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

  function showStatus(status) {
    statusLine.dataset.state = status === "idle" ? "connecting" : status;
    statusLine.textContent = STATUS_TEXT[status] ?? status;
  }

  socket.addEventListener("lost", ({ detail }) => {
    if (detail.room === slug) showStatus("forbidden");
  });

  socket.addEventListener("status", ({ detail }) => {
    showStatus(detail.status);
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

  // The name the page shows wherever it says it: its header, the tab's title, the details,
  // the composer, the thread panel. A channel's is the room's; a DM's is the one its viewer
  // sees (the others' names, after the sidebar's @), which the shell sets when one of them is
  // renamed (`setName`).
  const sign = root.dataset.sign || "#";
  function showName(name) {
    root.dataset.name = name;
    $("room-title").lastChild.textContent = ` ${name}`;
    $("about-name").textContent = name;
    document.title = `${sign} ${name} · Parley`;
    input.placeholder = sign === "#" ? `Message # ${name}` : `Message ${name}`;
    document.querySelector(`label[for="${input.id}"]`).textContent = `Message ${name}`;
    $("log-scroller").setAttribute("aria-label", `Messages in ${name}`);
    $("log-start").querySelector("strong").textContent = name;
    for (const node of root.querySelectorAll(".room-name")) node.textContent = name;
  }

  store.addEventListener("room", ({ detail }) => {
    showName(detail.name);
    $("about-topic").textContent = detail.topic;
    $("about-topic").hidden = !detail.topic;
    onRenamed?.(slug, detail.name);
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
    if ($("attach-button")) $("attach-button").disabled = archived;
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
      const avatar = avatarNode(user);
      if (avatar) row.append(avatar, " ");
      const name = document.createElement("span");
      name.className = "member-name";
      name.dataset.presenceUser = user.id;
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

  // Someone changed their profile (`user_updated`: a person in one of your rooms, or you in
  // another tab, the settings page or the API): their name at once in the member list and on
  // their messages shown, with their avatar (a new picture, or their initials again); yours in
  // the details and on what you post next too (the shell, app.js, sets the header's and names
  // a DM anew).
  socket.addEventListener("user", ({ detail: { frame } }) => {
    if (frame.type !== "user_updated") return;
    const { user } = frame;
    store.personUpdated(user);
    if (store.me && store.me.id === user.id) setMe(user);
    for (const row of memberList.querySelectorAll("li[data-username]")) {
      if (row.dataset.username !== user.username) continue;
      row.querySelector(".member-name").textContent = user.display_name;
      avatarRefresh(row, user);
    }
    for (const node of root.querySelectorAll(`.msg[data-author="${Number(user.id)}"]`)) {
      const meta = node.querySelector(".msg-meta");
      if (meta) avatarRefresh(meta, user);
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

  socket.addEventListener("typing-stopped", ({ detail }) => {
    if (detail.room === slug) stopTyping(detail.user.id);
  });

  // ---- the composer ----

  function autosize() {
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 200)}px`;
  }

  // Returns false, and says why, for text the server would refuse: it stays in the composer.
  function post(body, files = []) {
    if (!isSendable(body)) {
      notice("This message holds a character that cannot be sent (U+0000 or half of an emoji); remove it and send again.", "error");
      return false;
    }
    const clientId = socket.post(slug, body, { files });
    timeline.showPending({ client_id: clientId, body: files.length && !body ? `📎 ${files.length === 1 ? "1 file" : `${files.length} files`}` : body });
    return true;
  }

  // ---- files: the attach button, drag-and-drop onto the conversation, pasted images ----

  const uploads = new Uploads({ slug, list: $("pending-files"), notice });
  const attachButton = $("attach-button");
  const fileInput = $("file-input");
  const canUpload = () => Boolean(attachButton) && !attachButton.disabled;
  if (attachButton && fileInput) {
    attachButton.addEventListener("click", () => fileInput.click(), { signal });
    fileInput.addEventListener(
      "change",
      () => {
        uploads.add([...fileInput.files]);
        fileInput.value = "";
        input.focus();
      },
      { signal },
    );
  }
  const carriesFiles = (event) => [...(event.dataTransfer?.types ?? [])].includes("Files");
  root.addEventListener(
    "dragover",
    (event) => {
      if (!canUpload() || !carriesFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
      root.classList.add("dropping");
    },
    { signal },
  );
  root.addEventListener("dragleave", (event) => {
    if (!root.contains(event.relatedTarget)) root.classList.remove("dropping");
  }, { signal });
  root.addEventListener(
    "drop",
    (event) => {
      root.classList.remove("dropping");
      if (!canUpload() || !event.dataTransfer?.files?.length) return;
      event.preventDefault();
      uploads.add([...event.dataTransfer.files]);
      input.focus();
    },
    { signal },
  );
  input.addEventListener(
    "paste",
    (event) => {
      const files = [...(event.clipboardData?.files ?? [])];
      if (!canUpload() || files.length === 0) return;
      event.preventDefault(); // the image, not its file name as text
      uploads.add(files);
    },
    { signal },
  );

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
    if (uploads.busy) {
      notice("Wait for the files to finish uploading, then send.", "error");
      return;
    }
    const files = uploads.ids();
    if (!text && files.length === 0) return;
    const command = files.length === 0 && text.match(NAME_COMMAND);
    if (command) rename((command[1] ?? "").trim());
    else if (!post(text, files)) return;
    else uploads.clear();
    input.value = "";
    autosize();
    input.focus();
  });

  // ---- the details panel (members, the room's name and topic), collapsible ----

  const details = $("room-side");
  const detailsButton = $("toggle-details");
  let detailsOpener = null;

  function showDetails(open, { remember = true } = {}) {
    details.hidden = !open;
    root.dataset.details = open ? "open" : "closed";
    detailsButton.setAttribute("aria-expanded", String(open));
    if (remember && !window.matchMedia(OVERLAY).matches) localStorage.setItem(DETAILS_KEY, open ? "open" : "closed");
  }

  detailsButton.addEventListener("click", () => {
    const open = details.hidden;
    showDetails(open);
    if (open && window.matchMedia(OVERLAY).matches) {
      // Over the log (full screen on a phone): the focus goes in, and back to the button after.
      detailsOpener = detailsButton;
      $("close-details").focus();
    }
  });
  $("close-details").addEventListener("click", () => {
    showDetails(false);
    detailsButton.focus();
  });
  details.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !window.matchMedia(OVERLAY).matches) return;
    event.preventDefault();
    showDetails(false);
    (detailsOpener ?? detailsButton).focus();
  });
  // Open as last left on a wide screen (open at first when there is room for it); closed where
  // it would cover the log.
  const remembered = localStorage.getItem(DETAILS_KEY);
  const startOpen = !window.matchMedia(OVERLAY).matches && (remembered ? remembered === "open" : window.matchMedia(WIDE).matches);
  showDetails(startOpen, { remember: false });
  window.matchMedia(OVERLAY).addEventListener("change", ({ matches }) => matches && showDetails(false, { remember: false }), { signal });

  // ---- start ----

  showStatus(shared.status);
  if (shared.user) setMe(shared.user);
  for (const entry of socket.pendingPosts(slug)) {
    // Kept across a reload.
    if (entry.thread_root === null) timeline.showPending(entry);
    else thread.showPending(entry);
  }
  if (unread) timeline.setUnreadAfter(unread.after, unread.upTo);
  shared.setFocus(slug);
  // @-mentions: the room's members (the first page, read once when first needed).
  let people = null;
  new MentionAutocomplete(input, {
    members: () =>
      (people ??= getJson(`/api/v1/rooms/${encodeURIComponent(slug)}/members?page_size=100`)
        .then((page) => page.members)
        .catch(() => [])),
    wide: () => root.dataset.wideMentions !== "false",
  });
  socket.subscribe(slug);
  const linked = location.hash.match(/^#thread-(\d+)$/);
  const jump = location.hash.match(/^#msg-(\d+)$/);
  if (linked) openThread(Number(linked[1]));
  else if (jump) timeline.jumpOnLoad = Number(jump[1]); // once the latest page is in
  else if (focus) input.focus();
  // A link to a message of this room while it is open (a search result): jump there.
  window.addEventListener(
    "hashchange",
    async () => {
      const seq = location.hash.match(/^#msg-(\d+)$/);
      if (seq && !(await timeline.jumpTo({ seq: Number(seq[1]) }))) notice("That message is no longer in the room.", "error");
    },
    { signal },
  );

  return {
    slug,
    input,
    notice,
    // A DM's name as its viewer sees it changed (one of its people was renamed).
    setName(name) {
      if (name && name !== root.dataset.name) showName(name);
    },
    // Where the "New messages" line goes ({after, upTo}, or null: nowhere).
    setUnread(unread) {
      if (unread) timeline.setUnreadAfter(unread.after, unread.upTo);
    },
    clearUnread() {
      timeline.setUnreadAfter(null);
    },
    unmount() {
      aborter.abort();
      clearTimeout(noticeTimer);
      for (const typer of typers.values()) clearTimeout(typer.timer);
      typers.clear();
    },
  };
}
