"""Faults on the real engines: Redis stops or restarts empty, PostgreSQL goes away. Servers
stay up, nothing is acknowledged that is not stored, and every client ends with every message
exactly once, in order. The engines broken here are private ones (tests/system/engines.py)."""

import asyncio
import uuid

import pytest

from .chat_client import ChatClient
from .checks import assert_everyone_saw_everything, clients_on, stored
from .engines import USERS, Databases
from .server import run_async

pytestmark = pytest.mark.system


@pytest.mark.parametrize("outage", [False, True], ids=["restart-empty", "stopped-while-posting"])
def test_redis_outage_loses_nothing(engines, database, private_redis, start_server, outage):
    """Redis is killed and restarted empty (every subscription gone), either at once or after
    posts were made without it. The last posts are made as it comes back and nothing follows
    them, so only the layer's recovery (not a later message's gap check) can deliver them. A
    socket that connects and subscribes while Redis is away hears everything too."""
    a = start_server(database, private_redis.url)
    b = start_server(database, private_redis.url)

    async def scenario():
        posters = await clients_on([a, b], engines.tokens, USERS[:4])
        clients = list(posters)

        async def everyone_posts(count: int, label: str):
            async def chat(client: ChatClient):
                for i in range(count):
                    await client.post("general", f"{client.name} {label} {i}", deadline=10)

            await asyncio.gather(*(chat(c) for c in posters))

        await everyone_posts(10, "before")
        private_redis.kill()
        if outage:
            await everyone_posts(10, "during")  # acknowledged: stored, not broadcast
            late = await ChatClient("late", engines.tokens["erin"], [b.ws_url]).start()
            await late.subscribe("general", since=0)
            clients.append(late)
            await asyncio.sleep(1.5)
        await asyncio.to_thread(private_redis.start)
        await everyone_posts(2, "after")
        total = (22 if outage else 12) * len(posters)
        await asyncio.gather(*(c.wait_for_seq("general", total) for c in clients))
        await asyncio.sleep(0.5)  # and nothing more arrives
        for client in clients:
            await client.stop()
        return clients, total

    clients, total = run_async(scenario())
    assert a.process.poll() is None and b.process.poll() is None, "the servers stayed up"
    assert all(c.connects == 1 for c in clients), "no client had to reconnect"
    assert sum(c.unavailable for c in clients) == 0, "Redis away never fails a post"
    assert len(stored(database)) == total
    assert_everyone_saw_everything(clients, database)
    logs = a.log.read_text() + b.log.read_text()
    assert "Redis is unavailable" in logs and "Redis is back" in logs


def test_postgres_outage_answers_unavailable_and_recovers_without_restart(
    engines, private_postgres, start_server
):
    databases = Databases(private_postgres.url, engines.redis_url)
    database = databases.prepare().create()
    a = start_server(database, engines.redis_url)

    async def scenario():
        poster = await ChatClient("alice", databases.tokens["alice"], [a.ws_url]).start()
        reader = await ChatClient("bob", databases.tokens["bob"], [a.ws_url]).start()
        for client in (poster, reader):
            await client.subscribe("general")
        for i in range(5):
            await poster.post("general", f"before {i}")

        await asyncio.to_thread(private_postgres.stop)
        refused = [str(uuid.uuid4()) for _ in range(3)]
        answers = [
            await poster.request(
                {"type": "post", "room": "general", "body": "lost?", "client_id": c}
            )
            for c in refused
        ]
        history = await reader.request({"type": "history", "room": "general"})

        await asyncio.to_thread(private_postgres.start)
        retried = await poster.post("general", "lost?", client_id=refused[0], deadline=30)
        for i in range(5):
            await poster.post("general", f"after {i}")
        await reader.wait_for_seq("general", 11)
        await asyncio.sleep(0.3)
        for client in (poster, reader):
            await client.stop()
        return poster, reader, refused, answers, history, retried

    poster, reader, refused, answers, history, retried = run_async(scenario())
    assert [(f["type"], f["code"]) for f in answers] == [("error", "unavailable")] * 3
    assert (history["type"], history["code"]) == ("error", "unavailable")
    assert retried["seq"] == 6
    rows = stored(database)
    assert [seq for seq, _, _ in rows] == list(range(1, 12))
    stored_ids = {client_id for _, _, client_id in rows}
    assert refused[0] in stored_ids and not stored_ids & set(refused[1:]), "no row without an ack"
    assert a.process.poll() is None and poster.connects == reader.connects == 1
    assert_everyone_saw_everything([poster, reader], database)
