"""Evidence kept: every photo of a report, downloaded once soon after it arrives and stored by the
bot as a file beside the database, named by the SHA-256 of its bytes.

Why: a Telegram ``file_id`` belongs to one bot token. A new token (BotFather's /revoke after a
leak, a new bot on the same database) or Telegram's own retention and the photos of every case
are gone, and they are the case's evidence. So the original bytes are kept as received
(checksummed: the case file's manifest proves them unchanged) and every surface serves the stored
copy when there is one: cards and follow-ups upload the bytes instead of a file id that may not
belong to this token, the staff pages show them, Open311's ``media_url`` serves them cleaned of
EXIF/GPS (bot/http/open311_media.py), and ``case export`` packs them.

Off the conversation's path: storage writes a ``pending`` row with each photo (storage/evidence.py)
and :meth:`EvidenceService.collect`, run by a scheduler job (bot/telegram/evidence_job.py), does
the downloads, trying again later on a failure (:func:`retry_delay`) and giving up after
:data:`MAX_ATTEMPTS`. A citizen's answer never waits for a download.

Bounds: one file is at most ``EVIDENCE_MAX_MB`` (20 MB by default, Telegram's getFile limit, so
nothing a bot may download is refused by default); the files together at most
``EVIDENCE_BUDGET_GB``: past it a new photo is refused (and logged as an error) rather than
deleting older evidence. Files are kept as long as their report is: no sweep deletes evidence.

A citizen's photo refused for its size is not lost silently: the citizen is told once (an outbox
row of its own, ``evidence_too_large``, keyed by the photo, written with the refusal) to send a
smaller one or a screenshot; the officers' card is unchanged (it shows Telegram's copy). An
officer's "after" photo over the limit is only logged and shown in ``case show``.

Layout: ``<database folder>/evidence/ab/cd/<sha256><ext>`` (owner-only, storage/files.py). The same
picture sent twice is one file.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from bot.clock import Clock
from bot.images import HEAD_BYTES, sniff
from storage.evidence import Evidence, EvidenceJob, EvidenceRepository
from storage.files import FILE_MODE, private_dir
from storage.outbox import PRIORITY_FOLLOWUP, OutboxKind, OutboxMessage
from storage.sqltext import iso

log = logging.getLogger(__name__)

#: Attempts before a photo's download is given up (the backoff makes that about a day).
MAX_ATTEMPTS = 12
#: Photos downloaded per pass of the job, and at once (a download is mostly waiting on the
#: network: a few side by side keep up with a city's peak, about 2 photos a second at Qlue's).
BATCH = 20
DOWNLOADS_AT_ONCE = 4
OCTET_STREAM = "application/octet-stream"
#: The photo roles a citizen sent: the report's own, and those added to it later.
CITIZEN_ROLES = frozenset({"citizen", "update"})


class FileTooLarge(Exception):
    """The file is over the size limit (``size`` when known): refused, never tried again."""

    def __init__(self, size: int | None) -> None:
        super().__init__(f"{size} bytes" if size is not None else "over Telegram's limit")
        self.size = size


class FetchFailed(Exception):
    """The file could not be fetched now (network, Telegram): tried again later."""


#: Fetches a file's bytes by its file id, at most ``max_bytes`` (the bot's side: Telegram or a
#: local upload); raises :class:`FileTooLarge` or :class:`FetchFailed`.
Fetch = Callable[[str, int], Awaitable[bytes]]


def retry_delay(attempts: int) -> timedelta:
    """30 s, 1, 2, 4 … minutes, at most an hour between tries."""
    return timedelta(seconds=min(30 * 2**attempts, 3600))


def extension(mime: str) -> str:
    image = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp"}
    return image.get(mime, ".bin")


@dataclass(frozen=True)
class StoredFile:
    data: bytes
    mime: str
    sha256: str


class EvidenceFiles:
    """The files on disk, content-addressed."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str, mime: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}{extension(mime)}"

    def write(self, data: bytes) -> tuple[str, str]:
        """Keep ``data`` (once however often it is written); its SHA-256 and type."""
        sha256 = hashlib.sha256(data).hexdigest()
        image = sniff(data[:HEAD_BYTES])
        mime = image.media_type if image else OCTET_STREAM
        target = self.path(sha256, mime)
        if target.exists():
            return sha256, mime
        for folder in (self.root, target.parent.parent, target.parent):
            private_dir(folder)
        temporary = target.with_name(f".{target.name}.{os.urandom(6).hex()}.part")
        fd = os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, FILE_MODE)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)  # whole or not at all
        return sha256, mime

    def read(self, sha256: str, mime: str) -> bytes | None:
        try:
            return self.path(sha256, mime).read_bytes()
        except OSError:
            return None


