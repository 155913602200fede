"""Presence on PostgreSQL + Redis across two real server processes: a user's sockets on both
combine, changes made on one reach watchers on the other, and the users of a process killed
with SIGKILL show offline once their entries' TTL has passed (docs/protocol.md, "Presence")."""

import asyncio
import json
import os
import uuid

import pytest
import redis
from websockets.asyncio.client import connect

from .server import run_async

pytestmark = pytest.mark.system

# Quick heartbeats and a short TTL, so that a killed process's users expire within seconds.
PRESENCE = {
    "PARLEY_PRESENCE_HEARTBEAT": "0.5",
    "PARLEY_PRESENCE_TTL": "2",
    "PARLEY_PRESENCE_BATCH": "0.1",
}


class Client:
    def __init__(self, ws, user_id: int):
        self.ws, self.id = ws, user_id

    @classmethod
    async def open(cls, server, token: str) -> "Client":
        ws = await connect(
            f"{server.ws_url}/ws/?protocol=2",
            additional_headers={"Authorization": f"Bearer {token}"},
            open_timeout=5,
        )
        hello = json.loads(await ws.recv())
        assert json.loads(await ws.recv())["type"] == "ready"
        return cls(ws, hello["user"]["id"])

    async def send(self, **frame) -> None:
        await self.ws.send(json.dumps(frame))

    async def say(self, state: str) -> None:
        """Send `presence` and wait until its server has handled it."""
        await self.send(type="presence", state=state)
        await self.send(type="ping", ref="sync")
        while json.loads(await asyncio.wait_for(self.ws.recv(), 10)).get("ref") != "sync":
            pass

    async def presence(self, ref: str | None = None) -> dict[int, str]:
        while True:
            frame = json.loads(await asyncio.wait_for(self.ws.recv(), 20))
            if frame["type"] == "presence" and frame.get("ref") == ref:
                return {int(user): state for user, state in frame["users"].items()}

    async def watch(self, *users: "Client | int") -> dict[int, str]:
        ids = [user.id if isinstance(user, Client) else user for user in users]
        await self.send(type="presence_watch", users=ids, ref="w")
        return await self.presence("w")

    async def until(self, expected: dict[int, str]) -> None:
        """Read changes until the watched users are as expected (several frames may carry it)."""
        seen: dict[int, str] = {}
        while any(seen.get(user) != state for user, state in expected.items()):
            seen.update(await self.presence())


def test_presence_combines_across_processes_and_a_killed_process_goes_offline(
    engines, database, start_server
):
    prefix = f"parley-system-{os.getpid()}-{uuid.uuid4().hex[:8]}:"
    env = {**PRESENCE, "PARLEY_REDIS_PREFIX": prefix}
    a = start_server(database, engines.redis_url, **env)
    b = start_server(database, engines.redis_url, **env)
    tokens = engines.tokens

    async def scenario():
        watcher = await Client.open(b, tokens["alice"])
        bob_a = await Client.open(a, tokens["bob"])
        bob_b = await Client.open(b, tokens["bob"])
        carol_a = await Client.open(a, tokens["carol"])
        dave = (await Client.open(b, tokens["dave"])).id  # connects once, on b
        states = await watcher.watch(bob_a, carol_a, dave)
        assert states == {bob_a.id: "online", carol_a.id: "online", dave: "online"}

        # bob is away only once both of his sockets, one per process, are.
        await bob_b.say("away")
        assert (await watcher.watch(bob_a, carol_a))[bob_a.id] == "online"
        await bob_a.say("away")  # said on a, told to the watcher on b
        await watcher.until({bob_a.id: "away"})
        await bob_a.say("online")
        await watcher.until({bob_a.id: "online"})

        # a dies without closing its sockets: after the TTL its entries expire. carol had only
        # a socket there: offline; bob still has his away socket on b.
        a.kill()
        await watcher.until({carol_a.id: "offline", bob_a.id: "away"})
        await bob_b.ws.close()
        await watcher.until({bob_a.id: "offline"})
        await watcher.ws.close()

    try:
        run_async(scenario())
    finally:
        client = redis.Redis.from_url(engines.redis_url)
        keys = list(client.scan_iter(match=prefix + "*", count=1000))
        if keys:
            client.delete(*keys)
