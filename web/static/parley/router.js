// The app shell's router: opening another page of the shell without loading a page, so that
// the one socket stays open. The server renders each route's content as a fragment when asked
// with `X-Parley-Fragment: 1` (web/shell.py); the router swaps it into <main>, sets the title,
// and keeps the address (history.pushState) so that deep links and the back button work.
//
// Anything else (a page outside the shell, a "Create #room?" page, an error, the network
// down) is loaded as a page, as a plain link would.

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
    let response;
    let fragment;
    try {
      response = await fetch(route.url.pathname + route.url.search, { headers: { "X-Parley-Fragment": "1" }, credentials: "same-origin" });
      const text = response.ok ? await response.text() : "";
      fragment = new DOMParser().parseFromString(text, "text/html").getElementById("fragment");
    } catch {
      fragment = null;
    }
    if (mine !== this.generation) return false;
    if (!fragment) return this.load(href);
    // Where the server said the page is (a redirect to the canonical slug), with the link's #part.
    const landed = new URL(response.url);
    landed.hash = route.url.hash;
    if (push && landed.href !== window.location.href) history.pushState(null, "", landed.href);
    else if (!push && landed.href !== window.location.href) history.replaceState(null, "", landed.href);
    this.shown = pageOf(window.location);
    this.leave();
    this.main.className = fragment.dataset.mainClass;
    this.main.replaceChildren(...[...fragment.childNodes].map((node) => document.adoptNode(node)));
    document.title = fragment.dataset.title;
    document.querySelector(".skip-link")?.setAttribute("href", `#${fragment.dataset.skipTarget}`);
    this.enter({ focus: true });
    return true;
  }

  load(href) {
    window.location.assign(href);
    return false;
  }
}
