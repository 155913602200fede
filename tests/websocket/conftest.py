"""Sockets against the real ASGI application (config.asgi), through every middleware."""

import uuid

import orjson
import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from chat.models import Room
from chat.services.messages import message_post
from chat.services.rooms import room_create, room_invite

ORIGIN = b"http://testserver"


class Socket:
    """A WebsocketCommunicator speaking JSON frames."""

    def __init__(self, communicator: WebsocketCommunicator):
        self.communicator = communicator

    async def send(self, **frame):
        await self.communicator.send_to(text_data=orjson.dumps(frame).decode())

    async def send_text(self, text: str):
        await self.communicator.send_to(text_data=text)

    async def recv(self, timeout: float = 3) -> dict:
        return orjson.loads(await self.communicator.receive_from(timeout))

    async def recv_until(self, kind: str, timeout: float = 3) -> dict:
        while True:
            frame = await self.recv(timeout)
            if frame.get("type") == kind:
                return frame

    async def silent(self, timeout: float = 0.3) -> bool:
        return await self.communicator.receive_nothing(timeout)

    async def closed_with(self, timeout: float = 3) -> int | None:
        output = await self.communicator.receive_output(timeout)
        assert output["type"] == "websocket.close", output
        return output.get("code")

    async def post(self, room: str, body: str, client_id: str | None = None, **extra) -> dict:
        client_id = client_id or str(uuid.uuid4())
        await self.send(type="post", room=room, body=body, client_id=client_id, **extra)
        return await self.recv_until("ack")

    async def close(self):
        await self.communicator.disconnect()


@pytest.fixture
async def open_socket():
    """open_socket(path="/ws/", token=None, cookie=None, origin=ORIGIN, client=None) ->
    (connected, Socket); `client` is the (address, port) a server would put in the scope."""
    from config.asgi import application

    sockets: list[Socket] = []

    async def open_(path="/ws/", token=None, cookie=None, origin=ORIGIN, client=None):
        headers = []
        if origin is not None:
            headers.append((b"origin", origin))
        if token is not None:
            headers.append((b"authorization", f"Bearer {token}".encode()))
        if cookie is not None:
            headers.append((b"cookie", cookie.encode()))
        communicator = WebsocketCommunicator(application, path, headers=headers)
        if client is not None:
            communicator.scope["client"] = client
        connected, _ = await communicator.connect()
        socket = Socket(communicator)
        sockets.append(socket)
        return connected, socket

    yield open_
    for socket in sockets:
        try:
            await socket.communicator.disconnect()
        except Exception:
            pass


@pytest.fixture
def user_with_token(transactional_db, make_user, make_token):
    def make(username: str | None = None, display_name: str = ""):
        user = make_user(username, display_name)
        return user, make_token(user)

    return make


@sync_to_async
def private_room_with(owner, *members, slug="secret"):
    """A private room of `owner` with `members` invited, at the plain `slug` (private rooms get
    a random suffix: readable tests)."""
    room = room_create(owner=owner, name=slug.title(), slug=slug, private=True)
    Room.objects.filter(pk=room.pk).update(slug=slug)
    room.slug = slug
    for member in members:
        room_invite(room=room, by=owner, username=member.username)
    return room


@sync_to_async
def post(user, room, body):
    return message_post(author=user, room=room, body=body, client_id=uuid.uuid4())[0]
