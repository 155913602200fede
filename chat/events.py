"""The one door real-time events leave through.

Services call `publish_on_commit`; the event reaches the fan-out backend only after the
surrounding transaction commits (never for a rolled-back one), so nothing is broadcast that is
not stored. `publish_now` is for ephemeral events that store nothing (typing).

How events reach sockets is the backend's business (PARLEY_FANOUT_BACKEND, a dotted path): by
default Channels' layer groups (realtime/fanout.py). Events are plain dicts:

    {"kind": "message", "room_id": int, "room": slug, "seq": int, "message": message_payload}
    {"kind": "typing", "room_id": int, "room": slug, "user": user_payload, "origin": str|None}
"""

import logging
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class FanoutBackend(Protocol):
    def publish(self, event: dict) -> None: ...


@cache
def _backend(path: str) -> FanoutBackend:
    return import_string(path)()


def backend() -> FanoutBackend:
    return _backend(settings.PARLEY_FANOUT_BACKEND)


def publish_on_commit(event: dict) -> None:
    # robust: a failed publish is logged, never undoes the commit; subscribers find the
    # message on their next gap check or resume, since it is stored.
    transaction.on_commit(lambda: backend().publish(event), robust=True)


def publish_now(event: dict) -> None:
    try:
        backend().publish(event)
    except Exception:
        logger.exception("publishing a %s event failed", event.get("kind"))
