"""What happens to a job that fails: tried again later, or failed for good.

A retry is the same `DBTaskResult` row put back to READY with a later `run_after`: one row per
job, whatever its attempts. Its `worker_ids` lists the worker of every attempt (django-tasks-db
appends one per claim), so the attempts are `len(worker_ids)`, Django's own `TaskResult.attempts`.
The row keeps the last error (`exception_class_path`, `traceback`) while it waits, so the admin
shows why; every failed attempt is logged at WARNING with its traceback, the last at ERROR.
"""

import logging
import random
from datetime import timedelta
from traceback import format_exception

from django.conf import settings
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_finished
from django_tasks_db.models import DBTaskResult

from .api import DEFAULT_RETRIES, RETRIES

logger = logging.getLogger(__name__)


def retry_delay(
    attempts: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Seconds to wait after the `attempts`-th failed attempt: base, 2 base, 4 base, ... up to
    `cap`, then a random point in its upper half (jitter, so that jobs failing together, say
    against a service that was down, do not all come back in the same second)."""
    delay = min(cap, base * 2 ** (attempts - 1))
    return delay / 2 + (rng or random).uniform(0, delay / 2)


def job_retries(row: DBTaskResult) -> int:
    """The retries its `@job(retries=)` declared (importing the job registers them)."""
    try:
        row.task  # noqa: B018 (imports the job's module)
    except Exception:
        return 0  # the job is gone (renamed, removed): it cannot run again
    return RETRIES.get(row.task_path, DEFAULT_RETRIES)


def job_failed(row: DBTaskResult, error: BaseException) -> None:
    """An attempt raised: again after the backoff if it has retries left, else FAILED."""
    attempts = len(row.worker_ids)
    retries = job_retries(row)
    if attempts <= retries:
        delay = retry_delay(
            attempts, base=settings.PARLEY_JOBS_BACKOFF, cap=settings.PARLEY_JOBS_BACKOFF_MAX
        )
        logger.warning(
            "job %s (%s) failed, attempt %d of %d; tried again in %.0f s",
            row.id,
            row.task_path,
            attempts,
            retries + 1,
            delay,
            exc_info=error,
        )
        job_requeue(row, error=error, after=timedelta(seconds=delay))
        return
    logger.error(
        "job %s (%s) failed for good after %d attempt(s)",
        row.id,
        row.task_path,
        attempts,
        exc_info=error,
    )
    row.set_failed(error)
    try:
        task_finished.send(sender=type(row.task.get_backend()), task_result=row.task_result)
    except Exception:
        pass  # the job cannot be imported: nothing to tell


def job_requeue(
    row: DBTaskResult, *, error: BaseException | None, after: timedelta = timedelta(0)
) -> None:
    """Back to READY, due `after` from now; `error` (if any) kept as its last one."""
    row.status = TaskResultStatus.READY
    row.run_after = timezone.now() + after
    fields = ["status", "run_after"]
    if error is not None:
        # As django-tasks-db's `set_failed` writes them.
        row.exception_class_path = f"{type(error).__module__}.{type(error).__qualname__}"
        row.traceback = "".join(format_exception(error))
        fields += ["exception_class_path", "traceback"]
    row.save(update_fields=fields)


def job_abandon(row: DBTaskResult, *, worker_id: str) -> None:
    """The worker stops in the middle of the job (a second SIGTERM, the server exiting): back
    to READY at once, and not counted as an attempt (the job did not fail)."""
    logger.warning("job %s (%s) abandoned by its stopping worker", row.id, row.task_path)
    if row.worker_ids and row.worker_ids[-1] == worker_id:
        row.worker_ids = row.worker_ids[:-1]
    row.status = TaskResultStatus.READY
    row.run_after = timezone.now()
    row.save(update_fields=["status", "run_after", "worker_ids"])
