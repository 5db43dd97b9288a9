"""``GET /open311/v2/media/{photo_id}.jpg``: a report's photo as the public may see it, the target
of a request's ``media_url`` (and of an update's, for an officer's "after" photo).

Why not the file as Telegram holds it: a photo a citizen sent as a document keeps its EXIF
block, which often holds the GPS position of the phone (their doorstep, to the metre, where the
request itself rounds the point to ~110 m) and the phone's make and serial. So every photo is
decoded and written again as a plain JPEG of at most :data:`MAX_SIDE` pixels a side, turned
upright first, with no metadata at all (no EXIF, no XMP, no ICC profile, no comment). A file too
large in bytes (over 10 MB, from getFile) or in pixels (:data:`MAX_PIXELS`, a decompression
bomb) is refused before it is decoded.

The same visibility as the request's: a photo of a report the reader may not see (a sensitive
category without a key for the area, a report that is not public) is the same 404 as a photo that
does not exist. Anonymous readers share the public reads' rate. Downloads go through the staff
pages' fetcher (the evidence the bot kept first, bot/domain/evidence.py; else one download per
file at a time, the application's own ``Bot``); the cleaned
copies are kept in :data:`CACHE_BYTES` of memory.
"""

from __future__ import annotations

import asyncio
import io

from PIL import Image, ImageOps
from starlette.requests import Request
from starlette.responses import Response
from telegram import Bot

from bot.domain import privacy
from bot.http.errors import ApiError
from bot.http.open311_common import Open311Kit
from bot.http.staff_guard import PageError
from bot.http.staff_photos import Photo, PhotoCache, PhotoFetcher
from bot.ids import parse_id

MAX_SIDE = 1600
MAX_PIXELS = 50_000_000
CACHE_BYTES = 8 * 1024 * 1024
CLEANING_AT_ONCE = 2  # photos decoded at once: CPU the bot shares
QUALITY = 85


class NotAnImage(ValueError):
    """The file cannot be shown as a photo (not an image, or too many pixels)."""


def clean_jpeg(data: bytes) -> bytes:
    """``data`` (JPEG, PNG, WebP…) as a metadata-free JPEG of at most ``MAX_SIDE`` a side."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise NotAnImage(f"{image.width}×{image.height} pixels")
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at a smaller scale
            upright = ImageOps.exif_transpose(image) or image
            picture = upright.convert("RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise NotAnImage(str(error)) from None
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    # A new image: nothing of the original's ``info`` (EXIF, XMP, ICC, comments) can follow.
    fresh = Image.new("RGB", picture.size)
    fresh.paste(picture)
    out = io.BytesIO()
    fresh.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()


class MediaRoute:
    def __init__(self, kit: Open311Kit, bot: Bot | None) -> None:
        self.kit = kit
        self.reports = kit.services.store.public_reports
        # The cleaned copy is what is cached; the original comes from the evidence kept.
        evidence = kit.services.evidence
        self.fetcher = PhotoFetcher(bot, cache_bytes=0, kept=evidence.original)
        self.cleaned = PhotoCache(CACHE_BYTES)
        self._slots = asyncio.Semaphore(CLEANING_AT_ONCE)

    async def photo(self, request: Request) -> Response:
        viewer = await self.kit.viewer(request)
        raw = str(request.path_params["photo_id"])
        number = parse_id(raw)
        found = (
            await self.reports.photo(number, published=privacy.PUBLISHED)
            if number is not None
            else None
        )
        if found is None or not viewer.sees(found[0]):
            raise ApiError(404, f"no photo {raw[:20]}")
        photo = await self._cleaned(found[1])
        return Response(
            photo.data,
            media_type=photo.media_type,
            headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
        )

    async def _cleaned(self, file_id: str) -> Photo:
        kept = self.cleaned.get(file_id)
        if kept is not None:
            return kept
        try:
            original = await self.fetcher.get(file_id)
        except PageError as refused:
            if refused.http_status == 413:
                raise ApiError(404, "this photo is too large to be shown") from None
            raise ApiError(502, "the photo cannot be fetched now; retry later") from None
        async with self._slots:
            try:
                data = await asyncio.to_thread(clean_jpeg, original.data)
            except NotAnImage:
                raise ApiError(502, "the file is not a photo that can be shown") from None
        photo = Photo(data, "image/jpeg")
        self.cleaned.put(file_id, photo)
        return photo
