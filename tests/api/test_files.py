"""Files over REST: upload, a post that carries them, and the download's answers to members,
outsiders and anonymous callers, with the headers that keep a file from running."""

import io
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from chat.models import Attachment
from tests.files import GPS_IFD, gif_html_polyglot, jpeg_with_gps, png, png_bomb, zip_bomb

from .client import API, assert_error

pytestmark = pytest.mark.django_db


@pytest.fixture
def upload(make_token):
    """upload(user, slug, data, name): the raw response of POST /rooms/{slug}/files."""

    def make(user, slug: str, data: bytes, name: str = "file.bin"):
        client = Client(headers={"Authorization": f"Bearer {make_token(user)}"})
        return client.post(f"{API}/rooms/{slug}/files", {"file": SimpleUploadedFile(name, data)})

    return make


def session_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_upload_answers_the_pending_file(make_user, make_room, upload):
    ada = make_user()
    room = make_room(ada)
    response = upload(ada, room.slug, png(64, 48), "../screenshot.png")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "screenshot.png"
    assert body["content_type"] == "image/png"
    assert body["image"] == {"width": 64, "height": 48, "thumbnail": None}
    assert body["url"] == f"/files/{body['id']}/screenshot.png"
    assert body["size"] == Attachment.objects.get().size


def test_an_upload_without_a_file_is_a_bad_request(make_user, make_room, make_token):
    ada = make_user()
    room = make_room(ada)
    client = Client(headers={"Authorization": f"Bearer {make_token(ada)}"})
    assert_error(client.post(f"{API}/rooms/{room.slug}/files", {}), 400, "bad_request")


def test_an_upload_to_a_room_you_may_not_see_is_the_missing_rooms_404(make_user, make_room, upload):
    ada, eve = make_user(), make_user()
    room = make_room(ada, private=True)
    hidden = upload(eve, room.slug, b"x")
    missing = upload(eve, "no-such-room", b"x")
    assert_error(hidden, 404, "not_found")
    assert hidden.json()["message"].replace(room.slug, "S") == missing.json()["message"].replace(
        "no-such-room", "S"
    )
    assert not Attachment.objects.exists()


def test_an_upload_over_the_size_limit_is_413_too_large(make_user, make_room, upload, settings):
    settings.PARLEY_FILES_MAX_SIZE = 1000
    ada = make_user()
    room = make_room(ada)
    assert_error(upload(ada, room.slug, b"x" * 1001), 413, "too_large")  # read, then refused
    assert_error(upload(ada, room.slug, b"x" * 200_000), 413, "too_large")  # by its length
    assert upload(ada, room.slug, b"x" * 1000).status_code == 201


def test_an_upload_over_the_quota_is_413_quota_exceeded(make_user, make_room, upload, settings):
    settings.PARLEY_FILES_QUOTA = 1500
    ada = make_user()
    room = make_room(ada)
    assert upload(ada, room.slug, b"a" * 1000).status_code == 201
    assert_error(upload(ada, room.slug, b"b" * 1000), 413, "quota_exceeded")
    assert Attachment.objects.count() == 1


def test_a_decompression_bomb_is_413_too_large(make_user, make_room, upload):
    ada = make_user()
    room = make_room(ada)
    body = assert_error(upload(ada, room.slug, png_bomb(), "bomb.png"), 413, "too_large")
    assert "pixels" in body["message"]


def test_a_session_upload_needs_the_csrf_token(make_user, make_room):
    ada = make_user()
    room = make_room(ada)
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    refused = client.post(f"{API}/rooms/{room.slug}/files", {"file": SimpleUploadedFile("a", b"x")})
    assert_error(refused, 403, "forbidden")


def post(api, slug: str, **fields):
    return api.post(f"/rooms/{slug}/messages", {"client_id": str(uuid.uuid4()), **fields})


def test_a_post_carries_files_and_history_shows_them(make_user, make_room, upload, api_as):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    picture = upload(ada, room.slug, png(), "a.png").json()
    notes = upload(ada, room.slug, b"%PDF-1.4 minutes", "minutes.pdf").json()
    posted = post(api_as(ada), room.slug, body="", files=[picture["id"], notes["id"]])
    assert posted.status_code == 201, posted.content
    assert [f["name"] for f in posted.json()["attachments"]] == ["a.png", "minutes.pdf"]
    assert posted.json()["attachments"][1]["image"] is None
    page = api_as(bob).get(f"/rooms/{room.slug}/messages").json()
    assert page["messages"][-1]["attachments"] == posted.json()["attachments"]


