// How Parley gets your attention when you are elsewhere: the tab title's count, a badge on
// the favicon, and (only once you said yes, never asked on page load) desktop notifications
// for what is for you: a mention, @room/@here, a direct message, or everything in a
// conversation set to "all". A conversation set to "none" is quiet.

const ICON = "/static/parley/icon.svg";

export class Attention {
  constructor({ conversations, doc = document, NotificationImpl = globalThis.Notification } = {}) {
    this.conversations = conversations;
    this.doc = doc;
    this.Notification = NotificationImpl;
    this.baseTitle = doc.title;
    this.current = null; // the slug open on screen
    this.icon = null; // the favicon image the badge is drawn on, once loaded (iconLoaded)
    this.iconLoaded = false;
    this.badge = { mentions: 0, unread: false }; // what the favicon should show
    this.drawn = null;
    conversations.addEventListener("change", () => this.refresh());
    conversations.addEventListener("message", (event) => this.onMessage(event.detail));
  }

  setBaseTitle(title) {
    this.baseTitle = title;
    this.refresh();
  }

  setCurrent(slug) {
    this.current = slug;
  }

  // Whether the browser can notify and the person has not decided yet: the page then offers
  // a button ("Enable desktop notifications"), and asks only when it is pressed.
  canAsk() {
    return Boolean(this.Notification) && this.Notification.permission === "default";
  }

  enabled() {
    return Boolean(this.Notification) && this.Notification.permission === "granted";
  }

  async ask() {
    if (!this.Notification) return "denied";
    return this.Notification.requestPermission();
  }

  refresh() {
    const { unread, mentions } = this.conversations.totals();
    const count = mentions || unread;
    const prefix = mentions ? `(${mentions}) ` : unread ? "* " : "";
    this.doc.title = `${prefix}${this.baseTitle}`;
    this.drawBadge(mentions, unread > 0);
    return count;
  }

  // The favicon with a red dot (mentions, with their count) or a quiet one (only unread).
  // The icon is drawn from once it has loaded; counts that change meanwhile (read in another
  // tab, say) are what it then draws, or nothing when they fell to zero.
  drawBadge(mentions, unread) {
    const key = `${mentions}:${unread}`;
    if (this.drawn === key) return;
    this.drawn = key;
    this.badge = { mentions, unread };
    const link = this.doc.querySelector('link[rel="icon"]');
    if (!link) return;
    if (!mentions && !unread) {
      link.href = ICON;
      return;
    }
    if (this.iconLoaded) this.paint(link);
    else if (!this.icon) {
      this.icon = new Image();
      this.icon.addEventListener(
        "load",
        () => {
          this.iconLoaded = true;
          this.paint(link);
        },
        { once: true },
      );
      this.icon.src = ICON;
    }
  }

  paint(link) {
    const { mentions, unread } = this.badge;
    if (!mentions && !unread) return;
    const canvas = this.doc.createElement("canvas");
    canvas.width = canvas.height = 64;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.drawImage(this.icon, 0, 0, 64, 64);
    ctx.beginPath();
    ctx.arc(46, 18, mentions ? 18 : 12, 0, 2 * Math.PI);
    ctx.fillStyle = mentions ? "#d93025" : "#5f6368";
    ctx.fill();
    if (mentions) {
      ctx.fillStyle = "#fff";
      ctx.font = "bold 24px sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.fillText(mentions > 9 ? "9+" : String(mentions), 46, 19);
    }
    link.href = canvas.toDataURL("image/png");
  }

  onMessage({ slug, message, mention }) {
    const c = this.conversations.get(slug);
    if (!c || !this.enabled()) return;
    const level = c.notify;
    if (level === "none" || (level === "mentions" && !mention)) return;
    // Nothing for the conversation you are looking at.
    if (slug === this.current && this.doc.visibilityState === "visible" && this.doc.hasFocus?.()) return;
    const where = c.kind === "dm" ? c.name : `#${c.name}`;
    const body = (message.body ?? "").slice(0, 180);
    const note = new this.Notification(`${message.author.display_name} in ${where}`, {
      body,
      tag: `parley-${slug}`,
      icon: ICON,
    });
    note.onclick = () => {
      globalThis.focus?.();
      this.doc.dispatchEvent(new CustomEvent("parley:open", { detail: { slug, id: message.id } }));
      note.close();
    };
  }
}
