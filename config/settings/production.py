"""Production: PostgreSQL + Redis + several server processes, configured from the environment.

Every value comes from the environment (docs/deployment.md has the table). A missing or malformed
value stops start-up with one line that says what to set (parley/__main__.py prints it without a
traceback); nothing falls back to the embedded engines when production was asked for.
"""

import os
from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403

SEE = "see docs/deployment.md"


def _require(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set {name}: production settings require it ({SEE}).")
    return value


def _url(name: str, schemes: set[str], example: str) -> str:
    value = _require(name)
    parsed = urlparse(value)
    try:
        parsed.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} has a malformed port; expected e.g. {example}"
        ) from None
    if parsed.scheme not in schemes or not (parsed.hostname or parsed.scheme == "unix"):
        raise ImproperlyConfigured(
            f"{name} must be a URL like {example} (got scheme {parsed.scheme or 'none'!r}"
            f"{'' if parsed.hostname else ', no host'})."
        )
    return value


def _list(name: str) -> list[str]:
    return [item.strip() for item in _require(name).split(",") if item.strip()]


def _origins(name: str) -> list[str]:
    origins = _list(name)
    for origin in origins:
        parsed = urlparse(origin)
        if (
            parsed.scheme not in {"http", "https"}
            or not parsed.hostname
            or parsed.path not in {"", "/"}
        ):
            raise ImproperlyConfigured(
                f"{name} lists origins as scheme://host[:port], e.g. https://chat.example.com (got {origin!r})."
            )
    return [origin.rstrip("/") for origin in origins]


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if value not in {"0", "1"}:
        raise ImproperlyConfigured(f"{name} must be 0 or 1 (got {value!r}).")
    return value == "1"


