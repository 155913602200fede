"""Settings for `python -m bench.unread` and `python -m bench.search`: the embedded mode's
(SQLite in PARLEY_DATA_DIR), or PostgreSQL when PARLEY_BENCH_DATABASE_URL names a database, kept
open as production keeps it."""

import os

import dj_database_url

from config.settings.embedded import *  # noqa: F403

if url := os.environ.get("PARLEY_BENCH_DATABASE_URL"):
    DATABASES = {
        "default": dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        | {"OPTIONS": POSTGRES_OPTIONS}  # noqa: F405
    }

# `bench.unread --connect` sends the app shell's subscribes at once to time the server alone;
# the shell paces them to stay under this limit (web/static/parley/socket.js).
PARLEY_FRAME_RATE = (1_000_000.0, 1_000_000)
