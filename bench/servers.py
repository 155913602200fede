"""The servers under test: how each is prepared, started (pinned to the server core), watched
(/proc CPU and RSS) and stopped.

- parley-embedded: `python -m parley serve` on SQLite (WAL, synchronous=FULL) + in-memory layer.
- parley-production: the same command on PostgreSQL + Redis (channels_redis).
- tutorial-inmemory / tutorial-redis: the Channels-tutorial peer on uvicorn with the options
  Parley's serve command passes (realtime/management/commands/serve.py), on the same channel
  layer as Parley in that mode: the baseline.
- tutorial-defaults: the same peer run as its README says (`uvicorn asgi:application`, so
  uvicorn's defaults: permessage-deflate on); idle memory only.
- bare-ws: the bare `websockets` peer: the ceiling.

Everything is started here and stopped here; traffic stays on 127.0.0.1.
"""

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from . import procstat

ROOT = Path(__file__).resolve().parent.parent
PEERS = Path(os.environ.get("PARLEY_BENCH_PEERS", ROOT.parent / "shared" / "peers"))
PYTHON = sys.executable
HOST = "127.0.0.1"
PG_URL = os.environ.get("PARLEY_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
# Dedicated Redis databases, flushed (FLUSHDB, never FLUSHALL) before each start.
REDIS_DB = {"parley-production": 13, "tutorial-redis": 14}

# Parley's serve command passes these to uvicorn; the baseline gets the same.
UVICORN_LIKE_PARLEY = [
    "--ws",
    "websockets-sansio",
    "--ws-per-message-deflate",
    "false",
    "--ws-max-size",
    "65536",
    "--no-access-log",
    "--lifespan",
    "off",
    "--timeout-graceful-shutdown",
    "5",
]
ENV_DROPPED = re.compile(
    r"^(DJANGO_|PARLEY_|DATABASE_URL$|REDIS_URL$|LAYER$|SECRET_KEY$|ALLOWED_HOSTS$)"
)


@dataclass(frozen=True)
class ServerKind:
    name: str
    family: str  # parley | tutorial | bare
    layer: str  # in-memory | redis | none
    production: bool = False


SERVERS = {
    kind.name: kind
    for kind in (
        ServerKind("parley-embedded", "parley", "in-memory"),
        ServerKind("parley-production", "parley", "redis", production=True),
        ServerKind("tutorial-inmemory", "tutorial", "in-memory"),
        ServerKind("tutorial-redis", "tutorial", "redis", production=True),
        ServerKind("tutorial-defaults", "tutorial", "in-memory"),
        ServerKind("bare-ws", "bare", "none"),
    )
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not ENV_DROPPED.match(k)}
    env.update(extra)
    return env


class Fixtures:
    """What Parley needs before it serves: a migrated database holding the benchmark's users,
    tokens and rooms. Made once per mode and run (a template data directory for SQLite, a
    template database for PostgreSQL) and copied for every start, so each start is fresh."""

    def __init__(
        self,
        workdir: Path,
        *,
        senders: int,
        rooms: list[str],
        settings: dict[str, str] | None = None,
    ):
        self.workdir = workdir
        # Parley's settings module per mode: the bench settings, or a variant to compare.
        self.settings = {
            "embedded": "bench.settings_embedded",
            "production": "bench.settings_production",
            **(settings or {}),
        }
        self.senders, self.rooms = senders, rooms
        self.tokens: dict[str, list[str]] = {}
        self.tag = f"{os.getpid()}_{secrets.token_hex(3)}"
        self.databases: list[str] = []
        self.secret = secrets.token_urlsafe(48)
        self.redis_dbs_used: set[int] = set()
        self._peer_layer: str | None = None

    def parley_env(
        self, kind: ServerKind, *, port: int, data_dir: Path | None = None, db: str | None = None
    ) -> dict:
        # One process: the benchmark compares what one core does (serve would start one per core).
        if not kind.production:
            return clean_env(
                DJANGO_SETTINGS_MODULE=self.settings["embedded"],
                PARLEY_DATA_DIR=str(data_dir),
                PARLEY_WORKERS="1",
            )
        return clean_env(
            DJANGO_SETTINGS_MODULE=self.settings["production"],
            PARLEY_WORKERS="1",
            DATABASE_URL=f"{PG_URL}/{db}",
            REDIS_URL=f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB[kind.name]}",
            SECRET_KEY=self.secret,
            ALLOWED_HOSTS=f"{HOST},localhost",
            PARLEY_ALLOWED_ORIGINS=f"http://{HOST}:{port}",
            PARLEY_GUESTS="1",
            PARLEY_HTTPS="0",
        )

    def template(self, kind: ServerKind) -> str:
        """Prepare the mode's template once; returns the template's data dir or database."""
        if kind.name in self.tokens:
            return self._template_name(kind)
        name = self._template_name(kind)
        if kind.production:
            self._pg(f'CREATE DATABASE "{name}"')
            self.databases.append(name)
            env = self.parley_env(kind, port=0, db=name)
        else:
            (self.workdir / name).mkdir(parents=True)
            env = self.parley_env(kind, port=0, data_dir=self.workdir / name)
        run = dict(cwd=ROOT, env=env, check=True, capture_output=True, text=True)
        subprocess.run([PYTHON, "-m", "parley", "migrate", "--noinput", "-v0"], **run)
        out = subprocess.run(
            [PYTHON, "-m", "bench.parley_setup", str(self.senders), *self.rooms], **run
        )
        import json

        self.tokens[kind.name] = json.loads(out.stdout)["tokens"]
        return name

    def peer_layer(self) -> str:
        """The channels_redis layer the tutorial peer uses in production mode: the one Parley's
        production layer is (or derives from), so that both ride the same Redis machinery."""
        if self._peer_layer is None:
            probe = (
                "import django; django.setup()\n"
                "from django.conf import settings\n"
                "from django.utils.module_loading import import_string\n"
                "from channels_redis.pubsub import RedisPubSubChannelLayer\n"
                "layer = import_string(settings.CHANNEL_LAYERS['default']['BACKEND'])\n"
                "print('channels_redis.pubsub.RedisPubSubChannelLayer' if issubclass(layer, RedisPubSubChannelLayer)"
                " else 'channels_redis.core.RedisChannelLayer')"
            )
            env = self.parley_env(SERVERS["parley-production"], port=0, db="postgres")
            out = subprocess.run(
                [PYTHON, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
            )
            self._peer_layer = out.stdout.strip().splitlines()[-1]
        return self._peer_layer

    def fresh(self, kind: ServerKind, port: int) -> dict:
        """The environment of a fresh Parley start: a copy of the template."""
        template = self.template(kind)
        if kind.production:
            db = self.run_database
            self._pg(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            self._pg(f'CREATE DATABASE "{db}" TEMPLATE "{template}"')
            if db not in self.databases:
                self.databases.append(db)
            self.flush_redis(kind)
            return self.parley_env(kind, port=port, db=db)
        data_dir = self.workdir / f"data-{time.monotonic_ns()}"
        shutil.copytree(self.workdir / template, data_dir)
        return self.parley_env(kind, port=port, data_dir=data_dir)

    def flush_redis(self, kind: ServerKind) -> None:
        import redis

        db = REDIS_DB[kind.name]
        redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db).flushdb()
        self.redis_dbs_used.add(db)

    def cleanup(self) -> None:
        for db in reversed(self.databases):
            try:
                self._pg(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            except Exception as error:
                print(f"  could not drop database {db}: {error}", file=sys.stderr)
        self.databases.clear()
        if self.redis_dbs_used:
            import redis

            for db in self.redis_dbs_used:
                redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db).flushdb()
        shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def run_database(self) -> str:
        return f"parley_bench_run_{self.tag}"

    def _template_name(self, kind: ServerKind) -> str:
        return f"parley_bench_tpl_{self.tag}" if kind.production else "template-embedded"

    @staticmethod
    def _pg(sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
            conn.execute(sql)


class Server:
    """One running server process. The process is the server itself (taskset execs it), so
    its /proc figures are the server's, threads included."""

    def __init__(self, kind: ServerKind, fixtures: Fixtures | None, *, log: Path, cpu: int | None):
        self.kind, self.fixtures, self.log_path, self.cpu = kind, fixtures, log, cpu
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.described: dict = {}

    @property
    def url(self) -> str:
        return f"ws://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def command(self) -> tuple[list[str], Path, dict]:
        kind, port = self.kind, str(self.port)
        if kind.family == "parley":
            env = self.fixtures.fresh(kind, self.port)
            return [PYTHON, "-m", "parley", "serve", "--host", HOST, "--port", port], ROOT, env
        if kind.family == "tutorial":
            env = clean_env()
            if kind.layer == "redis":
                self.fixtures.flush_redis(kind)
                env["REDIS_URL"] = f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB[kind.name]}"
                env["LAYER"] = self.fixtures.peer_layer()
            options = [] if kind.name == "tutorial-defaults" else UVICORN_LIKE_PARLEY
            cmd = [
                PYTHON,
                "-m",
                "uvicorn",
                "asgi:application",
                "--host",
                HOST,
                "--port",
                port,
                *options,
            ]
            return cmd, PEERS / "tutorial_chat", env
        return [PYTHON, "server.py", port], PEERS / "bare_ws", clean_env()

    def start(self, timeout: float = 60.0) -> "Server":
        cmd, cwd, env = self.command()
        if self.cpu is not None:
            cmd = ["taskset", "-c", str(self.cpu), *cmd]
        shown = {
            k: v
            for k, v in env.items()
            if k.startswith(("DJANGO_", "PARLEY_", "LAYER")) or k.endswith("_URL")
        }
        self.described = {"command": cmd, "cwd": str(cwd), "env": shown}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(
                cmd,
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # the terminal's Ctrl-C reaches the runner, which stops us
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.kind.name} exited with {self.proc.returncode}; see {self.log_path}"
                )
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.kind.name} did not listen on {self.port} within {timeout}s")

    def cpu_seconds(self) -> float:
        return procstat.cpu_seconds(self.pid)

    def rss(self) -> int:
        return procstat.rss_bytes(self.pid)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        for sig, wait in ((signal.SIGINT, 8.0), (signal.SIGKILL, 5.0)):
            try:
                os.kill(self.proc.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.proc.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def log_size(self) -> int:
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def log_summary(self, upto: int | None = None) -> dict:
        """What the server's log says about the run (up to byte `upto`: the end of the
        measurements, before the load leaves): gap refills (Parley), errors."""
        try:
            text = self.log_path.read_bytes()[:upto].decode(errors="replace")
        except FileNotFoundError:
            return {}
        return {
            "refilled_messages": sum(int(n) for n in re.findall(r"refilled (\d+) missed", text)),
            "tracebacks": text.count("Traceback (most recent call last)"),
            "error_lines": len(re.findall(r"^ERROR", text, re.M)),
        }


class Infra:
    """CPU of the services a production-mode server leans on: the PostgreSQL backends of the
    run's database, and redis-server (shared with the machine's other users: noisy)."""

    def __init__(self, database: str | None, redis: bool):
        self.database, self.redis = database, redis
        self.redis_pids = procstat.pids_named("redis-server") if redis else []

    def sample(self) -> dict[int, float]:
        pids = list(self.redis_pids)
        if self.database:
            import psycopg

            with psycopg.connect(f"{PG_URL}/postgres", autocommit=True) as conn:
                rows = conn.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = %s", [self.database]
                ).fetchall()
            pids += [pid for (pid,) in rows]
        return {pid: procstat.cpu_seconds(pid) for pid in pids}

    @staticmethod
    def delta(before: dict[int, float], after: dict[int, float]) -> float:
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())
