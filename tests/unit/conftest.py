"""Fixtures of the unit tests that need a real engine."""

import pytest

from tests import services


@pytest.fixture
def redis_url() -> str:
    """The machine's Redis (tests/services.py); skips without it, unless services are required."""
    import redis

    try:
        redis.Redis.from_url(services.redis_url(), socket_connect_timeout=3).ping()
    except (redis.RedisError, OSError) as error:
        reason = f"Redis at {services.redis_url()} does not answer ({error})"
        if services.required():
            pytest.fail(reason)
        pytest.skip(reason)
    return services.redis_url()
