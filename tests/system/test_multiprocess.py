"""Two real server processes on different ports sharing PostgreSQL + Redis: clients on both
exchange messages both ways, in order, nothing lost; a client that moves, or whose process is
killed, resumes exactly on the other."""

import asyncio
import uuid

import pytest

from .chat_client import ChatClient
from .checks import assert_everyone_saw_everything, clients_on, stored
from .engines import USERS
from .server import run_async

pytestmark = pytest.mark.system


def test_clients_on_two_processes_exchange_messages_in_order(engines, database, start_server):
    a = start_server(database, engines.redis_url)
    b = start_server(database, engines.redis_url)

    async def scenario():
        clients = await clients_on([a, b], engines.tokens, USERS)

        async def chat(client: ChatClient):
            for i in range(25):
                await client.post("general", f"{client.name} says {i}")

        await asyncio.gather(*(chat(c) for c in clients))
        total = 25 * len(clients)
        await asyncio.gather(*(c.wait_for_seq("general", total) for c in clients))
        await asyncio.sleep(0.3)  # nothing more arrives
        for client in clients:
            await client.stop()
        return clients

    clients = run_async(scenario())
    assert {c.url for c in clients} == {a.ws_url, b.ws_url}
    assert len(stored(database)) == 25 * len(USERS)
    assert_everyone_saw_everything(clients, database)


def test_a_retry_reaching_the_other_process_returns_the_same_seq(engines, database, start_server):
    a = start_server(database, engines.redis_url)
    b = start_server(database, engines.redis_url)

    async def scenario():
        on_a = await ChatClient("alice-a", engines.tokens["alice"], [a.ws_url]).start()
        on_b = await ChatClient("alice-b", engines.tokens["alice"], [b.ws_url]).start()
        watcher = await ChatClient("bob", engines.tokens["bob"], [b.ws_url]).start()
        await watcher.subscribe("general")
        client_id = str(uuid.uuid4())
        first = await on_a.post_once("general", "once", client_id)
        retried = await on_b.post_once("general", "once", client_id)
        await watcher.wait_for_seq("general", first["seq"])
        await asyncio.sleep(0.5)
        for client in (on_a, on_b, watcher):
            await client.stop()
        return first, retried, watcher

    first, retried, watcher = run_async(scenario())
    assert first["type"] == retried["type"] == "ack"
    assert (retried["seq"], retried["id"]) == (first["seq"], first["id"])
    assert len(stored(database)) == 1
    assert watcher.seqs("general") == [first["seq"]], "broadcast once"


def test_a_client_moved_to_the_other_process_resumes_exactly(engines, database, start_server):
    a = start_server(database, engines.redis_url)
    b = start_server(database, engines.redis_url)

    async def scenario():
        mover = await ChatClient("alice", engines.tokens["alice"], [a.ws_url, b.ws_url]).start()
        await mover.subscribe("general")
        poster = await ChatClient("bob", engines.tokens["bob"], [b.ws_url]).start()
        await poster.subscribe("general")
        for i in range(10):
            await poster.post("general", f"before {i}")
        await mover.wait_for_seq("general", 10)
        await mover.move_to(1)  # close, and reconnect to b with since=10
        for i in range(10):  # some of these land while the mover is away
            await poster.post("general", f"after {i}")
        await mover.wait_for_seq("general", 20)
        await mover.post("general", "back")  # and it speaks from b
        await poster.wait_for_seq("general", 21)
        await asyncio.sleep(0.3)
        await mover.stop()
        await poster.stop()
        return mover, poster

    mover, poster = run_async(scenario())
    assert mover.connects == 2 and mover.url == b.ws_url
    assert_everyone_saw_everything([mover, poster], database)


def test_clients_of_a_killed_process_resume_on_the_other(engines, database, start_server):
    a = start_server(database, engines.redis_url)
    b = start_server(database, engines.redis_url)

    async def scenario():
        clients = await clients_on([a, b], engines.tokens, USERS)
        on_a = [c for c in clients if c.url == a.ws_url]
        posted, sixty = 0, asyncio.Event()

        async def chat(client: ChatClient, count: int):
            nonlocal posted
            for i in range(count):
                await client.post("general", f"{client.name} says {i}")
                posted += 1
                if posted == 60:
                    sixty.set()
                await asyncio.sleep(0.01)

        talk = asyncio.gather(*(chat(c, 30) for c in clients))
        await sixty.wait()
        a.kill()  # SIGKILL: its clients reconnect to b, resume, and retry what was not acked
        await talk
        total = 30 * len(clients)
        await asyncio.gather(*(c.wait_for_seq("general", total) for c in clients))
        await asyncio.sleep(0.3)
        for client in clients:
            await client.stop()
        return clients, on_a

    clients, on_a = run_async(scenario())
    assert a.process.returncode == -9 and b.process.poll() is None
    assert on_a and all(c.connects == 2 and c.url == b.ws_url for c in on_a)
    assert len(stored(database)) == 30 * len(USERS)
    assert_everyone_saw_everything(clients, database)


def test_a_tutorial_name_opened_on_one_process_reaches_sockets_waiting_on_another(
    engines, database, start_server
):
    import json

    from websockets.asyncio.client import connect

    a = start_server(database, engines.redis_url)
    b = start_server(database, engines.redis_url)
    name = f"fresh-{uuid.uuid4().hex[:8]}"
    tokens = list(engines.tokens.values())
    headers = [{"Authorization": f"Bearer {token}"} for token in tokens[:2]]

    async def scenario():
        async with connect(f"{b.ws_url}/ws/chat/{name}/", additional_headers=headers[1]) as waiting:
            async with connect(
                f"{a.ws_url}/ws/chat/{name}/", additional_headers=headers[0]
            ) as opener:
                await opener.send(json.dumps({"message": "the first message opens it"}))
                heard = json.loads(await asyncio.wait_for(waiting.recv(), 10))
                assert heard == {"message": "the first message opens it"}
                await waiting.send(json.dumps({"message": "and back"}))
                for expected in ("the first message opens it", "and back"):
                    heard = json.loads(await asyncio.wait_for(opener.recv(), 10))
                    assert heard == {"message": expected}

    run_async(scenario())