def test_a_message_without_files_has_an_empty_list(make_user, make_room, api_as):
    ada = make_user()
    room = make_room(ada)
    assert post(api_as(ada), room.slug, body="hi").json()["attachments"] == []


def test_a_post_without_body_or_files_is_still_refused(make_user, make_room, api_as):
    ada = make_user()
    room = make_room(ada)
    assert_error(post(api_as(ada), room.slug, body=""), 400, "bad_request")
    assert_error(post(api_as(ada), room.slug, body="", files=[]), 400, "bad_request")


def test_a_post_naming_an_unknown_file_is_404_and_stores_nothing(
    make_user, make_room, upload, api_as
):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    bobs = upload(bob, room.slug, b"bob's").json()
    assert_error(post(api_as(ada), room.slug, body="x", files=[bobs["id"]]), 404, "not_found")
    assert_error(post(api_as(ada), room.slug, body="x", files=[2**70]), 400, "bad_request")
    assert api_as(ada).get(f"/rooms/{room.slug}/messages").json()["messages"] == []


def test_a_post_carries_at_most_ten_files(make_user, make_room, api_as):
    ada = make_user()
    room = make_room(ada)
    assert_error(
        post(api_as(ada), room.slug, body="x", files=list(range(1, 12))), 400, "bad_request"
    )


def posted_file(upload, api_as, user, room, data: bytes, name: str) -> dict:
    attachment = upload(user, room.slug, data, name).json()
    response = post(api_as(user), room.slug, body="here", files=[attachment["id"]])
    return response.json()["attachments"][0]


