"""What /readyz checks (PARLEY_READINESS_CHECKS, in order). A check returns when its part is
ready and raises when it is not; it may be a function or a coroutine function. Background jobs,
once they exist, add a check here (for example: the queue's database table answers, a worker
was seen lately) and name it in the setting."""

from django.conf import settings
from django.db import connection

# Seconds a Redis server may take to answer the ping.
REDIS_TIMEOUT = 2.0


def database() -> None:
    """The default database answers a query (this process' connection, reused)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


async def channel_layer() -> None:
    """Every Redis server of the channel layer answers PING. An in-process layer (the embedded
    mode's) lives and dies with the process: nothing to check."""
    hosts = settings.CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts") or []
    if not hosts:
        return
    from redis.asyncio import Redis

    for host in hosts:
        address = host["address"] if isinstance(host, dict) else host
        client = Redis.from_url(
            address, socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
        )
        try:
            await client.ping()
        finally:
            await client.aclose()
