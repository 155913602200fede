"""At least once: the heartbeats of live workers, and the recovery of jobs whose worker died.

A worker writes its row (`jobs.models.Worker`) before it claims anything and refreshes
`last_seen` every PARLEY_JOBS_WORKER_TIMEOUT / 3 seconds from a thread of its own (so a long job
does not silence it). Every worker, every round, looks for RUNNING jobs started more than
PARLEY_JOBS_WORKER_TIMEOUT ago whose worker (the last of their `worker_ids`) has not been seen
for that long: that worker was killed (`kill -9`, out of memory, the machine lost), and the job
goes back to READY, counted as an attempt, so that a job that kills its worker every time ends
FAILED instead of looping. A job may therefore run twice; jobs are idempotent.
"""

import logging
import os
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import Worker
from .retries import job_retries

logger = logging.getLogger(__name__)


class WorkerLost(Exception):
    """What a recovered job's row shows as its last error."""


def worker_register(*, worker_id: str) -> None:
    now = timezone.now()
    Worker.objects.update_or_create(
        id=worker_id,
        defaults={
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
            "started": now,
            "last_seen": now,
        },
    )


def worker_heartbeat(*, worker_id: str, now: datetime) -> None:
    """Refresh `last_seen`; write the row again if a recovery took this worker for dead and
    deleted it (a long pause): its current job may then run twice, which jobs allow."""
    if not Worker.objects.filter(id=worker_id).update(last_seen=now):
        worker_register(worker_id=worker_id)


def worker_unregister(*, worker_id: str) -> None:
    Worker.objects.filter(id=worker_id).delete()


def jobs_recover(*, now: datetime) -> int:
    """Put back the RUNNING jobs of dead workers; how many. Safe in every worker at once: the
    rows are locked (SKIP LOCKED) before the live workers are read, so a worker that registers
    and claims meanwhile is seen, and each job is recovered by one worker."""
    cutoff = now - timedelta(seconds=settings.PARLEY_JOBS_WORKER_TIMEOUT)
    recovered = 0
    with transaction.atomic():
        running = list(
            DBTaskResult.objects.running()
            .filter(started_at__lt=cutoff)
            .select_for_update(skip_locked=True)
        )
        if running:
            live = set(Worker.objects.filter(last_seen__gte=cutoff).values_list("id", flat=True))
            for row in running:
                if row.worker_ids and row.worker_ids[-1] in live:
                    continue
                job_lost(row, now=now)
                recovered += 1
    Worker.objects.filter(last_seen__lt=cutoff).delete()
    return recovered


def job_lost(row: DBTaskResult, *, now: datetime) -> None:
    worker = row.worker_ids[-1] if row.worker_ids else "?"
    attempts, retries = len(row.worker_ids), job_retries(row)
    row.exception_class_path = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"
    row.traceback = (
        f"The worker {worker} stopped sending heartbeats while it ran this job "
        f"(attempt {attempts}): it was killed or lost."
    )
    if attempts <= retries:
        logger.warning(
            "job %s (%s): its worker %s died; back to the queue (attempt %d of %d)",
            row.id,
            row.task_path,
            worker,
            attempts,
            retries + 1,
        )
        row.status = TaskResultStatus.READY
        row.run_after = timezone.now()  # at once: the job did not fail
        row.save(update_fields=["status", "run_after", "exception_class_path", "traceback"])
        return
    logger.error(
        "job %s (%s): its worker %s died, and it has no retries left: failed for good",
        row.id,
        row.task_path,
        worker,
    )
    row.status = TaskResultStatus.FAILED
    row.finished_at = now
    row.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
