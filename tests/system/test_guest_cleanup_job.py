"""`parley serve` cleans up idle guests itself, and no message is lost doing it."""

import json
import re
import tempfile
import time
from pathlib import Path

import pytest
from websockets.asyncio.client import connect

from .server import ParleyServer, run_async

pytestmark = pytest.mark.system

COUNT = (
    "from accounts.models import User; from chat.models import Message; import json; "
    "print(json.dumps([User.objects.filter(is_guest=True, is_active=True).count(), "
    "User.objects.filter(is_guest=True).count(), list(Message.objects.values_list('body', flat=True))]))"
)


async def make_two_guests(server: ParleyServer) -> None:
    """One guest who posts, one who only renames."""
    async with connect(f"{server.ws_url}/ws/chat/cleanup/") as poster:
        await poster.send(json.dumps({"message": "kept forever"}))
        assert json.loads(await poster.recv()) == {"message": "kept forever"}
    async with connect(f"{server.ws_url}/ws/chat/cleanup/") as renamer:
        await renamer.send(json.dumps({"message": "/name Passer-by"}))
        await renamer.recv()


def cleaned(server: ParleyServer) -> tuple[int, int]:
    """(deleted, deactivated) guests, summed over the job's log lines."""
    runs = re.findall(
        r"cleaned up idle guests: (\d+) deleted, (\d+) deactivated", server.log.read_text()
    )
    return sum(int(d) for d, _ in runs), sum(int(a) for _, a in runs)


def test_the_server_cleans_up_idle_guests_and_keeps_their_messages():
    with tempfile.TemporaryDirectory(prefix="parley-cleanup-") as data_dir:
        server = ParleyServer(
            Path(data_dir), env={"PARLEY_GUEST_IDLE": "0", "PARLEY_GUEST_CLEANUP_INTERVAL": "1"}
        )
        server.migrate()
        server.start()
        try:
            run_async(make_two_guests(server))
            # A bounded wait for the job's runs (each logs what it did; a run may fall between
            # the two guests).
            deadline = time.monotonic() + 30
            while cleaned(server) != (1, 1) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert cleaned(server) == (1, 1)
        finally:
            server.stop()
        active, kept, bodies = json.loads(server.manage("shell", "-c", COUNT).splitlines()[-1])
        assert (active, kept, bodies) == (0, 1, ["kept forever"])
