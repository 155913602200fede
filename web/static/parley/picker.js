// The emoji picker: the emoji you used last (kept in localStorage), then a default set, and a
// search by name over the list the server serves (web/views/emoji.py: every emoji the server
// accepts as a reaction, with its names). Keyboard: type to search, Down or Tab into the
// grid, arrow keys move, Enter picks, Esc closes.

import { el, focusBack, focusMark } from "./render.js";

const RECENT_KEY = "parley.recentEmoji";
const RECENT_MAX = 16;
const FREQUENT_SHOWN = 24;
const RESULTS_MAX = 48;
const COLUMNS = 8;
export const DEFAULT_EMOJI = ["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀", "✅", "🔥", "👏", "🚀", "💯", "🤔", "😄", "👎", "🙌", "😍", "😅", "🤝", "💡", "⭐", "☕", "👋"];

function localStore() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

export function recentEmoji(storage = localStore()) {
  try {
    const saved = JSON.parse(storage?.getItem(RECENT_KEY) || "[]");
    return Array.isArray(saved) ? saved.filter((item) => typeof item === "string") : [];
  } catch {
    return [];
  }
}

export function rememberEmoji(emoji, storage = localStore()) {
  const recent = [emoji, ...recentEmoji(storage).filter((item) => item !== emoji)].slice(0, RECENT_MAX);
  try {
    storage?.setItem(RECENT_KEY, JSON.stringify(recent));
  } catch {
    // storage full or blocked: the picker just forgets
  }
}

export function frequentEmoji(storage = localStore()) {
  return [...new Set([...recentEmoji(storage), ...DEFAULT_EMOJI])].slice(0, FREQUENT_SHOWN);
}

// [{emoji, name, words}] from the server's [[emoji, name, aliases], ...].
let catalogue = null;

function loadCatalogue(url) {
  catalogue ??= fetch(url, { credentials: "same-origin" })
    .then((response) => (response.ok ? response.json() : []))
    .then((rows) => rows.map(([emoji, name, aliases]) => ({ emoji, name, words: `${name} ${aliases}`.toLowerCase() })))
    .catch(() => {
      catalogue = null; // try again next time
      return [];
    });
  return catalogue;
}

// The emoji whose names hold every word of `query`: those whose name starts with it first,
// then those with a word that does, the shorter names first in each.
export function searchEmoji(entries, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [];
  const found = entries.filter((entry) => words.every((word) => entry.words.includes(word)));
  const first = words[0];
  const rank = (entry) => (entry.name.startsWith(first) ? 0 : entry.words.split(/[\s_]+/).some((w) => w.startsWith(first)) ? 1 : 2);
  return found.sort((a, b) => rank(a) - rank(b) || a.name.length - b.name.length).slice(0, RESULTS_MAX);
}

