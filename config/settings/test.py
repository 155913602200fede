"""Tests: the embedded engines, a throw-away data directory, a fast password hasher.

PARLEY_TEST_DATABASE_URL / PARLEY_TEST_REDIS_URL switch the same suite onto PostgreSQL and the
Redis channel layer (the second pass in `make test`)."""

import os
import tempfile

os.environ.setdefault("PARLEY_DATA_DIR", tempfile.mkdtemp(prefix="parley-test-"))

from .embedded import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost", "[::1]"]
PARLEY_ALLOWED_ORIGINS = ["http://testserver", "http://127.0.0.1:8000"]
PARLEY_GUESTS = True
PARLEY_OPEN_SIGNUP = True
# Generous so that the rate-limit tests choose their own limits explicitly.
PARLEY_POST_RATE = (1000.0, 1000)
PARLEY_FRAME_RATE = (1000.0, 1000)
PARLEY_GUESTS_PER_HOUR = 0
PARLEY_ROOMS_PER_HOUR = 0
PARLEY_REPLAY_RATE = (100000.0, 100000)
PARLEY_SEARCH_RATE = (1000.0, 1000)
PARLEY_MAX_SOCKETS_PER_USER = 1000
PARLEY_MAX_SOCKETS_PER_ADDRESS = 1000
# Tests log in many times, some with wrong passwords on purpose; the throttling tests set a
# low limit themselves.
AXES_FAILURE_LIMIT = 1000

# A file, not SQLite's shared in-memory database: the concurrency tests write from many
# threads, and WAL + busy timeout behave only on a file.
DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test.sqlite3")}  # noqa: F405

# Names are made per test run, so that runs sharing the machine's PostgreSQL and Redis (two
# engineers, or CI beside a laptop's run) never meet.
_run = f"{os.getpid()}"
if url := os.environ.get("PARLEY_TEST_DATABASE_URL"):
    import dj_database_url

    DATABASES["default"] = {  # noqa: F405
        **dj_database_url.parse(url, conn_max_age=0),
        "OPTIONS": POSTGRES_OPTIONS,  # noqa: F405  (production's)
        "TEST": {"NAME": f"test_parley_{_run}"},
    }
if url := os.environ.get("PARLEY_TEST_REDIS_URL"):
    # The production layer (config/settings/production.py), quicker to notice Redis is back.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "realtime.layers.RedisPubSubLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": url,
                        "max_connections": 50,
                        "socket_connect_timeout": 2,
                        "socket_timeout": 5,
                    }
                ],
                "prefix": f"parley-test-{_run}:",
                "capacity": 1000,
                "check_interval": 0.2,
            },
        }
    }
    PARLEY_LIMITS = {
        "BACKEND": "throttle.backends.RedisBackend",
        "CONFIG": {"url": url, "prefix": f"parley-test-{_run}:limits:"},
    }
    PARLEY_PRESENCE = {
        "BACKEND": "realtime.presence.backends.RedisBackend",
        "CONFIG": {"url": url, "prefix": f"parley-test-{_run}:presence:"},
    }
