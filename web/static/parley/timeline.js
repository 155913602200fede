// The room's log: the timeline's messages in number order, our own posts while they are on
// their way, "Load older messages", and following new messages at the bottom.
//
// Rendered from the store ("message", "cleared"); our posts come from the socket's outbox:
// shown "pending" at the bottom until their ack, then placed by their number.
//
// A jump to a message far back (a search result) loads the page around it (REST `around`)
// instead of every page between: the log then holds that page and the newest ones, with a
// "Load newer messages" gap between them that fills a page at a time.

import { avatarNode } from "./avatar.js";
import { el, messageNode, replaceKeepingFocus, usernameNode } from "./render.js";
import { getJson } from "./rest.js";

const HISTORY_PAGE = 50;
// A jump this many messages or fewer above the oldest one loaded pages back to it (a
// contiguous log); a longer one loads the page around the message.
const JUMP_BY_PAGES = 100;
const NEAR_BOTTOM = 60; // px: closer than this to the bottom follows new messages
const GROUP_GAP = 5 * 60 * 1000; // ms between two messages of one author shown as one group

export class Timeline {
  // `canReadRest`: the visitor may call the REST API (signed up), which reads a page around
  // a message; a guest's jump loads older pages back to it instead.
  constructor({ socket, store, slug, notice, myName, canReadRest = false }) {
    this.canReadRest = canReadRest;
    this.socket = socket;
    this.store = store;
    this.slug = slug;
    this.notice = notice;
    this.myName = myName; // the name shown on pending posts before `hello`
    this.scroller = document.getElementById("log-scroller");
    this.log = document.getElementById("chat-log");
    this.olderButton = document.getElementById("load-older");
    this.logStart = document.getElementById("log-start");
    this.numbers = []; // message numbers on the page, ascending
    this.byNumber = new Map(); // number -> <li>
    this.pending = new Map(); // client_id -> {node, body}: our room posts not yet acknowledged
    this.generation = 0; // bumped by every fresh start, so a late page of an older one is dropped
    this.latestRetry = null; // a fresh start whose latest page failed to load, to retry once live
    // The read marker when the room was opened, and the room's newest seq then: a "New
    // messages" line goes above the first message between them that someone else wrote (null:
    // none). Messages that arrive while you look are read, not new.
    this.unreadAfter = null;
    this.unreadUpTo = Infinity;
    // A message number to jump to once the latest page is in (a link to `#msg-<seq>`).
    this.jumpOnLoad = null;
    // Messages between `after` and `before` not loaded (a jump far back), or null.
    this.gap = null;
    this.gapNode = el("li", "log-gap");
    const gapButton = el("button", "button-quiet", "Load newer messages");
    gapButton.type = "button";
    gapButton.addEventListener("click", () => this.fillGap());
    this.gapNode.append(gapButton);
    this.divider = el("li", "unread-divider");
    this.divider.append(el("span", "unread-divider-label", "New messages"));

    store.addEventListener("message", ({ detail }) => this.show(detail.message));
    store.addEventListener("cleared", () => this.clear());
    this.olderButton.addEventListener("click", () => this.loadOlder());
  }

  renderOptions() {
    return { place: "timeline", me: this.store.me, reactedByMe: (reaction) => this.store.reactedByMe(reaction) };
  }

  // ---- placing messages ----

  show(message) {
    if (!this.store.inTimeline(message)) return;
    const existing = this.byNumber.get(message.seq);
    const node = messageNode(message, this.renderOptions());
    if (existing) {
      carryEditor(existing, node, message);
      replaceKeepingFocus(existing, node);
      this.byNumber.set(message.seq, node);
      this.regroup(node);
      this.regroup(node.nextElementSibling);
      return;
    }
    const follow = this.nearBottom() || (this.store.me && message.author.id === this.store.me.id);
    const index = this.slot(message.seq);
    const next = index < this.numbers.length ? this.byNumber.get(this.numbers[index]) : this.log.querySelector(".pending, .failed");
    this.log.insertBefore(node, next);
    this.numbers.splice(index, 0, message.seq);
    this.byNumber.set(message.seq, node);
    this.regroup(node);
    this.regroup(node.nextElementSibling);
    this.placeDivider();
    if (follow && index === this.numbers.length - 1) this.scrollToBottom();
  }

  // ---- where you left off ----

  setUnreadAfter(seq, upTo = Infinity) {
    this.unreadAfter = seq;
    this.unreadUpTo = upTo;
    this.placeDivider();
  }

