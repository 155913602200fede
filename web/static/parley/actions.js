// What can be done to a message, wherever it is shown (the log, a thread): the "More actions"
// menu (arrow keys move, Esc closes), the hover toolbar's React and Reply, reaction chips
// (click toggles), the inline editor (Enter saves, Shift+Enter a new line, Esc cancels) and
// the delete confirmation.
//
// Who may do what is the server's to decide; the menu only offers what it would allow: edit
// your own messages; delete your own, or any when you own the room or are an administrator
// (the page's data-moderator); pin when signed up (data-can-pin); remove a link preview of your
// own message (its × button).

import { button, el, focusBack, focusMark } from "./render.js";

export class MessageActions {
  constructor({ socket, store, slug, picker, notice, openThread, canModerate, canPin, markUnread = null, signal }) {
    this.markUnread = markUnread; // "Mark unread from here" (signed-in members), or null
    this.socket = socket;
    this.store = store;
    this.slug = slug;
    this.picker = picker;
    this.notice = notice;
    this.openThread = openThread;
    this.canModerate = canModerate;
    this.canPin = canPin;
    this.menu = el("div", "msg-menu");
    this.menu.setAttribute("role", "menu");
    this.menu.hidden = true;
    this.menuTrigger = null;
    document.body.append(this.menu);
    this.dialog = document.getElementById("confirm-delete");

    document.addEventListener("click", (event) => this.onClick(event), { signal });
    this.menu.addEventListener("keydown", (event) => this.onMenuKey(event));
    this.menu.addEventListener("focusout", (event) => {
      if (!this.menu.hidden && !this.menu.contains(event.relatedTarget)) this.closeMenu(false);
    });
    document.addEventListener("pointerdown", (event) => {
      if (!this.menu.hidden && !this.menu.contains(event.target) && event.target !== this.menuTrigger) this.closeMenu(false);
    }, { signal });
    signal?.addEventListener("abort", () => this.menu.remove());
  }

  messageOf(node) {
    const item = node.closest("li.msg[data-id]");
    return item && !item.classList.contains("provisional") ? this.store.get(Number(item.dataset.id)) : undefined;
  }

  mine(message) {
    const me = this.store.me;
    return me !== null && me.id !== null && message.author.id === me.id;
  }

  onClick(event) {
    const control = event.target.closest("[data-action]");
    if (!control || this.menu.contains(control)) return;
    const message = this.messageOf(control);
    if (!message) return;
    switch (control.dataset.action) {
      case "menu":
        if (this.menuTrigger === control && !this.menu.hidden) this.closeMenu(true);
        else this.openMenu(control, message);
        break;
      case "react":
        this.pickReaction(control, message);
        break;
      case "toggle-reaction":
        this.toggleReaction(message, control.dataset.emoji);
        break;
      case "open-thread":
        this.openThread(message.thread_root ?? message.id, { focus: true });
        break;
      case "remove-preview":
        this.run(this.socket.removePreview(this.slug, message.id, Number(control.dataset.preview)), "remove the preview");
        break;
      default:
    }
  }

  // ---- the menu ----

  items(message, trigger) {
    const inThreadPanel = trigger.closest(".thread-panel") !== null;
    const items = [["Add reaction…", () => this.pickReaction(trigger, message)]];
    if (!inThreadPanel || message.thread_root === null) {
      items.push(["Reply in thread", () => this.openThread(message.thread_root ?? message.id, { focus: true })]);
    }
    if (this.mine(message)) items.push(["Edit message", () => this.startEdit(message.id, { node: trigger.closest("li.msg"), returnTo: trigger })]);
    if (this.canPin) {
      items.push(message.pinned ? ["Unpin from room", () => this.run(this.socket.unpin(this.slug, message.id), "unpin")] : ["Pin to room", () => this.run(this.socket.pin(this.slug, message.id), "pin")]);
    }
    if (this.markUnread && !inThreadPanel && message.seq !== null) items.push(["Mark unread from here", () => this.markUnread(message)]);
    if (this.mine(message) || this.canModerate) items.push(["Delete message…", () => this.confirmDelete(message, trigger)]);
    return items;
  }

  openMenu(trigger, message) {
    this.closeMenu(false);
    this.menuTrigger = trigger;
    this.menuMark = focusMark(trigger);
    this.menu.setAttribute("aria-label", `Actions for ${message.author.display_name}'s message`);
    this.menu.replaceChildren(
      ...this.items(message, trigger).map(([label, act]) => {
        const item = button("menu-item", label, null, { tabbable: false });
        item.setAttribute("role", "menuitem");
        item.addEventListener("click", () => {
          // Back on "More actions" first: where a drawer or the picker returns the focus.
          this.closeMenu(true);
          act();
        });
        return item;
      }),
    );
    this.menu.hidden = false;
    trigger.setAttribute("aria-expanded", "true");
    trigger.closest("li.msg")?.classList.add("menu-open");
    const rect = trigger.getBoundingClientRect();
    const { offsetWidth: width, offsetHeight: height } = this.menu;
    this.menu.style.left = `${Math.max(8, Math.min(rect.right - width, window.innerWidth - width - 8))}px`;
    this.menu.style.top = `${rect.bottom + height + 4 > window.innerHeight ? Math.max(8, rect.top - height - 4) : rect.bottom + 4}px`;
    this.menu.querySelector("[role=menuitem]").focus();
  }

