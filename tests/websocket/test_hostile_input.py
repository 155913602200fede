"""Hostile characters, sizes, floods and paths on both WebSocket endpoints: a clear answer,
never `unavailable`, never a second close, every close with a reason."""

import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.testing import ApplicationCommunicator

from accounts.models import User
from chat.models import Message, Room
from chat.services.rooms import room_create
from realtime.protocol import CLOSE_REASONS, CloseCode

pytestmark = pytest.mark.django_db(transaction=True)

# Each a JSON text frame as a hostile client writes it: U+0000 escaped, or a lone surrogate.
POST = '{"type":"post","room":"general","body":"BODY","client_id":"CLIENT_ID","ref":"r"}'
NUL_FRAMES = [
    POST.replace("BODY", "a\\u0000b").replace("CLIENT_ID", str(uuid.uuid4())),
    '{"type":"subscribe","room":"gen\\u0000","ref":"r"}',
    '{"type":"name","display_name":"Eve\\u0000","ref":"r"}',
    '{"type":"typing","room":"general\\u0000","ref":"r"}',
    '{"type":"ping","ref":"r\\u0000"}',
]
SURROGATE_FRAMES = [
    POST.replace("BODY", "a\\ud800b").replace("CLIENT_ID", str(uuid.uuid4())),
    '{"type":"name","display_name":"\\udfff","ref":"r"}',
]


async def hello(open_socket, **kwargs):
    connected, socket = await open_socket(**kwargs)
    assert connected
    assert (await socket.recv())["type"] == "hello"
    return socket


@pytest.fixture
def general(transactional_db, make_user):
    owner = make_user("owner")
    return room_create(owner=owner, name="General", slug="general")


@pytest.mark.parametrize("text", NUL_FRAMES + SURROGATE_FRAMES)
async def test_nul_and_lone_surrogates_are_bad_request_and_store_nothing(
    open_socket, user_with_token, general, text
):
    _, token = await sync_to_async(user_with_token)("ada", "Ada")
    socket = await hello(open_socket, token=token)
    await socket.send_text(text)
    frame = await socket.recv()
    assert frame["type"] == "error" and frame["code"] == "bad_request", frame
    assert await sync_to_async(Message.objects.count)() == 0
    assert await sync_to_async(User.objects.get)(username="ada") is not None
    assert (await sync_to_async(User.objects.get)(username="ada")).display_name == "Ada"
    # and the socket goes on working
    await socket.send(type="ping", ref="p")
    assert await socket.recv() == {"type": "pong", "ref": "p"}


async def test_the_nul_error_echoes_the_ref_and_names_the_field(open_socket, general):
    socket = await hello(open_socket)
    await socket.send_text(NUL_FRAMES[0])
    frame = await socket.recv()
    assert frame["ref"] == "r" and "body" in frame["message"]


@pytest.mark.parametrize(
    "text", ['{"message":"a\\u0000b"}', '{"message":"a\\ud800b"}', '{"message":"/name \\u0000"}']
)
async def test_tutorial_endpoint_refuses_nul_and_lone_surrogates(open_socket, general, text):
    _, socket = await open_socket("/ws/chat/general/")
    await socket.send_text(text)
    assert (await socket.recv())["error"] == "bad_request"
    assert await sync_to_async(Message.objects.count)() == 0
    await socket.send(message="still here")
    assert await socket.recv() == {"message": "still here"}


async def test_tutorial_endpoint_closes_4400_after_too_many_malformed_frames(open_socket, general):
    _, socket = await open_socket("/ws/chat/general/")
    for _ in range(21):
        await socket.send_text("garbage")
    outputs = [await socket.communicator.receive_output(3) for _ in range(21)]
    assert all(output["type"] == "websocket.send" for output in outputs[:20])
    assert outputs[-1] == {
        "type": "websocket.close",
        "code": 4400,
        "reason": CLOSE_REASONS[CloseCode.PROTOCOL_ABUSE],
    }


