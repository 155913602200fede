"""Uploaded raster images, read with Pillow: measured, turned upright and stored without their
metadata, shrunk to thumbnails, or cut to a square (an avatar). Below every domain app: chat's
files and accounts' avatars both take their pictures through here.

An image is re-encoded before it is stored, with only what drawing it needs (its pixels,
palette transparency, colour profile, animation timing): EXIF (GPS location, camera serial
numbers), XMP and comments are gone from every copy ever served. Its EXIF orientation is
applied first, so it shows the way its camera held it.

Pillow is asked only for the formats in IMAGE_TYPES (what a browser shows inline); an image
with more pixels than PARLEY_IMAGE_MAX_PIXELS is refused before its pixels are decoded (a
decompression bomb is a small file that would decode to gigabytes).
"""

import io
import warnings
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import TooLarge

# The raster images Parley reads and shows inline, by Pillow's format name -> their type.
IMAGE_TYPES = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}
FORMATS = tuple(IMAGE_TYPES)
# What a re-encoded image keeps of its `info`: what drawing it needs, nothing that describes it.
_KEPT = ("transparency", "icc_profile", "duration", "loop", "background", "disposal")
# The box a thumbnail fits in, in pixels.
THUMBNAIL_BOX = (400, 400)


@dataclass(frozen=True)
class Prepared:
    """A raster image ready to store: its type, its size as shown, and its re-encoded bytes."""

    content_type: str
    width: int
    height: int
    data: bytes


def _too_many_pixels(width: int, height: int) -> TooLarge:
    limit = settings.PARLEY_IMAGE_MAX_PIXELS
    return TooLarge(f"The image is {width}x{height} pixels; at most {limit} pixels are accepted.")


def image_open(source: str | IO[bytes]) -> Image.Image | None:
    """The image at `source`, opened lazily (nothing decoded yet), or None when it is not one
    of FORMATS. TooLarge for too many pixels."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(source, formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooLarge(
            "The image has more pixels than Parley decodes "
            f"(at most {settings.PARLEY_IMAGE_MAX_PIXELS})."
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    width, height = image.size
    if width * height > settings.PARLEY_IMAGE_MAX_PIXELS:
        image.close()
        raise _too_many_pixels(width, height)
    return image


def image_prepare(path: str) -> Prepared | None:
    """The image in the file at `path` upright and without metadata, or None when the file is
    not a raster image Pillow reads completely (it is then stored as a download). TooLarge for
    too many pixels."""
    image = image_open(path)
    if image is None:
        return None
    with image:
        kind = image.format or ""
        try:
            out = io.BytesIO()
            frames = getattr(image, "n_frames", 1)
            if frames > 1:
                # An animation keeps its frames and timing; only its metadata goes.
                image.info = {key: image.info[key] for key in _KEPT if key in image.info}
                image.save(out, format=kind, save_all=True)
                width, height = image.size
            else:
                image.load()
                upright = ImageOps.exif_transpose(image) or image
                upright.info = {key: upright.info[key] for key in _KEPT if key in upright.info}
                options = {"quality": 90} if kind == "JPEG" else {}
                if kind == "WEBP":
                    options = {"lossless": True} if image.info.get("lossless") else {"quality": 90}
                upright.save(out, format=kind, **options)
                width, height = upright.size
        except (OSError, SyntaxError, ValueError, EOFError):
            # Truncated or corrupt: not shown inline; kept as the download it is.
            return None
    return Prepared(IMAGE_TYPES[kind], width, height, out.getvalue())


def image_square(source: str | IO[bytes], *, side: int) -> Prepared | None:
    """The image at `source` upright, cut about its centre to a square and shrunk to `side`
    pixels a side (a smaller one keeps its shorter side: never enlarged), re-encoded with its
    colour profile alone: PNG where a pixel is not opaque, JPEG otherwise; an animation gives
    its first frame. None when `source` is not a raster image of FORMATS that Pillow reads
    completely; TooLarge for too many pixels."""
    image = image_open(source)
    if image is None:
        return None
    with image:
        try:
            image.seek(0)
            image.load()
            upright = ImageOps.exif_transpose(image) or image
            frame = upright.convert("RGBA")
            edge = min(side, frame.width, frame.height)
            square = ImageOps.fit(frame, (edge, edge), Image.Resampling.LANCZOS)
        except (OSError, SyntaxError, ValueError, EOFError):
            return None
        profile = image.info.get("icc_profile")
    # Nothing of the original's `info` is written: EXIF, XMP and comments are gone.
    square.info = {}
    options = {"icc_profile": profile} if profile else {}
    out = io.BytesIO()
    lowest, _ = square.getchannel("A").getextrema()
    if isinstance(lowest, int | float) and lowest < 255:  # some pixel is not opaque
        square.save(out, format="PNG", optimize=True, **options)
        kind = "PNG"
    else:
        square.convert("RGB").save(out, format="JPEG", quality=85, **options)
        kind = "JPEG"
    return Prepared(IMAGE_TYPES[kind], edge, edge, out.getvalue())


def image_thumbnail(source: IO[bytes]) -> tuple[bytes, int, int] | None:
    """A thumbnail of the stored image `source` that fits THUMBNAIL_BOX: (its bytes, its width,
    its height). PNG where the image has transparency, JPEG otherwise. None when the image fits
    the box already (it is its own thumbnail) or cannot be read."""
    image = image_open(source)
    if image is None:
        return None
    with image:
        if image.width <= THUMBNAIL_BOX[0] and image.height <= THUMBNAIL_BOX[1]:
            return None
        try:
            image.seek(0)
            image.draft("RGB", THUMBNAIL_BOX)
            frame = image.convert("RGBA")
            frame.thumbnail(THUMBNAIL_BOX, Image.Resampling.LANCZOS)
        except (OSError, SyntaxError, ValueError, EOFError):
            return None
        out = io.BytesIO()
        lowest, _ = frame.getchannel("A").getextrema()
        if isinstance(lowest, int | float) and lowest < 255:  # some pixel is not opaque
            frame.save(out, format="PNG", optimize=True)
        else:
            frame.convert("RGB").save(out, format="JPEG", quality=80)
        return out.getvalue(), frame.width, frame.height
