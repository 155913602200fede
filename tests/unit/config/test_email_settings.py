"""Email: printed on the console in the embedded mode; in production sent over SMTP from the
EMAIL_* variables, or not at all when EMAIL_HOST is unset (never into the log)."""

import re

import pytest
from django.core.exceptions import ImproperlyConfigured

from .test_production_settings import load

EMAIL = [
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "EMAIL_USE_SSL",
    "DEFAULT_FROM_EMAIL",
    "PARLEY_SITE_URL",
]


def production(monkeypatch, **env: str):
    for name in EMAIL:
        monkeypatch.delenv(name, raising=False)
    return load(monkeypatch, **env)


def test_the_embedded_mode_prints_email_on_the_console():
    from config.settings import embedded

    assert embedded.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"
    assert embedded.PARLEY_EMAIL_DIGESTS is True


def test_production_sends_over_smtp_from_the_environment(monkeypatch):
    settings = production(
        monkeypatch,
        EMAIL_HOST="smtp.example.com",
        EMAIL_HOST_USER="parley",
        EMAIL_HOST_PASSWORD="secret",
        DEFAULT_FROM_EMAIL="Parley <parley@example.com>",
    )
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    assert (settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS) == (
        "smtp.example.com",
        587,
        True,
    )
    assert (settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD) == ("parley", "secret")
    assert settings.DEFAULT_FROM_EMAIL == "Parley <parley@example.com>"
    assert settings.PARLEY_EMAIL_DIGESTS is True
    assert settings.PARLEY_SITE_URL == "https://chat.example.com"  # the first allowed origin


def test_production_without_a_mail_server_sends_no_digest(monkeypatch):
    settings = production(monkeypatch)
    assert settings.PARLEY_EMAIL_DIGESTS is False
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT must be a port number"),
        ({"EMAIL_PORT": "70000"}, "EMAIL_PORT must be a port number"),
        ({"EMAIL_USE_SSL": "1"}, "EMAIL_USE_TLS (STARTTLS, port 587) and EMAIL_USE_SSL"),
        ({"EMAIL_USE_TLS": "yes"}, "EMAIL_USE_TLS must be 0 or 1"),
        ({"DEFAULT_FROM_EMAIL": ""}, "Set DEFAULT_FROM_EMAIL"),
        ({"PARLEY_SITE_URL": "chat.example.com"}, "PARLEY_SITE_URL must be the site's address"),
    ],
)
def test_a_malformed_email_variable_is_explained(monkeypatch, env, says):
    env = {"EMAIL_HOST": "smtp.example.com", "DEFAULT_FROM_EMAIL": "parley@example.com", **env}
    with pytest.raises(ImproperlyConfigured, match="^" + re.escape(says)):
        production(monkeypatch, **env)
