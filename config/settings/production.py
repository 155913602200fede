"""Production: PostgreSQL + Redis + several server processes, configured from the environment.

Every value comes from the environment (docs/deployment.md has the table). A missing or malformed
value stops start-up with one line that says what to set; nothing falls back to the embedded
engines when production was asked for.
"""

import os
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def _require(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set {name} (see docs/deployment.md): it is required in production.")
    return value


def _url(name: str, schemes: set[str]) -> str:
    value = _require(name)
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not parsed.hostname:
        raise ImproperlyConfigured(
            f"{name} must be a URL like {sorted(schemes)[0]}://host:port/... (got {parsed.scheme or 'no'} scheme)."
        )
    return value


def _list(name: str) -> list[str]:
    return [item.strip() for item in _require(name).split(",") if item.strip()]


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value not in {"0", "1"}:
        raise ImproperlyConfigured(f"{name} must be 0 or 1 (got {value!r}).")
    return value == "1"


SECRET_KEY = _require("SECRET_KEY")
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long.")

ALLOWED_HOSTS = _list("ALLOWED_HOSTS")
if "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name hosts explicitly; '*' is not accepted.")
PARLEY_ALLOWED_ORIGINS = _list("PARLEY_ALLOWED_ORIGINS")
CSRF_TRUSTED_ORIGINS = PARLEY_ALLOWED_ORIGINS

import dj_database_url  # noqa: E402

DATABASES = {
    "default": dj_database_url.parse(
        _url("DATABASE_URL", {"postgres", "postgresql"}), conn_max_age=60, conn_health_checks=True
    )
}

REDIS_URL = _url("REDIS_URL", {"redis", "rediss", "unix"})
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {
            # redis-py caps an asyncio pool at 100 connections by default; channels_redis
            # passes no limit of its own, so several hundred sockets would exhaust it.
            "hosts": [{"address": REDIS_URL, "max_connections": 1000}],
            "capacity": 1000,
            "expiry": 60,
            "group_expiry": 86400,
        },
    }
}

PARLEY_GUESTS = _bool("PARLEY_GUESTS", False)
PARLEY_OPEN_SIGNUP = _bool("PARLEY_OPEN_SIGNUP", False)

SESSION_COOKIE_SECURE = _bool("PARLEY_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
