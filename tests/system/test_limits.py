"""Per-user limits across two real server processes sharing PostgreSQL + Redis: one post rate
and one socket cap for the user, whichever process the calls reach (throttle/, RedisBackend)."""

import json
import os
import urllib.error
import urllib.request
import uuid

import pytest
from websockets.asyncio.client import connect

from .server import run_async

pytestmark = pytest.mark.system


def rest_post(server, token: str) -> int:
    request = urllib.request.Request(
        f"{server.url}/api/v1/rooms/general/messages",
        data=json.dumps({"body": "hi", "client_id": str(uuid.uuid4())}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_one_post_rate_and_one_socket_cap_per_user_across_processes(
    engines, database, start_server
):
    # Counters of this test alone: the next test's user of the same id starts afresh.
    env = {
        "PARLEY_REDIS_PREFIX": f"parley-system-limits-{os.getpid()}-{uuid.uuid4().hex[:6]}:",
        "PARLEY_POST_RATE": "0.001,4",
        "PARLEY_MAX_SOCKETS_PER_USER": "2",
    }
    a = start_server(database, engines.redis_url, **env)
    b = start_server(database, engines.redis_url, **env)
    token = engines.tokens["alice"]

    assert [rest_post(server, token) for server in (a, b, a, b, a, b)] == [201] * 4 + [429] * 2
    assert rest_post(b, engines.tokens["bob"]) == 201

    async def sockets():
        headers = {"Authorization": f"Bearer {token}"}
        held = [
            await connect(f"{server.ws_url}/ws/", additional_headers=headers) for server in (a, b)
        ]
        for ws in held:
            assert json.loads(await ws.recv())["type"] == "hello"
        third = await connect(f"{a.ws_url}/ws/", additional_headers=headers)
        await third.wait_closed()
        refused = (third.close_code, third.close_reason)
        await held[1].close()
        # The place freed on process b is free on process a too (released on close).
        for _ in range(50):
            again = await connect(f"{a.ws_url}/ws/", additional_headers=headers)
            try:
                frame = json.loads(await again.recv())
            except Exception:
                continue  # the release has not reached Redis yet
            await again.close()
            break
        await held[0].close()
        return refused, frame

    refused, frame = run_async(sockets())
    assert refused[0] == 4430 and "too many connections for this user" in refused[1]
    assert frame["type"] == "hello"
