"""What every Parley deployment shares. The modules beside this one add only the differences:
which engines (database, channel layer) and which security settings."""

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from ops.logs import FORMATS as LOG_FORMATS
from ops.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = False

INSTALLED_APPS = [
    "daphne",  # first, so `runserver` is the ASGI server (Channels' convention)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "throttle",
    "jobs",
    "accounts",
    "links",
    "chat",
    "notifications",
    "search",
    "realtime",
    "api",
    "web",
    "ops",
]

# Background jobs (jobs/): Django's Tasks framework, stored in the database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "web.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records signed-in sessions, so that a user can list and end them (accounts/sessions.py).
    "accounts.middleware.SessionRecordMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last: turns a login refused for throttling into the 429 answer (config/lockout.py).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:lobby"
LOGOUT_REDIRECT_URL = "web:lobby"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.parley",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.password_validation.NotBlankValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "data" / "static"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# Parley's own settings (documented in docs/configuration.md).
# Anonymous visitors may use public rooms as "Anonymous" (the seeds' behaviour).
PARLEY_GUESTS = False
# Anyone may create an account through the sign-up page and POST /api/v1/accounts.
PARLEY_OPEN_SIGNUP = False
# WebSocket handshakes are accepted only from these exact origins ("scheme://host[:port]").
# A handshake without an Origin header (a program, not a browser) is accepted.
PARLEY_ALLOWED_ORIGINS: list[str] = []
# A resume (`subscribe` with `since`) that would replay more than this gets `reset`.
PARLEY_REPLAY_LIMIT = int(os.environ.get("PARLEY_REPLAY_LIMIT", "500"))
# Longest message body, in characters, after trimming.
PARLEY_MAX_BODY = 4000
# Largest WebSocket frame a client may send, in bytes.
PARLEY_MAX_FRAME_BYTES = 64 * 1024


