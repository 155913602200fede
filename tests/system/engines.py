"""Real engines for the multi-process and fault tests.

- `Databases`: throw-away databases on the machine's PostgreSQL, each a copy of one template
  that is migrated and seeded once per test session.
- `PrivateRedis`: a redis-server of our own on a free port, which a test may kill and restart
  (never the machine's Redis).
- `PrivatePostgres`: a PostgreSQL cluster of our own in a temporary directory, which a test
  may stop and start (never the machine's PostgreSQL).
"""

import itertools
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg

from .server import ROOT, free_port

PASSWORD = "correct-horse-battery-staple"
USERS = ("alice", "bob", "carol", "dave", "erin", "frank")
ROOMS = ("general", "random")
SECRET_KEY = secrets.token_urlsafe(50)


def production_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a production deployment (docs/deployment.md) on these engines."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PARLEY_ALLOWED_ORIGINS": "http://127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        # Runs sharing the machine's Redis must not hear each other's rooms.
        "PARLEY_REDIS_PREFIX": f"parley-system-{os.getpid()}:",
        "PARLEY_HTTPS": "0",  # plain HTTP on the loopback: no HSTS, no redirect, no Secure cookies
        "PARLEY_WORKERS": "1",
        "PARLEY_POST_RATE": "1000,1000",
        "PARLEY_FRAME_RATE": "1000,1000",
        # The system tests open hundreds of sockets of one user from one address.
        "PARLEY_REPLAY_RATE": "100000,100000",
        "PARLEY_MAX_SOCKETS_PER_USER": "0",
        "PARLEY_MAX_SOCKETS_PER_ADDRESS": "0",
        **extra,
    }


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "parley", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode:
        raise RuntimeError(f"parley {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout.strip()


SEED = f"""
import json
from accounts.services import token_issue_for, user_create
from chat.services.rooms import room_create, room_invite
users = {{name: user_create(username=name, password={PASSWORD!r}) for name in {USERS!r}}}
tokens = {{name: token_issue_for(user=user)[1] for name, user in users.items()}}
for slug in {ROOMS!r}:
    room = room_create(owner=users["alice"], name=slug.title(), slug=slug)
    for name in users:
        if name != "alice":
            room_invite(room=room, by=users["alice"], username=name)
print(json.dumps(tokens))
"""


def with_database(url: str, name: str) -> str:
    return urlunparse(urlparse(url)._replace(path=f"/{name}"))


class Databases:
    """Copies of a migrated, seeded template database on one PostgreSQL server."""

    def __init__(self, server_url: str, redis_url: str):
        self.server_url = server_url
        self.redis_url = redis_url
        self.template = f"parley_sys_{os.getpid()}_template"
        self.names = itertools.count(1)
        self.made: list[str] = []
        self.tokens: dict[str, str] = {}

    def _admin(self, sql: str) -> None:
        with psycopg.connect(self.server_url, autocommit=True) as connection:
            connection.execute(sql)

    def prepare(self) -> "Databases":
        self._drop(self.template)
        self._admin(f'CREATE DATABASE "{self.template}"')
        env = production_env(with_database(self.server_url, self.template), self.redis_url)
        manage(env, "migrate", "--noinput", "-v0")
        self.tokens = json.loads(manage(env, "shell", "-c", SEED).splitlines()[-1])
        return self

    def create(self) -> str:
        """A new database holding the seeded users (USERS, tokens in .tokens) and rooms."""
        name = f"parley_sys_{os.getpid()}_{next(self.names)}"
        self._drop(name)
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.made.append(name)
        return with_database(self.server_url, name)

    def _drop(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def cleanup(self) -> None:
        for name in [*self.made, self.template]:
            try:
                self._drop(name)
            except psycopg.Error:
                pass


class PrivateRedis:
    """A redis-server on a free loopback port, with no persistence: a restart is empty."""

    def __init__(self, workdir: Path, *args: str):
        self.port = free_port()
        self.workdir = workdir
        self.args = args  # more redis-server options
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "PrivateRedis":
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                *self.args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
                return self
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)


def _pg_bindir() -> Path | None:
    if pg_config := shutil.which("pg_config"):
        bindir = Path(
            subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout.strip()
        )
        if (bindir / "initdb").exists():
            return bindir
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


class PrivatePostgres:
    """A PostgreSQL cluster in a temporary directory on a free port. As root, it runs as the
    `postgres` user (PostgreSQL refuses root)."""

    def __init__(self):
        self.bindir = _pg_bindir()
        self.port = free_port()
        # Not under pytest's tmp_path: the postgres user cannot enter root's 0700 directories.
        self.workdir = Path(tempfile.mkdtemp(prefix="parley-pg-"))
        self.data = self.workdir / "data"
        self.as_postgres = os.geteuid() == 0

    @classmethod
    def unavailable_reason(cls) -> str | None:
        if _pg_bindir() is None:
            return "PostgreSQL's initdb is not installed"
        if os.geteuid() == 0 and not shutil.which("runuser"):
            return "running as root without runuser to start PostgreSQL as postgres"
        return None

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def init(self) -> "PrivatePostgres":
        if self.as_postgres:
            shutil.chown(self.workdir, "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
        )
        return self

    def start(self) -> "PrivatePostgres":
        options = f"-p {self.port} -k {self.workdir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.workdir / "log"),
            "-w",
            "start",
        )
        return self

    def stop(self) -> None:
        """Immediate: every connection is cut, as when the database host goes away."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def remove(self) -> None:
        try:
            self.stop()
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.workdir, ignore_errors=True)
