// @-mention autocomplete for a composer: typing "@" and letters lists the room's members whose
// username or name starts with them (then those containing them), and @room/@here where the
// room lets them notify. An ARIA combobox: Up/Down move, Enter or Tab insert, Esc closes; the
// mouse works too. It handles those keys before the composer does (capture phase), only while
// the list is open. (A <textarea> is a textbox, which may not say aria-expanded: the list's
// visibility and aria-activedescendant tell assistive technology instead.)

const MAX_SHOWN = 8;
const WIDE = [
  { username: "room", display_name: "Notify everyone in this conversation", wide: true },
  { username: "here", display_name: "Notify everyone here", wide: true },
];

// The "@word" being typed just before the caret, or null.
export function mentionAt(text, caret) {
  const before = text.slice(0, caret);
  const match = before.match(/(?:^|[\s(])@([\p{L}\p{N}._-]{0,40})$/u);
  if (!match) return null;
  return { query: match[1], start: caret - match[1].length - 1 };
}

// Members matching `query`: prefix matches on username or display name first, then others
// containing it; case- and accent-insensitively.
export function rank(people, query) {
  const fold = (s) => (s ?? "").normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  const q = fold(query);
  const prefix = [];
  const inside = [];
  for (const person of people) {
    const names = [fold(person.username), fold(person.display_name)];
    if (names.some((n) => n.startsWith(q))) prefix.push(person);
    else if (q && names.some((n) => n.includes(q))) inside.push(person);
  }
  return [...prefix, ...inside].slice(0, MAX_SHOWN);
}

export class MentionAutocomplete {
  // `members()`: a promise of the room's members (user objects); `wide()`: whether @room and
  // @here notify in this room.
  constructor(input, { members, wide = () => true, doc = document }) {
    this.input = input;
    this.members = members;
    this.wide = wide;
    this.doc = doc;
    this.people = [];
    this.active = 0;
    this.at = null;
    this.list = doc.createElement("ul");
    this.list.id = `${input.id || "composer"}-mentions`;
    this.list.className = "mention-list";
    this.list.setAttribute("role", "listbox");
    this.list.setAttribute("aria-label", "People to mention");
    this.list.hidden = true;
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", this.list.id);
    input.insertAdjacentElement("afterend", this.list);
    input.addEventListener("input", () => this.update());
    input.addEventListener("keydown", (event) => this.onKey(event), { capture: true });
    input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
    this.list.addEventListener("mousedown", (event) => event.preventDefault());
    this.list.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) this.choose(Number(option.dataset.index));
    });
  }

  isOpen() {
    return !this.list.hidden;
  }

  async update() {
    const at = mentionAt(this.input.value, this.input.selectionStart ?? this.input.value.length);
    if (!at) return this.close();
    this.at = at;
    let people = [];
    try {
      people = await this.members();
    } catch {
      people = [];
    }
    const candidates = [...people, ...(this.wide() ? WIDE : [])];
    this.people = rank(candidates, at.query);
    if (!this.people.length) return this.close();
    this.active = 0;
    this.render();
  }

  render() {
    this.list.replaceChildren(
      ...this.people.map((person, index) => {
        const item = this.doc.createElement("li");
        item.id = `${this.list.id}-${index}`;
        item.setAttribute("role", "option");
        item.dataset.index = String(index);
        item.setAttribute("aria-selected", String(index === this.active));
        const handle = this.doc.createElement("strong");
        handle.textContent = `@${person.username}`;
        const name = this.doc.createElement("span");
        name.textContent = person.display_name && person.display_name !== person.username ? ` ${person.display_name}` : "";
        item.append(handle, name);
        return item;
      }),
    );
    this.list.hidden = false;
    this.input.setAttribute("aria-activedescendant", `${this.list.id}-${this.active}`);
  }

  close() {
    this.list.hidden = true;
    this.at = null;
    this.input.removeAttribute("aria-activedescendant");
  }

  onKey(event) {
    if (!this.isOpen()) return;
    const moves = { ArrowDown: 1, ArrowUp: -1 };
    if (event.key in moves) {
      this.active = (this.active + moves[event.key] + this.people.length) % this.people.length;
      this.render();
    } else if (event.key === "Enter" || event.key === "Tab") {
      this.choose(this.active);
    } else if (event.key === "Escape") {
      this.close();
    } else {
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
  }

  choose(index) {
    const person = this.people[index];
    if (!person || !this.at) return;
    const { value } = this.input;
    const caret = this.input.selectionStart ?? value.length;
    const inserted = `@${person.username} `;
    this.input.value = value.slice(0, this.at.start) + inserted + value.slice(caret);
    const end = this.at.start + inserted.length;
    this.input.setSelectionRange(end, end);
    this.close();
    this.input.dispatchEvent(new Event("input", { bubbles: true }));
    this.input.focus();
  }
}
