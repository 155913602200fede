"""Message bodies: Markdown source in, a sanitised HTML fragment out.

A message is stored as its source and as the HTML `render` makes of it, rendered here on the
server once per post so that the output is tested in one place and every client shows the same
thing. markdown-it-py parses CommonMark plus ~~strikethrough~~ and bare URLs (linkify-it-py);
raw HTML in the source is never parsed (`html=False`): `<b>` shows as the text "<b>". nh3 then
cleans the HTML markdown-it wrote against an explicit allowlist of tags, attributes, classes
and URL schemes, so a parser bug cannot become an injection.

What renders, and the choices made where chat apps differ:

- **bold**, *italic*, ~~strike~~, `inline code`, fenced code blocks (```` ```python ```` gives
  `<pre><code class="language-python">`; a language name with characters outside
  `[A-Za-z0-9_+-]`, or longer than 32, gives no class), indented code, block quotes, ordered
  and unordered lists, horizontal rules, `[links](https://...)`, `<https://...>` and bare URLs
  or domains ("example.com").
- A single newline inside a paragraph is a line break (`<br>`), as people expect in chat.
- Headings: Zulip renders `# Title` as a heading, Slack shows the "#" as typed. Parley keeps the
  writer's emphasis but not the size: a heading renders as a bold paragraph
  (`<p><strong>Title</strong></p>`), so one message cannot shout over the room. `#general`
  (no space) is never a heading; it is a room reference.
- Images never load: `![alt](url)` is a link to `url` showing `alt` (or the URL when `alt` is
  empty). Nothing in a message makes a reader's browser fetch from a third party.
- Links go to http, https and mailto URLs, or relative ones; any other scheme (`javascript:`,
  `data:`, `vbscript:`, `file:`, ...) leaves the Markdown as text. Every `<a>` gets
  `rel="noopener noreferrer"`, and every link out of Parley `target="_blank"` (a mention or a
  room reference opens in place).
- `@name` links to a user (`<a class="mention" href="/u/NAME/" data-user="NAME">`) when the
  `mentions` callback says NAME exists; `@room` and `@here` (any case) are group mentions
  (`<span class="mention mention-group">@room</span>`), so no user named "room" or "here" can
  be mentioned. `#slug` links to a room (`<a class="room-ref" href="/chat/SLUG/">`) when the
  `rooms` callback returns SLUG. A name is Django's username characters (letters, digits,
  `_ . @ + -`), at most 150 of them, after an "@" that does not follow one of those characters
  ("ada@example.com" mentions nobody); a slug is `[a-z0-9][a-z0-9_-]*`, at most 64, after a "#"
  that does not follow a letter, digit, "_" or "#" ("C#" refers to no room). Trailing `. - + @`
  are punctuation, not part of a name: "@ada." and "@ada++" mention ada; trailing `-` and `_`
  are not part of a slug. Nothing inside code, links or image text mentions or refers.
"""

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from html import unescape as html_unescape

import nh3
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml, unescapeAll
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

URL_SCHEMES = frozenset({"http", "https", "mailto"})
GROUP_MENTIONS = frozenset({"room", "here"})
MAX_USERNAME = 150  # Django's AbstractUser.username max_length
MAX_SLUG = 64  # chat.models.Room.slug max_length

# Given candidate names, the ones that exist (any iterable; names not asked about are ignored).
Resolver = Callable[[set[str]], Iterable[str]]

# --- Parsing ---------------------------------------------------------------------------------

_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_LANGUAGE = re.compile(r"[A-Za-z0-9_+-]{1,32}")
_SURROGATES = re.compile("[\ud800-\udfff]")


def _link_allowed(url: str) -> bool:
    """markdown-it's link check, narrowed to URL_SCHEMES. `url` is already normalised
    (percent-encoded), so no whitespace or control character can split a scheme."""
    scheme = _SCHEME.match(url)
    return scheme is None or scheme.group(1).lower() in URL_SCHEMES


def _heading_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "<p><strong>"


def _heading_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return "</strong></p>\n"


