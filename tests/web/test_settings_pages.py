"""The settings pages (`/settings/...`): profile, password, sessions and tokens, each a form
that calls one service; signed-in people only."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from accounts.models import Token, UserSession
from accounts.services import token_issue_for
from tests.conftest import PASSWORD

NEW_PASSWORD = "another-horse-battery-staple"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "path", ["/settings/profile/", "/settings/password/", "/settings/sessions/"]
)
def test_settings_need_a_signed_in_person(db, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_settings_is_in_the_header_and_opens_the_profile(make_user):
    client = signed_in(make_user("ada"))
    assert 'href="/settings/"' in client.get("/").content.decode()
    assert client.get("/settings/")["Location"] == "/settings/profile/"


def test_the_profile_form_saves_and_shows_the_avatar_and_status(make_user):
    ada = make_user("ada", "Ada")
    client = signed_in(ada)
    page = client.get("/settings/profile/").content.decode()
    assert 'aria-current="page">Profile' in page
    assert '<label for="id_time_zone">Time zone</label>' in page
    assert '<option value="Europe/Paris">Europe/Paris</option>' in page
    response = client.post(
        "/settings/profile/",
        {
            "display_name": "Ada Lovelace",
            "status_emoji": "🌴",
            "status_text": "On holiday",
            "time_zone": "America/New_York",
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Profile saved." in page
    assert ">AL</text>" in page and "🌴 On holiday" in page
    ada.refresh_from_db()
    assert (ada.display_name, ada.status_emoji, ada.time_zone) == (
        "Ada Lovelace",
        "🌴",
        "America/New_York",
    )
    person = client.get("/u/ada/").content.decode()
    assert "🌴 On holiday" in person and "(America/New_York)" in person


@pytest.mark.parametrize(
    "field, value",
    [("status_emoji", "two 👍"), ("display_name", "  "), ("time_zone", "Mars/Base")],
)
def test_an_invalid_profile_is_400_with_the_reason_and_changes_nothing(make_user, field, value):
    ada = make_user("ada", "Ada")
    data = {"display_name": "Ada", "status_emoji": "", "status_text": "", "time_zone": ""}
    response = signed_in(ada).post("/settings/profile/", {**data, field: value})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    ada.refresh_from_db()
    assert (ada.display_name, ada.status_emoji, ada.time_zone) == ("Ada", "", "")


def test_changing_the_password_keeps_this_browser_and_signs_out_the_others(make_user):
    ada = make_user("ada")
    here, there = signed_in(ada), signed_in(ada)
    response = here.post(
        "/settings/password/",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
        follow=True,
    )
    assert "Password changed." in response.content.decode()
    assert SESSION_KEY in here.session
    assert here.get("/settings/password/").status_code == 200
    assert there.get("/settings/password/").status_code == 302
    ada.refresh_from_db()
    assert ada.check_password(NEW_PASSWORD)


def test_a_wrong_current_password_is_said_and_changes_nothing(make_user):
    ada = make_user("ada")
    response = signed_in(ada).post(
        "/settings/password/",
        {
            "current_password": "not-it",
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert "current_password is not your password" in response.content.decode()
    ada.refresh_from_db()
    assert ada.check_password(PASSWORD)


def test_sessions_and_tokens_are_listed_and_ended_from_the_page(make_user):
    ada, bob = make_user("ada"), make_user("bob")
    here, there = signed_in(ada), signed_in(ada)
    token, secret = token_issue_for(user=ada, name="deploy bot")
    bobs_token, _ = token_issue_for(user=bob)
    page = here.get("/settings/sessions/").content.decode()
    assert "This browser" in page and page.count("Sign out</button>") == 1
    assert secret[:12] in page and "deploy bot" in page and secret not in page
    other = UserSession.objects.get(session_key=there.session.session_key)
    assert (
        "Session signed out."
        in here.post(f"/settings/sessions/{other.pk}/end/", follow=True).content.decode()
    )
    assert there.get("/settings/sessions/").status_code == 302
    assert here.post(f"/settings/tokens/{bobs_token.pk}/revoke/").status_code == 302
    assert Token.objects.get(pk=bobs_token.pk).revoked_at is None
    here.post(f"/settings/tokens/{token.pk}/revoke/")
    assert Token.objects.get(pk=token.pk).revoked_at is not None


def test_signing_out_of_all_other_sessions_keeps_this_one(make_user):
    ada = make_user("ada")
    here, there, elsewhere = signed_in(ada), signed_in(ada), signed_in(ada)
    page = here.post("/settings/sessions/others/end/", follow=True).content.decode()
    assert "Signed out of 2 other sessions." in page
    assert here.get("/settings/sessions/").status_code == 200
    assert there.get("/settings/sessions/").status_code == 302
    assert elsewhere.get("/settings/sessions/").status_code == 302


def test_the_end_and_revoke_actions_take_only_post(make_user):
    client = signed_in(make_user("ada"))
    assert client.get("/settings/sessions/others/end/").status_code == 405


def test_the_picture_form_uploads_replaces_and_removes_a_picture(make_user, make_room):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.files import png

    ada = make_user("ada", "Ada Lovelace")
    room = make_room(ada, "General")
    client = signed_in(ada)
    page = client.get("/settings/profile/").content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert '<label for="id_picture">Image file</label>' in page
    assert "Upload a picture" in page and "Remove picture" not in page
    assert ">AL</text>" in page

    response = client.post(
        "/settings/profile/picture/",
        {"picture": SimpleUploadedFile("me.png", png())},
        follow=True,
    )
    page = response.content.decode()
    assert "Picture saved." in page
    ada.refresh_from_db()
    url = f"/{ada.avatar.name}"
    assert f'<img class="avatar" src="{url}" width="64" height="64" alt="">' in page
    assert "Remove picture" in page and ">AL</text>" not in page
    # Wherever the person is shown: their page, a room's member list.
    assert f'src="{url}"' in client.get("/u/ada/").content.decode()
    assert f'src="{url}"' in client.get(f"/chat/{room.slug}/").content.decode()

    page = client.post("/settings/profile/picture/remove/", follow=True).content.decode()
    assert "Picture removed" in page and ">AL</text>" in page and 'src="/avatars/' not in page
    ada.refresh_from_db()
    assert not ada.avatar


@pytest.mark.parametrize(
    ("data", "said"),
    [(b"not a picture at all", "JPEG, PNG, GIF or WebP"), (None, "This field is required")],
)
def test_a_refused_picture_is_400_with_the_reason_on_the_form(make_user, data, said):
    from django.core.files.uploadedfile import SimpleUploadedFile

    ada = make_user("ada")
    files = {"picture": SimpleUploadedFile("me.png", data)} if data is not None else {}
    response = signed_in(ada).post("/settings/profile/picture/", files)
    assert response.status_code == 400
    page = response.content.decode()
    assert said in page and 'aria-invalid="true"' in page
    ada.refresh_from_db()
    assert not ada.avatar


def test_the_picture_forms_take_only_a_post_with_its_csrf_token(make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.files import png

    ada = make_user("ada")
    assert signed_in(ada).get("/settings/profile/picture/").status_code == 405
    assert signed_in(ada).get("/settings/profile/picture/remove/").status_code == 405
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ada)
    upload = {"picture": SimpleUploadedFile("me.png", png())}
    assert browser.post("/settings/profile/picture/", upload).status_code == 403
    assert browser.post("/settings/profile/picture/remove/").status_code == 403
    assert Client().post("/settings/profile/picture/", upload).status_code == 302  # log in
