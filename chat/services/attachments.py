"""Files shared in rooms: uploaded first (pending), then taken by a post of their uploader, and
deleted with their message.

- `attachment_upload` checks the room, the size and the quota, reads what the file is from its
  content (chat/uploads.py, parley/images.py), and stores it through the storage API under a
  random name (STORAGES["parley_files"]).
- `attachments_attach` is called by `message_post`, in its transaction, with the ids a post
  names; `attachments_remove` by `message_delete`. Stored bytes are deleted after the
  deleting transaction commits (chat/signals.py), whatever deleted the rows: a message, a
  room, a user, the clean-up of uploads never posted.
- `attachment_thumbnail_make` is the thumbnail job's work (chat/tasks.py).
"""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.models import User
from parley.errors import BadRequest, NotFound, QuotaExceeded, TooLarge
from parley.images import image_prepare, image_thumbnail
from parley.storage import files_storage
from throttle.services import post_admit

from ..models import Attachment, Message, Room
from ..selectors import ID_MAX, room_can_see, room_check_open
from ..uploads import file_name_clean, file_sniff_type


def attachments_usage(*, user: User) -> int:
    """Bytes of files `user` holds (pending ones included; thumbnails not counted)."""
    return Attachment.objects.filter(uploader=user).aggregate(total=Sum("size"))["total"] or 0


def attachment_missing(attachment_id: object) -> NotFound:
    """The one error for a file that does not exist and for one the caller may not see."""
    return NotFound(f"There is no file {attachment_id}.")


def attachment_upload(*, uploader: User, room: Room, upload: UploadedFile) -> Attachment:
    """Store `upload` as a pending file of `uploader` in `room`, which they may see and which is
    open. Its type is read from its bytes; a raster image is stored upright and without its
    metadata (parley/images.py), anything else byte for byte, to be served as a download.

    Raises TooLarge over PARLEY_FILES_MAX_SIZE or PARLEY_IMAGE_MAX_PIXELS, QuotaExceeded when
    the user's files would pass PARLEY_FILES_QUOTA, NotFound for a room they may not see,
    RoomArchived in an archived room, RateLimited over PARLEY_POST_RATE."""
    if not room_can_see(room=room, user=uploader):
        raise NotFound(f"There is no room {room.slug!r}.")
    room_check_open(room)
    # An upload counts against the author's post rate (PARLEY_POST_RATE): RateLimited.
    post_admit(user_id=uploader.pk)
    if upload.size is None or upload.size > settings.PARLEY_FILES_MAX_SIZE:
        raise file_too_large()
    name = file_name_clean(upload.name or "")
    with _local_copy(upload) as path:
        image = image_prepare(path)
        if image is not None:
            content: File = ContentFile(image.data)
            content_type, size = image.content_type, len(image.data)
        else:
            content = File(open(path, "rb"))
            content_type, size = file_sniff_type(path), upload.size
        try:
            _quota_check(user=uploader, adding=size)
            attachment = Attachment(
                uploader=uploader,
                room=room,
                name=name,
                content_type=content_type,
                size=size,
                width=image.width if image else None,
                height=image.height if image else None,
            )
            # Stored first: a row never names bytes that are not there. The name given here
            # is ignored (models.attachment_path).
            attachment.file.save("upload", content, save=False)
        finally:
            content.close()
    try:
        attachment.save()
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


def file_too_large() -> TooLarge:
    limit = settings.PARLEY_FILES_MAX_SIZE
    return TooLarge(f"A file is at most {limit} bytes ({limit / 1024 / 1024:.0f} MB).")