  // Above the first message after the marker by someone else; nowhere when there is none.
  placeDivider() {
    const me = this.store.me?.id;
    const first =
      this.unreadAfter === null
        ? undefined
        : this.numbers
            .map((number) => this.byNumber.get(number))
            .find((node) => {
              const seq = Number(node.dataset.eventSeq);
              return seq > this.unreadAfter && seq <= this.unreadUpTo && Number(node.dataset.author) !== me;
            });
    if (!first) {
      this.divider.remove();
      return;
    }
    if (this.divider.nextElementSibling === first) return;
    this.log.insertBefore(this.divider, first);
    this.regroup(first);
  }

  // Scrolls the "New messages" line into view (at the top), when it is in the log.
  scrollToDivider() {
    if (!this.divider.isConnected) return false;
    this.scroller.scrollTop = this.divider.offsetTop - this.scroller.offsetTop - 8;
    return true;
  }

  // A message we placed from its ack, until the message itself arrives.
  showProvisional(number, id, body) {
    if (this.byNumber.has(number) || !this.store.me) return;
    const message = {
      seq: number, id, author: this.store.me, body, html: "", is_action: false, created_at: new Date().toISOString(),
      edited_at: null, deleted: false, thread_root: null, reply_count: 0, repliers: [], pinned: false, reactions: [], version: 0,
    };
    const index = this.slot(number);
    const node = messageNode(message, this.renderOptions());
    node.classList.add("provisional");
    node.querySelector(".msg-toolbar")?.remove();
    const next = index < this.numbers.length ? this.byNumber.get(this.numbers[index]) : this.log.querySelector(".pending, .failed");
    this.log.insertBefore(node, next);
    this.numbers.splice(index, 0, number);
    this.byNumber.set(number, node);
    this.regroup(node);
  }

  // A message right after one by the same author, within GROUP_GAP, is shown without its
  // author line (still there for screen readers), as chat apps group a burst of messages.
  regroup(node) {
    if (!node || !node.dataset.seq) return;
    const previous = node.previousElementSibling;
    const continued =
      previous !== null &&
      previous.dataset.seq !== undefined &&
      previous.dataset.author === node.dataset.author &&
      !node.querySelector(".msg-in-thread") &&
      Number(node.dataset.at) - Number(previous.dataset.at) < GROUP_GAP;
    node.classList.toggle("continued", continued);
  }

  // Index of the first number greater than `number`.
  slot(number) {
    let low = 0;
    let high = this.numbers.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.numbers[mid] < number) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  clear() {
    this.gap = null;
    this.gapNode.remove();
    for (const node of this.byNumber.values()) node.remove();
    this.byNumber.clear();
    this.numbers.length = 0;
  }

  nearBottom() {
    return this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < NEAR_BOTTOM;
  }