async def test_tutorial_endpoint_counts_only_malformed_frames_in_a_row(open_socket, general):
    _, socket = await open_socket("/ws/chat/general/")
    for _ in range(2):
        for _ in range(20):
            await socket.send_text("garbage")
            assert (await socket.recv())["error"] == "bad_request"
        await socket.send(message="fine")
        assert await socket.recv() == {"message": "fine"}


async def test_a_flood_closes_once_with_a_reason(open_socket, settings):
    settings.PARLEY_FRAME_RATE = (1.0, 5)
    socket = await hello(open_socket)
    for _ in range(12):
        await socket.send(type="ping")
    outputs = [await socket.communicator.receive_output(3) for _ in range(6)]
    assert outputs[-1] == {
        "type": "websocket.close",
        "code": 4429,
        "reason": CLOSE_REASONS[CloseCode.FLOOD],
    }
    assert await socket.communicator.receive_nothing(0.3)  # no second close


async def test_an_oversized_frame_after_the_close_does_not_close_again(open_socket):
    socket = await hello(open_socket)
    await socket.send(type="ping", ref="x" * (64 * 1024))
    await socket.send(type="ping", ref="x" * (64 * 1024))
    assert await socket.communicator.receive_output(3) == {
        "type": "websocket.close",
        "code": 1009,
        "reason": CLOSE_REASONS[CloseCode.MESSAGE_TOO_BIG],
    }
    assert await socket.communicator.receive_nothing(0.3)


def test_every_close_code_has_a_short_reason():
    assert set(CLOSE_REASONS) == set(CloseCode)
    assert all(0 < len(reason.encode()) <= 123 for reason in CLOSE_REASONS.values())


async def test_a_refused_handshake_carries_its_reason(open_socket, settings):
    settings.PARLEY_GUESTS = False
    connected, socket = await open_socket()
    assert connected
    assert await socket.communicator.receive_output(3) == {
        "type": "websocket.close",
        "code": 4401,
        "reason": "not authenticated",
    }


async def handshake(path: str, extensions: dict | None) -> list[dict]:
    from config.asgi import application

    scope = {
        "type": "websocket",
        "path": path,
        "query_string": b"",
        "headers": [],
        "subprotocols": [],
    }
    if extensions is not None:
        scope["extensions"] = extensions
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "websocket.connect"})
    outputs = [await communicator.receive_output(3)]
    if outputs[0]["type"] == "websocket.http.response.start":
        outputs.append(await communicator.receive_output(3))
        for _ in range(2):  # as uvicorn reports the refused connection gone: twice
            await communicator.send_input({"type": "websocket.disconnect", "code": 1006})
    await communicator.wait(3)
    return outputs


@pytest.mark.parametrize("path", ["/ws", "/ws/nope/", "/ws/chat/x", "/", "/ws/chat/x/y/"])
async def test_unknown_paths_are_refused_with_404(path, caplog):
    start, body = await handshake(path, {"websocket.http.response": {}})
    assert (start["type"], start["status"]) == ("websocket.http.response.start", 404)
    assert body["type"] == "websocket.http.response.body" and b"/ws/" in body["body"]
    assert not [record for record in caplog.records if record.levelname in ("ERROR", "CRITICAL")]


async def test_unknown_paths_without_denial_responses_are_refused_before_accept():
    (close,) = await handshake("/ws/nope/", None)
    assert close["type"] == "websocket.close"


async def test_known_paths_still_route(open_socket, general):
    connected, _ = await open_socket("/ws/chat/general/")
    assert connected
    assert await sync_to_async(Room.objects.filter(slug="general").exists)()


async def test_a_name_with_a_bidi_override_is_bad_request(open_socket, user_with_token):
    _, token = await sync_to_async(user_with_token)("ada", "Ada")
    socket = await hello(open_socket, token=token)
    await socket.send(type="name", display_name="Bob\u202eevE", ref="n")
    frame = await socket.recv()
    assert (frame["code"], frame["ref"]) == ("bad_request", "n") and "bidirectional" in frame[
        "message"
    ]
