"""Sign-up and tokens: POST /accounts, POST and DELETE /auth/token."""

from django.test import Client

from accounts.models import Token, User
from accounts.payloads import avatar_color
from tests.conftest import PASSWORD

from .client import API, ApiClient, assert_error


def test_sign_up_answers_201_with_the_user(db):
    response = ApiClient().post(
        "/accounts", {"username": "ada", "password": PASSWORD, "display_name": "Ada L."}
    )
    assert response.status_code == 201, response.content
    user = User.objects.get(username="ada")
    assert response.json() == {
        "id": user.pk,
        "username": "ada",
        "display_name": "Ada L.",
        "avatar": {"initials": "AL", "color": avatar_color(user.pk), "url": None},
    }


def test_sign_up_without_display_name_shows_the_username(db):
    response = ApiClient().post("/accounts", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 201
    assert response.json()["display_name"] == "ada"


def test_sign_up_is_403_when_signup_is_closed(db, settings):
    settings.PARLEY_OPEN_SIGNUP = False
    response = ApiClient().post("/accounts", {"username": "ada", "password": PASSWORD})
    assert_error(response, 403, "forbidden")
    assert not User.objects.filter(username="ada").exists()


def test_sign_up_with_a_taken_username_is_409(make_user):
    make_user("ada")
    response = ApiClient().post("/accounts", {"username": "ADA", "password": PASSWORD})
    assert_error(response, 409, "conflict")


def test_sign_up_with_a_weak_password_is_400(db):
    response = ApiClient().post("/accounts", {"username": "ada", "password": "123"})
    assert_error(response, 400, "bad_request")
    assert not User.objects.filter(username="ada").exists()


def test_sign_up_without_a_password_is_400_naming_it(db):
    body = assert_error(ApiClient().post("/accounts", {"username": "ada"}), 400, "bad_request")
    assert "password" in body["message"]


def test_token_is_issued_for_the_right_password_and_works(make_user):
    make_user("ada")
    response = ApiClient().post("/auth/token", {"username": "ada", "password": PASSWORD})
    assert response.status_code == 200, response.content
    assert set(response.json()) == {"token"}
    assert ApiClient(response.json()["token"]).get("/rooms").status_code == 200


def test_token_for_a_wrong_password_is_401(make_user):
    make_user("ada")
    response = ApiClient().post("/auth/token", {"username": "ada", "password": "wrong"})
    assert_error(response, 401, "not_authenticated")
    assert not Token.objects.exists()


def test_token_for_an_unknown_user_is_401(db):
    response = ApiClient().post("/auth/token", {"username": "nobody", "password": PASSWORD})
    assert_error(response, 401, "not_authenticated")


def test_deleting_the_token_revokes_it_and_only_it(make_user, make_token):
    user = make_user()
    kept, revoked = make_token(user), make_token(user)
    response = ApiClient(revoked).delete("/auth/token")
    assert response.status_code == 204
    assert response.content == b""
    assert_error(ApiClient(revoked).get("/rooms"), 401, "not_authenticated")
    assert ApiClient(kept).get("/rooms").status_code == 200


def test_deleting_a_token_needs_a_token_not_a_session(make_user):
    client = Client()
    client.force_login(make_user())
    assert_error(client.delete(f"{API}/auth/token"), 401, "not_authenticated")


def test_deleting_a_revoked_token_is_401(make_user, make_token):
    token = make_token(make_user())
    assert ApiClient(token).delete("/auth/token").status_code == 204
    assert_error(ApiClient(token).delete("/auth/token"), 401, "not_authenticated")
