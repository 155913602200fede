"""`python -m bench.unread --connect` at a tiny size, for correctness only: it fills its throwaway
database, connects its reader on protocol v2, follows every conversation `since` the seq of
`ready` (so nothing is replayed) and drops the database. No timing is asserted: the machine may
be busy."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from tests import services

pytestmark = [pytest.mark.system, pytest.mark.timeout(300)]

ROOT = Path(__file__).resolve().parents[2]


def postgres_or_skip() -> str:
    url = services.database_url()
    try:
        with psycopg.connect(url, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        reason = f"PostgreSQL at {url} does not answer ({error})"
        if services.required():
            pytest.fail(f"PARLEY_REQUIRE_SERVICES=1, but {reason}", pytrace=False)
        pytest.skip(reason)
    return url


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_a_connect_gets_ready_then_every_followed_conversation_subscribed(engine):
    command = [sys.executable, "-m", "bench.unread", "--engine", engine]
    command += ["--conversations", "12", "--messages", "2400", "--runs", "2", "--connect"]
    if engine == "postgres":
        command += ["--postgres", postgres_or_skip()]
    env = {k: v for k, v in os.environ.items() if k != "PARLEY_BENCH_DATABASE_URL"}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    line = next(line for line in done.stdout.splitlines() if line.startswith(f"{engine}: connect"))
    connected = ast.literal_eval(line.split(": ", 2)[2])
    assert (connected["conversations"], connected["followed"]) == (12, 12)
    assert connected["other_frames"] == {}, "nothing to replay past ready's seq, and no error"
    assert connected["queries"]["ready"] > 0 and connected["queries"]["follow"] >= 12
    for phase in ("ready", "follow", "close"):
        wall_p50, wall_p95 = connected[phase]["wall_ms"]
        assert 0 < wall_p50 <= wall_p95
    assert "| follow |" in done.stdout
