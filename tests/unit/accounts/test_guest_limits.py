"""New guests are limited per client address (PARLEY_GUESTS_PER_HOUR)."""

import pytest

from accounts.models import User
from accounts.services import guest_for_session
from parley.errors import RateLimited


def test_guests_per_address_are_limited(db, settings):
    settings.PARLEY_GUESTS_PER_HOUR = 3
    for _ in range(3):
        guest_for_session(None, address="203.0.113.7")
    with pytest.raises(RateLimited) as caught:
        guest_for_session(None, address="203.0.113.7")
    assert 0 < caught.value.retry_after <= 3600
    assert User.objects.filter(is_guest=True).count() == 3
    guest_for_session(None, address="203.0.113.8")  # another address is not affected


def test_a_session_that_holds_its_guest_is_not_counted(db, settings):
    from django.contrib.sessions.backends.db import SessionStore

    settings.PARLEY_GUESTS_PER_HOUR = 1
    session = SessionStore()
    first = guest_for_session(session, address="203.0.113.7")
    assert guest_for_session(session, address="203.0.113.7") == first


def test_zero_means_no_limit(db, settings):
    settings.PARLEY_GUESTS_PER_HOUR = 0
    for _ in range(5):
        guest_for_session(None, address="203.0.113.7")
