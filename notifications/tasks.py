"""The email digests' job: enqueued by a worker every PARLEY_EMAIL_RUN_INTERVAL seconds (once
across all the workers), off every request's path."""

import logging

from django.conf import settings
from django.utils import timezone

from jobs import every, job

from .services import digests_send

logger = logging.getLogger(__name__)


def _interval() -> float:
    return settings.PARLEY_EMAIL_RUN_INTERVAL if settings.PARLEY_EMAIL_DIGESTS else 0


# No retries: a digest that failed is still due, and the next run sends it (notifications/
# services.py logs each user's failure).
@every(_interval)
@job(retries=0)
def digests_send_due() -> int:
    """Send the digests due now (idempotent: each is claimed, then marked sent)."""
    if sent := digests_send(now=timezone.now()):
        logger.info("sent %d email digest(s)", sent)
    return sent
