"""The one door real-time events leave through.

Services call `publish_on_commit`; the event reaches the fan-out backend only after the
surrounding transaction commits (never for a rolled-back one), so nothing is broadcast that is
not stored. `publish_now` is for ephemeral events that store nothing (typing).

How events reach sockets is the backend's business (PARLEY_FANOUT_BACKEND, a dotted path): by
default Channels' layer groups (realtime/fanout.py). Events are plain dicts:

    {"kind": "message", "room_id": int, "room": slug, "seq": int, "message": message_payload}
    {"kind": "typing", "room_id": int, "room": slug, "user": user_payload, "origin": str|None}
    {"kind": "member", "room_id": int, "room": slug, "user": user_payload, "change": str}

Besides one stream per room there is one stream per user: what concerns one person reaches every
socket of that user, in every server process. Its events have the kind "user" and a `type`
(the typed shapes below; docs/architecture.md, "The per-user stream"):

    {"kind": "user", "user_id": int, "type": "membership.ended", ...MembershipEnded}
    {"kind": "user", "user_id": int, "type": "credentials.revoked", ...CredentialsRevoked}

A new per-user event (a DM opened, an unread count) is a new `type` here and a handler on the
sockets; the way it travels does not change. The door lives in `parley`, the layer under every
domain app, so `accounts` and `chat` both publish through it.
"""

import logging
from collections.abc import Mapping
from functools import cache
from typing import Any, Literal, Protocol, TypedDict

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class FanoutBackend(Protocol):
    def publish(self, event: Mapping[str, Any]) -> None: ...


@cache
def _backend(path: str) -> FanoutBackend:
    return import_string(path)()


def backend() -> FanoutBackend:
    return _backend(settings.PARLEY_FANOUT_BACKEND)


class MembershipEnded(TypedDict):
    """`user_id` is no longer a member of the room. `can_see` says whether they may still
    read it (a public room stays visible to all): sockets stop delivering the room when not."""

    kind: Literal["user"]
    user_id: int
    type: Literal["membership.ended"]
    room_id: int
    room: str
    reason: Literal["left", "removed"]
    can_see: bool


class CredentialsRevoked(TypedDict):
    """A credential of `user_id` no longer authenticates: sockets opened with it close.
    `credential` is "token:<id>", "session:<digest>" (accounts.credentials.session_digest),
    "session:*" (every session of the user) or "*" (everything the user holds)."""

    kind: Literal["user"]
    user_id: int
    type: Literal["credentials.revoked"]
    credential: str


UserEvent = MembershipEnded | CredentialsRevoked


def membership_ended(
    *, user_id: int, room_id: int, room: str, reason: Literal["left", "removed"], can_see: bool
) -> MembershipEnded:
    return {
        "kind": "user",
        "user_id": user_id,
        "type": "membership.ended",
        "room_id": room_id,
        "room": room,
        "reason": reason,
        "can_see": can_see,
    }


def credentials_revoked(*, user_id: int, credential: str) -> CredentialsRevoked:
    return {
        "kind": "user",
        "user_id": user_id,
        "type": "credentials.revoked",
        "credential": credential,
    }


def publish_on_commit(event: Mapping[str, Any]) -> None:
    # robust: a failed publish is logged, never undoes the commit; subscribers find the
    # message on their next gap check or resume, since it is stored.
    transaction.on_commit(lambda: backend().publish(event), robust=True)


def publish_now(event: Mapping[str, Any]) -> None:
    try:
        backend().publish(event)
    except Exception:
        logger.exception("publishing a %s event failed", event.get("kind"))
