"""Periodic work the server process does beside serving: cleaning up idle guests, and the
background jobs' worker thread (jobs/worker.py), which runs every job, the email digests among
them (notifications/tasks.py).

One daemon thread per periodic job in the process that runs `parley serve` (uvicorn's supervisor when
there are several workers, so once per server, not once per worker), never on a request's path.
Each run is idempotent and safe beside another server's, so two servers on one database doing
it too is harmless.
"""

import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections

from chat.services.guests import guest_cleanup
from jobs.worker import WorkerThread

logger = logging.getLogger(__name__)


def clean_guests_once() -> None:
    try:
        deleted, deactivated = guest_cleanup(idle=timedelta(seconds=settings.PARLEY_GUEST_IDLE))
        if deleted or deactivated:
            logger.info("cleaned up idle guests: %d deleted, %d deactivated", deleted, deactivated)
    except Exception:
        # The next run tries again; the server goes on serving meanwhile.
        logger.exception("cleaning up idle guests failed")
    finally:
        close_old_connections()


def start_jobs() -> list[threading.Thread]:
    """Start the periodic jobs whose interval is not 0 (PARLEY_GUEST_CLEANUP_INTERVAL); the
    threads started."""
    jobs = [("parley-guests", settings.PARLEY_GUEST_CLEANUP_INTERVAL, clean_guests_once)]
    return [_every(name, interval, job) for name, interval, job in jobs if interval]


def start_job_worker() -> WorkerThread | None:
    """The background jobs' worker, in this process (PARLEY_JOBS_IN_SERVER): in the embedded
    mode it is the only one, and no other command is needed."""
    return WorkerThread().start() if settings.PARLEY_JOBS_IN_SERVER else None


class JobWorkerProcesses:
    """`parley worker` processes that `parley serve --job-workers N` runs beside the server:
    one restarted when it dies (its job, if any, is recovered by the others or by the
    restarted one), all stopped with SIGTERM (each finishes its job) when the server stops."""

    def __init__(self, count: int):
        self.count = count
        self.processes: list[subprocess.Popen] = []
        self.stopping = threading.Event()
        self.watcher = threading.Thread(target=self._watch, name="parley-job-workers", daemon=True)

    def start(self) -> "JobWorkerProcesses":
        self.processes = [self._spawn() for _ in range(self.count)]
        self.watcher.start()
        return self

    @staticmethod
    def _spawn() -> subprocess.Popen:
        # Same interpreter, settings and environment as this server.
        return subprocess.Popen(
            [sys.executable, "-m", "parley", "worker"], preexec_fn=_end_with_parent
        )

    def _watch(self) -> None:
        while not self.stopping.wait(1.0):
            for index, process in enumerate(self.processes):
                if process.poll() is not None and not self.stopping.is_set():
                    logger.warning(
                        "job worker process %d exited (%s); starting another",
                        process.pid,
                        process.returncode,
                    )
                    self.processes[index] = self._spawn()

    def stop(self, *, timeout: float = 30.0) -> None:
        self.stopping.set()
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()  # its job goes back to the queue after the heartbeat timeout


def _end_with_parent() -> None:
    """In the child, on Linux: SIGTERM when the server dies, even by SIGKILL (PR_SET_PDEATHSIG),
    so that no worker outlives its server unseen."""
    if sys.platform == "linux":
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def _every(name: str, interval: int, job: Callable[[], None]) -> threading.Thread:
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(interval):
            job()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
