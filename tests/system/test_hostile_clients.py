"""What outside testers did to the real server (`python -m parley serve`): unknown socket
paths, floods, path traversal and unauthenticated calls each get a clear answer, and none of
them puts an error or a traceback in the server's log."""

import asyncio
import json
import re
import urllib.error
import urllib.request

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from .server import ParleyServer, run_async

pytestmark = pytest.mark.system


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    parley = ParleyServer(
        tmp_path_factory.mktemp("hostile"),
        env={"PARLEY_GUESTS": "0", "PARLEY_FRAME_RATE": "1,5", "PARLEY_LOG_LEVEL": "INFO"},
    )
    parley.migrate()
    parley.start()
    yield parley
    parley.stop()


def http_status(url: str, **request) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, **request), timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


PROBLEM = re.compile(r"\b(ERROR|CRITICAL)\b|Traceback|Unexpected ASGI")


def logged_problems(server: ParleyServer) -> list[str]:
    return [line for line in server.log.read_text().splitlines() if PROBLEM.search(line)]


@pytest.mark.parametrize("path", ["/ws", "/ws/nope/", "/ws/chat/x"])
def test_unknown_socket_paths_are_http_404(server, path):
    async def handshake():
        with pytest.raises(InvalidStatus) as refused:
            async with connect(server.ws_url + path):
                pass
        return refused.value.response.status_code

    assert run_async(handshake()) == 404
    assert not logged_problems(server)


def test_a_flood_is_closed_once_with_4429_and_a_reason(server):
    token = server.manage("createuser", "flooder", "--password", "correct-horse-battery")
    assert "flooder" in token
    secret = server.manage("createtoken", "flooder")

    async def flood():
        async with connect(
            f"{server.ws_url}/ws/", additional_headers={"Authorization": f"Bearer {secret}"}
        ) as ws:
            await ws.recv()  # hello
            try:
                for _ in range(200):
                    await ws.send(json.dumps({"type": "ping"}))
                while True:
                    await asyncio.wait_for(ws.recv(), 5)
            except ConnectionClosed as closed:
                return closed.rcvd.code, closed.rcvd.reason

    assert run_async(flood()) == (4429, "too many frames; reconnect after a pause")
    assert not logged_problems(server)


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../etc/passwd",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/parley/..%2f..%2f..%2fsettings.py",
    ],
)
def test_path_traversal_under_static_is_404(server, path):
    assert http_status(server.url + path) == 404
    assert not logged_problems(server)


def test_unauthenticated_calls_log_no_tracebacks(server):
    assert http_status(f"{server.url}/api/v1/rooms") == 401
    assert (
        http_status(f"{server.url}/api/v1/rooms", headers={"Authorization": "Bearer prl_nope"})
        == 401
    )
    body = json.dumps({"username": "nobody", "password": "wrong"}).encode()
    assert (
        http_status(
            f"{server.url}/api/v1/auth/token",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        == 401
    )
    assert http_status(f"{server.url}/chat/general/") == 200  # the login page, redirected to

    for hostile in (
        {"username": "a\x00b", "password": "x"},
        {"username": "a\ud800", "password": "x"},
    ):
        body = json.dumps(hostile).encode()
        headers = {"Content-Type": "application/json"}
        assert http_status(f"{server.url}/api/v1/auth/token", data=body, headers=headers) == 400
    huge = json.dumps({"username": "x" * 3_000_000, "password": "x"}).encode()
    assert http_status(f"{server.url}/api/v1/auth/token", data=huge, headers=headers) == 413

    async def refused(headers, path="/ws/"):
        async with connect(server.ws_url + path, additional_headers=headers) as ws:
            # A client that does not wait for an answer: its frames arrive after the close.
            with pytest.raises(ConnectionClosed) as closed:
                for _ in range(5):
                    await ws.send(json.dumps({"type": "ping"}))
                while True:
                    await ws.recv()
            return closed.value.rcvd.code, closed.value.rcvd.reason

    assert run_async(refused({})) == (4401, "not authenticated")
    assert run_async(refused({"Authorization": "Bearer prl_nope"})) == (4401, "not authenticated")
    assert run_async(refused({}, "/ws/chat/general/")) == (4401, "not authenticated")
    assert not logged_problems(server)