@contextmanager
def _local_copy(upload: UploadedFile) -> Iterator[str]:
    """The upload as a file on this machine's disk: Django's temporary file, or (a small upload
    held in memory, as tests make) one written here and removed afterwards."""
    if hasattr(upload, "temporary_file_path"):
        yield str(upload.temporary_file_path())
        return
    descriptor, made = tempfile.mkstemp(prefix="parley-upload-")
    try:
        with os.fdopen(descriptor, "wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        yield made
    finally:
        os.unlink(made)


def _quota_check(*, user: User, adding: int) -> None:
    quota = settings.PARLEY_FILES_QUOTA
    if not quota:
        return
    used = attachments_usage(user=user)
    if used + adding > quota:
        raise QuotaExceeded(
            f"Your files would take {used + adding} bytes; your quota is {quota} bytes. "
            "Delete messages with files to make room."
        )


def attachments_attach(*, message: Message, author: User, room: Room, ids: list[int]) -> list:
    """Give `message` the pending files `ids` of `author` in `room`, in the post's transaction;
    their Attachment rows, in the order named. BadRequest for too many; NotFound (rolling the
    post back) when one is not a pending upload of the author in this room. A file taken by a
    concurrent post is not pending any more when this UPDATE runs (the row's lock)."""
    wanted = list(dict.fromkeys(ids))
    if len(wanted) > settings.PARLEY_FILES_PER_MESSAGE:
        raise BadRequest(f"A message carries at most {settings.PARLEY_FILES_PER_MESSAGE} files.")
    if any(not 0 < pk <= ID_MAX for pk in wanted):
        raise attachment_missing(next(pk for pk in wanted if not 0 < pk <= ID_MAX))
    pending = Attachment.objects.filter(
        pk__in=wanted, uploader=author, room=room, message__isnull=True
    )
    if pending.update(message=message) != len(wanted):
        taken = set(
            Attachment.objects.filter(pk__in=wanted, message=message).values_list("pk", flat=True)
        )
        raise attachment_missing(next(pk for pk in wanted if pk not in taken))
    attached = {a.pk: a for a in Attachment.objects.filter(message=message)}
    _thumbnails_enqueue([a for a in attached.values() if a.is_image])
    return [attached[pk] for pk in wanted]


def _thumbnails_enqueue(images: list[Attachment]) -> None:
    if not images:
        return
    from ..tasks import attachment_thumbnail  # the jobs' module imports these services

    for image in images:
        attachment_thumbnail.enqueue(image.pk)


def attachments_remove(*, message: Message) -> None:
    """Delete `message`'s files, in the deletion's transaction (their bytes once it commits)."""
    Attachment.objects.filter(message=message).delete()


def attachment_get_visible(*, attachment_id: int, user: User) -> Attachment:
    """File `attachment_id` for `user`: a posted one in a room they may see, or a pending one of
    their own. NotFound alike for a file that is missing and one they may not see."""
    attachment = (
        Attachment.objects.select_related("room").filter(pk=attachment_id).first()
        if 0 < attachment_id <= ID_MAX and user.is_authenticated
        else None
    )
    if attachment is None:
        raise attachment_missing(attachment_id)
    if attachment.message_id is None:
        visible = attachment.uploader_id == user.pk
    else:
        visible = room_can_see(room=attachment.room, user=user)
    if not visible:
        raise attachment_missing(attachment_id)
    return attachment


def attachment_thumbnail_make(*, attachment_id: int) -> None:
    """Make the thumbnail of a posted image if it has none, and tell its room's clients
    (message_updated). Does nothing for a file that is gone, not an image, not posted, or
    already has one (the job may run twice); an image no larger than a thumbnail is its own."""
    from .messages import message_updated

    attachment = Attachment.objects.filter(pk=attachment_id).first()
    if attachment is None or not attachment.is_image or attachment.message_id is None:
        return
    if attachment.thumbnail:
        return
    with attachment.file.open("rb") as source:
        made = image_thumbnail(source)
    if made is None:
        return
    data, width, height = made
    attachment.thumbnail.save("thumbnail", ContentFile(data), save=False)
    with transaction.atomic():
        message = (
            Message.objects.select_related("room", "author")
            .filter(pk=attachment.message_id, deleted_at__isnull=True)
            .first()
        )
        claimed = message is not None and bool(
            Attachment.objects.filter(pk=attachment.pk, thumbnail="").update(
                thumbnail=attachment.thumbnail.name,
                thumbnail_width=width,
                thumbnail_height=height,
            )
        )
        if not claimed:
            # Deleted meanwhile, or another run of the job made one first: this copy goes.
            name = attachment.thumbnail.name
            transaction.on_commit(lambda: files_storage().delete(name))
            return
        assert message is not None
        message_updated(room=message.room, message=message)


def attachments_expire(*, now=None) -> int:
    """Delete uploads never posted within PARLEY_FILES_UNPOSTED_TTL; how many."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.PARLEY_FILES_UNPOSTED_TTL)
    deleted, _ = Attachment.objects.filter(message__isnull=True, created_at__lt=cutoff).delete()
    return deleted
