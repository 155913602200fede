"""Avatars: a picture is stored square, upright and without metadata; what is not an image, a
bomb and a file too large are refused; the picture it replaces, the one removed and a deleted
user's leave the storage; every user payload carries its URL without a query; and the people
who show the person hear of the change."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from accounts.avatars import AVATAR_SIDE, avatar_find, user_avatar_remove, user_avatar_set
from accounts.models import User
from accounts.payloads import avatar_stored, profile_payload, user_payload
from accounts.services import guest_create
from chat.services.people import avatar_remove, avatar_set
from chat.services.rooms import room_join
from parley import events
from parley.errors import BadRequest, Forbidden, NotFound, TooLarge
from parley.storage import files_storage
from tests.files import gif_html_polyglot, image_bytes, jpeg_halves, png, png_bomb, zip_bomb

pytestmark = pytest.mark.django_db(transaction=True)


def picture(data: bytes, name: str = "me.jpg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def stored(user: User) -> bytes:
    user.refresh_from_db()
    with files_storage().open(user.avatar.name, "rb") as file:
        return file.read()


def opened(user: User) -> Image.Image:
    return Image.open(io.BytesIO(stored(user)))


def test_a_picture_is_stored_upright_square_and_without_its_metadata(make_user):
    ada = make_user("ada")
    # 80x40, red left and blue right, taken with the camera turned: shown 40x80, red on top.
    data = jpeg_halves(80, 40, orientation=6)
    assert b"Parley Test Camera" in data

    assert user_avatar_set(user=ada, upload=picture(data)) is True

    image = opened(ada)
    assert image.format == "JPEG" and image.size == (40, 40)  # a small one is not enlarged
    red, blue = image.convert("RGB").getpixel((10, 5)), image.convert("RGB").getpixel((10, 35))
    assert red[0] > 150 and red[2] < 80, red
    assert blue[2] > 150 and blue[0] < 80, blue
    assert not image.getexif() and "exif" not in image.info
    assert b"Parley Test Camera" not in stored(ada)
    assert ada.avatar.name.startswith(f"avatars/{ada.pk}/") and ada.avatar.name.endswith(".jpg")


def test_a_large_picture_is_cut_about_its_centre_to_the_side(make_user):
    ada = make_user("ada")
    user_avatar_set(user=ada, upload=picture(jpeg_halves(900, 500)))
    image = opened(ada).convert("RGB")
    assert image.size == (AVATAR_SIDE, AVATAR_SIDE)
    # The middle 500x500 of 900x500 keeps both halves, split down the middle.
    assert image.getpixel((20, 128))[0] > 150 and image.getpixel((236, 128))[2] > 150


@pytest.mark.parametrize(
    ("data", "extension", "kind"),
    [
        (image_bytes("PNG", mode="RGBA"), "png", "PNG"),  # transparency stays
        (image_bytes("PNG"), "jpg", "JPEG"),
        (image_bytes("GIF"), "jpg", "JPEG"),
        (image_bytes("WEBP"), "jpg", "JPEG"),
    ],
)
def test_each_image_format_is_taken_and_written_anew(make_user, data, extension, kind):
    ada = make_user("ada")
    user_avatar_set(user=ada, upload=picture(data, "whatever.bin"))
    assert ada.avatar.name.endswith(f".{extension}")
    assert opened(ada).format == kind


def test_a_gif_that_is_also_a_page_is_stored_as_an_image_it_made(make_user):
    ada = make_user("ada")
    user_avatar_set(user=ada, upload=picture(gif_html_polyglot(), "cat.gif"))
    assert b"<script" not in stored(ada)


@pytest.mark.parametrize(
    "data",
    [
        b"just some text, named like a picture",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        png()[:60],  # truncated
        b"",
    ],
    ids=["text", "pdf", "svg", "truncated-png", "empty"],
)
def test_what_is_not_an_image_is_refused_whatever_its_name(make_user, data):
    ada = make_user("ada")
    with pytest.raises(BadRequest, match="JPEG, PNG, GIF or WebP"):
        user_avatar_set(user=ada, upload=picture(data, "me.png"))
    ada.refresh_from_db()
    assert not ada.avatar and not files_storage().exists(f"avatars/{ada.pk}")


def test_a_decompression_bomb_is_refused_before_it_is_decoded(make_user):
    ada = make_user("ada")
    with pytest.raises(TooLarge, match="pixels"):
        user_avatar_set(user=ada, upload=picture(png_bomb(), "bomb.png"))
    with pytest.raises(BadRequest):
        user_avatar_set(user=ada, upload=picture(zip_bomb(8 * 1024 * 1024), "bomb.png"))
    ada.refresh_from_db()
    assert not ada.avatar


def test_a_file_over_the_size_limit_is_refused(make_user, settings):
    ada = make_user("ada")
    settings.PARLEY_AVATAR_MAX_SIZE = 1000
    data = jpeg_halves(400, 400)
    assert len(data) > 1000
    with pytest.raises(TooLarge, match="1000 bytes"):
        user_avatar_set(user=ada, upload=picture(data))


def test_replacing_or_removing_a_picture_deletes_the_old_file(make_user):
    ada = make_user("ada")
    user_avatar_set(user=ada, upload=picture(png(color=(255, 0, 0))))
    first = ada.avatar.name
    user_avatar_set(user=ada, upload=picture(png(color=(0, 0, 255))))
    second = ada.avatar.name
    assert first != second
    assert not files_storage().exists(first) and files_storage().exists(second)

    assert user_avatar_remove(user=ada) is True
    ada.refresh_from_db()
    assert ada.avatar.name == "" and not files_storage().exists(second)
    assert user_avatar_remove(user=ada) is False


def test_the_same_picture_again_changes_nothing(make_user):
    ada = make_user("ada")
    assert user_avatar_set(user=ada, upload=picture(png())) is True
    name = ada.avatar.name
    assert user_avatar_set(user=ada, upload=picture(png())) is False
    ada.refresh_from_db()
    assert ada.avatar.name == name and files_storage().exists(name)


def test_a_rolled_back_replacement_keeps_the_old_file(make_user):
    ada = make_user("ada")
    user_avatar_set(user=ada, upload=picture(png(color=(255, 0, 0))))
    first = ada.avatar.name
    with pytest.raises(RuntimeError), transaction.atomic():
        user_avatar_remove(user=ada)
        raise RuntimeError("rolled back")
    assert files_storage().exists(first)
    ada.refresh_from_db()
    assert ada.avatar.name == first


def test_a_deleted_users_picture_goes_with_them(make_user):
    ada = make_user("ada")
    user_avatar_set(user=ada, upload=picture(png()))
    name = ada.avatar.name
    User.objects.filter(pk=ada.pk).delete()
    assert not files_storage().exists(name)


def test_a_guest_has_no_picture(db):
    guest = guest_create()
    with pytest.raises(Forbidden):
        user_avatar_set(user=guest, upload=picture(png()))


def test_every_payload_carries_the_url_without_a_query(make_user, django_assert_num_queries):
    ada = make_user("ada", display_name="Ada Lovelace")
    assert user_payload(ada)["avatar"]["url"] is None
    user_avatar_set(user=ada, upload=picture(png()))
    loaded = User.objects.get(pk=ada.pk)
    with django_assert_num_queries(0):
        avatar = user_payload(loaded)["avatar"]
    assert avatar["initials"] == "AL"
    assert avatar["url"] == f"/{loaded.avatar.name}"
    assert avatar["url"].startswith(f"/avatars/{ada.pk}/")
    assert avatar_stored(avatar["url"]) == loaded.avatar.name


def test_a_picture_is_found_by_its_current_name_only(make_user):
    ada, bob = make_user("ada"), make_user("bob")
    user_avatar_set(user=ada, upload=picture(png(color=(255, 0, 0))))
    old = ada.avatar.name.rpartition("/")[2]
    found = avatar_find(user_id=ada.pk, file=old)
    assert (found.name, found.content_type) == (ada.avatar.name, "image/jpeg")
    with found.open() as file:
        assert file.read() == stored(ada)

    user_avatar_set(user=ada, upload=picture(png(color=(0, 0, 255))))
    for user_id, file in [
        (ada.pk, old),  # replaced
        (bob.pk, ada.avatar.name.rpartition("/")[2]),  # someone else's
        (ada.pk, "nothing.jpg"),
        (ada.pk, "../../secret_key"),
        (ada.pk, "x\x00.jpg"),
        (2**70, "x.jpg"),
        (0, "x.jpg"),
    ]:
        with pytest.raises(NotFound):
            avatar_find(user_id=user_id, file=file)


def test_a_new_picture_is_told_to_the_person_and_who_shares_a_room(make_user, make_room, published):
    ada, bob, stranger = make_user("ada"), make_user("bob"), make_user("stranger")
    room_join(room=make_room(ada, "General"), user=bob)

    avatar_set(user=ada, upload=picture(png()))

    told = published(events.UserUpdated)
    assert sorted(event.user_id for event in told) == sorted([ada.pk, bob.pk])
    ada.refresh_from_db()
    assert {event.user["avatar"]["url"] for event in told} == {f"/{ada.avatar.name}"}
    assert told[0].user == profile_payload(ada)
    assert stranger.pk not in {event.user_id for event in told}

    avatar_set(user=ada, upload=picture(png()))  # the same: nothing changed, nobody told
    assert len(published(events.UserUpdated)) == 2

    avatar_remove(user=ada)
    removed = published(events.UserUpdated)[2:]
    assert len(removed) == 2 and {event.user["avatar"]["url"] for event in removed} == {None}
    avatar_remove(user=ada)
    assert len(published(events.UserUpdated)) == 4
