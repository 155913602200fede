"""`python -m parley backup FILE`: a consistent copy of the embedded SQLite database, taken with
SQLite's online backup API while the server runs, then opened and checked before it is kept.

PostgreSQL (the production settings) is backed up with pg_dump; this command says so.
docs/deployment.md has both, and how to restore.
"""

import os
import sqlite3
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from chat.models import Message
from parley.files import private_file

# Pages copied per step; between steps the server's writers may go on.
PAGES_PER_STEP = 1024


class Command(BaseCommand):
    help = "Copy the embedded SQLite database to FILE (consistent while the server runs), and check the copy."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="where to write the copy (must not exist)")

    def handle(self, *args, file: Path, **options):
        if connection.vendor != "sqlite":
            raise CommandError(
                f"This server's database is {connection.vendor}: back it up with pg_dump, e.g. "
                'pg_dump --format=custom --file=parley.dump "$DATABASE_URL" (docs/deployment.md, "Backups").'
            )
        source = Path(connection.settings_dict["NAME"])
        if file.exists():
            raise CommandError(f"{file} exists; name a new file.")
        if not file.parent.is_dir():
            raise CommandError(f"{file.parent} is not a directory.")
        partial = file.with_name(f".{file.name}.partial")
        partial.unlink(missing_ok=True)
        private_file(partial)  # password hashes and private messages: 0600, as the original
        try:
            self._copy(source, partial)
            problems = self._check(partial)
            if problems:
                raise CommandError(f"The copy failed its integrity check: {problems}")
            os.replace(partial, file)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(
            f"Backed up {source} to {file} ({file.stat().st_size:,} bytes, integrity ok)."
        )

    @staticmethod
    def _copy(source: Path, target: Path) -> None:
        # Read-only: the backup never writes to the live database.
        reading = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        writing = sqlite3.connect(target)
        try:
            reading.backup(writing, pages=PAGES_PER_STEP)
            # The copy stands alone: no -wal file beside it.
            writing.execute("PRAGMA journal_mode=DELETE")
        finally:
            writing.close()
            reading.close()

    @staticmethod
    def _check(copy: Path) -> str:
        """'' when the copy opens and SQLite's integrity check finds nothing, else what it found."""
        opened = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = [row[0] for row in opened.execute("PRAGMA integrity_check")]
            opened.execute(f"SELECT count(*) FROM {Message._meta.db_table}").fetchone()  # Parley's
        except sqlite3.DatabaseError as error:
            return str(error)
        finally:
            opened.close()
        return "" if rows == ["ok"] else "; ".join(rows[:5])
