"""A preview's thumbnail: an image Parley writes itself, or a refusal."""

import io

import pytest
from PIL import Image

from links.images import THUMBNAIL, ImageRefused, thumbnail_make
from tests.linkserver import bomb_png, png


def test_an_image_becomes_a_small_jpeg_with_its_proportions():
    thumbnail = thumbnail_make(png(2000, 1000))
    assert (thumbnail.width, thumbnail.height) == (THUMBNAIL[0], THUMBNAIL[0] // 2)
    with Image.open(io.BytesIO(thumbnail.data)) as image:
        assert image.format == "JPEG" and image.size == (thumbnail.width, thumbnail.height)


def test_metadata_is_not_kept():
    image = Image.new("RGB", (50, 50), "red")
    exif = Image.Exif()
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # GPSInfo: where it was taken
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    thumbnail = thumbnail_make(out.getvalue())
    with Image.open(io.BytesIO(thumbnail.data)) as made:
        assert not made.getexif()


def test_a_transparent_image_is_flattened():
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, "PNG")
    with Image.open(io.BytesIO(thumbnail_make(out.getvalue()).data)) as made:
        assert made.getpixel((5, 5)) == (255, 255, 255)


@pytest.mark.parametrize(
    "data",
    [
        bomb_png(),
        bomb_png(20_000, 20_000),
        b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"GIF89a<script>alert(1)</script>",
        png(40, 40)[:60],  # truncated
        b"",
    ],
)
def test_bombs_polyglots_and_broken_images_are_refused(data):
    with pytest.raises(ImageRefused):
        thumbnail_make(data)
