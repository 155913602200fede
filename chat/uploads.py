"""What an uploaded file is, by its content, and what it may be called.

- `SizeLimitUploadHandler` stops reading a file part past PARLEY_FILES_MAX_SIZE (Django's
  TemporaryFileUploadHandler after it streams the rest to a temporary file, never to memory).
- `file_sniff` says what the bytes are: a raster image Pillow reads (PNG, JPEG, GIF, WebP),
  whatever else puremagic recognises, or `application/octet-stream`. The name and the type the
  uploader sent are never asked.
- `file_serve_type` is the policy: which sniffed type is served as itself, which only as an
  opaque download; `file_inline` which is shown in the page (the raster images alone).
- `file_name_clean` makes a display name safe to show and to put in a header.
"""

import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath

import puremagic
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from parley.images import IMAGE_TYPES

# The raster images shown inline, by Pillow's format name -> their type (parley/images.py).
INLINE_IMAGES = IMAGE_TYPES
# Types served as themselves (as a download): documents, archives and media a browser cannot
# run as a page. Anything else, HTML, SVG, XML, scripts and text above all, is served as
# `application/octet-stream`, so that no browser runs it from our origin.
DOWNLOAD_TYPES = frozenset(
    {
        "application/pdf",
        "application/zip",
        "application/gzip",
        "application/x-gzip",
        "application/x-tar",
        "application/x-7z-compressed",
        "application/x-bzip2",
        "application/x-xz",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "audio/mpeg",
        "audio/ogg",
        "audio/wav",
        "audio/flac",
        "video/mp4",
        "video/webm",
        "video/quicktime",
        "image/bmp",
        "image/tiff",
        "image/heic",
        "image/avif",
    }
)
OPAQUE = "application/octet-stream"
NAME_MAX = 200
# What a multipart body may add to its file, in bytes (boundaries, part headers, a CSRF field):
# a body announcing more than PARLEY_FILES_MAX_SIZE plus this is refused unread.
MULTIPART_SLACK = 64 * 1024


class SizeLimitUploadHandler(FileUploadHandler):
    """Refuse a file part larger than PARLEY_FILES_MAX_SIZE as soon as that much has arrived.
    The request is marked (`parley_upload_too_large`) so the view answers `too_large`; the
    handlers after this one never see the rest."""

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.PARLEY_FILES_MAX_SIZE:
            self.request.parley_upload_too_large = True  # type: ignore[union-attr]
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    # Pillow's format name, for a raster image shown inline; None otherwise.
    image_format: str | None = None


# When several types match a file's bytes equally well (an Office document, a Java archive
# and a plain zip all start "PK\x03\x04"), the generic one that all of them are.
_GENERIC = ("application/zip",)


def file_sniff_type(path: str) -> str:
    """The MIME type puremagic reads from the file's bytes (head and tail), or OPAQUE. The
    bytes alone: no file name is given, so that the uploader's name cannot sway it."""
    try:
        with open(path, "rb") as stream:
            matches = puremagic.magic_stream(stream)
    except (puremagic.PureError, OSError, ValueError):
        return OPAQUE
    matches = [m for m in matches if m.mime_type and "/" in m.mime_type]
    if not matches:
        return OPAQUE
    best = max(m.confidence for m in matches)
    tied = list(dict.fromkeys(m.mime_type.lower() for m in matches if m.confidence == best))
    found = next((kind for kind in _GENERIC if kind in tied), tied[0]) if len(tied) > 1 else tied[0]
    return found if len(found) <= 100 else OPAQUE


def file_serve_type(content_type: str) -> str:
    """The Content-Type a file of this sniffed type is served with."""
    if content_type in INLINE_IMAGES.values() or content_type in DOWNLOAD_TYPES:
        return content_type
    return OPAQUE


def file_inline(content_type: str) -> bool:
    """Whether a file of this sniffed type is shown in the page (a raster image); every other
    file is served as a download."""
    return content_type in INLINE_IMAGES.values()


# Unicode categories dropped from names: controls (C0, C1, DEL), format characters
# (bidirectional overrides and isolates, zero-width ones), surrogates, private use, unassigned,
# and line and paragraph separators.
_DROPPED = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def file_name_clean(name: str) -> str:
    """A display name for an uploaded file: its last path component (either separator), in
    NFC, without control, format (bidi override) or separator characters, without leading dots
    or surrounding spaces, at most NAME_MAX characters (keeping its extension); "file" when
    nothing is left. Shown and offered on download only: files are stored under random names."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if char.isspace() else char for char in name)
    name = "".join(char for char in name if unicodedata.category(char) not in _DROPPED)
    name = name.strip().lstrip(".").strip()
    if len(name) > NAME_MAX:
        suffix = PurePosixPath(name).suffix
        suffix = suffix if 1 < len(suffix) <= 16 else ""
        name = name[: NAME_MAX - len(suffix)].rstrip() + suffix
    return name or "file"