def _image(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    href = str(token.attrGet("src") or "")
    text = self.renderInlineAsText(token.children or [], options, env) or href
    return f'<a href="{escapeHtml(href)}" target="_blank">{escapeHtml(text)}</a>'


# A mention or a room reference is a page of Parley's own: it opens in place.
_INTERNAL = frozenset({"mention", "room-ref"})
# How a group mention (`@room`, `@here`) opens in the HTML; raw HTML in a body is escaped, so
# only the renderer writes it (chat/services/messages.py looks for it).
GROUP_MENTION_MARK = '<span class="mention mention-group">'


def _link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    if token.attrGet("class") not in _INTERNAL:
        token.attrSet("target", "_blank")
    return self.renderToken(tokens, idx, options, env)


def _fence(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    info = unescapeAll(token.info).strip()
    language = info.split(maxsplit=1)[0] if info else ""
    attribute = f' class="language-{language}"' if _LANGUAGE.fullmatch(language) else ""
    return f"<pre><code{attribute}>{escapeHtml(token.content)}</code></pre>\n"


def _parser() -> MarkdownIt:
    # CommonMark's maxNesting (20) bounds the parser's recursion whatever the input: block
    # quotes and lists nested deeper are not shown (what follows them is), and link text
    # nested deeper stays text. Emphasis is flat in the token stream and needs no bound.
    md = MarkdownIt(
        "commonmark", {"html": False, "breaks": True, "linkify": True, "xhtmlOut": False}
    ).enable(["strikethrough", "linkify"])
    md.validateLink = _link_allowed  # type: ignore[method-assign]
    md.add_render_rule("heading_open", _heading_open)
    md.add_render_rule("heading_close", _heading_close)
    md.add_render_rule("image", _image)
    md.add_render_rule("link_open", _link_open)
    md.add_render_rule("fence", _fence)
    return md


_md = _parser()

# What survives into stored HTML. markdown-it writes only these (html=False); nh3 makes sure.
_TAGS = "a blockquote br code em hr li ol p pre s span strong ul"
_cleaner = nh3.Cleaner(
    tags=set(_TAGS.split()),
    attributes={
        "a": {"href", "title", "data-user", "target"},
        "code": {"class"},
        "ol": {"start"},
    },
    allowed_classes={"a": {"mention", "room-ref"}, "span": {"mention", "mention-group"}},
    url_schemes=set(URL_SCHEMES),
    link_rel="noopener noreferrer",
    # markdown-it sets `target` (on links out of Parley only); nothing else may.
    attribute_filter=lambda tag, name, value: (
        None if (tag, name) == ("a", "target") and value != "_blank" else value
    ),
    strip_comments=True,
)

# --- Mentions and room references ------------------------------------------------------------

_REFERENCE = re.compile(
    r"(?<![\w.@+-])@(?P<user>[\w.@+-]+)|(?<![\w#])#(?P<room>[a-z0-9][a-z0-9_-]*)(?!\w)"
)


@dataclass(frozen=True)
class _Reference:
    kind: str  # "user", "group" or "room"
    name: str
    start: int  # of the "@" or "#" in the text token
    end: int  # after the name, trailing punctuation excluded


def _references_in(text: str) -> Iterator[_Reference]:
    for match in _REFERENCE.finditer(text):
        if (user := match.group("user")) is not None:
            name = user.rstrip(".-+@")
            if name.lower() in GROUP_MENTIONS:
                yield _Reference(
                    "group", name.lower(), match.start(), match.start() + 1 + len(name)
                )
            elif 0 < len(name) <= MAX_USERNAME:
                yield _Reference("user", name, match.start(), match.start() + 1 + len(name))
        else:
            slug = match.group("room").rstrip("-_")
            if len(slug) <= MAX_SLUG:
                yield _Reference("room", slug, match.start(), match.start() + 1 + len(slug))


def _text_tokens(tokens: list[Token]) -> Iterator[tuple[Token, int, Token]]:
    """(inline token, index, text token) for each text outside code and links. Code is its own
    token type (code_inline, fence, code_block); image text sits in the image's own children."""
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        link_depth = 0
        for index, token in enumerate(block.children):
            if token.type == "link_open":
                link_depth += 1
            elif token.type == "link_close":
                link_depth -= 1
            elif token.type == "text" and link_depth == 0:
                yield block, index, token


@dataclass(frozen=True)
class References:
    """The names a body mentions and the rooms it refers to, outside code and links: what a
    caller resolves (one query each) before `render`, and what it notifies."""

    users: frozenset[str]
    groups: frozenset[str]  # of GROUP_MENTIONS
    rooms: frozenset[str]


def _collect(tokens: list[Token]) -> References:
    found: dict[str, set[str]] = {"user": set(), "group": set(), "room": set()}
    for _, _, token in _text_tokens(tokens):
        if "@" in token.content or "#" in token.content:
            for reference in _references_in(token.content):
                found[reference.kind].add(reference.name)
    return References(
        users=frozenset(found["user"]),
        groups=frozenset(found["group"]),
        rooms=frozenset(found["room"]),
    )


def _link_tokens(text: str, attrs: dict[str, str | int | float], level: int) -> list[Token]:
    opening = Token("link_open", "a", 1, attrs=attrs, level=level)
    content = Token("text", "", 0, content=text, level=level + 1)
    return [opening, content, Token("link_close", "a", -1, level=level)]


def _reference_tokens(
    reference: _Reference, text: str, users: set[str], rooms: set[str], level: int
) -> list[Token] | None:
    """The tokens `reference` renders as, or None when it stays text."""
    if reference.kind == "group":
        html = f"{GROUP_MENTION_MARK}@{reference.name}</span>"
        return [Token("html_inline", "", 0, content=html, level=level)]
    if reference.kind == "user" and reference.name in users:
        attrs: dict[str, str | int | float] = {
            "href": f"/u/{reference.name}/",
            "class": "mention",
            "data-user": reference.name,
        }
        return _link_tokens(text, attrs, level)
    if reference.kind == "room" and reference.name in rooms:
        attrs = {"href": f"/chat/{reference.name}/", "class": "room-ref"}
        return _link_tokens(text, attrs, level)
    return None


def _replace_references(tokens: list[Token], users: set[str], rooms: set[str]) -> None:
    replacements: list[tuple[Token, int, list[Token]]] = []
    for block, index, token in _text_tokens(tokens):
        if "@" not in token.content and "#" not in token.content:
            continue
        parts: list[Token] = []
        done = 0
        for reference in _references_in(token.content):
            text = token.content[reference.start : reference.end]
            if (made := _reference_tokens(reference, text, users, rooms, token.level)) is None:
                continue
            if reference.start > done:
                before = token.content[done : reference.start]
                parts.append(Token("text", "", 0, content=before, level=token.level))
            parts.extend(made)
            done = reference.end
        if parts:
            if done < len(token.content):
                rest = token.content[done:]
                parts.append(Token("text", "", 0, content=rest, level=token.level))
            replacements.append((block, index, parts))
    for block, index, parts in reversed(replacements):  # later indexes first: earlier ones hold
        assert block.children is not None
        block.children[index : index + 1] = parts


# --- Links out ------------------------------------------------------------------------------

# How a link to an http(s) address opens in the HTML. Text in a body has its "<" escaped, so
# only the renderer writes it: the HTML says whether a body links out (chat/services/messages.py
# looks for it to enqueue link previews) without parsing the body again.
LINK_MARK = '<a href="http'
_LINK_HREF = re.compile(r'<a href="(https?://[^"]*)"')


def links_in(html: str) -> list[str]:
    """The http(s) addresses `html` (render's output) links to, in order, each once."""
    if LINK_MARK not in html:
        return []
    found = (html_unescape(href) for href in _LINK_HREF.findall(html))
    return list(dict.fromkeys(found))


# --- Rendering -------------------------------------------------------------------------------

# A body that none of these can touch renders as one paragraph of its own text, so render()
# skips the parser for it (the output is the same; tests hold the two paths to that). Markdown
# punctuation, entities, mention and reference marks, line breaks, tabs, U+0000 and surrogates
# (which the parser rewrites) and U+00A0 (which nh3 writes as &nbsp;) go the slow way; so does
# a first character that may open a list or a rule ("- ", "+ ", "1. ", "2) "), and anything
# linkify-it's own quick test thinks may hold a link.
_NOT_PLAIN = re.compile(r"[\\`*_~\[\]<>&@#\n\r\t\x00\xa0\ud800-\udfff]")
_BLOCK_START = re.compile(r"[-+=]|\d{1,9}[.)]")
# Any link linkify-it finds holds a scheme's ":" or "//", or a "." before a domain's last
# label (an e-mail address's "@" is in _NOT_PLAIN). Most chat lines have neither, so its own
# quick test (every top-level domain, ignoring case: tens of microseconds) rarely runs.
_DOT_WORD = re.compile(r"\.\w")


def _linkish() -> re.Pattern[str]:
    """linkify-it's quick "may hold a link" test, the one markdown-it's linkify rule runs first."""
    if _md.linkify is None:
        raise ModuleNotFoundError("Parley's Markdown needs linkify-it-py (requirements.lock).")
    return re.compile(_md.linkify.re["pretest"], re.IGNORECASE)


_LINKISH = _linkish()


def _is_plain(body: str) -> bool:
    if not body or body != body.strip() or _NOT_PLAIN.search(body) or _BLOCK_START.match(body):
        return False
    if ":" in body or "/" in body or _DOT_WORD.search(body):
        return _LINKISH.search(body) is None
    return True


def _parse(body: str) -> list[Token]:
    return _md.parse(_SURROGATES.sub("\ufffd", body), {})


def render(body: str, *, mentions: Resolver | None = None, rooms: Resolver | None = None) -> str:
    """`body` (Markdown source) as a sanitised HTML fragment, "" for a blank body.

    `mentions` gets the set of candidate usernames in the body (`references(body).users`) and
    returns those that name users; `rooms` does the same for room slugs, returning the rooms
    the reader may see. Each is called at most once, and not at all when the body has no
    candidates, so a caller makes one query for each. Without a callback no user is mentioned
    (or no room referred to); group mentions need none. Never raises for any body; the same
    body and answers always give the same HTML."""
    if _is_plain(body):
        return f"<p>{body}</p>"
    return _render_markdown(body, mentions=mentions, rooms=rooms)


def _render_markdown(
    body: str, *, mentions: Resolver | None = None, rooms: Resolver | None = None
) -> str:
    """render() without its plain-text shortcut."""
    tokens = _parse(body)
    found = _collect(tokens)
    users = (
        found.users.intersection(mentions(set(found.users))) if mentions and found.users else set()
    )
    slugs = found.rooms.intersection(rooms(set(found.rooms))) if rooms and found.rooms else set()
    if found.users or found.groups or found.rooms:
        _replace_references(tokens, set(users), set(slugs))
    html = _md.renderer.render(tokens, _md.options, {})
    return _cleaner.clean(html).rstrip("\n")


def references(body: str) -> References:
    """The usernames, group mentions and room slugs `body` names outside code and links."""
    if _is_plain(body):
        return References(frozenset(), frozenset(), frozenset())
    return _collect(_parse(body))


def mentioned_usernames(body: str) -> set[str]:
    """The candidate usernames `body` mentions (not yet checked to exist): what a caller
    resolves and `render`'s `mentions` callback is given."""
    return set(references(body).users)


def room_refs(body: str) -> set[str]:
    """The candidate room slugs `body` refers to (not yet checked to exist or be visible)."""
    return set(references(body).rooms)


# --- /me and /shrug --------------------------------------------------------------------------

SHRUG = "¯\\_(ツ)_/¯"
# SHRUG as Markdown source: "\\" is a backslash, "\_" an underscore that cannot open emphasis.
SHRUG_SOURCE = SHRUG.replace("\\", "\\\\").replace("_", "\\_")
_ME = re.compile(r"/me(?:\s+|\Z)")
_SHRUG_COMMAND = re.compile(r"/shrug(?:\s+|\Z)")


def action_and_body(body: str) -> tuple[bool, str]:
    """Slack's two message-changing slash commands, applied to a body before it is stored:
    (is_action, the Markdown source to store).

    - `/me TEXT` is an action: (True, "TEXT"); clients show it as the author doing TEXT, in
      italics ("/me waves" reads "ada waves"). `/me` alone is an action with an empty body,
      which a caller refuses as it refuses any empty body.
    - `/shrug TEXT` appends the shrug: (False, "TEXT ¯\\_(ツ)_/¯"); `/shrug` alone is the shrug
      alone. The shrug is stored Markdown-escaped (SHRUG_SOURCE), so the rendered HTML shows
      ¯\\_(ツ)_/¯ with its backslash and no emphasis.

    Commands are lower case and end at whitespace ("/meeting" and "/shrugs" are plain text).
    Any other body is (False, body) unchanged."""
    if match := _ME.match(body):
        return True, body[match.end() :]
    if match := _SHRUG_COMMAND.match(body):
        text = body[match.end() :].rstrip()
        return False, f"{text} {SHRUG_SOURCE}" if text else SHRUG_SOURCE
    return False, body
