"""Kill -9 the real server while clients post: every acknowledged message survives, once."""

import asyncio
import json
import uuid

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from .server import ParleyServer, run_async

pytestmark = pytest.mark.system


async def post_until_killed(
    server: ParleyServer, token: str, kill_after: int
) -> tuple[dict, list[str]]:
    """Two sockets pipeline posts; the server is killed once `kill_after` acks arrived.
    Returns ({client_id: seq} acked, [client_id] sent)."""
    acked: dict[str, int] = {}
    sent: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}

    async def poster(n: int):
        try:
            async with connect(f"{server.ws_url}/ws/", additional_headers=headers) as ws:
                await ws.recv()  # hello

                async def send_all():
                    for _ in range(400):
                        client_id = str(uuid.uuid4())
                        sent.append(client_id)
                        await ws.send(
                            json.dumps(
                                {
                                    "type": "post",
                                    "room": "crash",
                                    "body": body_of(client_id),
                                    "client_id": client_id,
                                }
                            )
                        )
                        await asyncio.sleep(0.002)

                sender = asyncio.create_task(send_all())
                try:
                    async for text in ws:
                        frame = json.loads(text)
                        if frame["type"] == "ack":
                            acked[frame["client_id"]] = frame["seq"]
                            if len(acked) == kill_after:
                                server.kill()
                finally:
                    sender.cancel()
        except (ConnectionClosed, OSError):
            pass

    await asyncio.wait_for(asyncio.gather(poster(1), poster(2)), 60)
    return acked, sent


async def read_all(server: ParleyServer, token: str) -> list[dict]:
    async with connect(
        f"{server.ws_url}/ws/", additional_headers={"Authorization": f"Bearer {token}"}
    ) as ws:
        await ws.recv()
        messages, before = [], None
        while True:
            frame = {"type": "history", "room": "crash", "limit": 100}
            if before is not None:
                frame["before"] = before
            await ws.send(json.dumps(frame))
            page = json.loads(await ws.recv())
            messages = page["messages"] + messages
            if not page["has_more"]:
                return messages
            before = page["messages"][0]["seq"]


def body_of(client_id: str) -> str:
    """A post's body; a retry sends the same (another body under one client_id is a conflict)."""
    return f"post {client_id}"


async def retry(server: ParleyServer, token: str, client_ids: list[str]) -> dict[str, int]:
    acks = {}
    async with connect(
        f"{server.ws_url}/ws/", additional_headers={"Authorization": f"Bearer {token}"}
    ) as ws:
        await ws.recv()
        for client_id in client_ids:
            await ws.send(
                json.dumps(
                    {
                        "type": "post",
                        "room": "crash",
                        "body": body_of(client_id),
                        "client_id": client_id,
                    }
                )
            )
            frame = json.loads(await ws.recv())
            assert frame["type"] == "ack", frame
            acks[client_id] = frame["seq"]
    return acks


def test_acked_messages_survive_kill_9_exactly_once(tmp_path):
    server = ParleyServer(
        tmp_path, env={"PARLEY_POST_RATE": "1000,1000", "PARLEY_FRAME_RATE": "1000,1000"}
    )
    server.migrate()
    server.manage("createuser", "crasher", "--password", "correct-horse-battery-staple")
    token = server.manage("createtoken", "crasher")
    server.manage("createroom", "crasher", "Crash", "--slug", "crash")
    server.start()
    try:
        acked, sent = run_async(post_until_killed(server, token, kill_after=150))
        assert len(acked) >= 150
        assert server.process.returncode == -9

        server.start()
        stored = run_async(read_all(server, token))
        by_client_id = {m["client_id"]: m["seq"] for m in stored}
        # Every acknowledged message is there, with the seq it was acknowledged with, once.
        assert all(by_client_id.get(cid) == seq for cid, seq in acked.items())
        assert len(by_client_id) == len(stored)
        assert [m["seq"] for m in stored] == list(range(1, len(stored) + 1))

        # Retrying everything that was sent (as a client does after reconnecting) adds only
        # the posts that never committed, and doubles nothing.
        acks = run_async(retry(server, token, sent))
        assert all(acks[cid] == seq for cid, seq in by_client_id.items() if cid in acks)
        final = run_async(read_all(server, token))
        assert sorted(m["client_id"] for m in final) == sorted(set(sent))
        assert [m["seq"] for m in final] == list(range(1, len(set(sent)) + 1))
    finally:
        server.stop()
