"""Untrusted images from the tablet (signatures, fault photos) made safe to store and print.

Every image is checked by its bytes (magic number and Pillow's own identification, never the file
name or content type), bounded in bytes and pixels before any pixel is decoded, fully decoded, and
written out afresh from raw pixels, so no metadata chunk (EXIF, GPS, text, ICC) survives and a
crafted file cannot reach a reader or the PDF.
"""
from __future__ import annotations

import io

from PIL import Image, ImageOps

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

SIGNATURE_MAX_BYTES = 512 * 1024
SIGNATURE_MAX_W, SIGNATURE_MAX_H = 2000, 1000
PHOTO_MAX_BYTES = 8 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_MAX_SIDE = 2000
JPEG_QUALITY = 85
# A tap or a speck of dust on the glass is not a signature.
MIN_INK_PIXELS = 20
INK_BELOW = 200  # grey level (0-255) over white that counts as ink

# Our own size checks come first; this makes Pillow itself refuse anything far beyond them.
Image.MAX_IMAGE_PIXELS = PHOTO_MAX_PIXELS


class ImageError(ValueError):
    """code: not_png | unsupported_format | too_large | too_many_pixels | malformed | empty."""

    def __init__(self, code: str, message_key: str):
        super().__init__(code)
        self.code = code
        self.message_key = message_key


def clean_signature_png(data: bytes) -> bytes:
    """A fresh RGBA/LA PNG of the drawn signature; raises ImageError."""
    _check_bytes(data, SIGNATURE_MAX_BYTES, "signature")
    if not data.startswith(PNG_MAGIC):
        raise ImageError("not_png", "signature.not_png")
    image = _open(data, "PNG", "signature")
    width, height = image.size
    if width > SIGNATURE_MAX_W or height > SIGNATURE_MAX_H:
        raise ImageError("too_many_pixels", "signature.too_many_pixels")
    _decode(image, "signature")
    image = image.convert("LA" if image.mode in ("1", "L", "LA") else "RGBA")
    if _ink_pixels(image) < MIN_INK_PIXELS:
        raise ImageError("empty", "signature.empty")
    return _encode(image, "PNG")


def clean_photo(data: bytes) -> tuple[bytes, str]:
    """(bytes, mime type) of the photo upright, at most 2000 px a side, without metadata."""
    _check_bytes(data, PHOTO_MAX_BYTES, "photo")
    if data.startswith(JPEG_MAGIC):
        fmt = "JPEG"
    elif data.startswith(PNG_MAGIC):
        fmt = "PNG"
    else:
        raise ImageError("unsupported_format", "photo.unsupported_format")
    image = _open(data, fmt, "photo")
    if image.size[0] * image.size[1] > PHOTO_MAX_PIXELS:
        raise ImageError("too_many_pixels", "photo.too_many_pixels")
    if fmt == "JPEG":
        # Decode at a reduced scale (1/2 … 1/8) when that still leaves ≥ 2000 px: far less memory.
        image.draft("RGB", (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    _decode(image, "photo")
    try:
        # Cameras store "rotate me" in EXIF; apply it now because the EXIF is about to go.
        image = ImageOps.exif_transpose(image)
    except Exception:
        raise ImageError("malformed", "photo.malformed") from None
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE), Image.Resampling.LANCZOS)
    if fmt == "JPEG":
        return _encode(image.convert("RGB"), "JPEG"), "image/jpeg"
    return _encode(image.convert("RGBA" if image.has_transparency_data else "RGB"), "PNG"), "image/png"


def _check_bytes(data: bytes, limit: int, subject: str) -> None:
    if not data:
        raise ImageError("empty", f"{subject}.empty")
    if len(data) > limit:
        raise ImageError("too_large", f"{subject}.too_large")


def _open(data: bytes, fmt: str, subject: str) -> Image.Image:
    """Read the header only: the dimensions are known here, before any pixel is decompressed."""
    try:
        # formats=[fmt]: Pillow must identify the bytes as that format too, not just the magic.
        return Image.open(io.BytesIO(data), formats=[fmt])
    except Image.DecompressionBombError:
        raise ImageError("too_many_pixels", f"{subject}.too_many_pixels") from None
    except Exception:  # Pillow raises many types on hostile headers; all mean the same here
        raise ImageError("malformed", f"{subject}.malformed") from None


def _decode(image: Image.Image, subject: str) -> None:
    try:
        image.load()  # raises on truncated data (Pillow's LOAD_TRUNCATED_IMAGES stays False)
    except Exception:
        raise ImageError("malformed", f"{subject}.malformed") from None


def _ink_pixels(image: Image.Image) -> int:
    on_white = Image.alpha_composite(Image.new("RGBA", image.size, "white"), image.convert("RGBA"))
    return sum(on_white.convert("L").histogram()[:INK_BELOW])


def _encode(image: Image.Image, fmt: str) -> bytes:
    # Rebuilt from raw pixels so nothing from the upload's info dict (exif, icc, text) is written.
    fresh = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    if fmt == "JPEG":
        fresh.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        fresh.save(out, "PNG")
    return out.getvalue()
