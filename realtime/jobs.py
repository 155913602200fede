"""Periodic work the server process does beside serving: today, cleaning up idle guests.

One daemon thread in the process that runs `parley serve` (uvicorn's supervisor when there are
several workers, so once per server, not once per worker). Each run is idempotent, so two
servers on one database doing it too is harmless.
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections

from chat.services.guests import guest_cleanup

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


def start_jobs() -> threading.Thread | None:
    """Start the periodic jobs, or nothing when PARLEY_GUEST_CLEANUP_INTERVAL is 0."""
    interval = settings.PARLEY_GUEST_CLEANUP_INTERVAL
    if not interval:
        return None
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(interval):
            clean_guests_once()

    thread = threading.Thread(target=run, name="parley-jobs", daemon=True)
    thread.start()
    return thread
