import io
import os
import struct
import zlib

import pytest
from PIL import ExifTags, Image, ImageDraw, PngImagePlugin

from fieldservice.visits.images import ImageError, clean_photo, clean_signature_png


def png(image: Image.Image, **params) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG", **params)
    return out.getvalue()


def signature(size=(600, 200)) -> Image.Image:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(30, 150), (200, 40), (380, 160), (560, 50)], fill="navy", width=5)
    return image


def png_header_only(width: int, height: int) -> bytes:
    """A PNG claiming huge dimensions, a few bytes long: decoding it would allocate gigabytes."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def error_code(fn, data: bytes) -> str:
    with pytest.raises(ImageError) as error:
        fn(data)
    return error.value.code


def test_a_valid_signature_round_trips_as_a_fresh_png_without_metadata():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "tracking id 42")
    original = signature()
    cleaned = clean_signature_png(png(original, pnginfo=info))
    image = Image.open(io.BytesIO(cleaned))
    assert image.format == "PNG" and image.mode == "RGBA"
    assert image.tobytes() == original.tobytes()
    assert b"tEXt" not in cleaned and b"tracking id" not in cleaned


def test_a_greyscale_signature_stays_grey_with_alpha():
    image = Image.new("L", (300, 100), 255)
    ImageDraw.Draw(image).line([(10, 50), (290, 60)], fill=0, width=4)
    assert Image.open(io.BytesIO(clean_signature_png(png(image)))).mode == "LA"


@pytest.mark.parametrize("blank", [Image.new("RGBA", (600, 200), (0, 0, 0, 0)),
                                   Image.new("RGB", (600, 200), "white")])
def test_a_blank_signature_is_empty(blank):
    assert error_code(clean_signature_png, png(blank)) == "empty"


def test_no_bytes_at_all_is_empty():
    assert error_code(clean_signature_png, b"") == "empty"
    assert error_code(clean_photo, b"") == "empty"


def test_svg_with_a_script_is_refused():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert error_code(clean_signature_png, svg) == "not_png"
    assert error_code(clean_photo, svg) == "unsupported_format"


@pytest.mark.parametrize("fmt", ["JPEG", "GIF"])
def test_a_signature_in_another_format_is_refused(fmt):
    out = io.BytesIO()
    signature().convert("RGB").save(out, fmt)
    assert error_code(clean_signature_png, out.getvalue()) == "not_png"


def test_a_truncated_png_is_malformed():
    data = png(Image.effect_noise((400, 200), 60).convert("RGB"))
    assert error_code(clean_signature_png, data[: len(data) // 2]) == "malformed"
    assert error_code(clean_photo, data[: len(data) // 2]) == "malformed"


def test_garbage_behind_the_png_magic_is_malformed():
    assert error_code(clean_signature_png, b"\x89PNG\r\n\x1a\n" + b"\0" * 100) == "malformed"


def test_a_20000_by_20000_png_is_refused_before_decoding():
    bomb = png_header_only(20_000, 20_000)
    assert len(bomb) < 200
    assert error_code(clean_signature_png, bomb) == "too_many_pixels"
    assert error_code(clean_photo, bomb) == "too_many_pixels"


def test_a_signature_wider_than_2000_pixels_is_refused():
    assert error_code(clean_signature_png, png_header_only(2001, 400)) == "too_many_pixels"


def test_a_signature_over_512_kb_is_too_large():
    noisy = Image.frombytes("RGB", (500, 400), os.urandom(500 * 400 * 3))
    assert error_code(clean_signature_png, png(noisy, compress_level=0)) == "too_large"


def test_a_10_mb_photo_is_too_large():
    noisy = Image.frombytes("RGB", (1900, 1900), os.urandom(1900 * 1900 * 3))
    data = png(noisy, compress_level=0)
    assert len(data) > 10_000_000
    assert error_code(clean_photo, data) == "too_large"


def jpeg_with_gps_and_rotation() -> bytes:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90° clockwise to view"
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 13.0, 27.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 28.0, 12.0)
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "red").save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_loses_its_exif_and_gps_but_keeps_its_orientation():
    data = jpeg_with_gps_and_rotation()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    cleaned, mime = clean_photo(data)
    image = Image.open(io.BytesIO(cleaned))
    assert mime == "image/jpeg" and image.format == "JPEG"
    assert image.size == (200, 300)  # upright: the orientation was applied, not dropped
    assert not image.getexif()
    assert b"Exif" not in cleaned and b"PhoneMaker" not in cleaned


def test_a_large_photo_is_downscaled_to_2000_pixels_a_side():
    out = io.BytesIO()
    Image.new("RGB", (4000, 3000), "grey").save(out, "JPEG")
    cleaned, _ = clean_photo(out.getvalue())
    assert Image.open(io.BytesIO(cleaned)).size == (2000, 1500)


def test_a_png_photo_stays_png_and_keeps_transparency():
    cleaned, mime = clean_photo(png(signature()))
    assert mime == "image/png"
    assert Image.open(io.BytesIO(cleaned)).mode == "RGBA"
