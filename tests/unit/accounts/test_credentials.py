"""Credential changes, however they are made, publish `credentials.revoked` on the user's
stream after commit; what each change ends (accounts/credentials.py's table)."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from accounts.credentials import Credential, credential_active, session_name, token_name
from accounts.models import Token
from accounts.services import token_issue_for, token_revoke, user_deactivate, user_password_set
from parley.errors import BadRequest

pytestmark = pytest.mark.django_db(transaction=True)
NEW_PASSWORD = "another-horse-battery-staple"


def signed_in(user) -> tuple[Client, Credential]:
    client = Client()
    client.force_login(user)
    return client, Credential("session", client.session.session_key, user.pk)


def test_revoking_a_token_names_that_token_and_ends_it(make_user, revoked):
    bob = make_user()
    token, secret = token_issue_for(user=bob)
    credential = Credential("token", str(token.pk), bob.pk)
    assert credential_active(credential=credential)
    assert token_revoke(secret=secret)
    assert revoked() == [(bob.pk, token_name(token.pk))]
    assert not credential_active(credential=credential)


def test_a_token_revoked_or_deleted_in_the_admin_is_published(make_user, revoked):
    bob = make_user()
    first, _ = token_issue_for(user=bob)
    second, _ = token_issue_for(user=bob)
    first.revoked_at = timezone.now()
    first.save()
    second.name = "renamed"
    second.save()  # not a revocation
    Token.objects.get(pk=second.pk).delete()
    assert revoked() == [(bob.pk, token_name(first.pk)), (bob.pk, token_name(second.pk))]


def test_logging_out_names_that_session(make_user, revoked):
    bob = make_user()
    client, credential = signed_in(bob)
    assert credential_active(credential=credential)
    client.post("/accounts/logout/")
    assert revoked() == [(bob.pk, session_name(credential.key))]
    assert not credential_active(credential=credential)


def test_a_password_change_ends_every_session_and_keeps_tokens(make_user, revoked):
    bob = make_user()
    _, session = signed_in(bob)
    token, _ = token_issue_for(user=bob)
    user_password_set(user=bob, password=NEW_PASSWORD)
    assert revoked() == [(bob.pk, "session:*")]
    assert not credential_active(credential=session)
    assert credential_active(credential=Credential("token", str(token.pk), bob.pk))
    assert Credential("session", "x", bob.pk).revoked_by("session:*")
    assert not Credential("token", "1", bob.pk).revoked_by("session:*")


def test_a_weak_new_password_is_refused_and_revokes_nothing(make_user, revoked):
    bob = make_user()
    with pytest.raises(BadRequest):
        user_password_set(user=bob, password="   ")
    assert revoked() == []


def test_changepassword_and_the_admins_save_are_caught(make_user, revoked, monkeypatch):
    bob = make_user()
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)
    call_command("changepassword", bob.username, stdout=open("/dev/null", "w"))
    row = get_user_model().objects.get(pk=bob.pk)
    row.first_name = "Bob"
    row.save()  # an edit that changes no credential
    assert revoked() == [(bob.pk, "session:*")]


def test_deactivation_ends_everything(make_user, revoked):
    bob = make_user()
    _, session = signed_in(bob)
    token, _ = token_issue_for(user=bob)
    user_deactivate(user=bob)
    assert revoked() == [(bob.pk, "*")]
    assert not credential_active(credential=session)
    assert not credential_active(credential=Credential("token", str(token.pk), bob.pk))
    assert Credential("token", str(token.pk), bob.pk).revoked_by("*")
