import os
import uuid

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


@pytest.fixture
def prefix() -> str:
    """Keys of this test alone, so that runs sharing the machine's Redis never meet."""
    return f"parley-test-{os.getpid()}-{uuid.uuid4().hex[:8]}:limits:"


@pytest.fixture
def dead_redis_url() -> str:
    """A Redis URL nothing listens on: a Redis that is away."""
    from tests.system.server import free_port

    return f"redis://127.0.0.1:{free_port()}/0"
