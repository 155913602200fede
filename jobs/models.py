"""What Parley keeps beside django-tasks-db's job rows (`DBTaskResult`): the live workers, so a
job whose worker died is found and run again, and the periodic jobs' next runs, so N processes
enqueue one."""

from django.db import models


class Worker(models.Model):
    """A running worker (a `parley worker` process, or the thread in `parley serve`). It
    refreshes `last_seen` every few seconds while it lives, and deletes its row when it stops;
    a row older than PARLEY_JOBS_WORKER_TIMEOUT is a worker that died, and the job it was
    running goes back to the queue (jobs/recovery.py). `id` is what django-tasks-db writes in
    a job's `worker_ids` when the worker claims it."""

    id = models.CharField(primary_key=True, max_length=64)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.id


class Schedule(models.Model):
    """A periodic job's next run (`jobs.every`). Whoever moves `next_run` forward with one
    conditional UPDATE enqueues the run, so every worker may look and one run is enqueued."""

    name = models.CharField(primary_key=True, max_length=200)
    next_run = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
