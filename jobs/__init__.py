"""Durable background jobs: work done off the request path (thumbnails, link previews, email
digests), enqueued in the same transaction as the change that causes it.

The engine is Django's Tasks framework (the `django-tasks` backport of `django.tasks`) with the
database backend of `django-tasks-db`: a job is a row, written or rolled back with the change
that enqueues it. See README.md, "Background jobs", for why this engine.

    from jobs import job

    @job()
    def thumbnail_make(attachment_id: int) -> None: ...

    thumbnail_make.enqueue(attachment.pk)   # inside the change's transaction
"""

from .api import every, job, run_ready

__all__ = ["every", "job", "run_ready"]