  scrollToBottom() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }

  setHasMore(hasMore) {
    this.olderButton.hidden = !hasMore;
    this.logStart.hidden = hasMore;
  }

  // ---- pages ----

  // A page of the timeline; our own posts in it are stored, whatever their ack's fate.
  applyPage(page) {
    const me = this.store.me;
    for (const message of page.messages) {
      if (me && me.id !== null && message.author.id === me.id) this.settle(message.client_id);
    }
    const floor = page.has_more && page.messages.length > 0 ? page.messages[0].seq : 0;
    this.store.applyPage(page.messages, { floor });
    this.setHasMore(page.has_more);
  }

  // The room starts afresh (first subscribe or `reset`): the latest page.
  async loadLatest(lastSeq) {
    const mine = ++this.generation;
    this.latestRetry = null;
    if (lastSeq === 0) {
      this.store.applyPage([], { floor: 0 });
      this.setHasMore(false);
      return;
    }
    try {
      const page = await this.socket.history(this.slug, { limit: HISTORY_PAGE });
      if (mine !== this.generation) return;
      this.applyPage(page);
      if (this.jumpOnLoad !== null) {
        const seq = this.jumpOnLoad;
        this.jumpOnLoad = null;
        if (!(await this.jumpTo({ seq }))) this.notice("That message is no longer in the room.", "error");
      } else if (!this.scrollToDivider()) this.scrollToBottom();
    } catch {
      if (mine === this.generation) this.latestRetry = lastSeq; // disconnected: again once live
    }
  }

  retryLatest() {
    if (this.latestRetry !== null) this.loadLatest(this.latestRetry);
  }

  // Older messages above, without moving what the reader is looking at. True when it loaded.
  async loadOlder() {
    if (this.numbers.length === 0 || this.olderButton.hidden) return false;
    this.olderButton.disabled = true;
    try {
      const page = await this.socket.history(this.slug, { before: this.numbers[0], limit: HISTORY_PAGE });
      const fromBottom = this.scroller.scrollHeight - this.scroller.scrollTop;
      this.applyPage(page);
      this.scroller.scrollTop = this.scroller.scrollHeight - fromBottom;
      return true;
    } catch (error) {
      this.notice(`Could not load older messages: ${error.message}`, "error");
      return false;
    } finally {
      this.olderButton.disabled = false;
    }
  }

  // Scroll to a message of the timeline (loading older pages until it is there), focus it and
  // mark it for a moment. False when it is not in the timeline.
  async jumpTo(message) {
    if (message.seq === null || message.seq === undefined) return false;
    const far = this.numbers.length > 0 && this.numbers[0] - message.seq > JUMP_BY_PAGES;
    if (!this.byNumber.has(message.seq) && (far || this.inGap(message.seq)) && this.canReadRest) {
      await this.loadAround(message.seq);
    }
    while (!this.byNumber.has(message.seq) && this.numbers.length > 0 && this.numbers[0] > message.seq) {
      if (!(await this.loadOlder())) break;
    }
    const node = this.byNumber.get(message.seq);
    if (!node) return false;
    node.tabIndex = -1;
    node.scrollIntoView({ block: "center" });
    node.focus({ preventScroll: true });
    node.classList.add("highlight");
    setTimeout(() => node.classList.remove("highlight"), 2000);
    return true;
  }

  inGap(seq) {
    return this.gap !== null && seq > this.gap.after && seq < this.gap.before;
  }

  // The page around message `seq` (signed-in users: REST), placed by number above what is
  // loaded, with a gap up to it when they do not meet.
  async loadAround(seq) {
    let page;
    try {
      page = await getJson(`/api/v1/rooms/${encodeURIComponent(this.slug)}/messages?around=${seq}&limit=${HISTORY_PAGE}`);
    } catch (error) {
      this.notice(`Could not load that part of the room: ${error.message}`, "error");
      return;
    }
    if (page.messages.length === 0) return;
    const last = page.messages[page.messages.length - 1].seq;
    const above = this.numbers.find((number) => number > last);
    this.applyPage(page);
    if (above !== undefined && above > last + 1 && !page.messages.some((m) => m.seq >= above)) {
      this.gap = { after: last, before: above };
      this.log.insertBefore(this.gapNode, this.byNumber.get(above));
    } else if (this.gap && last >= this.gap.before - 1) {
      this.closeGap();
    }
  }

  // The next page of the gap, below its top.
  async fillGap() {
    if (!this.gap) return;
    const { after, before } = this.gap;
    const button = this.gapNode.querySelector("button");
    button.disabled = true;
    try {
      const page = await getJson(`/api/v1/rooms/${encodeURIComponent(this.slug)}/messages?after=${after}&before=${before}&limit=100`);
      this.store.applyPage(page.messages);
      const last = page.messages.length ? page.messages[page.messages.length - 1].seq : before - 1;
      if (!page.has_more || last >= before - 1) this.closeGap();
      else {
        this.gap.after = last;
        this.log.insertBefore(this.gapNode, this.byNumber.get(before));
      }
    } catch (error) {
      this.notice(`Could not load newer messages: ${error.message}`, "error");
    } finally {
      button.disabled = false;
    }
  }

  closeGap() {
    this.gap = null;
    this.gapNode.remove();
  }

  // ---- our posts ----

  showPending(entry) {
    const me = this.store.me;
    const node = el("li", "msg mine pending");
    node.dataset.clientId = entry.client_id;
    const meta = el("div", "msg-meta");
    const avatar = avatarNode(me);
    if (avatar) meta.append(avatar);
    meta.append(el("span", "msg-author", me ? me.display_name : this.myName()), " ");
    if (me) meta.append(usernameNode(me), " ");
    meta.append(el("span", "msg-state", "sending…"));
    const body = el("div", "msg-body");
    body.append(el("div", "msg-text msg-plain", entry.body));
    node.append(meta, body);
    this.log.append(node);
    this.pending.set(entry.client_id, { node, body: entry.body });
    this.scrollToBottom();
  }

  settle(clientId, number, id) {
    const entry = this.pending.get(clientId);
    if (!entry) return;
    this.pending.delete(clientId);
    entry.node.remove();
    if (number !== undefined && number !== null) this.showProvisional(number, id, entry.body);
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

// An edit in progress survives the message being shown again (someone reacted meanwhile);
// not its deletion.
export function carryEditor(old, node, message) {
  const editor = old.querySelector(".msg-editor");
  if (!editor || message.deleted) return;
  node.querySelector(".msg-body")?.replaceWith(editor);
  node.classList.add("editing");
}
