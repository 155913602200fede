"""`python -m bench.presence`: what presence costs one server process with 2,000 signed-in
users connected (docs/performance.md, "Presence").

One server process (embedded: memory backend; production: PostgreSQL + Redis, the Redis
backend), one protocol v2 socket per user, each watching `--watch` other users. Three windows,
each `--window` seconds, measure the server's CPU seconds per second (/proc):

- `heartbeat 15 s`: connected and quiet, heartbeats at the default interval;
- `heartbeat 1 s`: the same with heartbeats every second (15x the default), to show their cost;
- `churn`: heartbeats every second and `--churn` users a second going away and back, each
  change told to the sockets that watch them (batched every PARLEY_PRESENCE_BATCH).

In production mode it then measures how long a change takes from one process to another: a
user's socket on process A says `away`/`online` `--hops` times, and a socket on process B that
watches them times each change's `presence` frame (batching set to 1 ms, so the figure is the
transport's: the backend call, the layer group's PUBLISH, the write).

    python -m bench.presence                       # both modes, 2,000 users (about 3 minutes)
    python -m bench.presence --mode embedded --users 500 --window 5
"""

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from . import procstat
from .client import WsConn, open_conn
from .servers import HOST, PYTHON, ROOT, SERVERS, Fixtures, Server


class PresenceFixtures(Fixtures):
    """The benchmark's fixtures, with the server's presence settings set for one window."""

    extra: dict[str, str] = {}

    def parley_env(self, kind, **options) -> dict:
        return {**super().parley_env(kind, **options), **self.extra}


class FirstServer(Server):
    """A server on a fresh copy of the fixtures, whose environment a twin can share."""

    env: dict = {}

    def command(self):
        cmd, cwd, self.env = super().command()
        return cmd, cwd, self.env


class TwinServer(Server):
    """A second process on the first one's database and Redis (as `make serve` runs several)."""

    def __init__(self, first: FirstServer, *, log: Path):
        super().__init__(first.kind, first.fixtures, log=log, cpu=None)
        self.first = first

    def command(self):
        cmd = [PYTHON, "-m", "parley", "serve", "--host", HOST, "--port", str(self.port)]
        return cmd, ROOT, self.first.env


class Clients:
    def __init__(self, count: int):
        self.frames = 0  # `presence` frames received
        self.users = 0  # user states they carried
        self.hellos, self.count = 0, count
        self.greeted = asyncio.Event()  # every socket read its hello

    def on_text(self, conn: WsConn, data: bytes) -> None:
        if data.startswith(b'{"type":"hello"'):
            conn.tag = json.loads(data)["user"]["id"]  # the socket's user id
            self.hellos += 1
            if self.hellos == self.count:
                self.greeted.set()
        elif data.startswith(b'{"type":"presence"'):
            self.frames += 1
            self.users += len(json.loads(data)["users"])


async def connect(url: str, tokens: list[str], clients: Clients) -> list[WsConn]:
    conns: list[WsConn] = []
    for start in range(0, len(tokens), 100):
        conns += await asyncio.gather(
            *(
                open_conn(
                    f"{url}/ws/?protocol=2",
                    on_text=clients.on_text,
                    headers={"Authorization": f"Bearer {token}"},
                    deflate=False,
                )
                for token in tokens[start : start + 100]
            )
        )
    return conns


async def measure(server: Server, seconds: float, during=None) -> float:
    """The server's CPU seconds per second over `seconds` (running `during` meanwhile)."""
    cpu, wall = server.cpu_seconds(), time.monotonic()
    task = asyncio.ensure_future(during()) if during else None
    await asyncio.sleep(seconds)
    if task:
        task.cancel()
    return (server.cpu_seconds() - cpu) / (time.monotonic() - wall)


async def run_mode(kind_name: str, args, workdir: Path) -> dict:
    fixtures = PresenceFixtures(workdir / kind_name, senders=args.users, rooms=["presence"])
    results: dict = {"mode": kind_name, "users": args.users, "watch": args.watch}
    try:
        for label, heartbeat in (("heartbeat 15 s", "15"), ("heartbeat 1 s", "1")):
            fixtures.extra = {
                "PARLEY_PRESENCE_HEARTBEAT": heartbeat,
                "PARLEY_PRESENCE_TTL": str(3 * float(heartbeat)),
            }
            server = Server(
                SERVERS[kind_name], fixtures, log=workdir / f"{kind_name}-{heartbeat}.log", cpu=None
            ).start()
            try:
                results.update(await windows(server, fixtures, kind_name, label, args))
            finally:
                server.stop()
        if kind_name == "parley-production":
            results.update(await across_processes(fixtures, kind_name, args, workdir))
    finally:
        fixtures.cleanup()
    return results


