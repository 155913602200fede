"""Receiving one uploaded file: the multipart/form-data field `file` of a POST or a PUT, under
a size limit that is checked before the body is read when the request announces its length."""

from collections.abc import Callable
from typing import BinaryIO, cast

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError

from chat.uploads import MULTIPART_SLACK
from parley.errors import BadRequest, TooLarge

# The operations' request body in the OpenAPI schema.
FILE_FORM = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


def upload_receive(
    request: HttpRequest, *, limit: int, too_large: Callable[[], TooLarge]
) -> UploadedFile:
    """The file the request sends as the field `file`. `too_large()` is raised for a body
    announced larger than `limit` bytes plus multipart's framing (unread), and for a file the
    upload handler stopped (chat.uploads.SizeLimitUploadHandler); BadRequest without the
    field. Django parses a POST's body by itself and leaves a PUT's to the view."""
    announced = request.META.get("CONTENT_LENGTH") or "0"
    if announced.isdigit() and int(announced) > limit + MULTIPART_SLACK:
        raise too_large()
    if request.method == "POST":
        files = request.FILES
    else:
        if not (request.content_type or "").startswith("multipart/form-data"):
            raise BadRequest("Send the file as the multipart/form-data field 'file'.")
        try:
            # The request reads as its body's stream (what Django gives a POST's parser).
            _, files = request.parse_file_upload(request.META, cast(BinaryIO, request))
        except MultiPartParserError as error:
            raise BadRequest(f"The multipart/form-data body cannot be read: {error}") from None
    upload = files.get("file")
    if getattr(request, "parley_upload_too_large", False):
        raise too_large()
    if upload is None:
        raise BadRequest("Send the file as the multipart/form-data field 'file'.")
    return upload
