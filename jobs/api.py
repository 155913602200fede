"""The jobs API the domain apps use: `job` declares one, `every` makes it periodic, `run_ready`
runs what is due here."""

from collections.abc import Callable
from typing import Any

from django_tasks import task

DEFAULT_RETRIES = 5

# A job's retries, by its task's module path (a Task is a frozen dataclass).
RETRIES: dict[str, int] = {}

# The periodic jobs (`every`): the task, and a function giving its interval in seconds (read
# when the worker looks, never at import: settings may change); 0 means "not now".
PERIODIC: dict[str, tuple[Any, Callable[[], float]]] = {}


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


def every(seconds: Callable[[], float]) -> Callable[[Any], Any]:
    """Make a job (declared with `job`, taking no arguments) periodic: a worker enqueues it
    every `seconds()` seconds, once across all the workers on the database (jobs/schedule.py).
    Put it above `@job()`. The module must be the app's `tasks.py`, which workers import."""

    def schedule(declared: Any) -> Any:
        PERIODIC[declared.module_path] = (declared, seconds)
        return declared

    return schedule


def run_ready(*, worker_id: str = "inline") -> None:
    """Run every job that is due, here and now, until none is left (tests; `parley worker
    --once`). A job that fails and has retries left waits for its backoff: it is not due yet."""
    from .worker import JobWorker  # models: apps loaded

    JobWorker(worker_id=worker_id, batch=True).run()
