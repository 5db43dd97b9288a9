"""Which image a file is, from its first bytes: the one answer the CLI and the staff pages share.

Why from the bytes: a file's name and the type Telegram or a citizen claims for it can lie. The
CLI must hand Telegram a real JPEG, PNG or WebP (``sendPhoto`` takes nothing else), and the staff
pages must never label a citizen's file as something a browser would run. Each format is known
by its full signature, so a file that merely starts like one is not taken for it.

Telegram-free on purpose: the CLI imports it without loading the bot.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ImageType:
    media_type: str
    extension: str


JPEG = ImageType("image/jpeg", ".jpg")
PNG = ImageType("image/png", ".png")
WEBP = ImageType("image/webp", ".webp")

#: Enough leading bytes for every signature below.
HEAD_BYTES = 12
#: Telegram's limit for a photo a bot sends (sendPhoto), and so for a photo staff send or view.
MAX_PHOTO_BYTES = 10 * 1024 * 1024

_JPEG_SOI = b"\xff\xd8\xff"  # start of image, then the first marker (JFIF, Exif or a raw table)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def sniff(head: bytes) -> ImageType | None:
    """JPEG, PNG or WebP by their signatures; None for anything else (GIF included)."""
    if head.startswith(_JPEG_SOI):
        return JPEG
    if head.startswith(_PNG_SIGNATURE):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None
