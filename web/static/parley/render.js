// How one message looks, in the room's log and in a thread: its name line, its body, its
// reactions, its thread summary and its action buttons. Nothing here listens or sends:
// actions.js handles the buttons (by their data-action), the views place the nodes.
//
// User-made strings reach the page through textContent. The one exception is a message's
// `html`, which the server rendered from Markdown and sanitised (chat/markdown.py: an
// allowlist of tags, attributes and URL schemes): it is inserted as HTML. Without `html` (a
// message from before Markdown) the `body` is shown as text.

import { avatarNode } from "./avatar.js";
import { attachmentsNode } from "./files.js";

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function button(className, label, action, { text = label, tabbable = true } = {}) {
  const node = el("button", className, text);
  node.type = "button";
  if (label !== text) node.setAttribute("aria-label", label);
  if (action) node.dataset.action = action;
  if (!tabbable) node.tabIndex = -1;
  return node;
}

export function usernameNode(user) {
  return el("span", "username", user.username ? `@${user.username}` : "");
}

// How a person is named in a sentence ("Ada (@ada) is typing…"): display names can repeat.
export function nameWithUsername(user) {
  return user.username ? `${user.display_name} (@${user.username})` : user.display_name;
}

export function shortTime(iso) {
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleDateString([], { month: "short", day: "numeric" });
}

export function timeNode(iso) {
  const node = el("time", "msg-time");
  const date = new Date(iso);
  node.dateTime = iso;
  node.textContent = date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  node.title = date.toLocaleString();
  return node;
}

