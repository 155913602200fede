"""What a job changes reaches the sockets of the server it runs in: `parley serve` in the
embedded mode makes a posted image's thumbnail on its own job thread, and a protocol v2 socket
gets the `message_updated` frame live, not only on its next resume."""

import asyncio
import io
import json
import tempfile
import urllib.request
import uuid
from pathlib import Path

import pytest
from PIL import Image
from websockets.asyncio.client import connect

from .server import ParleyServer, run_async

pytestmark = pytest.mark.system

SETUP = """
import json
from accounts.services import token_issue_for, user_create
from chat.services.rooms import room_create
ada = user_create(username="ada", password="a long passphrase")
room_create(owner=ada, name="Screens", slug="screens")
print(json.dumps({"token": token_issue_for(user=ada)[1]}))
"""


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 800), (40, 120, 200)).save(out, "PNG")
    return out.getvalue()


def _request(server, method, path, token, *, data=None, content_type=None) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    if content_type:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(server.url + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def _upload(server, token) -> int:
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="s.png"\r\n'
            "Content-Type: image/png\r\n\r\n"
        ).encode()
        + _png()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    answer = _request(
        server,
        "POST",
        "/api/v1/rooms/screens/files",
        token,
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    return answer["id"]


def test_a_thumbnail_made_by_the_servers_job_thread_reaches_a_live_socket():
    with tempfile.TemporaryDirectory(prefix="parley-job-delivery-") as data_dir:
        server = ParleyServer(Path(data_dir), env={"PARLEY_JOBS_POLL_INTERVAL": "3600"})
        server.migrate()
        token = json.loads(server.manage("shell", "-c", SETUP).splitlines()[-1])["token"]
        server.start()
        try:

            async def scenario():
                headers = {"Authorization": f"Bearer {token}"}
                async with connect(
                    f"{server.ws_url}/ws/?protocol=2", additional_headers=headers
                ) as ws:
                    await ws.send(json.dumps({"type": "subscribe", "room": "screens"}))
                    file_id = await asyncio.to_thread(_upload, server, token)
                    posted = await asyncio.to_thread(
                        _request,
                        server,
                        "POST",
                        "/api/v1/rooms/screens/messages",
                        token,
                        data=json.dumps(
                            {"body": "", "client_id": str(uuid.uuid4()), "files": [file_id]}
                        ).encode(),
                        content_type="application/json",
                    )
                    async with asyncio.timeout(60):
                        while True:
                            frame = json.loads(await ws.recv())
                            if frame["type"] == "message_updated":
                                return posted, frame

            posted, frame = run_async(scenario())
        finally:
            server.stop()
        assert frame["message"]["id"] == posted["id"]
        (attachment,) = frame["message"]["attachments"]
        assert attachment["image"]["thumbnail"]["url"]
