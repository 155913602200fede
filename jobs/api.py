"""The jobs API the domain apps use: `job` declares one, `run_ready` runs what is due here."""

from collections.abc import Callable
from typing import Any

from django_tasks import task

DEFAULT_RETRIES = 5

# A job's retries, by its task's module path (a Task is a frozen dataclass).
RETRIES: dict[str, int] = {}


def job(*, retries: int = DEFAULT_RETRIES, priority: int = 0) -> Callable[[Callable], Any]:
    """Declare a background job. Its arguments must be JSON (ids, not objects): the job may run
    in another process, after a restart. A job may run more than once (a worker killed after
    the work, before recording it): it must be idempotent. `retries`: how many more times a
    failing job is tried, with backoff."""

    def declare(function: Callable) -> Any:
        declared = task(priority=priority)(function)
        RETRIES[declared.module_path] = retries
        return declared

    return declare


def run_ready(*, worker_id: str = "inline") -> None:
    """Run every job that is due, here and now, until none is left (tests; `parley worker
    --once`)."""
    from django_tasks_db.management.commands.db_worker import Worker  # models: apps loaded

    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()