export class EmojiPicker {
  constructor({ url, signal }) {
    this.url = url;
    this.names = new Map(); // emoji -> name, once the catalogue is loaded
    this.anchor = null;
    this.onPick = null;
    this.node = el("div", "emoji-picker");
    this.node.setAttribute("role", "dialog");
    this.node.setAttribute("aria-label", "Choose a reaction");
    this.node.hidden = true;
    this.search = el("input", "emoji-search");
    this.search.type = "search";
    this.search.placeholder = "Search emoji by name";
    this.search.setAttribute("aria-label", "Search emoji by name");
    this.heading = el("p", "picker-heading", "Frequently used");
    this.grid = el("div", "emoji-grid");
    this.grid.setAttribute("role", "group");
    this.grid.setAttribute("aria-label", "Emoji");
    this.empty = el("p", "picker-empty muted", "No emoji by that name.");
    this.node.append(this.search, this.heading, this.grid, this.empty);
    document.body.append(this.node);

    this.search.addEventListener("input", () => this.render());
    this.search.addEventListener("keydown", (event) => this.onSearchKey(event));
    this.grid.addEventListener("keydown", (event) => this.onGridKey(event));
    this.grid.addEventListener("click", (event) => {
      const choice = event.target.closest("button[data-emoji]");
      if (choice) this.pick(choice.dataset.emoji);
    });
    this.node.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        this.close(true);
      }
    });
    this.node.addEventListener("focusout", (event) => {
      if (!this.node.hidden && !this.rendering && !this.node.contains(event.relatedTarget)) this.close(false);
    });
    document.addEventListener("pointerdown", (event) => {
      if (!this.node.hidden && !this.node.contains(event.target) && event.target !== this.anchor) this.close(false);
    }, { signal });
    signal?.addEventListener("abort", () => this.node.remove());
  }

  // Show the picker by `anchor` (the button that opened it); `onPick(emoji)` on a choice.
  open(anchor, onPick) {
    this.anchor = anchor;
    this.returnTo = focusMark(anchor);
    this.onPick = onPick;
    this.search.value = "";
    this.node.hidden = false;
    this.render();
    this.place();
    this.search.focus();
    loadCatalogue(this.url).then((entries) => {
      if (this.names.size === 0) for (const entry of entries) this.names.set(entry.emoji, entry.name);
      this.entries = entries;
      if (this.node.hidden) return;
      if (this.search.value.trim()) this.render();
      else this.label(); // the same emoji, now with their names
    });
  }

  close(returnFocus) {
    if (this.node.hidden) return;
    this.node.hidden = true;
    if (returnFocus) focusBack(this.returnTo);
    this.anchor = this.onPick = null;
  }

  pick(emoji) {
    const onPick = this.onPick;
    rememberEmoji(emoji);
    this.close(true);
    onPick?.(emoji);
  }

  place() {
    const rect = this.anchor.getBoundingClientRect();
    // Wider on a touch screen: eight columns of 44 px targets.
    const width = Math.min(window.matchMedia("(pointer: coarse)").matches ? 384 : 320, window.innerWidth - 16);
    this.node.style.width = `${width}px`;
    const left = Math.max(8, Math.min(rect.left, window.innerWidth - width - 8));
    this.node.style.left = `${left}px`;
    const height = this.node.offsetHeight;
    const below = rect.bottom + 4;
    this.node.style.top = `${below + height > window.innerHeight - 8 ? Math.max(8, rect.top - height - 4) : below}px`;
  }

  label() {
    for (const choice of this.grid.children) {
      const name = this.names.get(choice.dataset.emoji);
      if (name) {
        choice.setAttribute("aria-label", name);
        choice.title = name;
      }
    }
  }

  render() {
    this.rendering = true;
    try {
      this.draw();
    } finally {
      this.rendering = false;
    }
  }

  draw() {
    // The emoji that had the focus keeps it.
    const focused = this.grid.contains(document.activeElement) ? document.activeElement.dataset.emoji : null;
    const query = this.search.value.trim();
    const shown = query ? searchEmoji(this.entries ?? [], query).map((entry) => entry.emoji) : frequentEmoji();
    this.heading.textContent = query ? "Search results" : "Frequently used";
    this.grid.replaceChildren(
      ...shown.map((emoji, index) => {
        const choice = el("button", "emoji-choice", emoji);
        choice.type = "button";
        choice.dataset.emoji = emoji;
        choice.tabIndex = index === 0 ? 0 : -1;
        return choice;
      }),
    );
    this.label();
    this.empty.hidden = shown.length > 0 || !query;
    if (focused === null) return;
    const again = [...this.grid.children].find((choice) => choice.dataset.emoji === focused) ?? this.grid.firstElementChild;
    if (!again) return this.search.focus();
    for (const choice of this.grid.children) choice.tabIndex = choice === again ? 0 : -1;
    again.focus();
  }

  onSearchKey(event) {
    const first = this.grid.querySelector("button");
    if (event.key === "Enter") {
      event.preventDefault();
      if (first) this.pick(first.dataset.emoji);
    } else if (event.key === "ArrowDown" && first) {
      event.preventDefault();
      first.focus();
    }
  }

  onGridKey(event) {
    const choices = [...this.grid.querySelectorAll("button")];
    const index = choices.indexOf(document.activeElement);
    if (index < 0) return;
    const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS, Home: -index, End: choices.length - 1 - index };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const target = index + moves[event.key];
    if (target < 0) return this.search.focus();
    const next = choices[Math.min(target, choices.length - 1)];
    choices[index].tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  }
}
