// The thread panel, Slack-style: a thread's root and its replies, live, and a composer whose
// "Also send to #room" puts the reply in the room's timeline too. On a wide screen it sits at
// the right of the log; on a phone it covers the page. Esc or "Close" closes it and puts the
// focus back where it was.

import { avatarNode } from "./avatar.js";
import { el, messageNode, replaceKeepingFocus, usernameNode } from "./render.js";
import { carryEditor } from "./timeline.js";
import { isSendable } from "./outbox.js";

export class ThreadPanel {
  constructor({ socket, store, slug, notice, drawers }) {
    this.socket = socket;
    this.store = store;
    this.slug = slug;
    this.notice = notice;
    this.drawers = drawers;
    this.rootId = null;
    this.generation = 0;
    this.pending = new Map(); // client_id -> {node, body}: our replies not yet back
    this.panel = document.getElementById("thread-panel");
    this.rootList = document.getElementById("thread-root");
    this.replies = document.getElementById("thread-replies");
    this.count = document.getElementById("thread-count");
    this.scroller = document.getElementById("thread-scroller");
    this.form = document.getElementById("thread-composer");
    this.input = document.getElementById("thread-input");
    this.alsoToRoom = document.getElementById("thread-also");

    drawers.register("thread", this.panel, () => this.closed());
    store.addEventListener("message", ({ detail }) => this.show(detail.message));
    store.addEventListener("cleared", () => this.rootId !== null && this.load());
    socket.addEventListener("post-failed", ({ detail }) => this.failed(detail.client_id, detail.message));
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.send();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.form.requestSubmit();
      }
    });
  }

  renderOptions(place) {
    return { place, me: this.store.me, reactedByMe: (reaction) => this.store.reactedByMe(reaction) };
  }

  // Open the thread of message `rootId` (a root's id).
  open(rootId, { focus = false } = {}) {
    if (this.rootId !== rootId) {
      this.rootId = rootId;
      this.rootList.replaceChildren();
      this.replies.replaceChildren(...[...this.pending.values()].filter((entry) => entry.root === rootId).map((entry) => entry.node));
      this.count.textContent = "";
      const root = this.store.get(rootId);
      if (root) this.show(root);
      for (const reply of this.store.replies(rootId)) this.show(reply);
      this.load();
    }
    this.drawers.open("thread");
    if (focus) this.input.focus();
    history.replaceState(null, "", `#thread-${rootId}`);
  }

  closed() {
    this.rootId = null;
    this.generation += 1;
    if (location.hash.startsWith("#thread-")) history.replaceState(null, "", location.pathname + location.search);
  }

  async load() {
    const mine = ++this.generation;
    const rootId = this.rootId;
    let after = null;
    try {
      for (;;) {
        const page = await this.socket.threadHistory(this.slug, rootId, { after });
        if (mine !== this.generation) return;
        this.settleAll(page.messages);
        this.store.applyPage(page.messages);
        if (!page.has_more || page.messages.length === 0) break;
        after = page.messages.at(-1).id; // a thread longer than a page goes on after its last reply
      }
    } catch (error) {
      if (mine === this.generation && error.code !== "disconnected") this.notice(`Could not load the thread: ${error.message}`, "error");
    }
  }

  // A message changed: show it if it is this thread's root or one of its replies.
  show(message) {
    if (message.thread_root !== null) this.settle(message.client_id);
    if (this.rootId === null) return;
    if (message.id === this.rootId) this.showRoot(message);
    else if (message.thread_root === this.rootId) this.showReply(message);
  }

  showRoot(message) {
    const node = messageNode(message, this.renderOptions("root"));
    const old = this.rootList.firstElementChild;
    if (old) {
      carryEditor(old, node, message);
      replaceKeepingFocus(old, node);
    } else this.rootList.append(node);
    const count = message.reply_count;
    this.count.textContent = count === 0 ? "No replies yet" : `${count} ${count === 1 ? "reply" : "replies"}`;
    // The server takes no reply to a deleted message.
    this.input.disabled = message.deleted;
    this.input.placeholder = message.deleted ? "This message was deleted: the thread takes no more replies." : "Reply…";
  }

  showReply(message) {
    const follow = this.nearBottom();
    const node = messageNode(message, this.renderOptions("thread"));
    const old = this.replies.querySelector(`li.msg[data-id="${message.id}"]`);
    if (old) {
      carryEditor(old, node, message);
      replaceKeepingFocus(old, node);
      return;
    }
    const later = [...this.replies.querySelectorAll("li.msg[data-id]")].find((other) => Number(other.dataset.id) > message.id);
    this.replies.insertBefore(node, later ?? this.replies.querySelector(".pending, .failed"));
    if (follow) this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  nearBottom() {
    return this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < 60;
  }

  // ---- our replies ----

  send() {
    const body = this.input.value.trim();
    if (!body || this.rootId === null) return;
    if (!isSendable(body)) {
      this.notice("This message holds a character that cannot be sent (U+0000 or half of an emoji); remove it and send again.", "error");
      return;
    }
    const clientId = this.socket.post(this.slug, body, { threadRoot: this.rootId, alsoToRoom: this.alsoToRoom.checked });
    this.showPending({ client_id: clientId, body, thread_root: this.rootId });
    this.input.value = "";
    this.alsoToRoom.checked = false;
    this.input.focus();
  }

  // A reply of ours on its way (kept in the outbox across a reload), shown in its thread.
  showPending({ client_id: clientId, body, thread_root: root }) {
    const me = this.store.me;
    const node = el("li", "msg mine pending");
    node.dataset.clientId = clientId;
    const meta = el("div", "msg-meta");
    const avatar = avatarNode(me);
    if (avatar) meta.append(avatar);
    meta.append(el("span", "msg-author", me ? me.display_name : ""), " ");
    if (me) meta.append(usernameNode(me), " ");
    meta.append(el("span", "msg-state", "sending…"));
    const text = el("div", "msg-body");
    text.append(el("div", "msg-text msg-plain", body));
    node.append(meta, text);
    this.pending.set(clientId, { node, body, root });
    if (root !== this.rootId) return;
    this.replies.append(node);
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  settle(clientId) {
    const entry = this.pending.get(clientId);
    if (!entry) return;
    this.pending.delete(clientId);
    entry.node.remove();
  }

  settleAll(messages) {
    for (const message of messages) this.settle(message.client_id);
  }

  failed(clientId, reason) {
    const entry = this.pending.get(clientId);
    if (!entry) return;
    this.pending.delete(clientId);
    entry.node.classList.replace("pending", "failed");
    entry.node.querySelector(".msg-state").textContent = `not sent: ${reason}`;
    const discard = el("button", "button-quiet", "Discard");
    discard.type = "button";
    discard.addEventListener("click", () => entry.node.remove());
    entry.node.querySelector(".msg-meta").append(" ", discard);
  }
}
