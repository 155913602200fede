"""Hundreds of sockets on one server process against Redis. channels_redis passes no pool
limit to redis-py, whose asyncio pool then stops at 100 connections with MaxConnectionsError;
config/settings/production.py sets `max_connections`, and the pub/sub layer needs a few
connections a process however many sockets it holds."""

import asyncio
import json
import uuid

import pytest
from websockets.asyncio.client import connect

from .checks import stored
from .server import run_async

pytestmark = pytest.mark.system
SOCKETS = 520


async def open_socket(url: str, token: str, room: str, received: list, expected: int):
    """An open, subscribed socket and the task that reads it; the task ends once `expected`
    messages arrived."""
    ws = await connect(
        f"{url}/ws/", additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=30
    )
    assert json.loads(await ws.recv())["type"] == "hello"
    await ws.send(json.dumps({"type": "subscribe", "room": room}))
    assert json.loads(await ws.recv())["type"] == "subscribed"

    async def read():
        async for text in ws:
            frame = json.loads(text)
            if frame["type"] == "message":
                received.append(frame["seq"])
                if len(received) == expected:
                    return

    return ws, asyncio.create_task(read())


def test_five_hundred_sockets_on_one_process_all_receive_every_message(
    engines, database, start_server
):
    server = start_server(database, engines.redis_url)
    users = list(engines.tokens)

    async def scenario():
        received = [[] for _ in range(SOCKETS)]
        # All at once, as when every client of a restarted server comes back.
        sockets = await asyncio.gather(
            *(
                open_socket(
                    server.ws_url,
                    engines.tokens[users[i % len(users)]],
                    ("general", "random")[i % 2],
                    received[i],
                    expected=20,
                )
                for i in range(SOCKETS)
            )
        )
        # Every socket posts at once into its room, then each reads both rooms' share.
        for i, (ws, _) in enumerate(sockets[:40]):
            await ws.send(
                json.dumps(
                    {
                        "type": "post",
                        "room": ("general", "random")[i % 2],
                        "body": f"hello {i}",
                        "client_id": str(uuid.uuid4()),
                    }
                )
            )
        await asyncio.wait([reader for _, reader in sockets], timeout=30)
        # And all leave at once (a network blip): every consumer leaves its groups together.
        await asyncio.gather(*(ws.close() for ws, _ in sockets))
        await asyncio.sleep(1)
        return received

    received = run_async(scenario())
    assert all(r == list(range(1, 21)) for r in received), sorted({len(r) for r in received})
    assert len(stored(database, "general")) == len(stored(database, "random")) == 20
    log = server.log.read_text()
    assert "MaxConnectionsError" not in log and "Traceback" not in log
    assert server.process.poll() is None
