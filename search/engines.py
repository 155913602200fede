"""The full-text engines behind the one search (search/selectors.py): each turns the query's
words and phrases into its own match expression, quoting every one of them (so no query is
an FTS5 or tsquery expression: `"`, `AND OR NEAR(` and `*` are only text), ranks the messages
that also pass `where` (the permission and filter conditions, as SQL on chat_message), and
cuts a snippet with the matches between MARK_START and MARK_END."""

from dataclasses import dataclass

from django.db import connection

from .query import Query
from .schema import FTS_TABLE, PG_CONFIG, PG_TEXT, PG_VECTOR

# What the engines put around a match in a snippet: characters a message is not expected to
# hold. search/snippets.py escapes the text and makes them <mark> (a stray one in a body can
# only misplace a highlight, never open a tag).
MARK_START, MARK_END = "\x02", "\x03"
# About how many words a snippet holds.
SNIPPET_WORDS = 24


@dataclass(frozen=True)
class Hit:
    id: int
    snippet: str  # the text with its matches marked (MARK_START, MARK_END), not yet escaped


def _fts5_string(text: str) -> str:
    """`text` as one FTS5 string: tokenized like the index (a phrase when it holds several
    words), never read as an operator."""
    return '"' + text.replace('"', '""') + '"'


def fts5_expression(query: Query) -> str:
    """Every word and phrase, all required (FTS5's implicit AND)."""
    return " ".join(_fts5_string(term) for term in (*query.words, *query.phrases))


def _sqlite(query: Query, where: str, params: list, limit: int, offset: int) -> list[Hit]:
    sql = f"""
        SELECT chat_message.id,
               snippet({FTS_TABLE}, 0, char(2), char(3), '…', {SNIPPET_WORDS // 2})
        FROM {FTS_TABLE} JOIN chat_message ON chat_message.id = {FTS_TABLE}.rowid
        WHERE {FTS_TABLE} MATCH %s AND ({where})
        ORDER BY bm25({FTS_TABLE}), chat_message.id DESC
        LIMIT %s OFFSET %s"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [fts5_expression(query), *params, limit, offset])
        return [Hit(id=row[0], snippet=row[1]) for row in cursor.fetchall()]


def _tsquery(query: Query) -> tuple[str, list]:
    """The words (plainto_tsquery: every one required) and each phrase (phraseto_tsquery),
    AND-ed: built by PostgreSQL's own parsers from plain text, so nothing is syntax."""
    parts, params = [], []
    if query.words:
        parts.append("plainto_tsquery(%s::regconfig, %s)")
        params += [PG_CONFIG, " ".join(query.words)]
    for phrase in query.phrases:
        parts.append("phraseto_tsquery(%s::regconfig, %s)")
        params += [PG_CONFIG, phrase]
    return "(" + " && ".join(parts) + ")", params


HEADLINE_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords={SNIPPET_WORDS}, '
    f"MinWords={SNIPPET_WORDS // 2}"
)


def _postgresql(query: Query, where: str, params: list, limit: int, offset: int) -> list[Hit]:
    tsquery, tsparams = _tsquery(query)
    # Ranked and cut to the page first; only the page's snippets are made (ts_headline reads
    # the whole text again).
    sql = f"""
        SELECT page.id, ts_headline(%s::regconfig, page.text, {tsquery}, %s)
        FROM (
            SELECT chat_message.id, {PG_TEXT} AS text,
                   ts_rank({PG_VECTOR}, {tsquery}) AS rank
            FROM chat_message
            WHERE {PG_VECTOR} @@ {tsquery} AND ({where})
            ORDER BY rank DESC, chat_message.id DESC
            LIMIT %s OFFSET %s
        ) AS page
        ORDER BY page.rank DESC, page.id DESC"""
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                PG_CONFIG,
                *tsparams,
                HEADLINE_OPTIONS,
                *tsparams,
                *tsparams,
                *params,
                limit,
                offset,
            ],
        )
        # The space PG_TEXT put after each "<" (one the text had stays: "<  " becomes "< ").
        return [Hit(id=row[0], snippet=row[1].replace("< ", "<")) for row in cursor.fetchall()]


def engine_search(query: Query, *, where: str, params: list, limit: int, offset: int) -> list[Hit]:
    """The messages matching the query's words and phrases and `where`, best first (ties: the
    newest first): `limit` of them after the first `offset`."""
    search = _postgresql if connection.vendor == "postgresql" else _sqlite
    return search(query, where, params, limit, offset)
