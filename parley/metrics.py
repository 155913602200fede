"""The Prometheus metrics Parley keeps (prometheus-client), served at /metrics (ops/views.py).

Every layer may count here (this module imports nothing of Parley's). Counting is a few
attribute look-ups and an add; on the fan-out path it happens once per event and process,
never once per recipient. Under `parley serve --workers N` each worker writes its values to
files in PROMETHEUS_MULTIPROC_DIR (set up by the serve command) and /metrics adds them up.
"""

from prometheus_client import Counter, Gauge, Histogram, disable_created_metrics

# No `_created` series: a counter's start time is noise on every scrape.
disable_created_metrics()

OPEN_SOCKETS = Gauge(
    "parley_open_sockets",
    "WebSocket connections being served (both endpoints).",
    multiprocess_mode="livesum",
)

_posts = Counter(
    "parley_posts",
    "Posts handled, by outcome: stored, or a retry answered with the original.",
    ["outcome"],
)
POSTS_STORED = _posts.labels("stored")
POSTS_RETRIED = _posts.labels("retry")
POST_COMMIT_SECONDS = Histogram(
    "parley_post_commit_seconds",
    "Time to store a new message: from its seq to the commit.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)

DELIVERIES = Counter(
    "parley_deliveries",
    "Message frames handed to local sockets by the room hub (one per socket and message).",
)

_resumes = Counter(
    "parley_resumes",
    "Subscribes with `since`, by outcome: the gap replayed, or `reset`.",
    ["outcome"],
)
RESUMES_REPLAYED = _resumes.labels("replayed")
RESUMES_RESET = _resumes.labels("reset")
REPLAYED_MESSAGES = Counter("parley_replayed_messages", "Messages written to sockets by resumes.")

_refills = Counter(
    "parley_refills",
    "Gaps in the live stream read from the database: for one socket, or once for a process' room.",
    ["scope"],
)
REFILLS_SOCKET = _refills.labels("socket")
REFILLS_PROCESS = _refills.labels("process")

RECONNECT_CLOSES = Counter(
    "parley_reconnect_closes",
    "Sockets closed with 4000 (resume elsewhere): too far behind, or the database away.",
)

_rate_limited = Counter(
    "parley_rate_limited",
    "Rate-limit answers: `rate_limited` frames (websocket), 429 responses (http), 4429 closes (flood).",
    ["where"],
)
RATE_LIMITED_WEBSOCKET = _rate_limited.labels("websocket")
RATE_LIMITED_HTTP = _rate_limited.labels("http")
RATE_LIMITED_FLOOD = _rate_limited.labels("flood")

LOGIN_FAILURES = Counter(
    "parley_login_failures",
    "Wrong credentials (login form, admin, token endpoint): Django's user_login_failed.",
)
