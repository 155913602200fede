import os
import uuid

import pytest


@pytest.fixture
def prefix() -> str:
    """Keys of this test alone, so that runs sharing the machine's Redis never meet."""
    return f"parley-test-{os.getpid()}-{uuid.uuid4().hex[:8]}:limits:"


@pytest.fixture
def dead_redis_url() -> str:
    """A Redis URL nothing listens on: a Redis that is away."""
    from tests.system.server import free_port

    return f"redis://127.0.0.1:{free_port()}/0"