class EvidenceService:
    def __init__(
        self,
        rows: EvidenceRepository,
        files: EvidenceFiles,
        clock: Clock,
        *,
        max_bytes: int,
        budget_bytes: int,
        waker: Callable[[], None] = lambda: None,
    ) -> None:
        self.rows = rows
        self.files = files
        self.clock = clock
        self.waker = waker
        self.max_bytes = max_bytes
        self.budget_bytes = budget_bytes
        self._used: int | None = None  # bytes stored, read once and then kept up to date
        self._lock = asyncio.Lock()

    async def collect(self, fetch: Fetch) -> int:
        """Download and store the photos that are due; how many were stored. One pass at a
        time: a second caller while one runs returns at once."""
        if self._lock.locked():
            return 0
        async with self._lock:
            if self._used is None:
                self._used = await self.rows.total_bytes()
            slots = asyncio.Semaphore(DOWNLOADS_AT_ONCE)

            async def one(job: EvidenceJob) -> int:
                async with slots:
                    return await self._one(job, fetch)

            jobs = await self.rows.due(iso(self.clock.now()), BATCH)
            results = await asyncio.gather(*(one(job) for job in jobs), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):  # the disk, the database: the row waits
                log.error("evidence not stored", exc_info=result)
        return sum(result for result in results if isinstance(result, int))

    async def _one(self, job: EvidenceJob, fetch: Fetch) -> int:
        now = self.clock.now()
        photo_id = job.photo_id
        same = await self.rows.known(job.file_unique_id)
        if same is not None and same.sha256 and same.mime and same.size is not None:
            await self.rows.stored(
                photo_id, sha256=same.sha256, size=same.size, mime=same.mime, at=iso(now)
            )
            return 1
        row = await self.rows.by_photo(photo_id)
        attempts = row.attempts if row else 0
        try:
            data = await fetch(job.file_id, self.max_bytes)
            if len(data) > self.max_bytes:
                raise FileTooLarge(len(data))
        except FileTooLarge as too_large:
            await self.rows.refuse(
                photo_id,
                reason=f"over the {self.limit_mb} MB limit ({too_large})",
                size=too_large.size,
                messages=self._too_large_notice(job),
            )
            log.warning("evidence refused: too large", extra={"photo": photo_id})
            self.waker()
            return 0
        except FetchFailed as failed:
            give_up = attempts + 1 >= MAX_ATTEMPTS
            next_at = iso(now + retry_delay(attempts))
            await self.rows.retry(photo_id, error=str(failed), next_at=next_at, give_up=give_up)
            log.warning("evidence not fetched", extra={"photo": photo_id, "give_up": give_up})
            return 0
        assert self._used is not None
        if self._used + len(data) > self.budget_bytes:
            await self.rows.refuse(photo_id, reason="evidence budget is full", size=len(data))
            log.error("evidence budget full: raise EVIDENCE_BUDGET_GB", extra={"photo": photo_id})
            return 0
        sha256, mime = await asyncio.to_thread(self.files.write, data)
        await self.rows.stored(photo_id, sha256=sha256, size=len(data), mime=mime, at=iso(now))
        self._used += len(data)
        return 1

    @property
    def limit_mb(self) -> str:
        """The size limit as people read it: "20", "0.05"."""
        return f"{self.max_bytes / 2**20:.3g}"

    @staticmethod
    def _too_large_notice(job: EvidenceJob) -> list[OutboxMessage]:
        """The citizen's one message about a photo of theirs that is too large to keep (its
        dedupe key is the photo's: a second pass over the same photo sends nothing)."""
        if job.role not in CITIZEN_ROLES:
            return []
        return [
            OutboxMessage(
                chat_id=job.citizen_id,
                kind=OutboxKind.EVIDENCE_TOO_LARGE,
                payload={"report_id": job.report_id, "photo_id": job.photo_id},
                dedupe_key=f"{OutboxKind.EVIDENCE_TOO_LARGE}:{job.photo_id}",
                priority=PRIORITY_FOLLOWUP,
                report_id=job.report_id,
            )
        ]

    async def original(self, file_id: str) -> StoredFile | None:
        """The stored bytes behind a file id the database holds; None when not (yet) kept."""
        found = await self.rows.by_file_id(file_id)
        return await self.read(found) if found is not None else None

    async def read(self, evidence: Evidence) -> StoredFile | None:
        if evidence.sha256 is None or evidence.mime is None:
            return None
        data = await asyncio.to_thread(self.files.read, evidence.sha256, evidence.mime)
        if data is None:
            log.error("evidence file missing", extra={"photo": evidence.photo_id})
            return None
        return StoredFile(data, evidence.mime, evidence.sha256)

    async def sendable(self, file_id: str) -> str | bytes:
        """What to hand Telegram for a photo: the stored bytes when kept (a file id may belong
        to an earlier token), else the file id. The original bytes: Telegram re-encodes a photo
        a bot uploads and keeps none of its metadata."""
        stored = await self.original(file_id)
        return stored.data if stored is not None else file_id
