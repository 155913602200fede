"""`python -m parley serve` on the production settings (what `make serve` runs): several worker
processes behind one port. Clients land on different workers and still hear each other; when a
worker is killed, uvicorn's supervisor replaces it and its clients resume exactly."""

import asyncio
import os
import time
from pathlib import Path

import pytest

from .chat_client import ChatClient
from .checks import assert_everyone_saw_everything, stored
from .engines import USERS
from .server import run_async

pytestmark = pytest.mark.system


def workers_of(supervisor: int) -> set[int]:
    """The supervisor's worker processes (multiprocessing spawns them)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if (
                int(fields[1]) == supervisor
                and b"spawn_main" in (stat.parent / "cmdline").read_bytes()
            ):
                found.add(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def worker_holding(port: int, client_port: int, workers: set[int]) -> int | None:
    """Which worker holds the server side of the connection from `client_port`."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, remote = (int(f.rsplit(":", 1)[1], 16) for f in fields[1:3])
            if (local, remote) == (port, client_port):
                inode = fields[9]
    for pid in workers:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
            except OSError:
                continue
    return None


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc")
def test_workers_share_one_port_and_a_killed_worker_is_replaced(engines, database, start_server):
    server = start_server(database, engines.redis_url, PARLEY_WORKERS="2")
    deadline = time.monotonic() + 20
    while len(workers := workers_of(server.process.pid)) < 2:
        assert time.monotonic() < deadline, "two workers started"
        time.sleep(0.1)

    async def scenario():
        clients, placed = [], {}
        while len(set(placed.values())) < 2 or len(clients) < len(USERS):
            assert len(clients) < 40, "the kernel spread connections over both workers"
            name = USERS[len(clients) % len(USERS)]
            client = await ChatClient(
                f"{name}{len(clients)}", engines.tokens[name], [server.ws_url]
            ).start()
            await client.subscribe("general")
            clients.append(client)
            placed[client.name] = worker_holding(server.port, client.ws.local_address[1], workers)
        for i, client in enumerate(clients):
            await client.post("general", f"first {i}")
        victim = placed[clients[0].name]
        os.kill(victim, 9)
        for i, client in enumerate(clients):  # the victim's clients reconnect and retry
            await client.post("general", f"second {i}")
        total = 2 * len(clients)
        await asyncio.gather(*(c.wait_for_seq("general", total) for c in clients))
        await asyncio.sleep(0.3)
        for client in clients:
            await client.stop()
        return clients, placed, victim

    clients, placed, victim = run_async(scenario())
    moved = [c for c in clients if placed[c.name] == victim]
    assert moved and all(c.connects == 2 for c in moved)
    assert all(c.connects == 1 for c in clients if placed[c.name] != victim)
    assert len(stored(database)) == 2 * len(clients)
    assert_everyone_saw_everything(clients, database)
    assert server.process.poll() is None
    deadline = time.monotonic() + 20
    while len(replaced := workers_of(server.process.pid)) < 2:
        assert time.monotonic() < deadline, "the supervisor replaced the killed worker"
        time.sleep(0.1)
    assert victim not in replaced
