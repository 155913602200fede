"""The full-text index of messages, per engine, kept by the database itself so that every
write path (a post, an edit, a deletion, the admin, an import, a raw UPDATE) keeps it right and
nothing in chat knows search exists.

- SQLite: an FTS5 table over chat_message's `body` (external content: the text is not stored
  twice), kept by triggers on chat_message. Tokenizer: `porter unicode61 remove_diacritics 2`:
  words by Unicode letters and digits, without case or accents ("cafe" finds "Café"), and
  stemmed in English ("deploy" finds "deployed", "deploys"), as PostgreSQL's `english`
  configuration does, so that both engines find the same messages for the same words. The
  Porter stemmer only trims English suffixes: a word of another language is kept whole or
  trimmed alike in the index and in the query, so it still finds itself.
- PostgreSQL: a stored generated column `search_vector` on chat_message,
  to_tsvector('english', body), with a GIN index on it. PostgreSQL keeps it (every write path,
  as the triggers do on SQLite); chat's model does not know it, and Django's inserts and updates
  name only the model's columns. Stored rather than an index on the expression: ranking
  (ts_rank) and phrase rechecks read the stored vector instead of parsing each matching
  message's text again, which made a frequent word 5-10 times slower at a million messages
  (docs/performance.md, "Issue 10: search"); the price is the vector's bytes on each row. A
  later migration changing the type of chat_message.body must drop and re-add the column.
  PostgreSQL keeps accents (its `unaccent` is an extension not every server has) and drops
  English stop words ("the", "and").

A deleted message's body is emptied by the service that deletes it (chat/services/messages.py),
which updates its index entry to nothing; the search also filters deleted messages out.
"""

from typing import Any

from django.db import connections
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

# The FTS5 table and the PostgreSQL text search configuration (docs/api.md, "Search").
FTS_TABLE = "search_message"
PG_CONFIG = "english"
# PostgreSQL's parser reads `<word ...>` as an HTML tag and skips it (and all of a <script>),
# so the text it reads has a space after each "<": a message is text, and "the <div> broke"
# holds the word "div". search/engines.py takes the space out of snippets again.
PG_TEXT = "replace(chat_message.body, '<', '< ')"
PG_VECTOR = "chat_message.search_vector"
# File names (chat_attachment.name): a second FTS5 table on SQLite, an expression GIN index on
# PostgreSQL (names are short: computing their vector again on a match costs little).
FILES_TABLE = "search_file"
# PostgreSQL's parser reads "deploy-notes.pdf" as one file-path token: the separators become
# spaces first, so its words are found.
PG_FILE_TEXT = "translate(chat_attachment.name, '._-', '   ')"
PG_FILE_VECTOR = f"to_tsvector('{PG_CONFIG}'::regconfig, {PG_FILE_TEXT})"


def _fts5(table: str, source: str, column: str) -> tuple[dict[str, str], list[str], list[str]]:
    """An FTS5 index of `source`.`column` (external content: the text is not stored twice),
    kept by triggers: (the triggers by name, the statements that create it and index the rows
    already there, the statements that drop it). The update trigger fires only when the text
    changed (an edit, a deletion emptying it): saving a message for its reactions, pins or
    thread summary costs the index nothing."""
    delete = (
        f"INSERT INTO {table}({table}, rowid, {column}) VALUES ('delete', old.id, old.{column});"
    )
    insert = f"INSERT INTO {table}(rowid, {column}) VALUES (new.id, new.{column});"
    triggers = {
        f"{table}_insert": f"""
            CREATE TRIGGER IF NOT EXISTS {table}_insert AFTER INSERT ON {source} BEGIN
                {insert}
            END""",
        f"{table}_delete": f"""
            CREATE TRIGGER IF NOT EXISTS {table}_delete AFTER DELETE ON {source} BEGIN
                {delete}
            END""",
        f"{table}_update": f"""
            CREATE TRIGGER IF NOT EXISTS {table}_update AFTER UPDATE OF {column} ON {source}
            WHEN old.{column} IS NOT new.{column} BEGIN
                {delete}
                {insert}
            END""",
    }
    create = [
        f"""CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(
            {column}, content='{source}', content_rowid='id',
            tokenize='porter unicode61 remove_diacritics 2')""",
        *triggers.values(),
        f"INSERT INTO {table}({table}) VALUES ('rebuild')",
    ]
    drop = [
        *(f"DROP TRIGGER IF EXISTS {name}" for name in triggers),
        f"DROP TABLE IF EXISTS {table}",
    ]
    return triggers, create, drop


SQLITE_TRIGGERS, SQLITE_CREATE, SQLITE_DROP = _fts5(FTS_TABLE, "chat_message", "body")
FILES_TRIGGERS, SQLITE_FILES_CREATE, SQLITE_FILES_DROP = _fts5(
    FILES_TABLE, "chat_attachment", "name"
)
POSTGRES_FILES_CREATE = [
    f"CREATE INDEX IF NOT EXISTS search_file_name ON chat_attachment USING gin ({PG_FILE_VECTOR})"
]
POSTGRES_FILES_DROP = ["DROP INDEX IF EXISTS search_file_name"]
# Computed for the existing rows by ALTER TABLE (which rewrites the table), then indexed.
POSTGRES_CREATE = [
    "ALTER TABLE chat_message ADD COLUMN IF NOT EXISTS search_vector tsvector GENERATED ALWAYS "
    f"AS (to_tsvector('{PG_CONFIG}'::regconfig, replace(body, '<', '< '))) STORED",
    "CREATE INDEX IF NOT EXISTS search_message_vector ON chat_message USING gin (search_vector)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS search_message_vector",
    "ALTER TABLE chat_message DROP COLUMN IF EXISTS search_vector",
]


def _run(schema_editor: BaseDatabaseSchemaEditor, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def schema_create(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """The migration's forward step: the engine's index, built over the existing messages."""
    _run(schema_editor, {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE})


def schema_drop(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})


def files_schema_create(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    """search 0002's forward step: the file names' index, built over the files stored."""
    _run(schema_editor, {"sqlite": SQLITE_FILES_CREATE, "postgresql": POSTGRES_FILES_CREATE})


def files_schema_drop(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
    _run(schema_editor, {"sqlite": SQLITE_FILES_DROP, "postgresql": POSTGRES_FILES_DROP})


def schema_ensure(*, using: str = "default", **kwargs: Any) -> None:
    """After every migrate: on SQLite, put the triggers back and rebuild the index if a later
    migration of chat_message dropped them (SQLite alters a table by copying it into a new one,
    which loses its triggers). Does nothing when all is in place, or before search's own
    migration ran."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for table, triggers, create in (
            (FTS_TABLE, SQLITE_TRIGGERS, SQLITE_CREATE),
            (FILES_TABLE, FILES_TRIGGERS, SQLITE_FILES_CREATE),
        ):
            cursor.execute(
                "SELECT type, name FROM sqlite_master WHERE name = %s OR name IN (%s, %s, %s)",
                [table, *triggers],
            )
            found = {name for _, name in cursor.fetchall()}
            if table in found and not found >= {table, *triggers}:
                for statement in create[1:]:
                    cursor.execute(statement)
