// The app shell's router: opening another page of the shell without loading a page, so that
// the one socket stays open. The server renders each route's content as a fragment when asked
// with `X-Parley-Fragment: 1` (web/shell.py); the router swaps it into <main>, sets the title,
// and keeps the address (history.pushState) so that deep links and the back button work.
//
// Anything else (a page outside the shell, a "Create #room?" page, an error, the network
// down) is loaded as a page, as a plain link would.
//
// The shell's forms that post (a room's management, the lobby's New room) are sent the same
// way: the server's answer (its redirect back to the room or to the lobby, whose flash says how
// it went) is swapped in as a link's would be, so that renaming or archiving a room keeps the
// socket too.

// The client routes: a room, a direct message with someone (`/dm/<username>/`: the server
// redirects to the DM's room, or shows a page to start one), the lobby as "Browse channels",
// and search results (`/search/?q=`).
export const ROUTES = [
  { name: "room", pattern: /^\/chat\/([^/]+)\/$/ },
  { name: "dm", pattern: /^\/dm\/([^/]+)\/$/ },
  { name: "browse", pattern: /^\/(?:chat\/)?$/ },
  { name: "search", pattern: /^\/search\/$/ },
];

// The route of `href` (same origin only), or null: {name, param, url}.
export function routeOf(href, base = window.location.href) {
  let url;
  try {
    url = new URL(href, base);
  } catch {
    return null;
  }
  if (url.origin !== window.location.origin) return null;
  for (const { name, pattern } of ROUTES) {
    const found = url.pathname.match(pattern);
    if (found) return { name, param: found[1] ? decodeURIComponent(found[1]) : null, url };
  }
  return null;
}

function pageOf(url) {
  return url.pathname + url.search;
}

export class Router {
  // `leave()` runs before the content changes, `enter({focus})` after.
  constructor({ main, leave, enter }) {
    this.main = main;
    this.leave = leave;
    this.enter = enter;
    this.generation = 0; // a later navigation wins over a slower earlier one
    this.shown = pageOf(window.location); // the address of what <main> shows, without its #part
    document.addEventListener("click", (event) => this.onClick(event));
    document.addEventListener("submit", (event) => this.onSubmit(event));
    // Back and forward. A step that only changes the #part (the skip link's) stays on the page.
    window.addEventListener("popstate", () => {
      if (pageOf(window.location) !== this.shown) this.go(window.location.href, { push: false });
    });
  }

  onClick(event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const link = event.target.closest("a[href]");
    if (!link || link.target || link.hasAttribute("download")) return;
    const route = routeOf(link.href);
    if (!route) return;
    const here = new URL(window.location.href);
    // A link to a part of this page (#thread-…) is the page's own business.
    if (route.url.pathname === here.pathname && route.url.search === here.search && route.url.hash) return;
    event.preventDefault();
    this.go(route.url.href);
  }

  // Opens `href`; true once shown in the shell, false when it was loaded as a page.
  async go(href, { push = true } = {}) {
    const route = routeOf(href);
    if (!route) return this.load(href);
    const mine = ++this.generation;
    const answer = await this.fetchFragment(route.url.pathname + route.url.search);
    if (mine !== this.generation) return false;
    if (!answer.fragment) return this.load(href);
    // Where the server said the page is (a redirect to the canonical slug), with the link's #part.
    const landed = new URL(answer.response.url);
    landed.hash = route.url.hash;
    this.show(answer.fragment, landed, push ? "push" : "replace");
    return true;
  }

  // A form of the page in <main> that posts, to this site, and that no script of the page took.
  onSubmit(event) {
    const form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement) || form.method !== "post") return;
    if (!this.main.contains(form) || new URL(form.action).origin !== window.location.origin) return;
    event.preventDefault();
    this.submit(form, event.submitter);
  }

  // Posts `form` (with the button that sent it) and shows the answer: a page of the shell is
  // swapped in (at the address a redirect led to, else where it was); a redirect elsewhere is
  // followed as a page; any other answer (a 404 page, say) is shown whole, as the browser
  // would. The form is busy until then, so that a second press sends nothing twice.
  async submit(form, submitter) {
    if (form.getAttribute("aria-busy") === "true") return;
    const mine = ++this.generation;
    const body = submitter ? new FormData(form, submitter) : new FormData(form);
    form.setAttribute("aria-busy", "true");
    const answer = await this.fetchFragment(form.action, { method: "POST", body });
    form.removeAttribute("aria-busy");
    if (mine !== this.generation) return;
    const { response, fragment, text } = answer;
    if (!response) return this.unsent(form);
    if (fragment && (!response.redirected || routeOf(response.url))) {
      this.show(fragment, response.redirected ? new URL(response.url) : new URL(window.location.href), "push");
    } else if (response.redirected) {
      this.load(response.url);
    } else {
      document.open();
      document.write(text);
      document.close();
    }
  }

  // The network failed under a post: whether it reached the server is unknown, so nothing is
  // sent again; the form says so, as typed, for the person to try again.
  unsent(form) {
    let alert = form.querySelector(".form-unsent");
    if (!alert) {
      alert = document.createElement("p");
      alert.className = "errorlist form-unsent";
      alert.setAttribute("role", "alert");
      form.append(alert);
    }
    alert.textContent = "Could not reach Parley: nothing changed that you can see. Try again.";
  }

  // {response, fragment, text} for a request asking for the fragment; {} when the network failed.
  async fetchFragment(url, options = {}) {
    try {
      const response = await fetch(url, { ...options, headers: { "X-Parley-Fragment": "1" }, credentials: "same-origin" });
      const text = await response.text();
      const fragment = response.ok ? new DOMParser().parseFromString(text, "text/html").getElementById("fragment") : null;
      return { response, fragment, text };
    } catch {
      return {};
    }
  }

  // Puts `fragment` in <main> at the address `landed` (a new history entry when it is another
  // address and `how` is "push"; the entry replaced otherwise).
  show(fragment, landed, how) {
    if (landed.href !== window.location.href) {
      if (how === "push") history.pushState(null, "", landed.href);
      else history.replaceState(null, "", landed.href);
    }
    this.shown = pageOf(window.location);
    this.leave();
    this.main.className = fragment.dataset.mainClass;
    this.main.replaceChildren(...[...fragment.childNodes].map((node) => document.adoptNode(node)));
    document.title = fragment.dataset.title;
    document.querySelector(".skip-link")?.setAttribute("href", `#${fragment.dataset.skipTarget}`);
    this.enter({ focus: true });
  }

  load(href) {
    window.location.assign(href);
    return false;
  }
}
