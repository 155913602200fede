"""The embedded default: one machine, one process, no services.

SQLite in WAL mode in a data directory, the in-memory channel layer, guests and open sign-up on.
Only loopback hosts and origins are allowed unless PARLEY_ALLOWED_HOSTS / PARLEY_ALLOWED_ORIGINS
say otherwise.
"""

import os
from pathlib import Path

from parley import files

from .base import *  # noqa: F403
from .base import BASE_DIR

# The database holds password hashes, sessions and private messages: the directory is 0700, the
# database (so its -wal and -shm too) and the key 0600, from the moment each exists.
DATA_DIR = files.private_directory(Path(os.environ.get("PARLEY_DATA_DIR", BASE_DIR / "data")))
DATABASE_FILE = files.private_file(DATA_DIR / "parley.sqlite3")
# Uploaded files: private like the database (docs/configuration.md, "Files").
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "parley_files": files_storage(DATA_DIR / "files"),  # noqa: F405
}

# A key made once per data directory, so sessions survive restarts.
SECRET_KEY = os.environ.get("SECRET_KEY") or files.secret_in(DATA_DIR / "secret_key")
DEBUG = os.environ.get("PARLEY_DEBUG", "") == "1"

_port = os.environ.get("PORT", "8000")
_loopback = ["127.0.0.1", "localhost", "[::1]"]
ALLOWED_HOSTS = os.environ.get("PARLEY_ALLOWED_HOSTS", ",".join(_loopback)).split(",")
PARLEY_ALLOWED_ORIGINS = os.environ.get(
    "PARLEY_ALLOWED_ORIGINS", ",".join(f"http://{host}:{_port}" for host in _loopback)
).split(",")

# Where the site is, for links in emails: the first allowed origin unless set.
PARLEY_SITE_URL = (
    os.environ.get("PARLEY_SITE_URL", "").strip() or PARLEY_ALLOWED_ORIGINS[0]
).rstrip("/")

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATABASE_FILE,
        # Keep the connection: opening one per call (and running the PRAGMAs below) cost a
        # quarter of a post's CPU (docs/performance.md).
        "CONN_MAX_AGE": None,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": {
            # IMMEDIATE: a writing transaction takes the write lock at BEGIN, so two writers
            # queue on busy_timeout instead of failing with "database is locked" on upgrade.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            # WAL lets readers run beside the writer; synchronous=FULL fsyncs every commit, so
            # an acknowledged message survives a power cut as well as a killed process.
            # secure_delete: what a deletion removes (a deleted message's body) is overwritten
            # in the file, not left in a free page.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON;"
            ),
        },
    }
}

CHANNEL_LAYERS = {
    "default": {
        # Channels' in-memory layer, cleaning expired entries at most once a second.
        "BACKEND": "realtime.memory_layer.InMemoryLayer",
        # The room hub's inbox (realtime/delivery/hub.py: one layer channel per process, not per
        # socket). On overflow the layer drops and the hub reads the gap from the database, so
        # this bounds memory, not correctness.
        "CONFIG": {"capacity": 10000, "expiry": 60},
    }
}

PARLEY_GUESTS = os.environ.get("PARLEY_GUESTS", "1") == "1"
PARLEY_OPEN_SIGNUP = os.environ.get("PARLEY_OPEN_SIGNUP", "1") == "1"
