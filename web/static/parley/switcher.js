// The quick switcher (Ctrl+K, or ⌘K on a Mac): a modal dialog with a box that filters the
// your conversations by name (conversations.js), ↑/↓ to choose, Enter to open, Esc to close
// with the focus back where it was. The list is a listbox the box controls
// (aria-activedescendant), so the focus never leaves the box.

import { conversationsMatching } from "./conversations.js";
import { el } from "./render.js";

export class Switcher {
  constructor({ conversations, choose }) {
    this.conversations = conversations;
    this.choose = choose; // (conversation) => opens it
    this.dialog = document.getElementById("switcher");
    this.input = document.getElementById("switcher-input");
    this.list = document.getElementById("switcher-list");
    this.empty = document.getElementById("switcher-empty");
    this.found = [];
    this.active = 0;
    this.opener = null;
    this.input.addEventListener("input", () => {
      this.active = 0;
      this.render();
    });
    this.input.addEventListener("keydown", (event) => this.onKey(event));
    this.list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) this.pick(Number(option.dataset.index));
    });
    // Esc (the dialog's own cancel) and a click on the backdrop close it.
    this.dialog.addEventListener("close", () => this.restoreFocus());
    this.dialog.addEventListener("click", (event) => {
      if (event.target === this.dialog) this.dialog.close();
    });
    const button = document.getElementById("open-switcher");
    button?.addEventListener("click", () => this.open());
    // ⌘K on a Mac, Ctrl+K elsewhere (both work everywhere).
    if (/Mac|iPhone|iPad/.test(navigator.platform)) button?.querySelector("kbd")?.replaceChildren("⌘ K");
  }

  isOpen() {
    return this.dialog.open;
  }

  open() {
    if (this.isOpen()) return this.input.select();
    this.opener = document.activeElement;
    this.input.value = "";
    this.active = 0;
    this.render();
    this.dialog.showModal();
    this.input.focus();
  }

  close() {
    if (this.isOpen()) this.dialog.close();
  }

  restoreFocus() {
    const opener = this.opener;
    this.opener = null;
    if (opener?.isConnected && opener !== document.body) opener.focus();
  }

  render() {
    this.found = conversationsMatching(this.conversations.conversations(), this.input.value);
    this.active = Math.min(this.active, Math.max(0, this.found.length - 1));
    this.list.replaceChildren(
      ...this.found.map((entry, index) => {
        const option = el("li", "switcher-option");
        option.id = `switcher-option-${index}`;
        option.dataset.index = String(index);
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", String(index === this.active));
        const sign = el("span", "conversation-sign", entry.kind === "dm" ? "@" : entry.private ? "🔒" : "#");
        sign.setAttribute("aria-hidden", "true");
        option.append(sign, el("span", "conversation-name", entry.name));
        if (entry.room === this.conversations.current) option.append(el("span", "muted switcher-here", " (open)"));
        return option;
      }),
    );
    this.empty.hidden = this.found.length > 0;
    if (this.found.length > 0) {
      this.input.setAttribute("aria-activedescendant", `switcher-option-${this.active}`);
      this.list.children[this.active].scrollIntoView({ block: "nearest" });
    } else {
      this.input.removeAttribute("aria-activedescendant");
    }
  }

  onKey(event) {
    const count = this.found.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (count === 0) return;
      this.active = (this.active + (event.key === "ArrowDown" ? 1 : -1) + count) % count;
      this.render();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (count > 0) this.pick(this.active);
    }
  }

  pick(index) {
    const entry = this.found[index];
    if (!entry) return;
    this.opener = null; // the focus goes to the conversation opened, not back
    this.dialog.close();
    this.choose(entry);
  }
}