async def across_processes(fixtures: Fixtures, kind_name: str, args, workdir: Path) -> dict:
    fixtures.extra = {"PARLEY_PRESENCE_BATCH": "0.001"}
    a = FirstServer(SERVERS[kind_name], fixtures, log=workdir / "hop-a.log", cpu=None).start()
    b = TwinServer(a, log=workdir / "hop-b.log").start()
    try:
        tokens = fixtures.tokens[kind_name]
        told: asyncio.Queue[float] = asyncio.Queue()
        mover_id: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def on_text(conn: WsConn, data: bytes) -> None:
            frame = json.loads(data)
            if frame["type"] == "hello" and conn.tag == "mover":
                mover_id.set_result(frame["user"]["id"])
            elif frame["type"] == "presence" and "ref" not in frame:
                told.put_nowait(time.perf_counter())

        headers = [{"Authorization": f"Bearer {token}"} for token in tokens[:2]]
        mover = await open_conn(
            f"{a.url}/ws/?protocol=2", on_text=on_text, headers=headers[0], tag="mover"
        )
        watcher = await open_conn(
            f"{b.url}/ws/?protocol=2", on_text=on_text, headers=headers[1], tag="watcher"
        )
        watched = [await asyncio.wait_for(mover_id, 10)]
        watcher.send_text(json.dumps({"type": "presence_watch", "users": watched}))
        await asyncio.sleep(1)
        hops = []
        for i in range(args.hops):
            state = "away" if i % 2 == 0 else "online"
            sent = time.perf_counter()
            mover.send_text(json.dumps({"type": "presence", "state": state}))
            hops.append((await asyncio.wait_for(told.get(), 10)) - sent)
        mover.close()
        watcher.close()
        hops.sort()
        return {
            "across processes: changes": len(hops),
            "across processes: median ms": round(1000 * hops[len(hops) // 2], 2),
            "across processes: p95 ms": round(1000 * hops[int(len(hops) * 0.95)], 2),
        }
    finally:
        b.stop()
        a.stop()


async def windows(server: Server, fixtures: Fixtures, kind_name: str, label: str, args) -> dict:
    tokens = fixtures.tokens[kind_name]
    clients = Clients(len(tokens))
    conns = await connect(server.url, tokens, clients)
    await asyncio.wait_for(clients.greeted.wait(), 60)
    ids = [conn.tag for conn in conns]
    for i, conn in enumerate(conns):
        watched = [ids[(i + k) % len(ids)] for k in range(1, args.watch + 1)]
        conn.send_text(json.dumps({"type": "presence_watch", "users": watched}))
    await asyncio.sleep(3)  # connects and watch answers settle
    found = {
        f"{label}: cpu s/s": round(await measure(server, args.window), 4),
        f"{label}: rss MB": round(procstat.rss_bytes(server.pid) / 2**20, 1),
    }
    if label == "heartbeat 1 s":
        frames, users = clients.frames, clients.users

        async def churn():
            rng = random.Random(1)
            away: set[int] = set()
            while True:
                for i in rng.sample(range(len(conns)), args.churn):
                    state = "online" if i in away else "away"
                    away.symmetric_difference_update({i})
                    conns[i].send_text(json.dumps({"type": "presence", "state": state}))
                await asyncio.sleep(1)

        found["churn: cpu s/s"] = round(await measure(server, args.window, churn), 4)
        found["churn: changes/s"] = args.churn
        found["churn: presence frames/s"] = round((clients.frames - frames) / args.window, 1)
        found["churn: user states told/s"] = round((clients.users - users) / args.window, 1)
    for conn in conns:
        conn.close()
    await asyncio.sleep(1)
    return found


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.presence", description=__doc__)
    parser.add_argument("--mode", choices=["embedded", "production", "both"], default="both")
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--watch", type=int, default=50, help="users each socket watches")
    parser.add_argument("--churn", type=int, default=20, help="users changing state a second")
    parser.add_argument("--window", type=float, default=20.0, help="seconds per measurement")
    parser.add_argument("--hops", type=int, default=100, help="changes timed across processes")
    args = parser.parse_args(argv)
    modes = ["embedded", "production"] if args.mode == "both" else [args.mode]
    with tempfile.TemporaryDirectory(prefix="parley-presence-bench-") as tmp:
        for mode in modes:
            result = asyncio.run(run_mode(f"parley-{mode}", args, Path(tmp)))
            print(json.dumps(result, indent=2), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
