"""The worker: claims due jobs one at a time and runs them, with Parley's additions over
django-tasks-db's own worker (`db_worker`, which this replaces):

- retries with exponential backoff and jitter (a failed attempt goes back to READY with a
  later `run_after`, on the same row; jobs/retries.py);
- a heartbeat (`jobs.models.Worker`) and the recovery of jobs whose worker died
  (jobs/recovery.py), so a job runs at least once even when its worker is killed;
- the periodic jobs (`jobs.every`, jobs/schedule.py);
- a wake-up as soon as a job enqueued in this process commits, instead of polling alone;
- a graceful stop: SIGTERM finishes the current job, a second one abandons it (back to READY).

Claiming is django-tasks-db's: `SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL (so N workers
never take the same job), an exclusive transaction on SQLite.
"""

import logging
import os
import signal
import socket
import threading
from types import FrameType

from django.conf import settings
from django.db import DatabaseError, OperationalError, close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks.base import TaskContext
from django_tasks.signals import task_finished, task_started
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from . import recovery, retries, schedule

logger = logging.getLogger(__name__)

# Set when a job enqueued in this process commits (jobs/apps.py): the worker looks at once.
wake = threading.Event()


def worker_id_make() -> str:
    """Unique across the pool, and readable in the admin: host, pid and a random tail."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(8)}"


class JobWorker:
    def __init__(self, *, worker_id: str | None = None, batch: bool = False):
        self.worker_id = worker_id or worker_id_make()
        # batch: run what is due, then return (`run_ready`, `parley worker --once`).
        self.batch = batch
        self.running = True
        self.current: DBTaskResult | None = None
        # Jobs that ran but whose end could not be written (the database went away): put back
        # in the queue as soon as it answers, since this live worker's heartbeat would keep
        # the recovery away from them. They run again: at least once.
        self.unrecorded: list[DBTaskResult] = []
        self._stopped = threading.Event()

    # The loop.

    def run(self) -> None:
        recovery.worker_register(worker_id=self.worker_id)
        housekeeping = threading.Thread(
            target=self._housekeep, name=f"parley-jobs-housekeeping-{self.worker_id}", daemon=True
        )
        housekeeping.start()
        if not self.batch:
            logger.info("job worker %s started", self.worker_id)
        try:
            while self.running:
                wake.clear()
                try:
                    self._requeue_unrecorded()
                    row = self._claim()
                except DatabaseError:
                    # The database is away: look again after the poll interval.
                    logger.exception("job worker %s could not claim a job", self.worker_id)
                    row = None
                    if self.batch:
                        raise
                if row is not None:
                    try:
                        self.run_task(row)
                    except Exception:
                        logger.exception(
                            "job worker %s could not record how job %s ended; it runs again",
                            self.worker_id,
                            row.id,
                        )
                        self.unrecorded.append(row)
                        if self.batch:
                            continue
                        wake.wait(settings.PARLEY_JOBS_POLL_INTERVAL)
                    continue
                if self.batch:
                    return
                close_old_connections()
                wake.wait(settings.PARLEY_JOBS_POLL_INTERVAL)
        finally:
            self._stopped.set()
            housekeeping.join()
            recovery.worker_unregister(worker_id=self.worker_id)
            if not self.batch:
                logger.info("job worker %s stopped", self.worker_id)
                connection.close()

    def _requeue_unrecorded(self) -> None:
        while self.unrecorded:
            close_old_connections()
            retries.job_requeue(self.unrecorded[0], error=None)
            self.unrecorded.pop(0)

    def _claim(self) -> DBTaskResult | None:
        close_old_connections()
        due = DBTaskResult.objects.ready().filter(backend_name="default")
        with exclusive_transaction(due.db):
            try:
                row = due.get_locked()
            except OperationalError as error:
                if is_locked_database_exception(error):
                    return None  # SQLite busy: the next look gets it
                raise
            if row is not None:
                row.claim(self.worker_id)  # RUNNING, our id appended to worker_ids
        return row

    def run_task(self, row: DBTaskResult) -> None:
        self.current = row
        try:
            task = row.task
            result = row.task_result
            backend = type(task.get_backend())
            task_started.send(sender=backend, task_result=result)
            if task.takes_context:
                value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
            else:
                value = task.call(*result.args, **result.kwargs)
            row.set_successful(value)
            task_finished.send(sender=backend, task_result=row.task_result)
        except (KeyboardInterrupt, SystemExit):
            # Stopped in the middle (a second SIGTERM, Ctrl-C): back to the queue, then stop.
            retries.job_abandon(row, worker_id=self.worker_id)
            raise
        except Exception as error:
            retries.job_failed(row, error)
        finally:
            self.current = None

    # Beside the loop: heartbeat, recovery, schedules.

    def _housekeep(self) -> None:
        interval = settings.PARLEY_JOBS_WORKER_TIMEOUT / 3
        first = not self.batch
        try:
            while first or not self._stopped.wait(interval):
                first = False
                try:
                    now = timezone.now()
                    recovery.worker_heartbeat(worker_id=self.worker_id, now=now)
                    if not self.batch:
                        recovery.jobs_recover(now=now)
                        schedule.schedules_enqueue(now=now)
                except Exception:
                    # The next round tries again; meanwhile jobs go on running.
                    logger.exception("job worker %s: housekeeping failed", self.worker_id)
                finally:
                    close_old_connections()
        finally:
            connection.close()

    # Stopping.

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        """Finish the current job, then stop (the first SIGTERM or Ctrl-C). A second one
        abandons the current job: it goes back to READY and another worker runs it."""
        if not self.running and signum is not None:
            logger.warning("job worker %s: stopping now, abandoning its job", self.worker_id)
            raise SystemExit(1)
        if self.current is not None and signum is not None:
            logger.warning(
                "job worker %s: stopping after the job it runs (again to abandon it)",
                self.worker_id,
            )
        self.running = False
        wake.set()

    def handle_signals(self) -> None:
        for name in ("SIGINT", "SIGTERM", "SIGQUIT"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), self.stop)


class WorkerThread:
    """The worker inside `parley serve` (the embedded mode: no other command to run)."""

    def __init__(self) -> None:
        self.worker = JobWorker()
        self.thread = threading.Thread(target=self._run, name="parley-jobs", daemon=True)

    def start(self) -> "WorkerThread":
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            self.worker.run()
        except Exception:
            logger.exception("the job worker thread stopped")

    def stop(self, *, timeout: float = 5.0) -> None:
        """Let the current job finish for `timeout` seconds; a job still running then is put
        back in the queue (the process is exiting) and runs again on the next start."""
        self.worker.stop()
        self.thread.join(timeout)
        if self.thread.is_alive() and (row := self.worker.current) is not None:
            retries.job_abandon(row, worker_id=self.worker.worker_id)
            recovery.worker_unregister(worker_id=self.worker.worker_id)
