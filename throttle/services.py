"""The limits, as rules: what counts against which budget, and what a caller is told.

Every transport reaches the same rule here: a post is admitted by `post_admit`, called by the
post service itself (chat/services/messages.py), whichever way the post came in. The numbers
are settings, read on every call (docs/configuration.md, "Limits").
"""

import math
from functools import cache

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils.module_loading import import_string

from parley.errors import RateLimited

from .backends import LimitsBackend


@cache
def _backend(path: str, config: tuple) -> LimitsBackend:
    return import_string(path)(**dict(config))


def backend() -> LimitsBackend:
    conf = settings.PARLEY_LIMITS
    return _backend(conf["BACKEND"], tuple(sorted(conf.get("CONFIG", {}).items())))


def _retry_after(wait: float) -> float:
    return round(wait, 3) or 0.001


def post_admit(*, user_id: int) -> None:
    """Spend one of the user's posts (PARLEY_POST_RATE, per user across every socket, the
    tutorial endpoint and REST). Raises RateLimited when none is left."""
    rate, burst = settings.PARLEY_POST_RATE
    if wait := backend().hit(f"post:user:{user_id}", rate=rate, burst=burst):
        raise RateLimited("Too many messages; slow down.", retry_after=_retry_after(wait))


def guest_admit(*, address: str | None) -> None:
    """Count a new guest identity made for a client address (PARLEY_GUESTS_PER_HOUR: a budget
    of that many that refills over the hour). Raises RateLimited when none is left."""
    limit = settings.PARLEY_GUESTS_PER_HOUR
    if not limit or not address:
        return
    if wait := backend().hit(f"guests:addr:{address}", rate=limit / 3600, burst=limit):
        raise RateLimited(
            f"Too many guests from your address; sign up, or try again in {math.ceil(wait)} s.",
            retry_after=_retry_after(wait),
        )


def reader_key(*, user_id: int | None, address: str | None) -> str:
    """Whose replay budget a read spends: the user's, or an anonymous visitor's address's."""
    return f"user:{user_id}" if user_id is not None else f"addr:{address}"


def replay_charge(*, reader: str, messages: int) -> None:
    """Spend `messages` of the reader's replay budget (PARLEY_REPLAY_RATE: messages a second,
    burst) before they are read and sent: a resume's replay, a history page. Raises
    RateLimited, spending nothing, when the budget is short. A read larger than the whole
    burst costs the whole burst (it passes only with a full budget)."""
    if messages <= 0:
        return
    rate, burst = settings.PARLEY_REPLAY_RATE
    if wait := backend().hit(f"read:{reader}", rate=rate, burst=burst, cost=min(messages, burst)):
        raise RateLimited(
            "Too many messages replayed or read; retry later.", retry_after=_retry_after(wait)
        )


def search_admit(*, reader: str) -> None:
    """Spend one of the reader's searches (PARLEY_SEARCH_RATE; `reader` as for replay_charge),
    REST and WebSocket alike. Raises RateLimited when none is left."""
    rate, burst = settings.PARLEY_SEARCH_RATE
    if wait := backend().hit(f"search:{reader}", rate=rate, burst=burst):
        raise RateLimited("Too many searches; retry later.", retry_after=_retry_after(wait))


def _socket_keys(*, user_id: int | None, address: str | None) -> list[tuple[str, int]]:
    """The sets a socket counts in, with their caps (0: no cap)."""
    keys = []
    if user_id is not None and settings.PARLEY_MAX_SOCKETS_PER_USER:
        keys.append((f"sockets:user:{user_id}", settings.PARLEY_MAX_SOCKETS_PER_USER))
    if address and settings.PARLEY_MAX_SOCKETS_PER_ADDRESS:
        keys.append((f"sockets:addr:{address}", settings.PARLEY_MAX_SOCKETS_PER_ADDRESS))
    return keys


class TooManyConnections(Exception):
    """A socket over its user's or its address's cap; the message is the close reason."""


def connection_admit(*, user_id: int | None, address: str | None, socket_id: str) -> list[str]:
    """Count a new socket against its user's and its address's caps (PARLEY_MAX_SOCKETS_PER_*).
    Returns the keys it now holds, for connection_release when it closes; raises
    TooManyConnections, holding nothing, when a cap is reached."""
    held: list[str] = []
    for key, cap in _socket_keys(user_id=user_id, address=address):
        if not backend().acquire(key, socket_id, cap=cap):
            connection_release(keys=held, socket_id=socket_id)
            whose = "user" if key.startswith("sockets:user:") else "address"
            raise TooManyConnections(f"too many connections for this {whose} (at most {cap})")
        held.append(key)
    return held


def connection_release(*, keys: list[str], socket_id: str) -> None:
    for key in keys:
        backend().release(key, socket_id)


async def aconnection_admit(
    *, user_id: int | None, address: str | None, socket_id: str
) -> list[str]:
    """connection_admit for the event loop: off it when the backend may wait on the network,
    and nothing at all when no cap is set."""
    if not _socket_keys(user_id=user_id, address=address):
        return []
    if backend().blocking:
        return await sync_to_async(connection_admit, thread_sensitive=False)(
            user_id=user_id, address=address, socket_id=socket_id
        )
    return connection_admit(user_id=user_id, address=address, socket_id=socket_id)


async def aconnection_release(*, keys: list[str], socket_id: str) -> None:
    if keys and backend().blocking:
        await sync_to_async(connection_release, thread_sensitive=False)(
            keys=keys, socket_id=socket_id
        )
    elif keys:
        connection_release(keys=keys, socket_id=socket_id)
