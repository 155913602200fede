"""Callers of the REST API: one per user, authenticated by a fresh bearer token."""

import pytest

from .client import ApiClient


@pytest.fixture
def api_as(make_token):
    """api_as(user): an ApiClient calling as `user` with a fresh token; api_as(None): anonymous."""

    def make(user) -> ApiClient:
        return ApiClient(make_token(user) if user is not None else None)

    return make