def _rate(name: str, default: tuple[float, int]) -> tuple[float, int]:
    """A token bucket from the environment: "RATE,BURST" (per second, at most)."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        rate, burst = value.split(",")
        return float(rate), int(burst)
    except ValueError:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f'{name} must be "RATE,BURST", e.g. "10,30" (got {value!r}).'
        ) from None


def _count(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit():
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"{name} must be a whole number, 0 for no limit (got {value!r})."
        )
    return int(value)


# The counters behind the limits below (throttle/backends.py): a dotted path and its options,
# like CHANNEL_LAYERS. In memory here (one process); production counts in Redis.
PARLEY_LIMITS: dict[str, Any] = {"BACKEND": "throttle.backends.MemoryBackend", "CONFIG": {}}
# Posts per user, across all their sockets, the tutorial endpoint and REST: a token bucket
# (sustained rate per second, burst).
PARLEY_POST_RATE = _rate("PARLEY_POST_RATE", (10.0, 30))
# Messages a user (an anonymous visitor: an address) may have replayed on resume or read as
# history pages: a token bucket counted in messages (rate per second, burst).
PARLEY_REPLAY_RATE = _rate("PARLEY_REPLAY_RATE", (100.0, 5000))
# Searches per user (an anonymous visitor: an address), REST and WebSocket alike: a token
# bucket (rate per second, burst). A search reads an index, not a page: a person types a few a
# minute, a client paging through results a few in a row.
PARLEY_SEARCH_RATE = _rate("PARLEY_SEARCH_RATE", (1.0, 20))
# Open WebSockets per user and per client address, across every process; 0: no cap.
PARLEY_MAX_SOCKETS_PER_USER = _count("PARLEY_MAX_SOCKETS_PER_USER", 20)
PARLEY_MAX_SOCKETS_PER_ADDRESS = _count("PARLEY_MAX_SOCKETS_PER_ADDRESS", 200)
# Frames of any kind per connection before the socket is closed with 4429 (rate, burst).
PARLEY_FRAME_RATE = _rate("PARLEY_FRAME_RATE", (50.0, 200))
# Seconds a socket's credential check holds before a write looks in the database again: how long
# a revoked token or session can still post when its revocation event was lost (Redis away).
# The event itself closes the socket at once. 0: check on every post.
PARLEY_CREDENTIAL_RECHECK = 1.0

# Rooms one user (or guest) may create per hour; beyond it `rate_limited`. 0: no limit.
PARLEY_ROOMS_PER_HOUR = _count("PARLEY_ROOMS_PER_HOUR", 20)
# The most people a direct message holds, its starter included (a group DM; Slack's limit is 9).
PARLEY_DM_MAX_MEMBERS = _count("PARLEY_DM_MAX_MEMBERS", 8)
# Guest identities made for one client address per hour; beyond it `rate_limited`. 0: no limit.
PARLEY_GUESTS_PER_HOUR = _count("PARLEY_GUESTS_PER_HOUR", 30)
# Seconds without a write after which a guest is cleaned up (`parley cleanguests`).
PARLEY_GUEST_IDLE = _count("PARLEY_GUEST_IDLE", 7 * 24 * 3600)
# Seconds between the server's own guest clean-ups (0: only the command cleans up).
PARLEY_GUEST_CLEANUP_INTERVAL = _count("PARLEY_GUEST_CLEANUP_INTERVAL", 3600)

# Email notifications (notifications/): a digest of the mentions and DMs a user left unread for
# PARLEY_EMAIL_DELAY seconds, at most one per PARLEY_EMAIL_INTERVAL, sent by a background job
# the workers enqueue every PARLEY_EMAIL_RUN_INTERVAL seconds (0: only `parley senddigests`).
PARLEY_EMAIL_DIGESTS = True
PARLEY_EMAIL_DELAY = _count("PARLEY_EMAIL_DELAY", 600)
PARLEY_EMAIL_INTERVAL = _count("PARLEY_EMAIL_INTERVAL", 3600)
PARLEY_EMAIL_RUN_INTERVAL = _count("PARLEY_EMAIL_RUN_INTERVAL", 60)
# The embedded mode prints emails on the server's console; production sends them over SMTP
# (EMAIL_HOST and the rest, config/settings/production.py).
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "").strip() or "parley@localhost"
# Seconds a connection to the mail server may take per step; well under the digest's claim.
EMAIL_TIMEOUT = 30

# Files and images (chat/services/attachments.py; docs/configuration.md, "Files").
# The largest file one upload may hold, in bytes; beyond it `too_large` (413).
PARLEY_FILES_MAX_SIZE = _count("PARLEY_FILES_MAX_SIZE", 25 * 1024 * 1024)
# Bytes of files one user may hold in all (thumbnails not counted); beyond it `quota_exceeded`.
# 0: no quota.
PARLEY_FILES_QUOTA = _count("PARLEY_FILES_QUOTA", 1024 * 1024 * 1024)
# Files one message may carry.
PARLEY_FILES_PER_MESSAGE = 10
# Pixels an image may have (width x height); a larger one (a decompression bomb) is refused.
PARLEY_IMAGE_MAX_PIXELS = _count("PARLEY_IMAGE_MAX_PIXELS", 50_000_000)
# The largest picture a person may upload as their avatar, in bytes (accounts/avatars.py);
# beyond it `too_large` (413). Stored as a square of 256 pixels, whatever its size.
PARLEY_AVATAR_MAX_SIZE = _count("PARLEY_AVATAR_MAX_SIZE", 5 * 1024 * 1024)
# Seconds an upload may wait unposted before it is removed.
PARLEY_FILES_UNPOSTED_TTL = 24 * 3600
# Uploads go to a temporary file as they arrive, never whole into memory; the first handler
# refuses one over PARLEY_FILES_MAX_SIZE as soon as it has read that much.
FILE_UPLOAD_HANDLERS = [
    "chat.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700


def files_storage(directory: Path) -> dict[str, Any]:
    """Where uploaded files are kept: the `parley_files` entry of STORAGES. The filesystem under
    `directory` (files 0600 in 0700 directories), or, with PARLEY_FILES_STORAGE, any Django
    storage backend by dotted path (django-storages' S3 one, say) with the JSON object in
    PARLEY_FILES_STORAGE_OPTIONS as its options."""
    backend = os.environ.get("PARLEY_FILES_STORAGE", "").strip()
    if not backend:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {
                "location": str(directory),
                "base_url": None,
                "file_permissions_mode": 0o600,
                "directory_permissions_mode": 0o700,
            },
        }
    import json

    from django.core.exceptions import ImproperlyConfigured

    raw = os.environ.get("PARLEY_FILES_STORAGE_OPTIONS", "").strip() or "{}"
    try:
        options = json.loads(raw)
    except ValueError:
        options = None
    if not isinstance(options, dict):
        raise ImproperlyConfigured(
            "PARLEY_FILES_STORAGE_OPTIONS must be a JSON object, e.g. "
            '{"bucket_name": "parley-files"} (see docs/deployment.md, "Files").'
        )
    return {"BACKEND": backend, "OPTIONS": options}


# Login throttling (django-axes): the AXES_FAILURE_LIMIT-th failed login for one username, or
# from one address, and every login for it after, is refused with HTTP 429 for the cool-off; every
# attempt during it starts the cool-off again (a client that keeps guessing never gets another
# guess). The token endpoint, the login form and the admin login all pass here. Failures are
# logged (logger "axes") and stored (the admin's "Access attempts").
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out login before the others
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = _count("PARLEY_LOGIN_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(seconds=_count("PARLEY_LOGIN_COOLOFF", 300))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_LOCKOUT_CALLABLE = "config.lockout.lockout_response"
# Failures are logged with the address; the username is masked in the log (a password typed
# into the wrong field would land there), and stored in the database for the admin.
AXES_SENSITIVE_PARAMETERS = ["username"]
# Successful logins are not stored (the admin's "Access logs"): only failures matter here.
AXES_DISABLE_ACCESS_LOG = True

# How committed events reach the server processes' sockets (dotted path, see parley/events.py).
PARLEY_FANOUT_BACKEND = "realtime.delivery.fanout.ChannelLayerFanout"


def _choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    value = os.environ.get(name, "").strip() or default
    if value not in choices:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)} (got {value!r}).")
    return value


def _seconds(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        seconds = float(value) if value else default
    except ValueError:
        seconds = -1.0
    if seconds <= 0:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"{name} must be a positive number of seconds (got {value!r}).")
    return seconds


# Seconds a connection has to send a complete request head (ops/http.py); then it is closed.
PARLEY_HEADER_TIMEOUT = _seconds("PARLEY_HEADER_TIMEOUT", 10.0)
# Link previews (links/, chat/tasks.py): the first PARLEY_PREVIEWS_MAX links of a message are
# unfurled by a background job. Only public addresses are fetched, unless a network is listed in
# PARLEY_PREVIEW_ALLOWED_NETWORKS (CIDRs, comma-separated; cloud metadata addresses never).
PARLEY_PREVIEWS = os.environ.get("PARLEY_PREVIEWS", "1") == "1"
PARLEY_PREVIEWS_MAX = _count("PARLEY_PREVIEWS_MAX", 3)


def _networks(name: str) -> list[str]:
    import ipaddress

    values = [value.strip() for value in os.environ.get(name, "").split(",") if value.strip()]
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            from django.core.exceptions import ImproperlyConfigured

            raise ImproperlyConfigured(
                f"{name} must be networks like 10.1.0.0/16,fd12::/48 (got {value!r})."
            ) from None
    return values


PARLEY_PREVIEW_ALLOWED_NETWORKS = _networks("PARLEY_PREVIEW_ALLOWED_NETWORKS")
# Seconds one fetch may take in all: resolving, connecting, every redirect, every read.
PARLEY_PREVIEW_TIMEOUT = _seconds("PARLEY_PREVIEW_TIMEOUT", 5.0)
PARLEY_PREVIEW_REDIRECTS = 3
PARLEY_PREVIEW_MAX_BYTES = _count("PARLEY_PREVIEW_MAX_BYTES", 1024 * 1024)
PARLEY_PREVIEW_IMAGE_MAX_BYTES = _count("PARLEY_PREVIEW_IMAGE_MAX_BYTES", 5 * 1024 * 1024)

# GET /metrics answers only `Authorization: Bearer <this>`; empty: /metrics is off (404).
PARLEY_METRICS_TOKEN = os.environ.get("PARLEY_METRICS_TOKEN", "").strip()
# Presence (realtime/presence/): where each socket's entry lives, a dotted path and its options
# like PARLEY_LIMITS. In memory here (one process); production keeps entries in Redis.
PARLEY_PRESENCE: dict[str, Any] = {
    "BACKEND": "realtime.presence.backends.MemoryBackend",
    "CONFIG": {},
}
# Seconds between two heartbeats of a process's sockets' entries, and after which an entry not
# refreshed expires: a socket whose process was killed shows offline at most this long after.
PARLEY_PRESENCE_HEARTBEAT = _seconds("PARLEY_PRESENCE_HEARTBEAT", 15.0)
PARLEY_PRESENCE_TTL = _seconds("PARLEY_PRESENCE_TTL", 45.0)
# Seconds a socket's presence changes are gathered for before one `presence` frame carries them.
PARLEY_PRESENCE_BATCH = _seconds("PARLEY_PRESENCE_BATCH", 1.0)
# Seconds after a socket's last `typing` frame in a room when it is told stopped (v2).
PARLEY_TYPING_TTL = _seconds("PARLEY_TYPING_TTL", 5.0)
# Checks /readyz runs, in order (ops/readiness.py); each a dotted path to a function.
PARLEY_READINESS_CHECKS = ["ops.readiness.database", "ops.readiness.channel_layer"]

LOGGING = logging_config(
    level=_choice("PARLEY_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    form=_choice("PARLEY_LOG_FORMAT", "plain", LOG_FORMATS),
    access_log=os.environ.get("PARLEY_ACCESS_LOG", "0") == "1",
)


# What Parley's connections to PostgreSQL set (DATABASES' OPTIONS): no JIT. Parley's queries are
# short index reads; PostgreSQL's JIT compiles any query its planner guesses is costly, and the
# unread counts of a user in 500 conversations of a million messages spent 90 % of their time
# compiling (docs/performance.md, "Unread counts").
POSTGRES_OPTIONS = {"options": "-c jit=off"}

# Background jobs (jobs/, README.md "Background jobs"): seconds without a heartbeat after which
# a worker is taken for dead and its running job goes back to the queue; the first retry's
# backoff, doubled per attempt up to the cap (with jitter); how often a worker looks for jobs
# enqueued by other processes (those enqueued in its own process wake it at once); whether
# `parley serve` runs a worker thread in its own process (the embedded mode needs no other).
PARLEY_JOBS_WORKER_TIMEOUT = _seconds("PARLEY_JOBS_WORKER_TIMEOUT", 30.0)
PARLEY_JOBS_BACKOFF = _seconds("PARLEY_JOBS_BACKOFF", 10.0)
PARLEY_JOBS_BACKOFF_MAX = _seconds("PARLEY_JOBS_BACKOFF_MAX", 3600.0)
PARLEY_JOBS_POLL_INTERVAL = _seconds("PARLEY_JOBS_POLL_INTERVAL", 1.0)
PARLEY_JOBS_IN_SERVER = os.environ.get("PARLEY_JOBS_IN_SERVER", "1") != "0"
