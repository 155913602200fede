"""Accounts, guests and tokens."""

import pytest
from django.test import RequestFactory

from accounts.models import Token
from accounts.services import (
    guest_create,
    guest_for_session,
    token_authenticate,
    token_issue,
    token_revoke,
    user_create,
    user_rename,
)
from parley.errors import BadRequest, Conflict, NotAuthenticated
from tests.conftest import PASSWORD


def test_user_create_validates_name_and_password(db):
    user = user_create(username="ada", password=PASSWORD, display_name="  Ada   Lovelace ")
    assert user.display_name == "Ada Lovelace" and user.check_password(PASSWORD)
    with pytest.raises(Conflict):
        user_create(username="ADA", password=PASSWORD)
    with pytest.raises(BadRequest):
        user_create(username="bad name!", password=PASSWORD)
    with pytest.raises(BadRequest):
        user_create(username="bob", password="123")


def test_tokens_are_stored_hashed_and_revocable(make_user):
    user = make_user("grace")
    _token, secret = token_issue(
        request=RequestFactory().post("/api/v1/auth/token"), username="grace", password=PASSWORD
    )
    assert secret.startswith("prl_") and secret not in {t.key_hash for t in Token.objects.all()}
    assert token_authenticate(secret=secret) == user
    assert token_revoke(secret=secret) is True
    assert token_authenticate(secret=secret) is None
    assert token_revoke(secret=secret) is False


def test_token_issue_refuses_wrong_password_and_guests(make_user):
    make_user("linus")
    with pytest.raises(NotAuthenticated):
        token_issue(
            request=RequestFactory().post("/api/v1/auth/token"), username="linus", password="wrong"
        )
    guest = guest_create()
    with pytest.raises(NotAuthenticated):
        token_issue(
            request=RequestFactory().post("/api/v1/auth/token"),
            username=guest.username,
            password="",
        )


def test_guest_is_anonymous_and_cannot_log_in(db):
    guest = guest_create()
    assert guest.is_guest and guest.display_name == "Anonymous" and not guest.has_usable_password()


def test_guest_identity_is_kept_in_the_session(db):
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    first = guest_for_session(session)
    assert guest_for_session(SessionStore(session_key=session.session_key)) == first
    assert guest_for_session(None) != first


def test_rename_trims_and_bounds(make_user):
    user = make_user()
    assert user_rename(user=user, display_name="  New   Name ").display_name == "New Name"
    with pytest.raises(BadRequest):
        user_rename(user=user, display_name="   ")
    with pytest.raises(BadRequest):
        user_rename(user=user, display_name="x" * 81)
