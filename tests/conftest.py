"""Shared fixtures. Data is set up through the services, as a user would."""

import itertools

import pytest

from accounts.services import token_issue_for, user_create
from chat.services.rooms import room_create

# The local web server link preview tests fetch from (`link_server`).
pytest_plugins = ["tests.linkserver"]

_names = itertools.count(1)
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Each test starts with no post, replay or socket counted (user ids recur across tests)."""
    from throttle.services import backend

    backend().clear()


@pytest.fixture
def make_user(db):
    def make(username: str | None = None, display_name: str = ""):
        return user_create(
            username=username or f"user{next(_names)}", password=PASSWORD, display_name=display_name
        )

    return make


@pytest.fixture
def make_token(db):
    def make(user) -> str:
        return token_issue_for(user=user)[1]

    return make


@pytest.fixture
def make_room(db):
    def make(owner, name: str | None = None, **kwargs):
        return room_create(owner=owner, name=name or f"Room {next(_names)}", **kwargs)

    return make


@pytest.fixture
def make_legacy_private_room(db):
    """A private room as made before private slugs got their random suffix: its slug is one
    anyone could type. The services no longer make such a room, so it is written as the old
    code wrote it (the room, and its owner as its only member)."""
    from chat.models import Membership, Room

    def make(owner, slug: str):
        room = Room.objects.create(slug=slug, name=slug, private=True, owner=owner)
        Membership.objects.create(room=room, user=owner)
        return room

    return make


@pytest.fixture
def refusing_mail_server(settings):
    """Email goes over real SMTP to a local port nobody listens on: every send fails (refused).
    Setting EMAIL_BACKEND back to locmem brings the mail server back."""
    import socket

    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 5
