"""RedisChannelLayer against RedisPubSubChannelLayer under Parley's load, loopback only.

    .venv/bin/python -m bench.experiments.channel_layers [--processes 2] [--sockets 500] [--rooms 20]

It starts its own redis-server on a free loopback port (or uses --redis-url), then, for each
layer, starts `--processes` server-like processes holding `--sockets` consumers each. Every
consumer does what a Parley socket does: `new_channel`, `group_add` for a busy room that every
socket is in ("general") and for one of `--rooms` small rooms, then `receive` in a loop. Each
process posts like Parley does (one `group_send` at a time per process, from the thread that
committed): a steady phase at `--rate` events a second in total (10% to general), then a burst
of `--burst` events per process as fast as the layer takes them. Events have the shape and size
of Parley's `room.message` event.

Reported per layer: time for every socket to join, join errors; for each phase, events
delivered / expected, delivery latency (p50, p99, max), the posting rate reached, and Redis CPU
seconds per 1000 events. A join check with redis-py's default pool (100 connections) shows
why `max_connections` must be set. docs/deployment.md quotes a run.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections import Counter

LAYERS = {
    "core": "channels_redis.core.RedisChannelLayer",
    "pubsub": "channels_redis.pubsub.RedisPubSubChannelLayer",
}
FRAME = json.dumps(
    {
        "type": "message",
        "room": "general",
        "seq": 0,
        "id": 0,
        "author": {"id": 1, "username": "someone", "display_name": "Some One"},
        "body": "x" * 120,
        "created_at": "2026-01-01T00:00:00.000000+00:00",
        "client_id": "6f1c2b0e-8a51-4c59-9b6e-2c9d1f0a7e11",
    }
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_layer(kind: str, url: str, max_connections: int | None):
    from django.utils.module_loading import import_string

    host = {"address": url}
    if max_connections:
        host["max_connections"] = max_connections
    config = {"hosts": [host]}
    if kind == "core":
        config.update(capacity=1000, expiry=60, group_expiry=86400)
    return import_string(LAYERS[kind])(**config)


def room_of(process: int, index: int, sockets: int, rooms: int) -> str:
    return f"room.{(process * sockets + index) % rooms}"


async def run_process(args, process: int, barrier, results) -> None:
    layer = make_layer(args.layer, args.redis_url, args.max_connections)
    received: Counter = Counter()  # phase -> deliveries
    latencies: dict[str, list[float]] = {"steady": [], "burst": []}

    async def join(index: int):
        channel = await layer.new_channel()
        await layer.group_add("general", channel)
        await layer.group_add(room_of(process, index, args.sockets, args.rooms), channel)
        return channel

    started = time.monotonic()
    joined = await asyncio.gather(*(join(i) for i in range(args.sockets)), return_exceptions=True)
    join_seconds = time.monotonic() - started
    errors = Counter(type(c).__name__ for c in joined if isinstance(c, BaseException))
    channels = [c for c in joined if isinstance(c, str)]

    async def consume(channel: str):
        while True:
            try:
                event = await layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # a layer failure ends this consumer, as in Channels
                errors[f"receive {type(error).__name__}"] += 1
                return
            received[event["phase"]] += 1
            latencies[event["phase"]].append(time.time() - event["t"])

    consumers = [asyncio.ensure_future(consume(c)) for c in channels]
    sent: Counter = Counter()  # (phase, room) -> events
    post_seconds = {}

    async def post(phase: str, n: int, seq: int):
        room = "general" if random.random() < 0.1 else f"room.{random.randrange(args.rooms)}"
        event = {
            "type": "room.message",
            "room_id": 1,
            "seq": seq,
            "frame": FRAME,
            "tutorial": FRAME[:140],
            "phase": phase,
            "t": time.time(),
        }
        await layer.group_send(room, event)
        sent[(phase, room)] += 1

    await asyncio.to_thread(barrier.wait)
    # Steady: this process's share of --rate, paced.
    interval = args.processes / args.rate
    count = int(args.seconds * args.rate / args.processes)
    started = time.monotonic()
    for n in range(count):
        await post("steady", n, n)
        delay = started + (n + 1) * interval - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
    post_seconds["steady"] = time.monotonic() - started
    await asyncio.sleep(2)
    await asyncio.to_thread(barrier.wait)
    started = time.monotonic()
    for n in range(args.burst):
        await post("burst", n, n)
    post_seconds["burst"] = time.monotonic() - started
    await asyncio.sleep(3)  # drain
    await asyncio.to_thread(barrier.wait)
    for task in consumers:
        task.cancel()
    await asyncio.gather(*consumers, return_exceptions=True)
    results.put(
        {
            "process": process,
            "join_seconds": join_seconds,
            "errors": dict(errors),
            "joined": len(channels),
            "received": dict(received),
            "post_seconds": post_seconds,
            "sent": [[phase, room, n] for (phase, room), n in sent.items()],
            "latencies": latencies,
        }
    )


def process_main(args, process, barrier, results):
    asyncio.run(run_process(args, process, barrier, results))


def redis_cpu(url: str) -> float:
    import redis

    info = redis.Redis.from_url(url).info("cpu")
    return info["used_cpu_sys"] + info["used_cpu_user"]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def run_layer(args) -> dict:
    import redis

    redis.Redis.from_url(args.redis_url).flushall()
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(args.processes)
    results = context.Queue()
    cpu_before = redis_cpu(args.redis_url)
    workers = [
        context.Process(target=process_main, args=(args, p, barrier, results))
        for p in range(args.processes)
    ]
    for worker in workers:
        worker.start()
    reports = [results.get(timeout=args.seconds + 120) for _ in workers]
    for worker in workers:
        worker.join()
    cpu = redis_cpu(args.redis_url) - cpu_before
    members = Counter()
    for p in range(args.processes):
        for i in range(args.sockets):
            members["general"] += 1
            members[room_of(p, i, args.sockets, args.rooms)] += 1
    summary = {
        "layer": args.layer,
        "max_connections": args.max_connections,
        "sockets": sum(r["joined"] for r in reports),
        "join_seconds": max(r["join_seconds"] for r in reports),
        "errors": dict(sum((Counter(r["errors"]) for r in reports), Counter())),
        "redis_cpu_seconds": round(cpu, 2),
    }
    for phase in ("steady", "burst"):
        events = sum(n for r in reports for ph, _, n in r["sent"] if ph == phase)
        expected = sum(
            members[room] * n for r in reports for ph, room, n in r["sent"] if ph == phase
        )
        delivered = sum(r["received"].get(phase, 0) for r in reports)
        lat = [x for r in reports for x in r["latencies"][phase]]
        seconds = max(r["post_seconds"][phase] for r in reports)
        summary[phase] = {
            "events": events,
            "delivered": delivered,
            "expected": expected,
            "posts_per_second": round(events / seconds) if seconds else None,
            "p50_ms": round(1000 * percentile(lat, 0.5), 1),
            "p99_ms": round(1000 * percentile(lat, 0.99), 1),
            "max_ms": round(1000 * max(lat), 1) if lat else None,
            "mean_ms": round(1000 * statistics.fmean(lat), 1) if lat else None,
        }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--sockets", type=int, default=500, help="per process")
    parser.add_argument("--rooms", type=int, default=20)
    parser.add_argument("--rate", type=float, default=200, help="steady events/s, all processes")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--burst", type=int, default=1000, help="events per process")
    parser.add_argument("--layers", default="core,pubsub")
    parser.add_argument("--redis-url", help="default: a private redis-server on a free port")
    parser.add_argument("--skip-default-pool", action="store_true")
    args = parser.parse_args()

    server = None
    if args.redis_url is None:
        port, workdir = free_port(), tempfile.mkdtemp(prefix="parley-bench-redis-")
        server = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                workdir,
            ],
            stdout=subprocess.DEVNULL,
        )
        args.redis_url = f"redis://127.0.0.1:{port}/0"
        time.sleep(0.3)
    results = []
    try:
        for kind in args.layers.split(","):
            pools = [1000] if args.skip_default_pool else [None, 1000]
            for max_connections in pools:
                run = argparse.Namespace(**vars(args), layer=kind, max_connections=max_connections)
                if max_connections is None:  # the default pool: only the join matters
                    run.seconds, run.burst = 1, 10
                summary = run_layer(run)
                results.append(summary)
                print(json.dumps(summary), flush=True)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
    os.makedirs("bench/results", exist_ok=True)
    path = f"bench/results/channel_layers-{time.strftime('%Y%m%d-%H%M%S')}.json"
    with open(path, "w") as out:
        json.dump({"args": vars(args), "results": results}, out, indent=2)
    print(f"written to {path}")


if __name__ == "__main__":
    main()
