"""A page's card: its OpenGraph title, description, image and site name, falling back to the
page's <title> and meta description. Text only, whitespace collapsed, lengths capped."""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

MAX_TITLE = 300
MAX_DESCRIPTION = 1000
MAX_SITE_NAME = 100
MAX_IMAGE_URL = 2000

_SPACE = re.compile(r"\s+")
# Control and format characters a card's text never shows (bidirectional overrides included).
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)


@dataclass(frozen=True)
class OpenGraph:
    title: str = ""
    description: str = ""
    site_name: str = ""
    image: str = ""  # an absolute http(s) URL, or ""

    def __bool__(self) -> bool:
        return bool(self.title or self.description)


class _Head(HTMLParser):
    """Collects <meta> properties and the <title> text, up to the end of the head."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title: list[str] = []
        self.in_title = False
        self.done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.done:
            return
        if tag == "meta":
            named = dict(attrs)
            key = (named.get("property") or named.get("name") or "").strip().lower()
            content = named.get("content")
            if key and content is not None and key not in self.meta:
                self.meta[key] = content
        elif tag == "title":
            self.in_title = True
        elif tag == "body":
            self.done = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif tag == "head":
            self.done = True

    def handle_data(self, data: str) -> None:
        if self.in_title and not self.done and sum(map(len, self.title)) < MAX_TITLE * 4:
            self.title.append(data)


def _text(value: str | None, limit: int) -> str:
    text = _SPACE.sub(" ", _INVISIBLE.sub("", value or "")).strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _image(value: str | None, base: str) -> str:
    if not value or not value.strip():
        return ""
    url = urljoin(base, value.strip())
    if urlsplit(url).scheme not in ("http", "https") or len(url) > MAX_IMAGE_URL:
        return ""
    return url


def decode(body: bytes, charset: str | None) -> str:
    """The page's text: in the charset its Content-Type names, else the one a <meta> names
    early on, else UTF-8; bytes that do not decode are replaced."""
    for candidate in (charset, *(m.decode("ascii") for m in _CHARSET.findall(body[:4096])[:1])):
        if candidate:
            try:
                return body.decode(candidate, errors="replace")
            except LookupError:
                continue
    return body.decode("utf-8", errors="replace")


def opengraph_parse(html: str, *, url: str) -> OpenGraph:
    """The card of the page `html` found at `url` (the final URL, after redirects: a relative
    og:image is resolved against it)."""
    head = _Head()
    try:
        head.feed(html)
        head.close()
    except (AssertionError, ValueError):  # html.parser on broken markup; keep what it read
        pass
    meta = head.meta
    return OpenGraph(
        title=_text(
            meta.get("og:title") or meta.get("twitter:title") or "".join(head.title), MAX_TITLE
        ),
        description=_text(
            meta.get("og:description")
            or meta.get("twitter:description")
            or meta.get("description"),
            MAX_DESCRIPTION,
        ),
        site_name=_text(meta.get("og:site_name"), MAX_SITE_NAME),
        image=_image(
            meta.get("og:image:secure_url")
            or meta.get("og:image")
            or meta.get("og:image:url")
            or meta.get("twitter:image"),
            url,
        ),
    )
