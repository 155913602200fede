"""Helpers for the services that change a room: posting as a user would, and what the fan-out
backend receives."""

import uuid

import pytest

from chat.services.messages import message_post
from parley import events


@pytest.fixture
def published(monkeypatch):
    """The room changes the fan-out backend receives (after commit), in order."""
    sent: list[events.RoomChange] = []

    class Recorder:
        def publish(self, event):
            if isinstance(event, events.RoomChange):
                sent.append(event)

    monkeypatch.setattr(events, "backend", lambda: Recorder())
    return sent


@pytest.fixture
def post():
    """post(user, room, body, **keywords): the new message (message_post's other keywords:
    thread_root, also_to_room)."""

    def make(user, room, body: str = "hello", **keywords):
        return message_post(author=user, room=room, body=body, client_id=uuid.uuid4(), **keywords)[
            0
        ]

    return make
