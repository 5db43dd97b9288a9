"""The evidence job: downloads the photos bot/domain/evidence.py has waiting, through the
running application's own ``Bot`` (its connection pool and rate limiter), every
``OUTBOX_POLL_SECONDS`` and at once whenever a service wakes the outbox (a new report, an
addition, an "after" photo: each wakes it), so a photo is kept seconds after it arrives without
any answer to a citizen waiting on the download.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from telegram import Bot
from telegram.error import BadRequest, TelegramError
from telegram.ext import JobQueue

from bot.domain.evidence import Fetch, FetchFailed, FileTooLarge
from bot.outbox.citizen_senders import LOCAL_PHOTO_PREFIX
from bot.services import Services
from bot.telegram.context import BotContext


def telegram_fetch(bot: Bot) -> Fetch:
    """A photo's bytes: a local upload (the CLI's, the staff pages') from its file, anything
    else from Telegram, its size checked before the download when getFile gives it."""

    async def fetch(file_id: str, max_bytes: int) -> bytes:
        if file_id.startswith(LOCAL_PHOTO_PREFIX):
            return await asyncio.to_thread(_read_local, Path(file_id[len(LOCAL_PHOTO_PREFIX) :]))
        try:
            found = await bot.get_file(file_id)
            if found.file_size is not None and found.file_size > max_bytes:
                raise FileTooLarge(found.file_size)
            return bytes(await found.download_as_bytearray())
        except BadRequest as error:
            if "too big" in error.message.lower():  # over Telegram's own 20 MB
                raise FileTooLarge(None) from None
            raise FetchFailed(error.message) from None
        except TelegramError as error:
            raise FetchFailed(str(error)) from None

    return fetch


def _read_local(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise FetchFailed(f"local file: {error.strerror}") from None


Job = Callable[[BotContext], Coroutine[Any, Any, None]]


def start_evidence_job(
    job_queue: JobQueue[Any],
    bot: Bot,
    services: Services,
    under_lease: Callable[[Services, str, float, Job], Job],
) -> Callable[[float], None]:
    """Run the collection steadily; the returned call runs it soon (``start_jobs`` makes every
    wake of the outbox one). One process at a time collects (``under_lease``), so two never
    download the same photo."""
    fetch = telegram_fetch(bot)

    async def collect_all(_: BotContext) -> None:
        await services.evidence.collect(fetch)

    collect = under_lease(services, "evidence", services.settings.outbox_poll_seconds, collect_all)

    job_queue.run_repeating(
        collect, interval=services.settings.outbox_poll_seconds, first=0.5, name="evidence"
    )

    def soon(delay: float = 0) -> None:
        job_queue.run_once(collect, delay + 0.2, name="evidence-wake")

    return soon
