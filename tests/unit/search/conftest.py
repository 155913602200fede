"""Searching as a user would: posts through the services, then the one search."""

import uuid

import pytest

from chat.models import Message
from chat.services.messages import message_post
from search.selectors import message_search


@pytest.fixture
def post():
    """post(user, room, body, **keywords): the new message (thread_root, also_to_room)."""

    def make(user, room, body: str = "hello", **keywords):
        return message_post(author=user, room=room, body=body, client_id=uuid.uuid4(), **keywords)[
            0
        ]

    return make


@pytest.fixture
def search():
    """search(user, text, **keywords): the bodies of the messages found, best first."""

    def run(user, text: str, **keywords):
        page = message_search(user=user, query=text, **keywords)
        bodies = Message.objects.in_bulk([result["id"] for result in page["results"]])
        return [bodies[result["id"]].body for result in page["results"]]

    return run
