"""Browser sessions a user can list and end (accounts/sessions.py): recorded at log-in, ended
sessions sign no one in and publish their revocation, someone else's answer NotFound."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.credentials import EVERY_SESSION, session_name
from accounts.models import UserSession
from accounts.services import user_password_set
from accounts.sessions import SEEN_EVERY, SEEN_KEY, session_list, session_revoke, session_revoke_all
from parley.errors import NotFound
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def signs_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def test_logging_in_records_the_session(make_user):
    ada = make_user("ada")
    client = Client(HTTP_USER_AGENT="Firefox/140", REMOTE_ADDR="203.0.113.9")
    client.post("/accounts/login/", {"username": "ada", "password": PASSWORD})
    [record] = session_list(user=ada)
    assert record.session_key == client.session.session_key
    assert (record.user_agent, record.address) == ("Firefox/140", "203.0.113.9")


def test_a_request_of_an_unrecorded_session_records_it(make_user):
    ada = make_user("ada")
    client = signed_in(ada)
    # Signed in before sessions were recorded: no row, and the session never said it was seen.
    UserSession.objects.all().delete()
    session = client.session
    del session[SEEN_KEY]
    session.save()
    client.get("/")
    assert [r.session_key for r in session_list(user=ada)] == [client.session.session_key]


def test_revoking_a_session_signs_it_out_and_names_it(make_user, revoked):
    ada = make_user("ada")
    first, second = signed_in(ada), signed_in(ada)
    record = UserSession.objects.get(session_key=first.session.session_key)
    session_revoke(user=ada, session_id=record.pk)
    assert not signs_in(first)
    assert signs_in(second)
    assert revoked() == [(ada.pk, session_name(record.session_key))]
    assert [r.session_key for r in session_list(user=ada)] == [second.session.session_key]


def test_someone_elses_session_is_not_found(make_user, revoked):
    ada, bob = make_user("ada"), make_user("bob")
    signed_in(bob)
    with pytest.raises(NotFound):
        session_revoke(user=ada, session_id=UserSession.objects.get(user=bob).pk)
    with pytest.raises(NotFound):
        session_revoke(user=ada, session_id=10**9)
    assert revoked() == []


def test_logging_out_everywhere_keeps_only_the_session_asked_to_stay(make_user, revoked):
    ada, bob = make_user("ada"), make_user("bob")
    here, there, elsewhere = signed_in(ada), signed_in(ada), signed_in(ada)
    bobs = signed_in(bob)
    assert session_revoke_all(user=ada, keep=here.session.session_key) == 2
    assert (signs_in(here), signs_in(there), signs_in(elsewhere), signs_in(bobs)) == (
        True,
        False,
        False,
        True,
    )
    assert EVERY_SESSION not in {credential for _, credential in revoked()}
    assert session_revoke_all(user=ada) == 1
    assert not signs_in(here)
    assert (ada.pk, EVERY_SESSION) in revoked()


def test_sessions_a_password_change_ended_are_not_listed(make_user):
    ada = make_user("ada")
    signed_in(ada)
    user_password_set(user=ada, password="another-horse-battery-staple")
    assert session_list(user=ada) == []
    assert not UserSession.objects.exists()


def test_logging_out_forgets_the_session(make_user):
    ada = make_user("ada")
    client = signed_in(ada)
    client.post("/accounts/logout/")
    assert not UserSession.objects.exists()


def test_last_seen_is_written_at_most_every_few_minutes(make_user):
    ada = make_user("ada")
    client = signed_in(ada)
    first = UserSession.objects.get().last_seen_at
    client.get("/")
    assert UserSession.objects.get().last_seen_at == first  # seen just now: no write
    session = client.session
    session[SEEN_KEY] -= SEEN_EVERY + 1
    session.save()
    client.get("/")
    assert UserSession.objects.get().last_seen_at > first
