"""Image sniffing: one table of first bytes, shared by the CLI and the staff pages."""

import pytest

from bot.images import JPEG, PNG, WEBP, sniff

CASES = [
    ("jpeg_jfif", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01", JPEG),
    ("jpeg_exif", b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00", JPEG),
    ("jpeg_raw_quantization_table", b"\xff\xd8\xff\xdb\x00\x43\x00\x08", JPEG),
    ("jpeg_start_without_marker", b"\xff\xd8\x00\x00\x00\x00", None),
    ("png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", PNG),
    ("png_truncated_signature", b"\x89PNG\x00\x00\x00\x00", None),
    ("webp", b"RIFF\x24\x00\x00\x00WEBPVP8 ", WEBP),
    ("riff_not_webp", b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
    ("gif", b"GIF89a\x01\x00\x01\x00", None),
    ("html", b"<html><script>alert(1)</script>", None),
    ("empty", b"", None),
    ("garbage", bytes(range(12)), None),
]


@pytest.mark.parametrize(
    ("head", "expected"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_sniff(head, expected):
    assert sniff(head) == expected


def test_types_name_their_media_type_and_extension():
    assert (JPEG.media_type, JPEG.extension) == ("image/jpeg", ".jpg")
    assert (PNG.media_type, PNG.extension) == ("image/png", ".png")
    assert (WEBP.media_type, WEBP.extension) == ("image/webp", ".webp")
