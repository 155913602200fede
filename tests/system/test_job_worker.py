"""`parley worker` on PostgreSQL: a worker killed (`kill -9`) in the middle of a job loses no
job: another worker runs it again once the dead one's heartbeat is stale. SIGTERM finishes the
job in hand, then exits."""

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .engines import manage, production_env
from .server import ROOT

pytestmark = pytest.mark.system

ENQUEUE = (
    "from tests.system.blocking_job import wait_for_release as job; "
    "print(job.enqueue({directory!r}).id)"
)
STATE = (
    "import json; from django_tasks_db.models import DBTaskResult as R; "
    "r = R.objects.get(id={id!r}); print(json.dumps([r.status, r.worker_ids]))"
)


def lines(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    """A bounded wait."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.05)


class Workers:
    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env = {**os.environ, **env, "PYTHONUNBUFFERED": "1"}
        self.log_dir = log_dir
        self.started: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        log = (self.log_dir / f"worker-{len(self.started)}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "parley", "worker"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.started.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.log_dir.glob("worker-*.log")))

    def cleanup(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait(10)


@pytest.fixture
def workers(engines, database, tmp_path):
    env = production_env(
        database,
        engines.redis_url,
        PARLEY_JOBS_WORKER_TIMEOUT="2",  # short, so that the test is quick
        PARLEY_JOBS_POLL_INTERVAL="0.2",
        PARLEY_EMAIL_RUN_INTERVAL="0",
    )
    made = Workers(env, tmp_path)
    yield made
    made.cleanup()


def test_a_worker_killed_mid_job_loses_no_job(workers, tmp_path):
    folder = tmp_path / "job"
    folder.mkdir()
    first = workers.start()
    job_id = manage(workers.env, "shell", "-c", ENQUEUE.format(directory=str(folder)))
    job_id = job_id.splitlines()[-1]
    wait_until(lambda: lines(folder / "started") == [str(first.pid)], "the first worker starts")

    first.send_signal(signal.SIGKILL)  # no chance to clean up: its job stays RUNNING
    first.wait(10)
    second = workers.start()
    # The second worker's recovery finds the dead worker's stale heartbeat and runs it again.
    wait_until(lambda: len(lines(folder / "started")) == 2, "the job runs again", seconds=90)
    assert lines(folder / "started")[1] == str(second.pid)
    (folder / "release").touch()
    wait_until(lambda: (folder / "finished").exists(), "the job finishes")

    def state() -> list:
        return json.loads(
            manage(workers.env, "shell", "-c", STATE.format(id=job_id)).splitlines()[-1]
        )

    wait_until(lambda: state()[0] == "SUCCESSFUL", "the job is recorded as done")
    status, worker_ids = state()
    assert status == "SUCCESSFUL"
    assert len(worker_ids) == 2  # two attempts: the killed one and the one that finished
    assert lines(folder / "finished") == [str(second.pid)]
    assert "died; back to the queue" in workers.logs()

    second.send_signal(signal.SIGTERM)
    assert second.wait(30) == 0


def test_sigterm_lets_the_job_in_hand_finish(workers, tmp_path):
    folder = tmp_path / "job"
    folder.mkdir()
    worker = workers.start()
    job_id = manage(workers.env, "shell", "-c", ENQUEUE.format(directory=str(folder)))
    job_id = job_id.splitlines()[-1]
    wait_until(lambda: (folder / "started").exists(), "the worker starts the job")
    worker.send_signal(signal.SIGTERM)
    (folder / "release").touch()
    assert worker.wait(60) == 0
    assert lines(folder / "finished") == [str(worker.pid)]
    status, _ = json.loads(
        manage(workers.env, "shell", "-c", STATE.format(id=job_id)).splitlines()[-1]
    )
    assert status == "SUCCESSFUL"


def test_serve_runs_job_workers_and_replaces_a_killed_one(
    engines, database, start_server, tmp_path
):
    """`make serve`: `parley serve --job-workers` (PARLEY_JOB_WORKERS) runs `parley worker`
    processes beside the server, starts another when one dies, and stops them with itself."""
    server = start_server(
        database,
        engines.redis_url,
        PARLEY_JOB_WORKERS="1",
        PARLEY_JOBS_IN_SERVER="0",  # only the worker processes run jobs here
        PARLEY_JOBS_WORKER_TIMEOUT="2",
        PARLEY_JOBS_POLL_INTERVAL="0.2",
        PARLEY_EMAIL_RUN_INTERVAL="0",
    )
    folder = tmp_path / "job"
    folder.mkdir()
    manage(server.env, "shell", "-c", ENQUEUE.format(directory=str(folder)))
    wait_until(lambda: (folder / "started").exists(), "a job worker of the server starts it")
    [first] = lines(folder / "started")
    os.kill(int(first), signal.SIGKILL)
    wait_until(lambda: len(lines(folder / "started")) == 2, "a new worker runs it", seconds=90)
    (folder / "release").touch()
    wait_until(lambda: (folder / "finished").exists(), "the job finishes")
    [second] = lines(folder / "finished")
    assert second != first
    server.stop()
    wait_until(lambda: not Path(f"/proc/{second}").exists(), "the worker stops with the server")


def test_a_second_sigterm_puts_the_job_back_and_the_next_worker_runs_it(workers, tmp_path):
    folder = tmp_path / "job"
    folder.mkdir()
    worker = workers.start()
    job_id = manage(workers.env, "shell", "-c", ENQUEUE.format(directory=str(folder)))
    job_id = job_id.splitlines()[-1]
    wait_until(lambda: (folder / "started").exists(), "the worker starts the job")
    worker.send_signal(signal.SIGTERM)
    wait_until(lambda: "again to abandon it" in workers.logs(), "the worker says it will finish")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(60) == 1
    status, worker_ids = json.loads(
        manage(workers.env, "shell", "-c", STATE.format(id=job_id)).splitlines()[-1]
    )
    assert (status, worker_ids) == ("READY", [])  # back in the queue, no attempt spent
    (folder / "release").touch()
    workers.start()  # no heartbeat timeout to wait for: the job is READY
    wait_until(lambda: (folder / "finished").exists(), "the next worker runs it")
