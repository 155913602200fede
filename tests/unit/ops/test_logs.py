"""Logs: one JSON object a line with PARLEY_LOG_FORMAT=json, each naming the request or socket it
was made while serving; uvicorn's line per WebSocket handshake only with PARLEY_ACCESS_LOG=1;
PARLEY_LOG_LEVEL sets the level."""

import io
import json
import logging
import logging.config

import pytest

from ops.asgi import Observed
from ops.logs import logging_config


@pytest.fixture
def configure():
    """configure(**choices) -> a buffer that the root logger's console handler writes to; the
    test settings' logging is put back afterwards."""

    def configure_(**choices) -> io.StringIO:
        logging.config.dictConfig(logging_config(**choices))
        stream = io.StringIO()
        logging.root.handlers[0].setStream(stream)
        return stream

    yield configure_
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


async def serve(scope_type: str, headers=()):
    """Run one ASGI connection through Observed with an app that logs a line."""

    async def app(scope, receive, send):
        logging.getLogger("parley.test").warning("inside %s", scope["type"])

    await Observed(app)({"type": scope_type, "headers": list(headers)}, None, None)


async def test_json_lines_carry_the_request_or_socket_id(configure):
    stream = configure(level="INFO", form="json", access_log=False)
    await serve("http")
    await serve("http", headers=[(b"x-request-id", b"nginx-4f2a9c")])
    await serve("websocket")
    logging.getLogger("parley.test").warning("outside")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["message"] for line in lines] == [
        "inside http",
        "inside http",
        "inside websocket",
        "outside",
    ]
    assert {"time", "level", "logger"} <= lines[0].keys() and lines[0]["level"] == "WARNING"
    assert len(lines[0]["request_id"]) == 16 and lines[1]["request_id"] == "nginx-4f2a9c"
    assert "socket_id" in lines[2] and "request_id" not in lines[2]
    assert "request_id" not in lines[3] and "socket_id" not in lines[3]


async def test_a_request_id_that_is_not_a_plain_token_is_replaced(configure):
    stream = configure(level="INFO", form="json", access_log=False)
    await serve("http", headers=[(b"x-request-id", b"a\nforged line")])
    assert json.loads(stream.getvalue())["request_id"] != "a\nforged line"


def test_no_line_per_accepted_socket_unless_access_log(configure):
    uvicorn = logging.getLogger("uvicorn.error")
    for access_log in (False, True):
        stream = configure(level="INFO", form="plain", access_log=access_log)
        uvicorn.info('%s - "WebSocket %s" [accepted]', "127.0.0.1:5000", "/ws/")
        uvicorn.info("connection open")
        uvicorn.info("connection closed")
        uvicorn.info("Started server process [%d]", 42)
        lines = stream.getvalue().splitlines()
        assert any("[accepted]" in line for line in lines) is access_log
        assert any("connection open" in line for line in lines) is access_log
        assert any("connection closed" in line for line in lines) is access_log
        assert any("Started server process [42]" in line for line in lines)


def test_log_level_is_the_setting(configure):
    stream = configure(level="WARNING", form="plain", access_log=False)
    logging.getLogger("parley.test").info("hidden")
    logging.getLogger("parley.test").warning("shown")
    assert "hidden" not in stream.getvalue() and "shown" in stream.getvalue()
