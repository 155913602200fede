"""Logging: plain lines for a terminal, or one JSON object a line for a log pipeline
(PARLEY_LOG_FORMAT=json), each naming the HTTP request or WebSocket connection it was made
while serving (`request_id`, `socket_id`; ops/asgi.py binds them).

uvicorn logs lines per WebSocket on its error logger ('"WebSocket /ws/" [accepted]', and
websockets' "connection open" / "connection closed"); those are dropped unless
PARLEY_ACCESS_LOG=1, which also turns on its line per HTTP request.
"""

import logging
from contextvars import ContextVar, Token

# (field, value): ("request_id", "…") while serving a request, ("socket_id", "…") a socket.
_serving: ContextVar[tuple[str, str] | None] = ContextVar("parley_serving", default=None)


def bind(field: str, value: str) -> Token:
    return _serving.set((field, value))


def unbind(token: Token) -> None:
    _serving.reset(token)


class ServingFilter(logging.Filter):
    """Adds the request or socket id of the code that logs to its record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if (serving := _serving.get()) is not None:
            setattr(record, serving[0], serving[1])
        return True


class ConnectionLinesFilter(logging.Filter):
    """Drops the lines uvicorn makes for each WebSocket: its handshake (accepted, or refused
    with a status), and the websockets library's open and close, which it logs as its own."""

    PER_SOCKET = frozenset({"connection open", "connection closed"})

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name != "uvicorn.error":
            return True
        message = str(record.msg)
        return not (message.startswith('%s - "WebSocket ') or message in self.PER_SOCKET)


FORMATS = ("plain", "json")
PLAIN = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def logging_config(*, level: str, form: str, access_log: bool) -> dict:
    """Django's LOGGING for these choices (see docs/configuration.md)."""
    if form == "json":
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            # uvicorn adds an ANSI-coloured copy of some messages.
            "reserved_attrs": [*_reserved_attrs(), "color_message"],
        }
    else:
        formatter = {"format": PLAIN}
    filters = ["serving"] if access_log else ["serving", "no_connection_lines"]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "serving": {"()": "ops.logs.ServingFilter"},
            "no_connection_lines": {"()": "ops.logs.ConnectionLinesFilter"},
        },
        "formatters": {"parley": formatter},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "parley", "filters": filters}
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.channels.server": {"level": "WARNING"},
            # The login throttle: each failure and lockout is a WARNING (with the address); its
            # INFO lines (a banner on every start, house-keeping on every failure) are noise.
            "axes": {"level": "WARNING"},
            # Django's Tasks framework logs two INFO lines per job run (started, finished): a
            # digest run a minute would fill the log. Failures are logged by Parley's worker
            # (`jobs.retries`, `jobs.recovery`) at WARNING and ERROR, and by it at ERROR.
            "django_tasks": {"level": "WARNING"},
        },
    }


def _reserved_attrs() -> list[str]:
    from pythonjsonlogger.core import RESERVED_ATTRS

    return list(RESERVED_ATTRS)