  closeMenu(returnFocus) {
    if (this.menu.hidden) return;
    this.menu.hidden = true;
    const trigger = this.menuTrigger;
    this.menuTrigger = null;
    if (!trigger) return;
    trigger.setAttribute("aria-expanded", "false");
    trigger.closest("li.msg")?.classList.remove("menu-open");
    if (returnFocus) focusBack(this.menuMark);
  }

  onMenuKey(event) {
    const items = [...this.menu.querySelectorAll("[role=menuitem]")];
    const index = items.indexOf(document.activeElement);
    const moves = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: items.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      items[(moves[event.key] + items.length) % items.length].focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      this.closeMenu(true);
    } else if (event.key === "Tab") {
      this.closeMenu(true);
    }
  }

  // ---- reactions ----

  pickReaction(anchor, message) {
    // The picker returns focus to the button that opened it; from the menu, that is the
    // message's "More actions".
    this.picker.open(anchor, (emoji) => {
      const current = this.store.get(message.id) ?? message;
      const reaction = current.reactions.find((r) => r.emoji === emoji);
      if (reaction && this.store.reactedByMe(reaction)) return; // already there: picking adds
      this.run(this.socket.react(this.slug, message.id, emoji), "react");
    });
  }

  toggleReaction(message, emoji) {
    const reaction = message.reactions.find((r) => r.emoji === emoji);
    const request = reaction && this.store.reactedByMe(reaction) ? this.socket.unreact(this.slug, message.id, emoji) : this.socket.react(this.slug, message.id, emoji);
    this.run(request, "react");
  }

  // ---- edit ----

  // Replace the body of the message's `node` (its node in the log by default) with an
  // editor. `returnTo`: where the focus goes after.
  startEdit(id, { node = null, returnTo = null } = {}) {
    const message = this.store.get(id);
    node ??= document.querySelector(`#chat-log li.msg[data-id="${Number(id)}"]:not(.provisional)`);
    if (!message || message.deleted || !node) return false;
    this.cancelEdits();
    const form = el("form", "msg-editor");
    const field = el("textarea", "editor-input");
    field.value = message.body;
    field.rows = Math.min(8, message.body.split("\n").length);
    field.setAttribute("aria-label", "Edit message");
    const hint = el("span", "editor-hint", "Enter saves · Esc cancels");
    const cancel = button("button-quiet", "Cancel", null);
    const save = el("button", "", "Save");
    save.type = "submit";
    const row = el("div", "editor-actions");
    row.append(hint, cancel, save);
    form.append(field, row);
    node.querySelector(".msg-body").replaceWith(form);
    node.classList.add("editing");
    const where = node.closest("ol, ul");
    const done = () => {
      form.remove();
      this.store.touch(id);
      const target = returnTo?.isConnected ? returnTo : where?.querySelector(`li.msg[data-id="${Number(id)}"] [data-action="menu"]`);
      target?.focus();
    };
    cancel.addEventListener("click", done);
    field.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.preventDefault();
        event.stopPropagation();
        done();
      } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = field.value.trim();
      if (!body) {
        this.notice("A message cannot be empty: delete it instead.", "error");
        return;
      }
      if (body === message.body) return done();
      save.disabled = true;
      try {
        await this.socket.edit(this.slug, id, body);
        done();
      } catch (error) {
        save.disabled = false;
        this.notice(`Could not save the edit: ${error.message}`, "error");
      }
    });
    field.focus();
    field.setSelectionRange(field.value.length, field.value.length);
    return true;
  }

  cancelEdits() {
    for (const node of document.querySelectorAll("li.msg.editing")) {
      node.querySelector(".msg-editor")?.remove();
      this.store.touch(Number(node.dataset.id));
    }
  }

  // ---- delete ----

  confirmDelete(message, trigger) {
    const dialog = this.dialog;
    const back = focusMark(trigger);
    dialog.querySelector(".confirm-author").textContent = message.author.display_name;
    dialog.querySelector(".confirm-preview").textContent = message.body.length > 200 ? `${message.body.slice(0, 200)}…` : message.body;
    dialog.returnValue = "";
    dialog.addEventListener(
      "close",
      () => {
        if (dialog.returnValue === "delete") this.run(this.socket.deleteMessage(this.slug, message.id), "delete");
        focusBack(back, document.getElementById("chat-message-input"));
      },
      { once: true },
    );
    dialog.showModal();
    dialog.querySelector("button[value=cancel]").focus();
  }

  // ---- requests ----

  async run(request, what) {
    try {
      await request;
    } catch (error) {
      this.notice(`Could not ${what}: ${error.message}`, "error");
    }
  }
}