def assert_inert(response) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_a_member_downloads_an_image_inline_with_its_sniffed_type(
    make_user, make_room, upload, api_as
):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    data = png()
    attachment = posted_file(upload, api_as, ada, room, data, "chart.png")
    response = session_client(bob).get(attachment["url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="chart.png"'
    assert_inert(response)
    assert b"".join(response.streaming_content) == data


def test_other_files_are_downloads_and_html_is_never_served_as_html(
    make_user, make_room, upload, api_as
):
    ada = make_user()
    room = make_room(ada)
    page = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
    attachment = posted_file(upload, api_as, ada, room, page, "innocent.png")
    assert attachment["content_type"] == "text/html"
    assert attachment["image"] is None
    response = session_client(ada).get(attachment["url"])
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert_inert(response)


def test_an_svg_is_a_download_never_an_image(make_user, make_room, upload, api_as):
    ada = make_user()
    room = make_room(ada)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    attachment = posted_file(upload, api_as, ada, room, svg, "logo.svg")
    assert attachment["image"] is None
    response = session_client(ada).get(attachment["url"])
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")


def test_a_polyglot_gif_is_served_as_a_gif_inert(make_user, make_room, upload, api_as):
    ada = make_user()
    room = make_room(ada)
    attachment = posted_file(upload, api_as, ada, room, gif_html_polyglot(), "x.html")
    response = session_client(ada).get(attachment["url"])
    assert response["Content-Type"] == "image/gif"
    assert_inert(response)
    assert b"<script>" not in b"".join(response.streaming_content)


def test_a_zip_bomb_is_served_as_the_zip_it_is(make_user, make_room, upload, api_as):
    ada = make_user()
    room = make_room(ada)
    data = zip_bomb()
    attachment = posted_file(upload, api_as, ada, room, data, "bomb.zip")
    response = session_client(ada).get(attachment["url"])
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="bomb.zip"'
    assert b"".join(response.streaming_content) == data


def test_a_downloaded_photo_carries_no_location(make_user, make_room, upload, api_as):
    ada = make_user()
    room = make_room(ada)
    attachment = posted_file(upload, api_as, ada, room, jpeg_with_gps(), "holiday.jpg")
    data = b"".join(session_client(ada).get(attachment["url"]).streaming_content)
    assert not Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)


def test_a_non_ascii_name_is_offered_per_rfc_6266(make_user, make_room, upload, api_as):
    ada = make_user()
    room = make_room(ada)
    attachment = posted_file(upload, api_as, ada, room, b"%PDF-1.4", 'Über "plan".pdf')
    disposition = session_client(ada).get(attachment["url"])["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%C3%9Cber%20%22plan%22.pdf" in disposition


def test_a_private_rooms_file_is_404_to_outsiders_and_anonymous_callers(
    make_user, make_room, upload, api_as, make_token
):
    ada, eve = make_user(), make_user()
    room = make_room(ada, private=True)
    attachment = posted_file(upload, api_as, ada, room, png(), "secret.png")
    for client in (
        session_client(eve),
        Client(),
        Client(headers={"Authorization": f"Bearer {make_token(eve)}"}),
        Client(headers={"Authorization": "Bearer not-a-token"}),
    ):
        response = client.get(attachment["url"])
        missing_url = "/files/999999/secret.png"
        missing = client.get(missing_url)
        assert response.status_code == missing.status_code == 404
        assert unmasked(response.content).replace(attachment["url"].encode(), b"URL") == (
            unmasked(missing.content).replace(missing_url.encode(), b"URL")
        )
    member = Client(headers={"Authorization": f"Bearer {make_token(ada)}"})
    assert member.get(attachment["url"]).status_code == 200


def unmasked(page: bytes) -> bytes:
    """A page without its CSRF token, which is masked anew on every answer."""
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", page)


def test_a_pending_upload_is_its_uploaders_alone(make_user, make_room, upload):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    attachment = upload(ada, room.slug, png(), "draft.png").json()
    assert session_client(bob).get(attachment["url"]).status_code == 404
    assert session_client(ada).get(attachment["url"]).status_code == 200


def test_a_deleted_messages_files_are_gone(make_user, make_room, upload, api_as):
    ada = make_user()
    room = make_room(ada)
    upload_id = upload(ada, room.slug, png(), "a.png").json()["id"]
    message = post(api_as(ada), room.slug, body="x", files=[upload_id]).json()
    assert api_as(ada).delete(f"/rooms/{room.slug}/messages/{message['id']}").status_code == 204
    assert session_client(ada).get(f"/files/{upload_id}/a.png").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_thumbnail_is_served_once_the_job_made_it(make_user, make_room, upload, api_as):
    from jobs import run_ready

    ada, eve = make_user(), make_user()
    room = make_room(ada, private=True)
    attachment = posted_file(upload, api_as, ada, room, png(1600, 1200), "big.png")
    thumbnail_url = f"/files/{attachment['id']}/thumbnail/"
    assert session_client(ada).get(thumbnail_url).status_code == 404  # not made yet
    run_ready()
    message = api_as(ada).get(f"/rooms/{room.slug}/messages").json()["messages"][-1]
    made = message["attachments"][0]["image"]["thumbnail"]
    assert made == {"url": thumbnail_url, "width": 400, "height": 300}
    response = session_client(ada).get(thumbnail_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert_inert(response)
    assert Image.open(io.BytesIO(b"".join(response.streaming_content))).size == (400, 300)
    assert session_client(eve).get(thumbnail_url).status_code == 404


def test_a_refused_upload_loses_nothing_else(make_user, make_room, upload, api_as, settings):
    ada = make_user()
    room = make_room(ada)
    kept = upload(ada, room.slug, png(), "kept.png").json()
    assert_error(upload(ada, room.slug, png_bomb(), "bomb.png"), 413, "too_large")
    settings.PARLEY_FILES_MAX_SIZE = 10
    assert_error(upload(ada, room.slug, b"x" * 11, "big.bin"), 413, "too_large")
    posted = post(api_as(ada), room.slug, body="still here", files=[kept["id"]])
    assert posted.status_code == 201
    assert [f["id"] for f in posted.json()["attachments"]] == [kept["id"]]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("..\\\\..\\\\windows\\\\evil.png", "evil.png"),
        ("a/b/../../c.txt", "c.txt"),
        ("ctl\x01\x1f\x7fname.txt", "ctlname.txt"),
        ("\u202etxt.exe", "txt.exe"),
    ],
)
def test_hostile_names_are_cleaned_at_upload(make_user, make_room, upload, sent, kept):
    ada = make_user()
    room = make_room(ada)
    response = upload(ada, room.slug, b"data", sent)
    assert response.status_code == 201, response.content
    assert response.json()["name"] == kept
