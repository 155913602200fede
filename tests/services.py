"""The machine's PostgreSQL and Redis, for the tests that need real engines.

PARLEY_TEST_DATABASE_URL and PARLEY_TEST_REDIS_URL say where they are (defaults: PostgreSQL at
127.0.0.1:5432 as user postgres, Redis at 127.0.0.1:6379, database 0; the tests make and drop
their own databases and key prefixes there). Without them the tests that need them skip with the
reason, unless PARLEY_REQUIRE_SERVICES=1 (CI), which turns a missing service into a failure.

`python -m tests.services pytest ARGS...` runs pytest with both URLs set, so that the whole
suite runs on PostgreSQL + the Redis channel layer: the second pass of `make test`.
"""

import os
import sys

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def database_url() -> str:
    return os.environ.get("PARLEY_TEST_DATABASE_URL") or DEFAULT_DATABASE_URL


def redis_url() -> str:
    return os.environ.get("PARLEY_TEST_REDIS_URL") or DEFAULT_REDIS_URL


def required() -> bool:
    return os.environ.get("PARLEY_REQUIRE_SERVICES") == "1"


def problems() -> list[str]:
    """What is missing, as sentences; empty when both services answer."""
    import psycopg
    import redis

    found = []
    try:
        with psycopg.connect(database_url(), connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        found.append(
            f"PostgreSQL at {database_url()} does not answer ({str(error).strip().splitlines()[0]})"
        )
    try:
        redis.Redis.from_url(redis_url(), socket_connect_timeout=3).ping()
    except (redis.RedisError, OSError) as error:
        found.append(f"Redis at {redis_url()} does not answer ({error})")
    return found


def main() -> None:
    if missing := problems():
        reason = "; ".join(missing)
        if required():
            sys.exit(f"PARLEY_REQUIRE_SERVICES=1, but {reason}.")
        print(
            f"Skipping the PostgreSQL + Redis pass: {reason}. (PARLEY_REQUIRE_SERVICES=1 makes this fail.)"
        )
        return
    print(f"The suite on PostgreSQL ({database_url()}) and Redis ({redis_url()}):", flush=True)
    env = {
        **os.environ,
        "PARLEY_TEST_DATABASE_URL": database_url(),
        "PARLEY_TEST_REDIS_URL": redis_url(),
    }
    os.execvpe(sys.executable, [sys.executable, "-m", *sys.argv[1:]], env)


if __name__ == "__main__":
    main()
