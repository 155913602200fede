"""A person's picture: uploaded once, stored as an image Parley made, shown instead of their
initials.

- An upload must be a raster image (JPEG, PNG, GIF or WebP, read from its bytes: the name and
  the type the uploader sent are never asked) of at most PARLEY_AVATAR_MAX_SIZE bytes and
  PARLEY_IMAGE_MAX_PIXELS pixels (a decompression bomb is refused before it is decoded). It is
  turned upright by its EXIF orientation, cut about its centre to a square of AVATAR_SIDE
  pixels and re-encoded without any metadata (parley/images.py `image_square`).
- It is stored in the files storage (STORAGES["parley_files"]) as
  "avatars/<user id>/<digest>.<ext>", the digest being of its bytes: its URL
  (accounts.payloads.avatar_url) changes with the picture, so browsers may keep it for ever.
- The picture it replaces, or the one removed, leaves the storage once the change commits;
  a deleted user's goes with them (accounts/signals.py).

Telling the people who show the person is chat's business (chat.services.people.avatar_set).
"""

import hashlib
import logging
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from parley.errors import BadRequest, Forbidden, NotFound, TooLarge
from parley.images import image_square
from parley.storage import files_storage
from parley.text import text_is_storable

from .models import User

logger = logging.getLogger(__name__)

# Pixels a side of a stored picture (a smaller upload keeps its own size, never enlarged).
AVATAR_SIDE = 256
AVATAR_DIRECTORY = "avatars"
# The stored picture's extension -> its type.
AVATAR_TYPES = {"png": "image/png", "jpg": "image/jpeg"}
_EXTENSIONS = {content_type: extension for extension, content_type in AVATAR_TYPES.items()}
# The largest id a database column holds: a larger one in a URL names nobody.
_ID_MAX = 2**63 - 1

NOT_AN_IMAGE = "The picture must be a JPEG, PNG, GIF or WebP image."


def avatar_too_large() -> TooLarge:
    limit = settings.PARLEY_AVATAR_MAX_SIZE
    return TooLarge(f"A picture is at most {limit} bytes ({limit / 1024 / 1024:.0f} MB).")


@dataclass(frozen=True)
class StoredAvatar:
    """A picture as served: its name in the files storage and its type."""

    name: str
    content_type: str

    def open(self) -> File:
        return files_storage().open(self.name, "rb")


def _delete_on_commit(name: str) -> None:
    """Delete the stored picture `name` once the transaction commits (never before: a rolled
    back change keeps it)."""

    def delete() -> None:
        try:
            files_storage().delete(name)
        except Exception:
            logger.exception("could not delete stored picture %s", name)

    transaction.on_commit(delete)


def _current(user: User) -> str | None:
    """The user's picture as the database holds it, the row locked until the transaction ends
    (PostgreSQL; SQLite's writers queue at BEGIN); None when the user is gone."""
    return (
        User.objects.select_for_update().filter(pk=user.pk).values_list("avatar", flat=True).first()
    )


def _replace(user: User, name: str) -> bool:
    """Make `name` ("": none) the user's picture, in a transaction, and delete the one it
    replaces once that commits; whether anything changed."""
    with transaction.atomic():
        old = _current(user)
        if old is None:
            raise NotFound(f"There is no user {user.username!r}.")
        if old == name:
            return False
        user.avatar = name  # the field takes a stored name
        user.save(update_fields=["avatar"])
        if old:
            _delete_on_commit(old)
    return True


def _check_may_have(user: User) -> None:
    if user.is_guest:
        raise Forbidden("Guests have no picture; sign up for an account.")


def user_avatar_set(*, user: User, upload: UploadedFile | IO[bytes]) -> bool:
    """Make the picture in `upload` the user's (see the module's docstring); whether it
    changed (the same picture again changes nothing). BadRequest when it is not a JPEG, PNG,
    GIF or WebP image Pillow reads completely, TooLarge over PARLEY_AVATAR_MAX_SIZE or
    PARLEY_IMAGE_MAX_PIXELS, Forbidden for a guest.

    Call it outside a transaction: the picture is made and stored before the short one that
    records it, so no lock is held while Pillow works, and the stored bytes are removed again
    if recording fails."""
    _check_may_have(user)
    size = getattr(upload, "size", None)
    if size is None or size > settings.PARLEY_AVATAR_MAX_SIZE:
        raise avatar_too_large()
    picture = image_square(upload, side=AVATAR_SIDE)
    if picture is None:
        raise BadRequest(NOT_AN_IMAGE)
    digest = hashlib.sha256(picture.data).hexdigest()[:32]
    name = f"{AVATAR_DIRECTORY}/{user.pk}/{digest}.{_EXTENSIONS[picture.content_type]}"
    if User.objects.filter(pk=user.pk, avatar=name).exists():
        return False
    stored = files_storage().save(name, ContentFile(picture.data))
    try:
        return _replace(user, stored)
    except BaseException:
        files_storage().delete(stored)
        raise


def user_avatar_remove(*, user: User) -> bool:
    """Show the user's initials again: their picture leaves the storage once this commits.
    Whether there was one."""
    _check_may_have(user)
    return _replace(user, "")


def user_avatar_delete_on_commit(user: User) -> None:
    """A deleted user's picture leaves the storage once the deletion commits."""
    if user.avatar.name:
        _delete_on_commit(user.avatar.name)


def avatar_find(*, user_id: int, file: str) -> StoredAvatar:
    """User `user_id`'s picture when `file` is its current file name ("<digest>.<ext>");
    NotFound alike for a user who has none, a picture since replaced and a name never made."""
    name = f"{AVATAR_DIRECTORY}/{user_id}/{file}"
    extension = file.rpartition(".")[2]
    if (
        not 0 < user_id <= _ID_MAX
        or not text_is_storable(file)
        or extension not in AVATAR_TYPES
        or not User.objects.filter(pk=user_id, avatar=name).exists()
    ):
        raise NotFound("There is no such picture.")
    return StoredAvatar(name=name, content_type=AVATAR_TYPES[extension])
