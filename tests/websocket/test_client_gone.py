"""A client that goes away while the server is answering it. uvicorn then raises
ClientDisconnected into the application's send and ends it quietly: no `websocket.disconnect`
comes (a page navigated away during its socket's handshake does this). The socket must still
let go of what it held: its user is not left online (the heartbeat would keep the entry for
good), its place under the socket caps is freed, and the user's stream no longer feeds it."""

import pytest
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from uvicorn.protocols.utils import ClientDisconnected

from realtime.consumers.protocol import ProtocolConsumer
from realtime.delivery.hub import hub_for_loop
from realtime.presence.tracker import tracker_for_loop

pytestmark = pytest.mark.django_db(transaction=True)

V2 = "/ws/?protocol=2"


@pytest.fixture(autouse=True)
async def _quick(settings):
    """Presence changes written as soon as they come; the shared backend left empty."""
    settings.PARLEY_PRESENCE_BATCH = 0.01
    yield
    await tracker_for_loop(get_channel_layer()).backend.clear()


async def opened(open_socket, token):
    connected, socket = await open_socket(V2, token=token)
    assert connected
    assert (await socket.recv())["type"] == "hello"
    assert (await socket.recv())["type"] == "ready"
    return socket


async def watching(socket, user) -> None:
    await socket.send(type="presence_watch", users=[user.pk], ref="w")
    assert (await socket.recv_until("presence"))["ref"] == "w"


async def state_of(socket, user, until: str) -> str:
    """The user's state as the watching socket is told it, read until it is `until` or the
    changes stop coming."""
    state = None
    while state != until:
        try:
            frame = await socket.recv_until("presence", timeout=1)
        except TimeoutError:
            break
        state = frame["users"].get(str(user.pk), state)
    return state


async def ended(socket) -> None:
    """Read what the socket sent until the application ended with ClientDisconnected."""
    with pytest.raises(ClientDisconnected):
        while True:
            await socket.recv()


def leaves_while_ready_is_sent(monkeypatch) -> None:
    async def client_gone(self):
        raise ClientDisconnected  # what uvicorn raises into a send once the client has left

    monkeypatch.setattr(ProtocolConsumer, "send_ready", client_gone)


async def test_a_client_gone_during_the_handshake_leaves_its_user_offline(
    open_socket, user_with_token, monkeypatch
):
    _, ada_token = await sync_to_async(user_with_token)("ada")
    bob, bob_token = await sync_to_async(user_with_token)("bob")
    watcher = await opened(open_socket, ada_token)
    await watching(watcher, bob)
    leaves_while_ready_is_sent(monkeypatch)
    _, gone = await open_socket(V2, token=bob_token)
    await ended(gone)
    assert await state_of(watcher, bob, "offline") == "offline"
    assert bob.pk not in {
        user for user, _ in tracker_for_loop(get_channel_layer()).sockets.values()
    }
    assert bob.pk not in hub_for_loop(get_channel_layer()).users  # his stream feeds nothing


async def test_a_client_gone_while_a_frame_is_answered_leaves_its_user_offline(
    open_socket, user_with_token, monkeypatch
):
    _, ada_token = await sync_to_async(user_with_token)("ada")
    bob, bob_token = await sync_to_async(user_with_token)("bob")
    watcher = await opened(open_socket, ada_token)
    await watching(watcher, bob)
    socket = await opened(open_socket, bob_token)
    assert await state_of(watcher, bob, "online") == "online"

    async def client_gone(self, frame):
        raise ClientDisconnected

    monkeypatch.setattr(ProtocolConsumer, "on_ping", client_gone)
    await socket.send(type="ping")
    await ended(socket)
    assert await state_of(watcher, bob, "offline") == "offline"


async def test_a_client_gone_during_the_handshake_frees_its_place_under_the_cap(
    open_socket, user_with_token, monkeypatch, settings
):
    settings.PARLEY_MAX_SOCKETS_PER_USER = 1
    _, token = await sync_to_async(user_with_token)("bob")
    with monkeypatch.context() as patched:
        leaves_while_ready_is_sent(patched)
        _, gone = await open_socket(V2, token=token)
        await ended(gone)
    await opened(open_socket, token)  # the next page's socket is let in
