"""The chat domain's background jobs (jobs/: durable, enqueued in the transaction of their
cause, run at least once, so each is idempotent)."""

from jobs import job

from .services.attachments import attachment_thumbnail_make


@job(retries=3)
def attachment_thumbnail(attachment_id: int) -> None:
    """Make a posted image's thumbnail and tell its room (enqueued by the post)."""
    attachment_thumbnail_make(attachment_id=attachment_id)
