"""Periodic work the server process does beside serving: cleaning up idle guests and uploads
never posted, and sending the email digests of unread mentions and DMs.

One daemon thread per job in the process that runs `parley serve` (uvicorn's supervisor when
there are several workers, so once per server, not once per worker), never on a request's path.
Each run is idempotent and safe beside another server's (a digest is claimed per user before it
is sent), so two servers on one database doing it too is harmless.
"""

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from chat.services.attachments import attachments_expire
from chat.services.guests import guest_cleanup
from notifications.services import digests_send

logger = logging.getLogger(__name__)


def clean_guests_once() -> None:
    try:
        deleted, deactivated = guest_cleanup(idle=timedelta(seconds=settings.PARLEY_GUEST_IDLE))
        if deleted or deactivated:
            logger.info("cleaned up idle guests: %d deleted, %d deactivated", deleted, deactivated)
    except Exception:
        # The next run tries again; the server goes on serving meanwhile.
        logger.exception("cleaning up idle guests failed")
    finally:
        close_old_connections()


def clean_uploads_once() -> None:
    try:
        if removed := attachments_expire():
            logger.info("removed %d upload(s) never posted", removed)
    except Exception:
        logger.exception("removing uploads never posted failed")
    finally:
        close_old_connections()


def send_digests_once() -> None:
    try:
        if sent := digests_send(now=timezone.now()):
            logger.info("sent %d email digest(s)", sent)
    except Exception:
        # What was due stays due (marked only once sent): the next run sends it.
        logger.exception("sending email digests failed")
    finally:
        close_old_connections()


def start_jobs() -> list[threading.Thread]:
    """Start the periodic jobs whose interval is not 0 (PARLEY_GUEST_CLEANUP_INTERVAL,
    PARLEY_EMAIL_RUN_INTERVAL); the threads started."""
    digests = settings.PARLEY_EMAIL_RUN_INTERVAL if settings.PARLEY_EMAIL_DIGESTS else 0
    jobs = [
        ("parley-guests", settings.PARLEY_GUEST_CLEANUP_INTERVAL, clean_guests_once),
        ("parley-uploads", settings.PARLEY_GUEST_CLEANUP_INTERVAL, clean_uploads_once),
        ("parley-digests", digests, send_digests_once),
    ]
    return [_every(name, interval, job) for name, interval, job in jobs if interval]


def _every(name: str, interval: int, job: Callable[[], None]) -> threading.Thread:
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(interval):
            job()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread
