"""The search query language (docs/api.md, "Search"): what a person types, parsed into words,
phrases and filters. Nothing here touches the database or an engine's syntax: the engines
(search/engines.py) quote every word themselves, so no query can be an FTS5 or tsquery
expression.

    deploy "release notes" in:#ops from:@ada has:link after:2026-01-31 is:thread

- a word: every word must match (stemmed: "deploys" finds "deployed");
- a "quoted phrase": its words, in that order;
- `in:#slug` a room (`in:slug` too), `in:@username` the DM of two with that person;
- `from:@username` (or `from:username`) the author;
- `has:link`, `has:file`; `is:thread` (a thread reply, or a message with replies);
- `before:YYYY-MM-DD`, `after:YYYY-MM-DD`: created before that day began, after it ended (UTC).

A word with a colon is a filter only when what precedes the colon is a word of letters (so
`12:30`, `http://…` and `:smile:` stay words); an unknown one is refused with a hint to quote it.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from parley.errors import BadRequest

# The longest query accepted, and the most words and phrases it may hold: a search is one
# index probe per term, so their number is bounded whatever a client sends.
QUERY_MAX = 500
TERMS_MAX = 20

HAS = ("link", "file")
IS = ("thread",)
FILTERS = ("in", "from", "has", "is", "before", "after")

# A term: a "quoted phrase" (an unclosed quote runs to the end), or a run of other characters.
_TOKEN = re.compile(r'"([^"]*)"?|([^\s"]+)')
_FILTER = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
# What an engine's tokenizer keeps of a word: letters and digits (any script). A term made
# of none of them (`*`, `(`, `"`) matches nothing and is dropped.
_WORDY = re.compile(r"\w", re.UNICODE)


@dataclass(frozen=True)
class Query:
    words: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    rooms: tuple[str, ...] = ()  # `in:#slug`: any of them
    dms: tuple[str, ...] = ()  # `in:@username`: any of them
    authors: tuple[str, ...] = ()  # `from:@username`: any of them
    has: frozenset[str] = field(default_factory=frozenset)
    is_: frozenset[str] = field(default_factory=frozenset)
    before: date | None = None
    after: date | None = None
    # Something was typed that can match nothing (only punctuation, `"`): no results.
    dropped: bool = False

    @property
    def text(self) -> bool:
        """Whether the query has words or phrases for the full-text index."""
        return bool(self.words or self.phrases)

    @property
    def empty(self) -> bool:
        """Whether nothing is left to search by: no term and no filter."""
        return not (
            self.text
            or self.rooms
            or self.dms
            or self.authors
            or self.has
            or self.is_
            or self.before
            or self.after
        )


def _day(name: str, value: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(f"{name}: wants a date as YYYY-MM-DD, not {value[:40]!r}.") from None


def _name(name: str, value: str, sigil: str) -> str:
    value = value.removeprefix(sigil)
    if not value:
        raise BadRequest(f"{name}: wants a name, as {name}:{sigil}name.")
    return value


def query_parse(text: str) -> Query:
    """The query `text` as words, phrases and filters. Raises BadRequest for an empty query,
    one too long or with too many terms, an unknown filter, an unknown `has:`/`is:` value, a
    date that is not YYYY-MM-DD."""
    if not text.strip():
        raise BadRequest("Type something to search for.")
    if len(text) > QUERY_MAX:
        raise BadRequest(f"A search is at most {QUERY_MAX} characters.")
    words: list[str] = []
    phrases: list[str] = []
    rooms: list[str] = []
    dms: list[str] = []
    authors: list[str] = []
    has: set[str] = set()
    is_: set[str] = set()
    before = after = None
    dropped = False
    for match in _TOKEN.finditer(text):
        quoted, bare = match.group(1), match.group(2)
        if quoted is not None:
            phrase = " ".join(quoted.split())
            if _WORDY.search(phrase):
                phrases.append(phrase)
            else:
                dropped = True
            continue
        operator = _FILTER.fullmatch(bare)
        if operator is None or operator.group(2).startswith("/"):
            if _WORDY.search(bare):
                words.append(bare)
            else:
                dropped = True
            continue
        name, value = operator.group(1).lower(), operator.group(2)
        if name == "in":
            if value.startswith("@"):
                dms.append(_name(name, value, "@"))
            else:
                rooms.append(_name(name, value, "#").lower())
        elif name == "from":
            authors.append(_name(name, value, "@"))
        elif name in ("has", "is"):
            allowed = HAS if name == "has" else IS
            if value.lower() not in allowed:
                choices = ", ".join(f"{name}:{choice}" for choice in allowed)
                raise BadRequest(f"Unknown filter {name}:{value[:40]}; there is {choices}.")
            (has if name == "has" else is_).add(value.lower())
        elif name == "before":
            before = _day(name, value)
        elif name == "after":
            after = _day(name, value)
        else:
            known = ", ".join(f"{known}:" for known in FILTERS)
            raise BadRequest(
                f"Unknown filter {name[:40]}: (the filters are {known}); to search for the "
                f'text itself, put it in quotes: "{bare[:40]}".'
            )
    if len(words) + len(phrases) > TERMS_MAX:
        raise BadRequest(f"A search has at most {TERMS_MAX} words and phrases.")
    return Query(
        words=tuple(words),
        phrases=tuple(phrases),
        rooms=tuple(rooms),
        dms=tuple(dms),
        authors=tuple(authors),
        has=frozenset(has),
        is_=frozenset(is_),
        before=before,
        after=after,
        dropped=dropped,
    )
