"""The chat domain's background jobs (jobs/: durable, enqueued in the transaction of their
cause, run at least once, so each is idempotent)."""

import logging

from django.conf import settings

from jobs import every, job

from .services.attachments import attachment_thumbnail_make, attachments_expire

logger = logging.getLogger(__name__)


@job(retries=3)
def attachment_thumbnail(attachment_id: int) -> None:
    """Make a posted image's thumbnail and tell its room (enqueued by the post)."""
    attachment_thumbnail_make(attachment_id=attachment_id)


@job(retries=3)
def previews_make(message_id: int) -> None:
    """Unfurl the links of message `message_id` and attach their previews (link previews are
    fetched here, never in the post's transaction). Idempotent: a second run adds nothing."""
    from .services.previews import previews_refresh

    previews_refresh(message_id=message_id)


def _uploads_interval() -> float:
    return settings.PARLEY_GUEST_CLEANUP_INTERVAL


@every(_uploads_interval)
@job(retries=0)
def uploads_expire() -> int:
    """Remove the uploads never posted within PARLEY_FILES_UNPOSTED_TTL (a failed run is
    simply the next run's work)."""
    if removed := attachments_expire():
        logger.info("removed %d upload(s) never posted", removed)
    return removed
