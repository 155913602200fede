"""The HTTP server as `parley serve` runs it: connections that trickle their request head are
closed after PARLEY_HEADER_TIMEOUT while a normal client is served; no `Server` header; JSON
logs with request ids and no line per accepted socket; metrics added up across workers."""

import asyncio
import json
import time
import urllib.request

import pytest
import websockets
from prometheus_client.mmap_dict import MmapedDict, mmap_key

from .server import ParleyServer, run_async

pytestmark = pytest.mark.system

TRICKLERS = 500
HEAD_TIMEOUT = 2.0
METRICS_TOKEN = "system-test-metrics-token"


def get(url: str, **headers: str):
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


async def trickle(port: int, opened: asyncio.Event, stop: asyncio.Event) -> bool:
    """A request head sent a byte every half second, never finished; True when the server
    closed the connection before `stop`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        await writer.drain()
        opened.set()
        while not stop.is_set():
            writer.write(b"X")
            await writer.drain()
            try:
                if await asyncio.wait_for(reader.read(1), 0.5) == b"":
                    return True
            except TimeoutError:
                continue
        return False
    except ConnectionError:
        return True
    finally:
        writer.close()


@pytest.fixture
def server(tmp_path):
    server = ParleyServer(
        tmp_path,
        env={
            "PARLEY_HEADER_TIMEOUT": str(HEAD_TIMEOUT),
            "PARLEY_LOG_FORMAT": "json",
            "PARLEY_METRICS_TOKEN": METRICS_TOKEN,
        },
    )
    server.migrate()
    yield server.start()
    server.stop()


def test_trickling_connections_are_closed_and_a_normal_client_is_served(server):
    async def scenario():
        stop = asyncio.Event()
        opened = [asyncio.Event() for _ in range(TRICKLERS)]
        tricklers = [asyncio.ensure_future(trickle(server.port, o, stop)) for o in opened]
        await asyncio.wait_for(asyncio.gather(*(o.wait() for o in opened)), 30)
        status, headers, _ = await asyncio.to_thread(get, f"{server.url}/healthz")
        # Well past the head timeout, but bounded: a trickler the server kept is a failure.
        done, _ = await asyncio.wait(tricklers, timeout=HEAD_TIMEOUT + 20)
        stop.set()
        closed = sum(1 for t in done if t.result())
        await asyncio.gather(*tricklers, return_exceptions=True)
        return status, headers, closed

    status, headers, closed = run_async(scenario())
    assert status == 200
    assert closed == TRICKLERS
    assert "server" not in {name.lower() for name in headers}
    # The server is still itself afterwards.
    assert get(f"{server.url}/healthz")[0] == 200


def test_json_logs_name_the_request_and_skip_accepted_sockets(server):
    assert get(f"{server.url}/no-such-page/")[0] == 404

    async def connect():
        async with websockets.connect(f"{server.ws_url}/ws/", origin=None) as socket:
            await socket.recv()  # hello

    run_async(connect())
    time.sleep(0.5)
    lines = [line for line in server.log.read_text().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    not_found = [r for r in records if r["message"].startswith("Not Found: /no-such-page/")]
    assert len(not_found) == 1 and len(not_found[0]["request_id"]) == 16
    assert not any("WebSocket" in r["message"] or "connection" in r["message"] for r in records)
    started = [
        line for line in server.log.read_text().splitlines() if "Started server process" in line
    ]
    assert started and all(line.startswith("{") for line in started)


def test_metrics_add_up_across_workers_and_start_from_zero(
    engines, database, start_server, tmp_path
):
    directory = tmp_path / "metrics"
    directory.mkdir()
    # What an earlier run left: the serve command empties the directory before workers start.
    stale = MmapedDict(str(directory / "counter_999999.db"))
    help_text = "Posts handled, by outcome: stored, or a retry answered with the original."
    stale.write_value(
        mmap_key("parley_posts", "parley_posts_total", ["outcome"], ["stored"], help_text),
        1000.0,
        0.0,
    )
    stale.close()

    server = start_server(
        database,
        engines.redis_url,
        PARLEY_WORKERS="2",
        PARLEY_METRICS_TOKEN=METRICS_TOKEN,
        PROMETHEUS_MULTIPROC_DIR=str(directory),
    )
    token = engines.tokens["alice"]
    posted = 0

    def workers_counting() -> int:
        return len({p.name.rsplit("_", 1)[1] for p in directory.glob("counter_*.db")})

    # A new connection each: the kernel spreads them over the workers; post until both count.
    while posted < 10 or workers_counting() < 2:
        assert posted < 200, "both workers served a post"
        body = json.dumps(
            {"body": f"m{posted}", "client_id": f"00000000-0000-4000-8000-{posted:012d}"}
        )
        request = urllib.request.Request(
            f"{server.url}/api/v1/rooms/general/messages",
            data=body.encode(),
            method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
        posted += 1
    status, _, text = get(f"{server.url}/metrics", Authorization=f"Bearer {METRICS_TOKEN}")
    assert status == 200
    assert f'parley_posts_total{{outcome="stored"}} {float(posted)}' in text
    assert get(f"{server.url}/metrics")[0] == 401
