// Search in the app shell (docs/web.md, "Search"): the header's search box, and the results
// page (`/search/?q=`, rendered by the server, opened through the router so that the socket
// stays open and the back button returns to the results).
//
// Keyboard: `/` (outside a text field) or Ctrl+Shift+F focuses the box; Enter searches; Esc
// leaves the box for the page. On the results page, ↑ ↓ move between results, Enter opens one
// (the room at that message, highlighted).

function typingInField(target) {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

export function mountSearchBox({ go }) {
  const form = document.getElementById("search-form");
  const input = document.getElementById("search-input");
  if (!form || !input) return;
  let before = null; // what had the focus before the box took it, given back by Esc

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = input.value.trim();
    if (!q) return;
    go(`/search/?q=${encodeURIComponent(q)}`);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    event.stopPropagation();
    const main = document.getElementById("main");
    const back = before && before.isConnected && before !== document.body ? before : main;
    before = null;
    input.blur();
    back?.focus();
  });
  document.addEventListener("keydown", (event) => {
    if (event.isComposing || event.defaultPrevented) return;
    const slash = event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typingInField(event.target);
    const find = (event.ctrlKey || event.metaKey) && event.shiftKey && !event.altKey && event.key.toLowerCase() === "f";
    if (!slash && !find) return;
    if (document.querySelector("dialog[open]")) return;
    event.preventDefault();
    if (document.activeElement !== input) before = document.activeElement;
    input.focus();
    input.select();
  });
}

// The results page, when <main> shows it: the box says its query; arrows move between results.
export function enterSearchPage({ focus }) {
  const view = document.querySelector(".search-view");
  if (!view) return false;
  const input = document.getElementById("search-input");
  if (input) input.value = view.dataset.query;
  const list = document.getElementById("search-results");
  list?.addEventListener("keydown", (event) => {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    const links = [...list.querySelectorAll(".search-result")];
    const at = links.indexOf(document.activeElement);
    if (at < 0) return;
    event.preventDefault();
    links[Math.max(0, Math.min(links.length - 1, at + (event.key === "ArrowDown" ? 1 : -1)))].focus();
  });
  if (focus) {
    const first = list?.querySelector(".search-result");
    (first ?? document.getElementById("search-results-title"))?.focus();
  }
  return true;
}
