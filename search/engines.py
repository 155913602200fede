"""The full-text engines behind the one search (search/selectors.py): each turns the query's
words and phrases into its own match expression, quoting every one of them (so no query is
an FTS5 or tsquery expression: `"`, `AND OR NEAR(` and `*` are only text), matches them in a
message's text and in its files' names, ranks the messages
that also pass `where` (the permission and filter conditions, as SQL on chat_message), and
cuts a snippet with the matches between MARK_START and MARK_END."""

from dataclasses import dataclass

from django.db import connection

from .query import Query
from .schema import (
    FILES_TABLE,
    FTS_TABLE,
    PG_CONFIG,
    PG_FILE_TEXT,
    PG_FILE_VECTOR,
    PG_TEXT,
    PG_VECTOR,
)

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
    # A message matches by its text, or by the name of one of its files: best rank of the two
    # (bm25: lower is better; SQLite gives a bare column the row of the MIN()).
    sql = f"""
        SELECT id, snippet FROM (
            SELECT chat_message.id AS id,
                   snippet({FTS_TABLE}, 0, char(2), char(3), '…', {SNIPPET_WORDS // 2}) AS snippet,
                   bm25({FTS_TABLE}) AS rank
            FROM {FTS_TABLE} JOIN chat_message ON chat_message.id = {FTS_TABLE}.rowid
            WHERE {FTS_TABLE} MATCH %s AND ({where})
            UNION ALL
            SELECT chat_message.id, highlight({FILES_TABLE}, 0, char(2), char(3)),
                   bm25({FILES_TABLE})
            FROM {FILES_TABLE}
            JOIN chat_attachment ON chat_attachment.id = {FILES_TABLE}.rowid
            JOIN chat_message ON chat_message.id = chat_attachment.message_id
            WHERE {FILES_TABLE} MATCH %s AND ({where})
        )
        GROUP BY id
        ORDER BY MIN(rank), id DESC
        LIMIT %s OFFSET %s"""
    expression = fts5_expression(query)
    with connection.cursor() as cursor:
        cursor.execute(sql, [expression, *params, expression, *params, limit, offset])
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
    # A message matches by its text or by the name of one of its files (the better rank of
    # the two). Ranked and cut to the page first; only the page's snippets are made
    # (ts_headline reads the whole text again): the text's, or the file name's when only it
    # matched.
    sql = f"""
        SELECT page.id,
               CASE WHEN page.by_text THEN ts_headline(%s::regconfig, {PG_TEXT}, {tsquery}, %s)
                    ELSE ts_headline(%s::regconfig, page.name, {tsquery}, %s) END
        FROM (
            SELECT hit.id, max(hit.rank) AS rank, bool_or(hit.by_text) AS by_text,
                   min(hit.name) AS name
            FROM (
                SELECT chat_message.id, ts_rank({PG_VECTOR}, {tsquery}) AS rank,
                       true AS by_text, NULL::text AS name
                FROM chat_message
                WHERE {PG_VECTOR} @@ {tsquery} AND ({where})
                UNION ALL
                SELECT chat_message.id, ts_rank({PG_FILE_VECTOR}, {tsquery}), false,
                       {PG_FILE_TEXT}
                FROM chat_attachment
                JOIN chat_message ON chat_message.id = chat_attachment.message_id
                WHERE {PG_FILE_VECTOR} @@ {tsquery} AND ({where})
            ) AS hit
            GROUP BY hit.id
            ORDER BY rank DESC, hit.id DESC
            LIMIT %s OFFSET %s
        ) AS page JOIN chat_message ON chat_message.id = page.id
        ORDER BY page.rank DESC, page.id DESC"""
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                PG_CONFIG,
                *tsparams,
                HEADLINE_OPTIONS,
                PG_CONFIG,
                *tsparams,
                HEADLINE_OPTIONS,
                *tsparams,
                *tsparams,
                *params,
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
