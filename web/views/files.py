"""Downloads of files shared in rooms (/files/<id>/<name>) and their thumbnails: to the people
who may see the file's room (chat.services.attachments.attachment_get_visible), signed in by
the session cookie or, for programs, `Authorization: Bearer <token>`. Anyone else, signed in
or not, gets the 404 a file that does not exist gets.

Every answer is built not to run in the browser: the Content-Type is the one sniffed from the
content (chat/uploads.py), with `nosniff`; only raster images are `inline`, everything else an
`attachment`; and a CSP `sandbox` with no sources makes even a file opened by itself an inert
document with an opaque origin (a polyglot GIF that is also HTML runs nothing)."""

from asgiref.sync import sync_to_async
from django.http import FileResponse, Http404, HttpRequest
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from chat.models import Attachment
from chat.services.attachments import attachment_get_visible
from chat.uploads import file_inline, file_serve_type
from parley.errors import NotFound

from ..callers import request_caller

# No scripts, no plugins, no framing, no forms; an image shows, styled by the browser's own
# image page.
FILE_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"


def _visible(request: HttpRequest, attachment_id: int) -> Attachment:
    user = request_caller(request)
    if user is None:
        raise Http404("No such file.")
    try:
        return attachment_get_visible(attachment_id=attachment_id, user=user)
    except NotFound as missing:
        raise Http404("No such file.") from missing


class FileStream(FileResponse):
    """A FileResponse that an ASGI server reads block by block, each read in a thread.

    Django's own `__aiter__` takes a file's blocks as a synchronous iterator: it warns, then
    reads the whole file into memory before sending a byte (a 25 MB upload held whole per
    download). Served synchronously (the test client, WSGI) it is a FileResponse as before."""

    async def __aiter__(self):
        read = sync_to_async(self.file_to_stream.read, thread_sensitive=False)
        while block := await read(self.block_size):
            yield block


def file_stream(opened, content_type: str, *, cache: str) -> FileStream:
    """A stored file served so that it runs nothing in the browser (the module's note): the
    type Parley wrote it in, `nosniff`, the sandbox, to this site's pages only, no referrer;
    `cache` says who may keep it and how long."""
    response = FileStream(opened, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Referrer-Policy"] = "no-referrer"
    response["Cache-Control"] = cache
    return response


def _serve(attachment: Attachment, *, thumbnail: bool = False) -> FileResponse:
    stored = attachment.thumbnail if thumbnail else attachment.file
    inline = file_inline(attachment.content_type)
    if thumbnail:
        content_type = "image/png" if stored.name.endswith(".png") else "image/jpeg"
    else:
        content_type = file_serve_type(attachment.content_type)
    # A member's browser may keep it; no shared cache may.
    response = file_stream(stored.open("rb"), content_type, cache="private, max-age=3600")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=not inline, filename=attachment.name) or ""
    )
    return response


@require_safe
def file_download(request: HttpRequest, attachment_id: int, name: str = "") -> FileResponse:
    """The file as uploaded (an image: upright, without metadata). `name` is for the reader and
    the browser's save dialog; the id alone decides which file it is."""
    return _serve(_visible(request, attachment_id))


@require_safe
def file_thumbnail(request: HttpRequest, attachment_id: int) -> FileResponse:
    """An image's thumbnail, once the job made it (404 before)."""
    attachment = _visible(request, attachment_id)
    if not attachment.thumbnail:
        raise Http404("No thumbnail.")
    return _serve(attachment, thumbnail=True)
