"""`python -m parley check --deploy` is clean on a valid production environment, and that
environment serves HTTPS only (HSTS, Secure cookies, redirect) unless PARLEY_HTTPS=0."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from .test_production_settings import GOOD, load

ROOT = Path(__file__).resolve().parents[3]
HTTPS_VARIABLES = ("PARLEY_HTTPS", "PARLEY_SECURE_COOKIES", "PARLEY_DEBUG", "PARLEY_HSTS_SECONDS")


@pytest.fixture(autouse=True)
def _no_https_variables(monkeypatch):
    for name in HTTPS_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def test_check_deploy_is_clean_on_the_production_settings():
    # A key made as docs/deployment.md says.
    key = secrets.token_urlsafe(50)
    env = {
        **os.environ,
        **GOOD,
        "SECRET_KEY": key,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
    }
    for name in HTTPS_VARIABLES:
        env.pop(name, None)
    done = subprocess.run(
        [sys.executable, "-m", "parley", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert "System check identified no issues" in done.stdout


def test_production_tells_browsers_to_use_https_only(monkeypatch):
    production = load(monkeypatch)
    assert production.SECURE_HSTS_SECONDS >= 31536000 and production.SECURE_HSTS_INCLUDE_SUBDOMAINS
    assert production.SECURE_SSL_REDIRECT and production.SESSION_COOKIE_SECURE
    # The load balancer's and Prometheus' probes reach the server directly, over plain HTTP.
    assert {"healthz", "readyz", "metrics"} <= {
        p.strip("^$") for p in production.SECURE_REDIRECT_EXEMPT
    }


def test_a_plain_http_trial_sends_no_hsts(monkeypatch):
    production = load(monkeypatch, PARLEY_HTTPS="0")
    assert production.SECURE_HSTS_SECONDS == 0 and not production.SECURE_SSL_REDIRECT
    assert production.SESSION_COOKIE_SECURE is False


def test_hsts_lifetime_is_a_number_of_seconds(monkeypatch):
    assert load(monkeypatch, PARLEY_HSTS_SECONDS="300").SECURE_HSTS_SECONDS == 300
    with pytest.raises(ImproperlyConfigured, match="PARLEY_HSTS_SECONDS must be"):
        load(monkeypatch, PARLEY_HSTS_SECONDS="a year")