def _seconds(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        raise ImproperlyConfigured(f"{name} must be a whole number of seconds (got {value!r}).")
    return int(value)


def _port(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ImproperlyConfigured(f"{name} must be a port number, e.g. 587 (got {value!r}).")
    return int(value)


SECRET_KEY = _require("SECRET_KEY")
if len(SECRET_KEY) < 32:
    raise ImproperlyConfigured(
        'SECRET_KEY must be at least 32 characters; make one with: python -c "import secrets; print(secrets.token_urlsafe(50))"'
    )

ALLOWED_HOSTS = _list("ALLOWED_HOSTS")
if "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name hosts explicitly; '*' is not accepted.")
PARLEY_ALLOWED_ORIGINS = _origins("PARLEY_ALLOWED_ORIGINS")
CSRF_TRUSTED_ORIGINS = PARLEY_ALLOWED_ORIGINS


def _site_url() -> str:
    value = os.environ.get("PARLEY_SITE_URL", "").strip().rstrip("/")
    if not value:
        return PARLEY_ALLOWED_ORIGINS[0]
    parsed = urlparse(value)
    if parsed.scheme not in {"http", "https"} or not parsed.hostname:
        raise ImproperlyConfigured(
            f"PARLEY_SITE_URL must be the site's address, e.g. https://chat.example.com (got {value!r})."
        )
    return value


# Links in emails start with this: the address people open Parley at.
PARLEY_SITE_URL = _site_url()

import dj_database_url  # noqa: E402

DATABASES = {
    "default": dj_database_url.parse(
        _url(
            "DATABASE_URL",
            {"postgres", "postgresql"},
            "postgres://parley:PASSWORD@127.0.0.1:5432/parley",
        ),
        # Each process keeps its connections a minute; the health check replaces one that
        # PostgreSQL dropped (a restart), so the server recovers without restarting.
        conn_max_age=60,
        conn_health_checks=True,
    )
    | {"OPTIONS": POSTGRES_OPTIONS}  # noqa: F405
}

REDIS_URL = _url("REDIS_URL", {"redis", "rediss", "unix"}, "redis://127.0.0.1:6379/0")
# Why pub/sub and these values: docs/deployment.md, "The channel layer".
CHANNEL_LAYERS = {
    "default": {
        "BACKEND": "realtime.layers.RedisPubSubLayer",
        "CONFIG": {
            "hosts": [
                {
                    "address": REDIS_URL,
                    # redis-py 8 raises MaxConnectionsError beyond its pool (100 by default)
                    # instead of waiting. The pub/sub layer needs about three connections a
                    # process whatever the number of sockets; 50 is headroom, and a bound.
                    "max_connections": 50,
                    # A Redis that went away must not hold a post's acknowledgement for long.
                    "socket_connect_timeout": 2,
                    "socket_timeout": 5,
                }
            ],
            # Several deployments may share one Redis: channel names start with the prefix.
            "prefix": os.environ.get("PARLEY_REDIS_PREFIX", "").strip() or "parley:",
            # Events queued for the process's room hub (realtime/delivery/hub.py: one channel per
            # process) before the oldest are dropped; the hub reads such a gap from the
            # database, so this bounds memory, not correctness.
            "capacity": 10000,
            # Seconds between checks that Redis is there and has not restarted.
            "check_interval": 1.0,
        },
    }
}

# Post rates, replay budgets, socket counts and new guests per address are shared by every process through Redis
# (throttle/backends.py). While Redis is away the limits are not enforced (fail open, logged):
# posting must not fail because a counter cannot be read.
PARLEY_LIMITS = {
    "BACKEND": "throttle.backends.RedisBackend",
    "CONFIG": {
        "url": REDIS_URL,
        "prefix": (os.environ.get("PARLEY_REDIS_PREFIX", "").strip() or "parley:") + "limits:",
    },
}

# Presence entries in Redis, with a TTL, shared by every process (realtime/presence/backends.py).
PARLEY_PRESENCE = {
    "BACKEND": "realtime.presence.backends.RedisBackend",
    "CONFIG": {
        "url": REDIS_URL,
        "prefix": (os.environ.get("PARLEY_REDIS_PREFIX", "").strip() or "parley:") + "presence:",
    },
}

# Email (digests of unread mentions and DMs, notifications/) goes through the SMTP server at
# EMAIL_HOST. Without one no digest is sent: the console backend of the embedded mode would
# write people's private messages into the server's log.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "").strip()
PARLEY_EMAIL_DIGESTS = bool(EMAIL_HOST)
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = _port("EMAIL_PORT", 587)
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "").strip()
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _bool("EMAIL_USE_TLS", True)
    EMAIL_USE_SSL = _bool("EMAIL_USE_SSL", False)
    if EMAIL_USE_TLS and EMAIL_USE_SSL:
        raise ImproperlyConfigured(
            "EMAIL_USE_TLS (STARTTLS, port 587) and EMAIL_USE_SSL (port 465) exclude each other: set one to 0."
        )
    DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "").strip()
    if not DEFAULT_FROM_EMAIL:
        raise ImproperlyConfigured(
            f"Set DEFAULT_FROM_EMAIL (the sender, e.g. Parley <parley@example.com>): sending email through EMAIL_HOST requires it ({SEE})."
        )

# Uploaded files (docs/deployment.md, "Files"): a directory every server process on this
# machine shares (0700, files 0600), or an object store by PARLEY_FILES_STORAGE.
_files_dir = os.environ.get("PARLEY_FILES_DIR", "").strip()
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "parley_files": files_storage(  # noqa: F405
        Path(_files_dir) if _files_dir else BASE_DIR / "data" / "files"  # noqa: F405
    ),
}

PARLEY_GUESTS = _bool("PARLEY_GUESTS", False)
PARLEY_OPEN_SIGNUP = _bool("PARLEY_OPEN_SIGNUP", False)

# The site is served over HTTPS by the proxy in front (docs/deployment.md): cookies are Secure,
# browsers are told to use HTTPS only (HSTS) and a plain-HTTP request is redirected, except
# the probes a load balancer or Prometheus makes to the server directly.
HTTPS = _bool("PARLEY_HTTPS", True)
SESSION_COOKIE_SECURE = _bool("PARLEY_SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = _seconds("PARLEY_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
# HSTS preloading is a promise made by submitting the domain to the browsers' list, for months:
# the operator's decision (SECURE_HSTS_PRELOAD in a settings module of their own), not a default.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
