"""Files: upload one to a room, to be carried by a post (`files` in POST .../messages and in
the WebSocket `post` frame). Downloads are served at each file's `url` (web/views/files.py)."""

from django.conf import settings
from ninja import Router, Status

from chat.payloads import attachment_payload
from chat.services.attachments import attachment_upload, file_too_large

from .auth import AuthenticatedRequest
from .rooms import room_visible
from .schemas import AttachmentOut, errors
from .uploads import FILE_FORM, upload_receive

router = Router(tags=["files"])


@router.post(
    "/rooms/{slug}/files",
    response={201: AttachmentOut, **errors(400, 401, 403, 404, 409, 413, 429)},
    openapi_extra=FILE_FORM,
)
def file_upload(request: AuthenticatedRequest, slug: str):
    """Upload one file (multipart/form-data, field `file`) to a room the caller may see: 201
    with the pending file, which only the caller sees until a post of theirs in this room
    names it in `files` (within a day, or it is removed). Its type is read from its content; a
    raster image is stored upright and without its metadata (EXIF location). 413 `too_large`
    over PARLEY_FILES_MAX_SIZE (or an image over PARLEY_IMAGE_MAX_PIXELS), 413
    `quota_exceeded` over the caller's PARLEY_FILES_QUOTA."""
    room = room_visible(slug=slug, user=request.auth)
    upload = upload_receive(request, limit=settings.PARLEY_FILES_MAX_SIZE, too_large=file_too_large)
    attachment = attachment_upload(uploader=request.auth, room=room, upload=upload)
    return Status(201, attachment_payload(attachment))
