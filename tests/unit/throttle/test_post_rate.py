"""The post service admits posts per user (throttle.services.post_admit), on any engine."""

import logging
import uuid

import pytest

from chat.models import Message
from chat.services.messages import message_post
from parley.errors import RateLimited


def post(user, room):
    return message_post(author=user, room=room, body="hi", client_id=uuid.uuid4())


def test_the_post_service_refuses_a_user_over_the_rate(make_user, make_room, settings):
    settings.PARLEY_POST_RATE = (0.001, 3)
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    for _ in range(3):
        post(ada, room)
    with pytest.raises(RateLimited) as refused:
        post(ada, room)
    assert refused.value.code == "rate_limited" and refused.value.retry_after > 0
    post(bob, room)
    assert Message.objects.count() == 4


def test_posting_goes_on_unlimited_while_redis_is_away(
    make_user, make_room, settings, dead_redis_url, caplog
):
    settings.PARLEY_POST_RATE = (0.001, 1)
    settings.PARLEY_LIMITS = {
        "BACKEND": "throttle.backends.RedisBackend",
        "CONFIG": {"url": dead_redis_url, "timeout": 0.2},
    }
    ada = make_user()
    room = make_room(ada)
    with caplog.at_level(logging.WARNING, logger="throttle.backends"):
        for _ in range(3):
            post(ada, room)
    assert Message.objects.count() == 3
    assert any("not enforced" in r.getMessage() for r in caplog.records)
