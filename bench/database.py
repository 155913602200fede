"""A throwaway, migrated database for the benches that fill one (bench.unread, bench.search):
a temporary SQLite file in the embedded mode's settings, or a new PostgreSQL database on the
machine's server, dropped afterwards (bench/settings_unread.py)."""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


@contextmanager
def throwaway_database(engine: str, *, name: str, postgres: str = POSTGRES) -> Iterator[None]:
    """Set Django up on a new database and migrate it; drop it on the way out. `engine` is
    "sqlite" or "postgres"; `name` names the temporary directory and the PostgreSQL database
    (with this process's id); `postgres` is the server's URL (any database on it)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_unread"
    database = None
    with tempfile.TemporaryDirectory(prefix=f"parley-{name}-") as data:
        os.environ["PARLEY_DATA_DIR"] = data
        if engine == "postgres":
            import psycopg

            database = f"parley_bench_{name}_{os.getpid()}"
            with psycopg.connect(postgres, autocommit=True) as server:
                server.execute(f'CREATE DATABASE "{database}"')
            base = postgres.rsplit("/", 1)[0]
            os.environ["PARLEY_BENCH_DATABASE_URL"] = f"{base}/{database}"
        try:
            import django
            from django.core.management import call_command

            django.setup()
            call_command("migrate", verbosity=0)
            yield
        finally:
            if database is not None:
                from django.db import connections

                connections.close_all()
                # FORCE: also when a connection of another thread was left open.
                with psycopg.connect(postgres, autocommit=True) as server:
                    server.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
