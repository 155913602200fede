"""Parley's embedded settings for the benchmark: as shipped (SQLite WAL with synchronous=FULL,
in-memory layer, guests on), except that the per-connection rate limits are lifted, since a
benchmark sender posts faster than a person may."""

from config.settings.embedded import *  # noqa: F403

PARLEY_POST_RATE = (1_000_000.0, 1_000_000)
PARLEY_FRAME_RATE = (1_000_000.0, 1_000_000)