// "Ada", "Ada and Bob", "Ada, Bob and Cy", "Ada, Bob and 3 others": `count` people, of whom
// `names` are known (the first ones).
export function peopleSentence(names, count) {
  if (count <= 0) return "";
  if (count <= 3 && names.length >= count) {
    const shown = names.slice(0, count);
    return shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`;
  }
  const shown = names.slice(0, 2);
  const others = count - shown.length;
  return `${shown.join(", ")} and ${others} ${others === 1 ? "other" : "others"}`;
}

// "You, Ada and 3 others reacted with 👍".
export function reactionLabel(reaction, reactedByMe, me) {
  const names = reaction.users.filter((user) => !me || user.id !== me.id).map((user) => user.display_name);
  if (reactedByMe) names.unshift("You");
  return `${peopleSentence(names, reaction.count)} reacted with ${reaction.emoji}`;
}

function editedNode(message) {
  const edited = el("span", "msg-edited", "(edited)");
  edited.title = `Edited ${new Date(message.edited_at).toLocaleString()}`;
  return edited;
}

function bodyNode(message) {
  const body = el("div", "msg-body");
  if (message.deleted) {
    body.classList.add("msg-deleted");
    body.textContent = "This message was deleted.";
    return body;
  }
  const text = el("div", "msg-text");
  if (message.html) text.innerHTML = message.html; // server-rendered and sanitised
  else {
    text.textContent = message.body;
    text.classList.add("msg-plain");
  }
  if (message.edited_at) {
    // At the end of the last paragraph, as Slack shows it.
    const last = text.lastElementChild;
    (last && last.tagName === "P" ? last : text).append(" ", editedNode(message));
  }
  if (message.is_action) {
    // "/me waves": "* Ada waves".
    body.classList.add("msg-action");
    body.append(el("span", "msg-actor", `* ${message.author.display_name}`), " ", text);
  } else {
    body.append(text);
  }
  return body;
}

function metaNode(message, options) {
  const meta = el("div", "msg-meta");
  // The username beside the display name: two people may share a display name.
  const author = el("span", "msg-author", message.author.display_name);
  if (message.author.id) author.dataset.presenceUser = message.author.id; // presence.js paints it
  const avatar = avatarNode(message.author);
  if (avatar) meta.append(avatar);
  meta.append(author, " ", usernameNode(message.author), " ", timeNode(message.created_at));
  if (options.place === "timeline" && message.thread_root !== null) {
    meta.append(" ", button("link-button msg-in-thread", "Replied to a thread", "open-thread", { text: "replied to a thread", tabbable: false }));
  }
  return meta;
}

function reactionsNode(message, options) {
  const list = el("div", "reactions");
  list.setAttribute("role", "group");
  list.setAttribute("aria-label", "Reactions");
  for (const reaction of message.reactions) {
    const mine = options.reactedByMe(reaction);
    const label = reactionLabel(reaction, mine, options.me);
    const chip = button("reaction", label, "toggle-reaction", { text: "" });
    chip.dataset.emoji = reaction.emoji;
    chip.setAttribute("aria-pressed", String(mine));
    chip.title = label;
    chip.append(el("span", "reaction-emoji", reaction.emoji), el("span", "reaction-count", String(reaction.count)));
    list.append(chip);
  }
  if (message.reactions.length > 0) {
    const add = button("reaction reaction-add", "Add a reaction", "react", { text: "", tabbable: false });
    add.append(el("span", "reaction-emoji", "☺"), el("span", "reaction-count", "+"));
    list.append(add);
  }
  return list;
}

// A link's address only when it is http(s): what the server stores, checked again here.
function webAddress(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

// Link previews: a card per link the server unfurled (its text as text; the thumbnail is
// Parley's own copy, its box reserved by width and height so the log does not jump). The
// author gets a labelled × that removes the card (actions.js: "remove-preview").
function previewsNode(message, mine) {
  const list = el("div", "previews");
  for (const preview of message.previews) {
    const href = webAddress(preview.url);
    if (!href) continue;
    const card = el("div", "preview-card");
    card.dataset.preview = preview.id;
    const text = el("div", "preview-text");
    if (preview.site_name) text.append(el("div", "preview-site", preview.site_name));
    const title = el("a", "preview-title", preview.title || href);
    title.href = href;
    title.target = "_blank";
    title.rel = "noopener noreferrer";
    text.append(title);
    if (preview.description) text.append(el("p", "preview-description", preview.description));
    card.append(text);
    if (preview.image) {
      const image = el("img", "preview-image");
      image.src = preview.image.url;
      image.width = preview.image.width;
      image.height = preview.image.height;
      image.alt = "";
      image.loading = "lazy";
      card.append(image);
    }
    if (mine) {
      const remove = button("preview-remove", `Remove the preview of ${preview.title || href}`, "remove-preview", { text: "×" });
      remove.dataset.preview = preview.id;
      card.append(remove);
    }
    list.append(card);
  }
  return list;
}

// "Ada, Bob · 3 replies · last reply 10:42".
export function threadSummaryText(message) {
  const count = message.reply_count;
  const replies = `${count} ${count === 1 ? "reply" : "replies"}`;
  const last = message.last_reply_at ? ` · last reply ${shortTime(message.last_reply_at)}` : "";
  return { replies, last, repliers: message.repliers.map((user) => user.display_name).join(", ") };
}

function threadSummaryNode(message) {
  const { replies, last, repliers } = threadSummaryText(message);
  const summary = button("thread-summary", `${replies}${last}${repliers ? `, from ${repliers}` : ""}: open the thread`, "open-thread", { text: "" });
  summary.append(el("strong", "thread-count", replies), el("span", "thread-last", last));
  if (repliers) summary.append(el("span", "thread-repliers", ` · ${repliers}`));
  return summary;
}

// The hover toolbar: React and Reply for the mouse, and "More actions" (a menu, in the tab
// order: the keyboard's way to every action).
function toolbarNode(message, options) {
  const bar = el("div", "msg-toolbar");
  bar.append(button("tool", "Add a reaction", "react", { text: "☺", tabbable: false }));
  if (options.place === "timeline") bar.append(button("tool", "Reply in thread", "open-thread", { text: "💬", tabbable: false }));
  const more = button("tool", "More actions", "menu", { text: "⋯" });
  more.setAttribute("aria-haspopup", "menu");
  more.setAttribute("aria-expanded", "false");
  bar.append(more);
  return bar;
}

// Whether `message` mentions `me`: by name (a link the server made only for people who
// exist), or by @room/@here where the room lets them notify.
export function mentionsMe(message, me) {
  if (message.mentions_wide) return true;
  return Boolean(me?.username) && (message.html ?? "").includes(`data-user="${me.username}"`);
}

// A message's node. `options`: {place: "timeline" | "thread" | "root", me, reactedByMe}.
export function messageNode(message, options) {
  const node = el("li", "msg");
  node.id = `${options.place === "timeline" ? "message" : `${options.place}-message`}-${message.id}`;
  node.dataset.id = message.id;
  if (message.seq !== null && message.seq !== undefined) node.dataset.seq = message.seq;
  if (message.event_seq !== undefined) node.dataset.eventSeq = message.event_seq;
  node.dataset.author = message.author.id;
  node.dataset.at = Date.parse(message.created_at);
  const mine = options.me && options.me.id !== null && message.author.id === options.me.id;
  node.classList.toggle("mine", Boolean(mine));
  node.classList.toggle("mentions-me", !mine && !message.deleted && mentionsMe(message, options.me));
  node.classList.toggle("deleted", message.deleted);
  node.classList.toggle("pinned", message.pinned && !message.deleted);
  // Above the name line, which a continued message hides.
  if (message.pinned && !message.deleted) node.append(el("div", "msg-pin", "📌 Pinned"));
  node.append(metaNode(message, options), bodyNode(message));
  if (!message.deleted && message.previews?.length > 0) node.append(previewsNode(message, mine));
  const files = attachmentsNode(message);
  if (files) node.append(files);
  if (!message.deleted && message.reactions.length > 0) node.append(reactionsNode(message, options));
  if (options.place === "timeline" && message.reply_count > 0) node.append(threadSummaryNode(message));
  if (!message.deleted) node.append(toolbarNode(message, options));
  return node;
}

// Replace `old` with `node`, keeping the keyboard focus on the same control.
export function replaceKeepingFocus(old, node) {
  const focused = document.activeElement;
  let key = null;
  if (focused && old.contains(focused)) {
    key = focused === old ? "" : focused.dataset.action ? `[data-action="${focused.dataset.action}"]${focused.dataset.emoji ? `[data-emoji="${CSS.escape(focused.dataset.emoji)}"]` : ""}` : null;
  }
  old.replaceWith(node);
  if (key === "") node.focus();
  else if (key) (node.querySelector(key) ?? node.querySelector('[data-action="menu"]'))?.focus();
}

// Where the focus is, kept so that it can go back there after the control was drawn again
// (a message re-rendered by a change): the control, and how to find its successor.
export function focusMark(node = document.activeElement) {
  const item = node?.closest?.("li.msg[data-id]");
  const list = item?.parentElement?.id;
  const selector = item && list && node.dataset.action ? `#${list} li.msg[data-id="${item.dataset.id}"] [data-action="${node.dataset.action}"]` : null;
  return { node, selector };
}

export function focusBack(mark, fallback = null) {
  const target = mark?.node?.isConnected ? mark.node : (mark?.selector && document.querySelector(mark.selector)) || fallback;
  target?.focus();
}
