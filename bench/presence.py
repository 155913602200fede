"""`python -m bench.presence`: what presence costs one server process with 2,000 signed-in
users connected (docs/performance.md, "Presence").

One server process (embedded: memory backend; production: PostgreSQL + Redis, the Redis
backend), one protocol v2 socket per user, each watching `--watch` other users. Three windows,
each `--window` seconds, measure the server's CPU seconds per second (/proc):

- `heartbeat 15 s`: connected and quiet, heartbeats at the default interval;
- `heartbeat 1 s`: the same with heartbeats every second (15x the default), to show their cost;
- `churn`: heartbeats every second and `--churn` users a second going away and back, each
  change told to the sockets that watch them (batched every PARLEY_PRESENCE_BATCH).

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
from .servers import SERVERS, Fixtures, Server


class PresenceFixtures(Fixtures):
    """The benchmark's fixtures, with the server's presence settings set for one window."""

    extra: dict[str, str] = {}

    def parley_env(self, kind, **options) -> dict:
        return {**super().parley_env(kind, **options), **self.extra}


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
    finally:
        fixtures.cleanup()
    return results


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
    args = parser.parse_args(argv)
    modes = ["embedded", "production"] if args.mode == "both" else [args.mode]
    with tempfile.TemporaryDirectory(prefix="parley-presence-bench-") as tmp:
        for mode in modes:
            result = asyncio.run(run_mode(f"parley-{mode}", args, Path(tmp)))
            print(json.dumps(result, indent=2), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
