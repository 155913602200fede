"""Parley under uvicorn vs daphne: the same fan-out load, side by side, one run.

    .venv/bin/python -m bench.experiments.asgi_servers [--receivers 300] [--messages 300] [--rate 100]

Starts each server on a free port (pinned to core 0 with taskset; the load runs on core 1), with
a fresh copy of the benchmark's embedded data directory (bench/servers.py's Fixtures: rate limits
lifted, a token user, the room "bench"); R guests subscribe to one room through /ws/, one token user
posts M messages at RATE/s; reports deliveries, loss, latency p50/p99 and server CPU seconds per
1000 deliveries (from /proc). Loopback only; bounded by M and a 120 s deadline.
"""

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from websockets.asyncio.client import connect

from bench.servers import HOST, PYTHON, ROOT, SERVERS, Fixtures, free_port

CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


async def load(ws_url: str, token: str, receivers: int, messages: int, rate: float) -> dict:
    latencies: list[float] = []
    seen: list[set[int]] = [set() for _ in range(receivers)]

    async def receiver(i: int, ready: asyncio.Event, counter: list[int]):
        async with connect(f"{ws_url}/ws/", compression=None, max_queue=None) as ws:
            await ws.recv()
            await ws.send(json.dumps({"type": "subscribe", "room": "bench"}))
            await ws.recv()
            counter[0] += 1
            if counter[0] == receivers:
                ready.set()
            async for text in ws:
                frame = json.loads(text)
                if frame["type"] == "message":
                    seen[i].add(frame["seq"])
                    latencies.append(time.time() - float(frame["body"]))
                    if len(seen[i]) == messages:
                        return

    ready, counter = asyncio.Event(), [0]
    tasks = [asyncio.create_task(receiver(i, ready, counter)) for i in range(receivers)]
    await asyncio.wait_for(ready.wait(), 60)
    async with connect(
        f"{ws_url}/ws/", additional_headers={"Authorization": f"Bearer {token}"}
    ) as ws:
        await ws.recv()
        start = time.monotonic()
        for n in range(messages):
            await ws.send(
                json.dumps(
                    {
                        "type": "post",
                        "room": "bench",
                        "body": repr(time.time()),
                        "client_id": str(uuid.uuid4()),
                    }
                )
            )
            await asyncio.sleep(max(0, start + (n + 1) / rate - time.monotonic()))
        await asyncio.wait(tasks, timeout=30)
    delivered = sum(len(s) for s in seen)
    latencies.sort()
    return {
        "delivered": delivered,
        "lost": receivers * messages - delivered,
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 1),
    }


def run(server_kind: str, fixtures: Fixtures, args) -> dict:
    port = free_port()
    env = fixtures.fresh(SERVERS["parley-embedded"], port)
    token = fixtures.tokens["parley-embedded"][0]
    if server_kind == "uvicorn":
        command = [PYTHON, "-m", "parley", "serve", "--host", HOST, "--port", str(port)]
    else:
        command = [PYTHON, "-m", "daphne", "-b", HOST, "-p", str(port), "config.asgi:application"]
    process = subprocess.Popen(
        ["taskset", "-c", "0", *command],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection((HOST, port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        time.sleep(1)
        cpu_before = cpu_seconds(process.pid)
        result = asyncio.run(
            load(f"ws://{HOST}:{port}", token, args.receivers, args.messages, args.rate)
        )
        cpu = cpu_seconds(process.pid) - cpu_before
        rss_before = int(
            Path(f"/proc/{process.pid}/status").read_text().split("VmRSS:")[1].split()[0]
        )
        result["cpu_s_per_1000"] = round(cpu / max(1, result["delivered"]) * 1000, 4)
        result["rss_mb"] = round(rss_before / 1024, 1)
        return result
    finally:
        process.terminate()
        process.wait(10)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--receivers", type=int, default=300)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--rate", type=float, default=100)
    args = parser.parse_args()
    os.sched_setaffinity(0, {1})
    fixtures = Fixtures(
        Path(tempfile.mkdtemp(prefix="parley-asgi-servers-")), senders=1, rooms=["bench"]
    )
    try:
        results = {kind: run(kind, fixtures, args) for kind in ("uvicorn", "daphne")}
    finally:
        fixtures.cleanup()
    print(f"{args.receivers} receivers x {args.messages} messages at {args.rate}/s, one room")
    print(
        f"{'server':8} {'delivered':>9} {'lost':>5} {'p50 ms':>7} {'p99 ms':>7} {'CPU s/1000':>10} {'RSS MB':>7}"
    )
    for kind, r in results.items():
        print(
            f"{kind:8} {r['delivered']:>9} {r['lost']:>5} {r['p50_ms']:>7} {r['p99_ms']:>7} "
            f"{r['cpu_s_per_1000']:>10} {r['rss_mb']:>7}"
        )
    u, d = results["uvicorn"], results["daphne"]
    print(f"daphne / uvicorn CPU per delivery: {d['cpu_s_per_1000'] / u['cpu_s_per_1000']:.2f}x")


if __name__ == "__main__":
    main()
