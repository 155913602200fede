"""A preview's picture: the bytes a site sent, opened and checked by Pillow and written anew as
a small JPEG, so what Parley serves is an image it made (no metadata, no polyglot bytes)."""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps

FORMATS = ("JPEG", "PNG", "GIF", "WEBP")
# A picture of more pixels than this is refused before it is decoded: a small file can declare
# a huge one (a decompression bomb), whose decoding would take the worker's memory.
MAX_PIXELS = 25_000_000
THUMBNAIL = (480, 480)


class ImageRefused(Exception):
    """The bytes are not an image a preview shows."""


@dataclass(frozen=True)
class Thumbnail:
    data: bytes  # JPEG
    width: int
    height: int


def thumbnail_make(data: bytes) -> Thumbnail:
    """A JPEG of at most THUMBNAIL pixels from `data` (JPEG, PNG, GIF or WebP), or ImageRefused."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=FORMATS) as image:
                width, height = image.size
                if width < 1 or height < 1 or width * height > MAX_PIXELS:
                    raise ImageRefused(f"a {width}x{height} image is more than a preview decodes")
                image.load()
                picture = ImageOps.exif_transpose(image)
                if picture.mode in ("RGBA", "LA", "P"):
                    picture = picture.convert("RGBA")
                    flat = Image.new("RGB", picture.size, "white")
                    flat.paste(picture, mask=picture.getchannel("A"))
                    picture = flat
                else:
                    picture = picture.convert("RGB")
                picture.thumbnail(THUMBNAIL)
                out = io.BytesIO()
                picture.save(out, "JPEG", quality=85, optimize=True)
        except ImageRefused:
            raise
        except (
            OSError,
            ValueError,
            SyntaxError,
            Image.DecompressionBombError,
            Image.DecompressionBombWarning,
        ) as error:
            raise ImageRefused(
                f"not an image a preview shows ({type(error).__name__}: {error})"
            ) from error
    return Thumbnail(out.getvalue(), picture.width, picture.height)
