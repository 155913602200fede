"""Files for the upload tests, made here (nothing downloaded): images with and without EXIF
location, decompression and zip bombs, polyglots."""

import io
import struct
import zipfile
import zlib

from PIL import Image

# GPS IFD tag ids (EXIF 2.3): latitude ref and value, longitude ref and value.
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def png(width: int = 40, height: int = 30, color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps(width: int = 60, height: int = 20, orientation: int = 1) -> bytes:
    """A JPEG whose EXIF says where it was taken (and, optionally, that it is rotated)."""
    image = Image.new("RGB", (width, height), (10, 120, 200))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Parley Test Camera"  # Make
    exif.get_ifd(GPS_IFD).update(
        {1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)}  # Paris
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A few hundred bytes whose header claims `width` x `height` pixels: decoding it would
    take tens of gigabytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\x00" * 1024, 9)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


def zip_bomb(unpacked: int = 64 * 1024 * 1024) -> bytes:
    """A zip of `unpacked` zero bytes: some tens of kilobytes packed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("zeros.bin", "w", force_zip64=True) as member:
            chunk = b"\x00" * (1024 * 1024)
            for _ in range(unpacked // len(chunk)):
                member.write(chunk)
    return out.getvalue()


SCRIPT = b"<html><body><script>alert(document.cookie)</script></body></html>"


def gif_html_polyglot() -> bytes:
    """A GIF that is also an HTML page: its comment block holds a script a browser sniffing
    for HTML would run."""
    out = io.BytesIO()
    Image.new("P", (8, 8), 1).save(out, format="GIF", comment=SCRIPT)
    return out.getvalue()


def jpeg_halves(width: int = 80, height: int = 40, orientation: int = 1) -> bytes:
    """A JPEG red on its left half and blue on its right, whose EXIF says how its camera was
    held (`orientation`) and where it was taken."""
    image = Image.new("RGB", (width, height), (220, 0, 0))
    image.paste((0, 0, 220), (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "Parley Test Camera"  # Make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


def image_bytes(kind: str, width: int = 40, height: int = 30, mode: str = "RGB") -> bytes:
    """A plain image of `kind` (Pillow's format name: "PNG", "GIF", "WEBP", ...)."""
    out = io.BytesIO()
    fill = (30, 160, 60, 0) if mode == "RGBA" else (30, 160, 60)
    Image.new(mode, (width, height), fill).save(out, format=kind)
    return out.getvalue()
