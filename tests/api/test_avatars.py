"""Avatars over REST: PUT /me/avatar and DELETE /me/avatar, the picture's URL in the profile and
in message authors, and the picture served at it (to whom, with which headers)."""

import io
import uuid

import pytest
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from PIL import Image

from accounts.services import guest_create
from tests.files import jpeg_halves, png, png_bomb

from .client import API, assert_error

pytestmark = pytest.mark.django_db


def put_picture(client: Client, data: bytes, name: str = "me.png", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    body = encode_multipart(BOUNDARY, {"file": SimpleUploadedFile(name, data)})
    return client.put(f"{API}/me/avatar", body, content_type=MULTIPART_CONTENT, **extra)


@pytest.fixture
def token_client(make_token):
    def make(user) -> Client:
        return Client(headers={"Authorization": f"Bearer {make_token(user)}"})

    return make


def fetched(client: Client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, response
    return b"".join(response.streaming_content)


def test_an_upload_answers_the_profile_with_the_picture_url(make_user, token_client):
    ada = make_user("ada", display_name="Ada Lovelace")
    client = token_client(ada)
    response = put_picture(client, jpeg_halves(600, 300, orientation=6))
    assert response.status_code == 200, response.content
    avatar = response.json()["avatar"]
    assert avatar["initials"] == "AL"
    assert avatar["url"].startswith(f"/avatars/{ada.pk}/") and avatar["url"].endswith(".jpg")
    assert client.get(f"{API}/me").json()["avatar"] == avatar

    picture = Image.open(io.BytesIO(fetched(client, avatar["url"])))
    assert picture.format == "JPEG" and picture.size == (256, 256)
    assert not picture.getexif()


def test_the_picture_is_served_immutable_and_inert(make_user, token_client):
    ada = make_user("ada")
    url = put_picture(token_client(ada), png()).json()["avatar"]["url"]
    response = Client().get(url)  # an anonymous visitor: guests are on in the tests
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    assert "sandbox" in response["Content-Security-Policy"]
    assert Client().head(url).status_code == 200


def test_with_guests_off_only_the_signed_in_see_pictures(make_user, token_client, settings):
    settings.PARLEY_GUESTS = False
    ada, bob = make_user("ada"), make_user("bob")
    url = put_picture(token_client(ada), png()).json()["avatar"]["url"]
    assert Client().get(url).status_code == 404
    assert Client(headers={"Authorization": "Bearer nonsense"}).get(url).status_code == 404
    assert token_client(bob).get(url).status_code == 200
    session = Client()
    session.force_login(bob)
    assert session.get(url).status_code == 200


def test_a_replaced_or_removed_picture_is_gone_from_its_url(make_user, token_client):
    ada = make_user("ada")
    client = token_client(ada)
    first = put_picture(client, png(color=(255, 0, 0))).json()["avatar"]["url"]
    second = put_picture(client, png(color=(0, 0, 255))).json()["avatar"]["url"]
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200

    response = client.delete(f"{API}/me/avatar")
    assert response.status_code == 200, response.content
    assert response.json()["avatar"]["url"] is None
    assert client.get(second).status_code == 404
    assert client.delete(f"{API}/me/avatar").status_code == 200  # none: still your profile


@pytest.mark.parametrize(
    "path",
    ["/avatars/1/nothing.jpg", f"/avatars/{2**70}/x.jpg", "/avatars/1/..%2F..%2Fsecret_key"],
)
def test_an_unknown_picture_is_404(make_user, path):
    make_user("ada")
    assert Client().get(path).status_code == 404


def test_message_authors_carry_the_picture(make_user, make_room, token_client):
    ada = make_user("ada")
    room = make_room(ada)
    client = token_client(ada)
    before = client.post(
        f"{API}/rooms/{room.slug}/messages",
        {"body": "before", "client_id": str(uuid.uuid4())},
        content_type="application/json",
    ).json()
    assert before["author"]["avatar"]["url"] is None
    url = put_picture(client, png()).json()["avatar"]["url"]
    after = client.post(
        f"{API}/rooms/{room.slug}/messages",
        {"body": "after", "client_id": str(uuid.uuid4())},
        content_type="application/json",
    ).json()
    assert after["author"]["avatar"]["url"] == url
    history = client.get(f"{API}/rooms/{room.slug}/messages").json()["messages"]
    assert [message["author"]["avatar"]["url"] for message in history] == [url, url]


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4 not a picture", b"<svg xmlns='http://www.w3.org/2000/svg'/>", b""],
    ids=["pdf", "svg", "empty"],
)
def test_what_is_not_an_image_is_400_and_says_so(make_user, token_client, data):
    ada = make_user("ada")
    body = assert_error(put_picture(token_client(ada), data, "me.png"), 400, "bad_request")
    assert "JPEG, PNG, GIF or WebP" in body["message"]


def test_a_picture_too_large_is_413(make_user, token_client, settings):
    ada = make_user("ada")
    client = token_client(ada)
    settings.PARLEY_AVATAR_MAX_SIZE = 2000
    data = jpeg_halves(500, 500)
    assert len(data) > 2000
    body = assert_error(put_picture(client, data), 413, "too_large")
    assert "2000 bytes" in body["message"]
    # Announced larger than the limit: refused before the body is read.
    assert_error(put_picture(client, png(), CONTENT_LENGTH=str(2000 + 65 * 1024)), 413, "too_large")
    assert_error(put_picture(client, png_bomb()), 413, "too_large")
    assert client.get(f"{API}/me").json()["avatar"]["url"] is None


def test_an_upload_without_a_file_is_400(make_user, token_client):
    client = token_client(make_user("ada"))
    response = client.put(
        f"{API}/me/avatar", encode_multipart(BOUNDARY, {}), content_type=MULTIPART_CONTENT
    )
    assert_error(response, 400, "bad_request")
    assert_error(
        client.put(f"{API}/me/avatar", "{}", content_type="application/json"), 400, "bad_request"
    )


def test_the_calls_need_a_signed_up_caller_and_a_sessions_csrf_token(make_user):
    assert_error(put_picture(Client(), png()), 401, "not_authenticated")
    assert_error(Client().delete(f"{API}/me/avatar"), 401, "not_authenticated")

    ada = make_user("ada")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(ada)
    assert_error(put_picture(browser, png()), 403, "forbidden")
    browser.get("/settings/profile/")  # sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    response = put_picture(browser, png(), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200, response.content
    assert response.json()["avatar"]["url"]

    guest = guest_create()
    visitor = Client()
    visitor.force_login(guest)
    assert_error(put_picture(visitor, png()), 401, "not_authenticated")
