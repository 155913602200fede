"""Withdrawn access ends across server processes: two real production processes share
PostgreSQL + Redis; a change made through one closes (or unsubscribes) a socket held by the
other, through the user's stream."""

import asyncio
import json
import urllib.request

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from .server import run_async

pytestmark = pytest.mark.system

# Generous: the bound says the close arrives at all, not how fast (machines are noisy).
BOUND = 15


def api(server, method: str, path: str, token: str, body: dict | None = None) -> int:
    request = urllib.request.Request(
        f"{server.url}/api/v1{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def room_made(server, token: str, body: dict) -> str:
    """POST /rooms; the new room's slug (a private one's carries a random suffix)."""
    request = urllib.request.Request(
        f"{server.url}/api/v1/rooms",
        method="POST",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.loads(response.read())["slug"]


async def open_socket(server, path: str, token: str):
    ws = await connect(
        f"{server.ws_url}{path}", additional_headers={"Authorization": f"Bearer {token}"}
    )
    if path == "/ws/":
        assert json.loads(await ws.recv())["type"] == "hello"
    return ws


async def close_code(ws) -> int | None:
    """Read until the server closes the socket; its close code."""
    try:
        async with asyncio.timeout(BOUND):
            async for _ in ws:
                pass
    except ConnectionClosed:
        pass
    return ws.close_code


async def frame_of_type(ws, kind: str) -> dict:
    async with asyncio.timeout(BOUND):
        while True:
            frame = json.loads(await ws.recv())
            if frame.get("type") == kind:
                return frame


def test_a_token_revoked_through_one_process_closes_its_sockets_on_the_other(
    engines, database, start_server
):
    a = start_server(database, engines.redis_url)
    b = start_server(database, engines.redis_url)
    token = engines.tokens["bob"]

    async def scenario():
        v1 = await open_socket(b, "/ws/", token)
        await v1.send(json.dumps({"type": "subscribe", "room": "general"}))
        assert (await frame_of_type(v1, "subscribed"))["room"] == "general"
        tutorial = await open_socket(b, "/ws/chat/general/", token)
        await asyncio.to_thread(api, a, "DELETE", "/auth/token", token)
        return await close_code(v1), await close_code(tutorial)

    assert run_async(scenario()) == (4401, 4401)


def test_a_member_removed_through_one_process_is_unsubscribed_on_the_other(
    engines, database, start_server
):
    a = start_server(database, engines.redis_url)
    b = start_server(database, engines.redis_url)
    alice, bob = engines.tokens["alice"], engines.tokens["bob"]
    ops = room_made(a, alice, {"name": "Ops", "slug": "ops", "private": True})
    assert api(a, "POST", f"/rooms/{ops}/members", alice, {"username": "bob"}) == 201

    async def scenario():
        v1 = await open_socket(b, "/ws/", bob)
        await v1.send(json.dumps({"type": "subscribe", "room": ops}))
        await frame_of_type(v1, "subscribed")
        tutorial = await open_socket(b, f"/ws/chat/{ops}/", bob)
        await asyncio.to_thread(
            api, a, "DELETE", f"/rooms/{ops}/members", alice, {"username": "bob"}
        )
        unsubscribed = await frame_of_type(v1, "unsubscribed")
        await v1.close()
        return unsubscribed, await close_code(tutorial)

    unsubscribed, tutorial_code = run_async(scenario())
    assert unsubscribed == {"type": "unsubscribed", "room": ops, "reason": "removed"}
    assert tutorial_code == 4403
