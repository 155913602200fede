"""Uploaded files: names made safe, types read from the content, images stored upright and
without their location, bombs refused, the quota held, and files gone with their message."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from chat.models import Attachment
from chat.services.attachments import (
    attachment_get_visible,
    attachment_upload,
    attachments_expire,
    attachments_usage,
)
from chat.services.messages import message_delete, message_post
from chat.uploads import file_inline, file_name_clean, file_serve_type
from parley.errors import NotFound, QuotaExceeded, TooLarge
from parley.storage import files_storage
from tests.files import GPS_IFD, SCRIPT, gif_html_polyglot, jpeg_with_gps, png, png_bomb, zip_bomb

pytestmark = pytest.mark.django_db(transaction=True)


def upload(user, room, data: bytes, name: str = "file.bin"):
    return attachment_upload(uploader=user, room=room, upload=SimpleUploadedFile(name, data))


def stored_bytes(attachment: Attachment) -> bytes:
    with attachment.file.open("rb") as stored:
        return stored.read()


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("/etc/shadow", "shadow"),
        ("C:\\Users\\ada\\report.pdf", "report.pdf"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("evil\x00.png", "evil.png"),
        ("bell\x07\x1b[31mred.txt", "bell[31mred.txt"),
        ("invoice\u202egpj.exe", "invoicegpj.exe"),  # a right-to-left override
        ("zero\u200bwidth.txt", "zerowidth.txt"),
        ("line\nbreak.txt", "line break.txt"),
        (".htaccess", "htaccess"),
        ("...", "file"),
        ("", "file"),
        ("  spaced name.txt  ", "spaced name.txt"),
        ("cafe\u0301.txt", "café.txt"),  # NFC
    ],
)
def test_a_file_name_keeps_only_what_is_safe_to_show(given, kept):
    assert file_name_clean(given) == kept


def test_a_long_file_name_is_cut_keeping_its_extension():
    name = file_name_clean("a" * 500 + ".tar.gz")
    assert len(name) == 200
    assert name.endswith(".gz")


def test_html_and_svg_are_never_served_as_themselves():
    for sniffed in (
        "text/html",
        "image/svg+xml",
        "application/xml",
        "text/javascript",
        "text/plain",
    ):
        assert file_serve_type(sniffed) == "application/octet-stream"
        assert not file_inline(sniffed)
    assert file_serve_type("application/pdf") == "application/pdf"
    assert file_inline("image/png") and file_inline("image/webp")


def test_the_type_is_read_from_the_content_not_the_name(make_user, make_room):
    ada = make_user()
    room = make_room(ada)
    page = upload(ada, room, b"<!DOCTYPE html><html><script>alert(1)</script></html>", "cat.png")
    assert page.content_type == "text/html"
    assert page.width is None
    picture = upload(ada, room, png(), "notes.txt")
    assert (picture.content_type, picture.width, picture.height) == ("image/png", 40, 30)
    assert picture.name == "notes.txt"


def test_a_file_is_stored_under_a_random_name_never_the_uploaders(make_user, make_room):
    ada = make_user()
    room = make_room(ada)
    attachment = upload(ada, room, b"hello", "../../../outside.txt")
    assert attachment.name == "outside.txt"
    assert "outside" not in attachment.file.name
    assert attachment.file.name.startswith(f"{room.pk}/")
    assert stored_bytes(attachment) == b"hello"


def test_stored_files_are_readable_by_the_server_user_alone(make_user, make_room):
    ada = make_user()
    attachment = upload(ada, make_room(ada), b"secret plans")
    path = files_storage().path(attachment.file.name)
    import os

    assert os.stat(path).st_mode & 0o077 == 0


def test_exif_location_is_stripped_before_the_image_is_stored(make_user, make_room):
    ada = make_user()
    data = jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)  # the test's premise
    attachment = upload(ada, make_room(ada), data, "holiday.jpg")
    kept = stored_bytes(attachment)
    image = Image.open(io.BytesIO(kept))
    assert image.format == "JPEG"
    assert not image.getexif().get_ifd(GPS_IFD)
    assert len(image.getexif()) == 0
    assert b"Parley Test Camera" not in kept
    assert attachment.size == len(kept)


def test_an_image_is_stored_upright_by_its_exif_orientation(make_user, make_room):
    ada = make_user()
    # Orientation 6: the camera was turned; the 60x20 picture shows as 20x60.
    attachment = upload(ada, make_room(ada), jpeg_with_gps(60, 20, orientation=6), "turned.jpg")
    assert (attachment.width, attachment.height) == (20, 60)
    assert Image.open(io.BytesIO(stored_bytes(attachment))).size == (20, 60)


def test_a_decompression_bomb_is_refused_and_nothing_is_stored(make_user, make_room):
    ada = make_user()
    room = make_room(ada)
    for bomb in (png_bomb(), png_bomb(8000, 8000)):  # past Pillow's own limit; past Parley's
        with pytest.raises(TooLarge, match="pixels"):
            upload(ada, room, bomb, "bomb.png")
    assert not Attachment.objects.exists()


def test_a_zip_bomb_is_kept_as_an_opaque_download_never_unpacked(make_user, make_room):
    ada = make_user()
    data = zip_bomb()
    attachment = upload(ada, make_room(ada), data, "bomb.zip")
    assert attachment.content_type == "application/zip"
    assert attachment.size == len(data) < 1024 * 1024  # counted as sent, not as unpacked
    assert stored_bytes(attachment) == data
    assert not file_inline(attachment.content_type)


def test_a_gif_that_is_also_html_is_stored_as_a_gif_without_its_script(make_user, make_room):
    ada = make_user()
    attachment = upload(ada, make_room(ada), gif_html_polyglot(), "page.html")
    assert attachment.content_type == "image/gif"
    assert SCRIPT not in stored_bytes(attachment)
    assert b"<script>" not in stored_bytes(attachment)


def test_an_upload_past_the_size_limit_is_refused(make_user, make_room, settings):
    settings.PARLEY_FILES_MAX_SIZE = 100
    ada = make_user()
    with pytest.raises(TooLarge):
        upload(ada, make_room(ada), b"x" * 101)
    assert not Attachment.objects.exists()


def test_an_upload_past_the_quota_is_refused_and_the_others_stay(make_user, make_room, settings):
    settings.PARLEY_FILES_QUOTA = 1000
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    first = upload(ada, room, b"a" * 600)
    with pytest.raises(QuotaExceeded):
        upload(ada, room, b"b" * 600)
    assert attachments_usage(user=ada) == 600
    assert list(Attachment.objects.all()) == [first]
    assert stored_bytes(first) == b"a" * 600
    upload(bob, room, b"c" * 600)  # a quota is per user


def test_a_private_rooms_upload_is_refused_to_outsiders_as_missing(make_user, make_room):
    ada, eve = make_user(), make_user()
    room = make_room(ada, private=True)
    with pytest.raises(NotFound):
        upload(eve, room, b"x")


def post_files(user, room, ids, body=""):
    return message_post(author=user, room=room, body=body, client_id=uuid.uuid4(), files=ids)[0]


def test_a_post_takes_its_authors_pending_uploads(make_user, make_room):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    attachment = upload(ada, room, png(), "a.png")
    with pytest.raises(NotFound):
        attachment_get_visible(attachment_id=attachment.pk, user=bob)  # pending: its uploader's
    message = post_files(ada, room, [attachment.pk])
    assert message.body == ""
    attachment.refresh_from_db()
    assert attachment.message_id == message.pk
    assert attachment_get_visible(attachment_id=attachment.pk, user=bob) == attachment


def test_a_post_cannot_take_someone_elses_upload_and_stores_nothing(make_user, make_room):
    ada, bob = make_user(), make_user()
    room = make_room(ada)
    theirs = upload(ada, room, b"ada's")
    with pytest.raises(NotFound):
        post_files(bob, room, [theirs.pk], body="mine now")
    room.refresh_from_db()
    assert room.last_seq == 0
    theirs.refresh_from_db()
    assert theirs.message_id is None


def test_an_upload_is_posted_once(make_user, make_room):
    ada = make_user()
    room = make_room(ada)
    attachment = upload(ada, room, b"once")
    post_files(ada, room, [attachment.pk])
    with pytest.raises(NotFound):
        post_files(ada, room, [attachment.pk])


def test_a_deleted_message_deletes_its_files_and_their_bytes(make_user, make_room):
    ada = make_user()
    room = make_room(ada)
    attachment = upload(ada, room, b"to be deleted")
    name = attachment.file.name
    message = post_files(ada, room, [attachment.pk], body="see attached")
    assert files_storage().exists(name)
    message_delete(by=ada, room=room, message_id=message.pk)
    assert not Attachment.objects.exists()
    assert not files_storage().exists(name)


def test_a_rolled_back_deletion_keeps_the_bytes(make_user, make_room):
    ada = make_user()
    attachment = upload(ada, make_room(ada), b"kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        Attachment.objects.filter(pk=attachment.pk).delete()
        raise RuntimeError("rolled back")
    assert files_storage().exists(attachment.file.name)


def test_uploads_never_posted_expire_after_a_day(make_user, make_room):
    from datetime import timedelta

    from django.utils import timezone

    ada = make_user()
    room = make_room(ada)
    old, fresh, posted = (upload(ada, room, text) for text in (b"old", b"fresh", b"posted"))
    post_files(ada, room, [posted.pk])
    day_ago = timezone.now() - timedelta(days=1, minutes=1)
    Attachment.objects.filter(pk__in=[old.pk, posted.pk]).update(created_at=day_ago)
    assert attachments_expire() == 1
    assert set(Attachment.objects.values_list("pk", flat=True)) == {fresh.pk, posted.pk}
    assert not files_storage().exists(old.file.name)


def test_an_animation_keeps_its_frames_and_loses_its_comment(make_user, make_room):
    ada = make_user()
    out = io.BytesIO()
    frames = [Image.new("RGB", (20, 10), (i * 80, 0, 0)) for i in range(3)]
    frames[0].save(
        out, format="GIF", save_all=True, append_images=frames[1:], comment=SCRIPT, duration=100
    )
    attachment = upload(ada, make_room(ada), out.getvalue(), "dance.gif")
    kept = stored_bytes(attachment)
    assert Image.open(io.BytesIO(kept)).n_frames == 3
    assert b"<script>" not in kept


@pytest.mark.parametrize("kind", ["PNG", "WEBP"])
def test_exif_location_is_stripped_from_png_and_webp_too(make_user, make_room, kind):
    ada = make_user()
    exif = Image.open(io.BytesIO(jpeg_with_gps())).getexif()
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (5, 5, 5)).save(out, format=kind, exif=exif.tobytes())
    assert Image.open(io.BytesIO(out.getvalue())).getexif().get_ifd(GPS_IFD)  # the premise
    attachment = upload(ada, make_room(ada), out.getvalue(), f"x.{kind.lower()}")
    assert not Image.open(io.BytesIO(stored_bytes(attachment))).getexif().get_ifd(GPS_IFD)
    assert b"Parley Test Camera" not in stored_bytes(attachment)


def test_a_deleted_rooms_files_go_with_it(make_user, make_room):
    from chat.models import Room

    ada = make_user()
    room = make_room(ada)
    posted, pending = upload(ada, room, b"posted"), upload(ada, room, b"pending")
    post_files(ada, room, [posted.pk])
    Room.objects.filter(pk=room.pk).delete()
    assert not Attachment.objects.exists()
    assert not files_storage().exists(posted.file.name)
    assert not files_storage().exists(pending.file.name)
