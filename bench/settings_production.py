"""Parley's production settings (PostgreSQL + Redis, from the environment) for the benchmark:
as shipped, except that the rate limits and socket caps are lifted, since a benchmark sender posts
faster, and its clients hold more sockets from one address, than people do."""

from config.settings.production import *  # noqa: F403

PARLEY_POST_RATE = (1_000_000.0, 1_000_000)
PARLEY_FRAME_RATE = (1_000_000.0, 1_000_000)
PARLEY_REPLAY_RATE = (1_000_000.0, 1_000_000)
PARLEY_MAX_SOCKETS_PER_USER = 0
PARLEY_MAX_SOCKETS_PER_ADDRESS = 0
