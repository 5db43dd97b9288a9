"""Report photos for the staff pages (``/staff/photos/{file_id}``), fetched from Telegram and
kept a while in memory; a photo is shown only to someone who may see its report.

Why so careful with a cache of pictures: the file ids behind ``/staff/photos/…`` are whatever a
citizen sent, documents included, and a cache counted in entries lets a few large documents take
most of the bot's memory. So:

- the cache is bounded in bytes (``STAFF_PHOTO_CACHE_MB``), least recently used out first;
- a file whose size, as getFile reports it, is over :data:`bot.images.MAX_PHOTO_BYTES` is
  refused before any byte is downloaded;
- one file is downloaded once however many officers ask at the same time (the later requests
  await the first one's download), and at most :data:`DOWNLOADS_AT_ONCE` files download at once;
- downloads go through the running application's own ``Bot`` (its connection pool, its rate
  limiter), not a client built and torn down per photo.

A photo the bot has kept as evidence (bot/domain/evidence.py) is read from its stored file, never
from Telegram: it still shows after the bot's token changed, when Telegram no longer knows the
file id. A photo uploaded from the staff pages or the case CLI is a file beside the database until
its first send to Telegram (file id ``local:<path>``); it is read from there, and its address
names it by its ``file_unique_id`` (``local:<name>``), so no page shows the server's paths.

The content type is sniffed from the bytes (:func:`bot.images.sniff`), never taken from Telegram
or the citizen, and the answers carry ``nosniff``, so a file is shown as an image or downloaded,
never run as a page; anything but a JPEG, PNG or WebP is a download.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from telegram import Bot
from telegram.error import BadRequest, TelegramError

from bot.domain.evidence import StoredFile
from bot.http.staff_access import StaffAccess
from bot.http.staff_guard import PageError
from bot.http.staff_signin import StaffSignIn
from bot.images import HEAD_BYTES, MAX_PHOTO_BYTES, sniff
from bot.outbox.citizen_senders import LOCAL_PHOTO_PREFIX

DOWNLOADS_AT_ONCE = 4  # distinct files in memory before the cache has them: 40 MB at most
_MB = 1024 * 1024


@dataclass(frozen=True)
class Photo:
    data: bytes
    media_type: str


class PhotoCache:
    """Least recently used out first, so that ``size`` (bytes) never exceeds ``capacity``."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.size = 0
        self._items: OrderedDict[str, Photo] = OrderedDict()

    def __len__(self) -> int:
        return len(self._items)

    def get(self, file_id: str) -> Photo | None:
        photo = self._items.get(file_id)
        if photo is not None:
            self._items.move_to_end(file_id)
        return photo

    def put(self, file_id: str, photo: Photo) -> None:
        """Keep ``photo`` (a file larger than the whole cache is served but not kept)."""
        if len(photo.data) > self.capacity:
            return
        old = self._items.pop(file_id, None)
        if old is not None:
            self.size -= len(old.data)
        self._items[file_id] = photo
        self.size += len(photo.data)
        while self.size > self.capacity:
            _, evicted = self._items.popitem(last=False)
            self.size -= len(evicted.data)


class PhotoFetcher:
    """Photos by file_id, from the cache or Telegram; refusals are :class:`PageError` pages."""

    def __init__(
        self,
        bot: Bot | None,
        cache_bytes: int,
        max_bytes: int = MAX_PHOTO_BYTES,
        kept: Callable[[str], Awaitable[StoredFile | None]] | None = None,
    ) -> None:
        self.bot = bot  # None: an app built without the running bot (some tests), no photos
        self.kept = kept  # the evidence store's copy, asked first
        self.cache = PhotoCache(cache_bytes)
        self.max_bytes = max_bytes
        self._downloading: dict[str, asyncio.Task[Photo]] = {}
        self._slots = asyncio.Semaphore(DOWNLOADS_AT_ONCE)

    async def get(self, file_id: str) -> Photo:
        photo = self.cache.get(file_id)
        if photo is not None:
            return photo
        task = self._downloading.get(file_id)
        if task is None:
            task = asyncio.create_task(self._fetch(file_id), name="staff-photo")
            self._downloading[file_id] = task
            task.add_done_callback(lambda done: self._landed(file_id, done))
        # shielded: an officer closing the tab does not cancel the download the others await
        return await asyncio.shield(task)

    def _landed(self, file_id: str, task: asyncio.Task[Photo]) -> None:
        if self._downloading.get(file_id) is task:
            del self._downloading[file_id]
        if not task.cancelled():
            task.exception()  # retrieved, even when every waiter went away

    async def _fetch(self, file_id: str) -> Photo:
        stored = await self.kept(file_id) if self.kept is not None else None
        if stored is not None:
            return self._landed_bytes(file_id, stored.data)
        if file_id.startswith(LOCAL_PHOTO_PREFIX):
            data = await asyncio.to_thread(self._read_local, file_id)
            return self._landed_bytes(file_id, data)
        if self.bot is None:
            raise PageError(503, "photo_missing")
        async with self._slots:
            try:
                telegram_file = await self.bot.get_file(file_id)
                if telegram_file.file_size is not None:
                    self._check_size(telegram_file.file_size)
                data = bytes(await telegram_file.download_as_bytearray())
            except BadRequest as error:
                if "too big" in error.message.lower():  # Telegram's own 20 MB limit
                    raise PageError(413, "photo_too_big", max=self.max_bytes // _MB) from None
                raise PageError(502, "photo_missing") from None
            except TelegramError:
                raise PageError(502, "photo_missing") from None
        return self._landed_bytes(file_id, data)

    def _landed_bytes(self, file_id: str, data: bytes) -> Photo:
        self._check_size(len(data))  # getFile may leave the size out
        image = sniff(data[:HEAD_BYTES])
        photo = Photo(data, image.media_type if image else "application/octet-stream")
        self.cache.put(file_id, photo)
        return photo

    def _read_local(self, file_id: str) -> bytes:
        """A file the database names (the route asked it first), never a path from a URL."""
        path = Path(file_id.removeprefix(LOCAL_PHOTO_PREFIX))
        try:
            if path.stat().st_size > self.max_bytes:
                raise PageError(413, "photo_too_big", max=self.max_bytes // _MB)
            return path.read_bytes()
        except OSError:
            raise PageError(404, "photo_missing") from None

    def _check_size(self, size: int) -> None:
        if size > self.max_bytes:
            raise PageError(413, "photo_too_big", max=self.max_bytes // _MB)


class PhotoPages:
    def __init__(self, sign_in: StaffSignIn, access: StaffAccess, fetcher: PhotoFetcher) -> None:
        self.sign_in = sign_in
        self.access = access
        self.fetcher = fetcher

    async def photo(self, request: Request) -> Response:
        staff = await self.sign_in.staff(request)
        file_id = str(request.path_params["file_id"])
        sessions = self.sign_in.sessions
        report_id = None
        if len(file_id) < 300 and file_id.startswith(LOCAL_PHOTO_PREFIX):  # by its unique id
            found = await sessions.local_photo(file_id)
            if found is not None:
                report_id, file_id = found
        elif len(file_id) < 300:
            report_id = await sessions.photo_report(file_id)
        if report_id is None:
            raise PageError(404, "photo_missing")
        await self.access.report_for(staff, str(report_id))
        photo = await self.fetcher.get(file_id)
        return Response(photo.data, media_type=photo.media_type)
