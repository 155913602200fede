"""Parley's production settings (PostgreSQL + Redis, from the environment) for the benchmark:
as shipped, except that the per-connection rate limits are lifted, since a benchmark sender
posts faster than a person may."""

from config.settings.production import *  # noqa: F403

PARLEY_POST_RATE = (1_000_000.0, 1_000_000)
PARLEY_FRAME_RATE = (1_000_000.0, 1_000_000)
