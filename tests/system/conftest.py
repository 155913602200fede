"""Fixtures for the tests on real engines: the machine's PostgreSQL and Redis (tests/services.py;
skipped with the reason when they are missing, failed when PARLEY_REQUIRE_SERVICES=1), private
engines a test may break, and production server processes."""

import shutil

import pytest

from tests import services

from .engines import Databases, PrivatePostgres, PrivateRedis, production_env
from .server import ParleyServer


def _missing(reason: str):
    if services.required():
        pytest.fail(f"PARLEY_REQUIRE_SERVICES=1, but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def engines():
    """The machine's PostgreSQL and Redis, with a migrated, seeded template database."""
    if problems := services.problems():
        _missing("; ".join(problems))
    databases = Databases(services.database_url(), services.redis_url()).prepare()
    yield databases
    databases.cleanup()


@pytest.fixture
def database(engines) -> str:
    """A fresh database (users engines.tokens, rooms "general" and "random"); its URL."""
    return engines.create()


@pytest.fixture
def make_redis(tmp_path):
    """make_redis(*redis_server_options) -> a started PrivateRedis, killed after the test."""
    if shutil.which("redis-server") is None:
        _missing("redis-server is not installed (the fault tests start their own)")
    made: list[PrivateRedis] = []

    def make(*args: str) -> PrivateRedis:
        made.append(PrivateRedis(tmp_path, *args))
        return made[-1].start()

    yield make
    for server in made:
        server.kill()


@pytest.fixture
def private_redis(make_redis) -> PrivateRedis:
    return make_redis()


@pytest.fixture
def private_postgres(engines):
    if reason := PrivatePostgres.unavailable_reason():
        _missing(reason)
    cluster = PrivatePostgres().init().start()
    yield cluster
    cluster.remove()


@pytest.fixture
def start_server(tmp_path):
    """start_server(database_url, redis_url, **env) -> a running production ParleyServer."""
    started: list[ParleyServer] = []

    def start(database_url: str, redis_url: str, **env: str) -> ParleyServer:
        server = ParleyServer(tmp_path, env=production_env(database_url, redis_url, **env))
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()
