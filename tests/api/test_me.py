"""The caller's own account under /api/v1/me: profile, password, sessions, tokens."""

import pytest
from django.test import Client

from accounts.models import Token, UserSession
from accounts.payloads import avatar_color
from accounts.services import token_issue_for
from tests.conftest import PASSWORD

from .client import ApiClient, assert_error

NEW_PASSWORD = "another-horse-battery-staple"


def session_api(user) -> ApiClient:
    client = Client()
    client.force_login(user)
    return ApiClient(client=client)


def test_me_answers_the_profile(make_user, api_as):
    ada = make_user("ada", display_name="Ada Lovelace")
    assert api_as(ada).get("/me").json() == {
        "id": ada.pk,
        "username": "ada",
        "display_name": "Ada Lovelace",
        "avatar": {"initials": "AL", "color": avatar_color(ada.pk), "url": None},
        "status": None,
        "time_zone": "",
    }


def test_patch_changes_only_the_fields_given(make_user, api_as):
    ada = make_user("ada", display_name="Ada")
    api = api_as(ada)
    response = api.patch("/me", {"status_emoji": "🌴", "status_text": "Away", "time_zone": "UTC"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == {"emoji": "🌴", "text": "Away"}
    assert response.json()["display_name"] == "Ada"
    answer = api.patch("/me", {"display_name": "Ada L.", "status_text": ""}).json()
    assert (answer["display_name"], answer["status"], answer["time_zone"]) == (
        "Ada L.",
        {"emoji": "🌴", "text": ""},
        "UTC",
    )
    assert api.get("/me").json() == answer


@pytest.mark.parametrize(
    "body",
    [
        {"time_zone": "Nowhere/Special"},
        {"status_emoji": "two 👍"},
        {"status_text": "x" * 101},
        {"display_name": ""},
        {"avatar": "me.png"},
    ],
)
def test_patch_refuses_invalid_fields_with_400(make_user, api_as, body):
    assert_error(api_as(make_user()).patch("/me", body), 400, "bad_request")


def test_me_needs_a_caller(db):
    assert_error(ApiClient().get("/me"), 401, "not_authenticated")
    assert_error(ApiClient().get("/me/sessions"), 401, "not_authenticated")


def test_a_password_change_keeps_the_calling_session_and_ends_the_others(make_user):
    ada = make_user("ada")
    here, there = session_api(ada), session_api(ada)
    token = token_issue_for(user=ada)[1]
    response = here.post(
        "/me/password", {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    )
    assert response.status_code == 204, response.content
    assert here.get("/me").status_code == 200
    assert_error(there.get("/me"), 401, "not_authenticated")
    assert ApiClient(token).get("/me").status_code == 200  # tokens survive
    assert [s["current"] for s in here.get("/me/sessions").json()["sessions"]] == [True]
    ada.refresh_from_db()
    assert ada.check_password(NEW_PASSWORD)


@pytest.mark.parametrize(
    "body",
    [
        {"current_password": "wrong-horse", "new_password": NEW_PASSWORD},
        {"current_password": PASSWORD, "new_password": "123"},
        {"current_password": PASSWORD, "new_password": "ada"},
    ],
)
def test_a_wrong_current_password_or_a_weak_new_one_is_400(make_user, api_as, body):
    ada = make_user("ada")
    assert_error(api_as(ada).post("/me/password", body), 400, "bad_request")
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD)


def test_sessions_are_listed_with_the_current_one_marked(make_user, api_as):
    ada, bob = make_user("ada"), make_user("bob")
    here, _ = session_api(ada), session_api(ada)
    session_api(bob)
    sessions = here.get("/me/sessions").json()["sessions"]
    assert len(sessions) == 2
    assert sorted(s["current"] for s in sessions) == [False, True]
    assert set(sessions[0]) == {
        "id",
        "created_at",
        "last_seen_at",
        "user_agent",
        "address",
        "current",
    }
    assert not any(s["current"] for s in api_as(ada).get("/me/sessions").json()["sessions"])


def test_ending_a_session_signs_it_out_and_someone_elses_is_404(make_user):
    ada, bob = make_user("ada"), make_user("bob")
    here, there = session_api(ada), session_api(ada)
    bobs = session_api(bob)
    [other] = [s for s in here.get("/me/sessions").json()["sessions"] if not s["current"]]
    bob_session = UserSession.objects.get(user=bob).pk
    assert_error(here.delete(f"/me/sessions/{bob_session}"), 404, "not_found")
    assert_error(here.delete("/me/sessions/999999"), 404, "not_found")
    assert here.delete(f"/me/sessions/{other['id']}").status_code == 204
    assert_error(there.get("/me"), 401, "not_authenticated")
    assert here.get("/me").status_code == 200
    assert bobs.get("/me").status_code == 200


def test_logging_out_everywhere_keeps_the_caller_unless_asked(make_user):
    ada = make_user("ada")
    here, there = session_api(ada), session_api(ada)
    token = token_issue_for(user=ada)[1]
    assert here.post("/me/logout-everywhere", {}).json() == {"ended": 1}
    assert here.get("/me").status_code == 200
    assert_error(there.get("/me"), 401, "not_authenticated")
    assert here.post("/me/logout-everywhere", {"keep_current": False}).json() == {"ended": 1}
    assert_error(here.get("/me"), 401, "not_authenticated")
    assert ApiClient(token).get("/me").status_code == 200  # tokens are not sessions


def test_tokens_are_listed_and_revoked_by_id(make_user):
    ada, bob = make_user("ada"), make_user("bob")
    mine, secret = token_issue_for(user=ada, name="deploy bot")
    other, other_secret = token_issue_for(user=ada)
    bobs = token_issue_for(user=bob)[0]
    api = ApiClient(secret)
    tokens = api.get("/me/tokens").json()["tokens"]
    assert [(t["id"], t["current"]) for t in tokens] == [(other.pk, False), (mine.pk, True)]
    assert tokens[1]["name"] == "deploy bot"
    assert tokens[1]["prefix"] == secret[:12]
    assert "key_hash" not in tokens[1] and secret not in str(tokens)
    assert_error(api.delete(f"/me/tokens/{bobs.pk}"), 404, "not_found")
    assert api.delete(f"/me/tokens/{other.pk}").status_code == 204
    assert_error(ApiClient(other_secret).get("/me"), 401, "not_authenticated")
    assert_error(api.delete(f"/me/tokens/{other.pk}"), 404, "not_found")
    assert [t["id"] for t in api.get("/me/tokens").json()["tokens"]] == [mine.pk]
    assert Token.objects.get(pk=bobs.pk).revoked_at is None


def test_wrong_current_passwords_count_as_failed_log_ins(make_user, api_as, settings):
    settings.AXES_FAILURE_LIMIT = 3
    ada = make_user("ada")
    api = api_as(ada)
    wrong = {"current_password": "wrong-horse", "new_password": NEW_PASSWORD}
    assert [api.post("/me/password", wrong).status_code for _ in range(3)] == [400, 400, 429]
    right = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    refused = api.post("/me/password", right)
    assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD)
