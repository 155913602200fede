"""The user's own stream across server processes: two real production processes share
PostgreSQL + Redis; a read marker moved by a socket on one reaches the same user's socket on the
other as `read_marker`, and a room invitation or a DM opened through one reaches the invited
user's socket on the other as `conversation_added` (docs/protocol.md, "Your own stream")."""

import asyncio
import json
import urllib.request
import uuid

import pytest
from websockets.asyncio.client import connect

from .server import run_async

pytestmark = pytest.mark.system

# Generous: the bound says the frame arrives at all, not how fast (machines are noisy).
BOUND = 15


def api(server, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"{server.url}/api/v1{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read() or b"{}")


class Client:
    """A protocol v2 socket, its `ready` frame kept."""

    def __init__(self, ws, ready: dict):
        self.ws, self.ready = ws, ready

    @classmethod
    async def open(cls, server, token: str) -> "Client":
        ws = await connect(
            f"{server.ws_url}/ws/?protocol=2",
            additional_headers={"Authorization": f"Bearer {token}"},
            open_timeout=5,
        )
        assert json.loads(await ws.recv())["type"] == "hello"
        ready = json.loads(await ws.recv())
        assert ready["type"] == "ready"
        return cls(ws, ready)

    def conversation(self, slug: str) -> dict:
        return next(c for c in self.ready["conversations"] if c["room"] == slug)

    async def send(self, **frame) -> None:
        await self.ws.send(json.dumps(frame))

    async def frame(self, kind: str, **fields) -> dict:
        """The next frame of type `kind` whose fields include `fields`."""
        async with asyncio.timeout(BOUND):
            while True:
                frame = json.loads(await self.ws.recv())
                if frame.get("type") == kind and fields.items() <= frame.items():
                    return frame

    async def post(self, room: str, body: str) -> dict:
        await self.send(type="post", room=room, body=body, client_id=str(uuid.uuid4()), ref="p")
        return await self.frame("ack", ref="p")


def test_a_marker_moved_on_one_process_reaches_the_users_socket_on_the_other(
    engines, database, start_server
):
    a = start_server(database, engines.redis_url)
    b = start_server(database, engines.redis_url)
    tokens = engines.tokens

    async def scenario():
        alice = await Client.open(a, tokens["alice"])
        one = (await alice.post("general", "one"))["seq"]
        two = (await alice.post("general", "two"))["seq"]
        bob_a = await Client.open(a, tokens["bob"])
        bob_b = await Client.open(b, tokens["bob"])
        general = bob_b.conversation("general")
        assert (general["unread"], general["seq"]) == (2, two)

        await bob_a.send(type="read", room="general", seq=one, ref="r")
        assert (await bob_a.frame("done", ref="r"))["seq"] == one
        moved = await bob_b.frame("read_marker", room="general")
        assert (moved["last_read"], moved["unread"], moved["mentions"]) == (one, 1, 0)
        assert "user_id" not in moved

        await bob_a.send(type="read", room="general", ref="all")
        await bob_b.frame("read_marker", room="general", last_read=two, unread=0)
        for client in (alice, bob_a, bob_b):
            await client.ws.close()

    run_async(scenario())


def test_an_invitation_and_a_dm_made_on_one_process_reach_the_socket_on_the_other(
    engines, database, start_server
):
    a = start_server(database, engines.redis_url)
    b = start_server(database, engines.redis_url)
    alice, bob = engines.tokens["alice"], engines.tokens["bob"]

    async def scenario():
        bob_b = await Client.open(b, bob)
        status, room = await asyncio.to_thread(
            api, a, "POST", "/rooms", alice, {"name": "Ops", "slug": "ops", "private": True}
        )
        assert status == 201
        ops = room["slug"]
        status, _ = await asyncio.to_thread(
            api, a, "POST", f"/rooms/{ops}/members", alice, {"username": "bob"}
        )
        assert status == 201
        invited = await bob_b.frame("conversation_added")
        assert (invited["conversation"]["room"], invited["conversation"]["kind"]) == (
            ops,
            "channel",
        )

        status, dm = await asyncio.to_thread(api, a, "POST", "/dms", alice, {"usernames": ["bob"]})
        assert status == 201
        opened = await bob_b.frame("conversation_added")
        assert (opened["conversation"]["room"], opened["conversation"]["kind"]) == (
            dm["room"],
            "dm",
        )
        # bob follows the new conversations on b: alice's message through a reaches him.
        await bob_b.send(type="subscribe", room=dm["room"], ref="s")
        await bob_b.frame("subscribed", room=dm["room"])
        alice_a = await Client.open(a, alice)
        await alice_a.post(dm["room"], "psst")
        said = await bob_b.frame("message", room=dm["room"])
        assert said["message"]["body"] == "psst"
        for client in (bob_b, alice_a):
            await client.ws.close()

    run_async(scenario())
