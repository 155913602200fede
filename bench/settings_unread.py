"""Settings for `python -m bench.unread`: the embedded mode's (SQLite in PARLEY_DATA_DIR), or
PostgreSQL when PARLEY_BENCH_DATABASE_URL names a database."""

import os

import dj_database_url

from config.settings.embedded import *  # noqa: F403

if url := os.environ.get("PARLEY_BENCH_DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(url) | {"OPTIONS": POSTGRES_OPTIONS}}  # noqa: F405
