"""Production settings come from the environment; a missing or malformed value stops start-up
with one line naming what to set, and nothing falls back to the embedded engines."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[3]
GOOD = {
    "SECRET_KEY": "k" * 50,
    "ALLOWED_HOSTS": "chat.example.com",
    "PARLEY_ALLOWED_ORIGINS": "https://chat.example.com",
    "DATABASE_URL": "postgres://parley:secret@db.internal:5432/parley",
    "REDIS_URL": "redis://cache.internal:6379/0",
}


def load(monkeypatch, **env: str | None):
    for name in [*GOOD, "PARLEY_GUESTS", "PARLEY_OPEN_SIGNUP", "PARLEY_REDIS_PREFIX"]:
        monkeypatch.delenv(name, raising=False)
    for name, value in {**GOOD, **env}.items():
        if value is not None:
            monkeypatch.setenv(name, value)
    sys.modules.pop("config.settings.production", None)
    try:
        return importlib.import_module("config.settings.production")
    finally:
        sys.modules.pop("config.settings.production", None)


def test_a_complete_environment_configures_postgresql_and_the_redis_layer(monkeypatch):
    production = load(monkeypatch)
    database = production.DATABASES["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"], database["CONN_HEALTH_CHECKS"]) == (
        "db.internal",
        "parley",
        True,
    )
    layer = production.CHANNEL_LAYERS["default"]
    assert layer["BACKEND"] == "realtime.layers.RedisPubSubLayer"
    host = layer["CONFIG"]["hosts"][0]
    assert host["address"] == GOOD["REDIS_URL"] and host["max_connections"] >= 10
    assert layer["CONFIG"]["prefix"] == "parley:"
    assert production.ALLOWED_HOSTS == ["chat.example.com"]
    assert production.CSRF_TRUSTED_ORIGINS == ["https://chat.example.com"]
    assert production.PARLEY_GUESTS is False and production.SESSION_COOKIE_SECURE is True


@pytest.mark.parametrize("name", list(GOOD))
def test_a_missing_variable_is_named(monkeypatch, name):
    with pytest.raises(ImproperlyConfigured, match=f"^Set {name}: "):
        load(monkeypatch, **{name: None})


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be at least 32 characters"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS must name hosts explicitly"),
        (
            {"PARLEY_ALLOWED_ORIGINS": "chat.example.com"},
            "PARLEY_ALLOWED_ORIGINS lists origins as scheme://host",
        ),
        (
            {"DATABASE_URL": "sqlite:///data/parley.sqlite3"},
            "DATABASE_URL must be a URL like postgres://",
        ),
        ({"DATABASE_URL": "postgres://db:port/parley"}, "DATABASE_URL has a malformed port"),
        ({"REDIS_URL": "cache.internal:6379"}, "REDIS_URL must be a URL like redis://"),
        ({"PARLEY_GUESTS": "yes"}, "PARLEY_GUESTS must be 0 or 1"),
    ],
)
def test_a_malformed_variable_is_explained(monkeypatch, env, says):
    with pytest.raises(ImproperlyConfigured, match=f"^{says}"):
        load(monkeypatch, **env)


def test_the_command_line_prints_one_line_and_no_traceback():
    env = {k: v for k, v in os.environ.items() if k not in GOOD}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    done = subprocess.run(
        [sys.executable, "-m", "parley", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "parley: Set SECRET_KEY: production settings require it (see docs/deployment.md)."
    ]


def test_the_limits_count_in_redis(monkeypatch):
    production = load(monkeypatch)
    assert production.PARLEY_LIMITS["BACKEND"] == "throttle.backends.RedisBackend"
    assert production.PARLEY_LIMITS["CONFIG"]["url"] == production.REDIS_URL


def test_limits_come_from_the_environment_and_malformed_ones_stop_start_up(monkeypatch):
    # The limits are read by the shared base module: read it afresh, and leave it as it was.
    monkeypatch.delitem(sys.modules, "config.settings.base")
    production = load(monkeypatch, PARLEY_ROOMS_PER_HOUR="5", PARLEY_GUESTS_PER_HOUR="0")
    assert (production.PARLEY_ROOMS_PER_HOUR, production.PARLEY_GUESTS_PER_HOUR) == (5, 0)
    monkeypatch.delitem(sys.modules, "config.settings.base")
    with pytest.raises(ImproperlyConfigured, match="PARLEY_ROOMS_PER_HOUR must be a whole number"):
        load(monkeypatch, PARLEY_ROOMS_PER_HOUR="many")
