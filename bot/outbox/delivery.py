"""Sends outbox rows through the bot and decides, per error, whether to retry, wait or give up.

Runs as a PTB JobQueue (APScheduler) job every ``OUTBOX_POLL_SECONDS`` and is woken at once by
any change made in this process. Rows for one chat go strictly in order: once a row for a chat
has to wait, the rest of that chat's rows wait with it, so an alert's card never lands before
its photos and a citizen never reads "resolved" before "acknowledged".
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiolimiter import AsyncLimiter
from telegram import Bot, InputMediaPhoto, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.config import TELEGRAM_MAX_RATE
from bot.domain.alerts import OUTSIDE
from bot.domain.cases import card_refresh
from bot.geo.places import place_label
from bot.i18n import plain, t, to_plain
from bot.outbox.renderers import (
    alert_card,
    category_label,
    followup_message,
    sla_message,
    survey_message,
)
from bot.services import Services
from storage.broadcasts import Broadcast
from storage.citizens import CitizenState
from storage.groups import migrate_chat
from storage.outbox import PRIORITY_ALERT, OutboxMessage, OutboxRow

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300
PAGE = 1000
CHAT_CONCURRENCY = 8  # chats served side by side in one pass
PRIVATE_BURST = 3.0  # messages one citizen may get at once ...
PRIVATE_PER_SECOND = 1.0  # ... and then one a second, as Telegram tolerates
SLOWEST_SEND_SECONDS = 0.4  # a broadcast send's round trip that still keeps the rate
MAX_IN_FLIGHT = 64  # well inside PTB's pool of 256 connections


def broadcast_concurrency(rate: float) -> int:
    """Sends in flight at once for broadcasts: enough to keep ``rate`` a second while each send
    takes up to ``SLOWEST_SEND_SECONDS`` (Jakarta to Telegram's servers is a few hundred ms;
    with one at a time, 25/s would shrink to about 4/s). The limiter still spaces the sends
    1/rate apart, so on a fast network this is one at a time anyway. Each citizen has one row,
    so a crash repeats at most the sends in flight, to different citizens: nobody twice.

    Above Telegram's rates (a benchmark against a local server, where a send takes a few ms)
    the bot is CPU-bound, and more sends in flight only cost: each one keeps a connection in
    httpcore's pool, and every request checks every idle connection (a socket poll each; py-spy:
    over half the bot's CPU with 50 in flight). 16 cover 1,000/s at up to 16 ms a send."""
    if rate > TELEGRAM_MAX_RATE:
        return max(1, min(16, int(rate // 20)))
    return max(1, min(MAX_IN_FLIGHT, math.ceil(rate * SLOWEST_SEND_SECONDS)))


def records_in_batches(rate: float) -> bool:
    """Only above Telegram's rates (a benchmark against a local server) are sends recorded
    together at the end of each page (about a second of sending), since a write per send
    would cap the rate; a crash there may repeat up to that page."""
    return rate > TELEGRAM_MAX_RATE


_HARMLESS = ("message is not modified",)


class Undeliverable(Exception):
    """The row can never be sent (its report or card is gone); park it as dead."""


class Delivery:
    def __init__(self, bot: Bot, services: Services) -> None:
        self.bot = bot
        self.services = services
        self._lock = asyncio.Lock()
        self._again = False
        self._limiter: AsyncLimiter | None = None
        self._concurrency = asyncio.Semaphore(
            broadcast_concurrency(services.settings.broadcast_rate)
        )
        self._batched = records_in_batches(services.settings.broadcast_rate)
        self._broadcasts: dict[int, Broadcast | None] = {}
        self._audience: dict[int, CitizenState] = {}
        self._chat_slots = asyncio.Semaphore(CHAT_CONCURRENCY)
        self._private: dict[int, tuple[float, float]] = {}  # chat -> (tokens, monotonic time)
        self.schedule_wake: Callable[[float], None] = lambda _seconds: None

    async def drain(self) -> int:
        """Send every due row; returns how many were handled. Safe to call concurrently."""
        if self._lock.locked():
            self._again = True
            return 0
        handled = 0
        async with self._lock:
            while True:
                self._again = False
                done, full = await self._pass()
                handled += done
                if not (self._again or full):
                    return handled

    async def _pass(self) -> tuple[int, bool]:
        """One page of due rows. Follow-ups and alerts go chat by chat, in order within a chat
        and side by side across chats, so one group held back by Telegram's per-group limit
        never delays a citizen's follow-up. Broadcast rows follow at ``BROADCAST_RATE``; a page
        holds about a second of them, so a follow-up written meanwhile waits at most that."""
        outbox = self.services.store.outbox
        page = max(10, min(PAGE, int(self.services.settings.broadcast_rate)))
        rows = await outbox.due(limit=page)
        claimed = await outbox.claim([row.id for row in rows])
        by_chat: dict[int, list[OutboxRow]] = {}
        bulk = []
        for row in rows:
            if row.id not in claimed:
                continue
            if row.broadcast_id is not None:
                bulk.append(row)
            else:
                by_chat.setdefault(row.chat_id, []).append(row)
        handled = sum(await asyncio.gather(*(self._chat(chat) for chat in by_chat.values())))
        if bulk:
            self._broadcasts.clear()
            self._audience = await self.services.store.citizens.states(
                [row.chat_id for row in bulk if row.chat_id > 0]
            )
            sent: list[tuple[int, int | None]] = []
            try:
                results = await asyncio.gather(*(self._throttled(row, sent) for row in bulk))
            finally:
                # Whatever happened to the page, what went out is recorded: never sent twice.
                if sent:
                    await self.services.store.outbox.mark_many_sent(sent)
            handled += sum(results)
        return handled, len(rows) == page

    async def _chat(self, rows: list[OutboxRow]) -> int:
        """One chat's rows in order. A row that must wait (a retry, or Telegram's one message
        a second to a private chat) holds back the rest of the chat's rows with it."""
        outbox = self.services.store.outbox
        handled = 0
        async with self._chat_slots:
            for index, row in enumerate(rows):
                wait = self._private_wait(row.chat_id)
                if wait > 0:
                    await outbox.postpone([r.id for r in rows[index:]], _after(wait))
                    self.schedule_wake(wait)
                    break
                if not await self._deliver(row):
                    await outbox.release([r.id for r in rows[index + 1 :]])
                    break
                handled += 1
                self._spent(row.chat_id)
        return handled

    def _private_wait(self, chat_id: int) -> float:
        """Seconds before this citizen may get another message: a bucket of three that
        refills one a second, Telegram's tolerance for a private chat."""
        if chat_id <= 0:
            return 0.0
        tokens, at = self._private.get(chat_id, (PRIVATE_BURST, 0.0))
        now = time.monotonic()
        tokens = min(PRIVATE_BURST, tokens + (now - at) * PRIVATE_PER_SECOND)
        self._private[chat_id] = (tokens, now)
        return 0.0 if tokens >= 1 else (1 - tokens) / PRIVATE_PER_SECOND

    def _spent(self, chat_id: int) -> None:
        if chat_id > 0:
            tokens, at = self._private.get(chat_id, (PRIVATE_BURST, time.monotonic()))
            self._private[chat_id] = (tokens - 1, at)
            if len(self._private) > 10_000:  # forget quiet chats; their buckets are full
                cutoff = time.monotonic() - PRIVATE_BURST / PRIVATE_PER_SECOND
                self._private = {k: v for k, v in self._private.items() if v[1] > cutoff}

    async def _throttled(self, row: OutboxRow, sent: list[tuple[int, int | None]]) -> bool:
        if self._limiter is None:
            # One send per 1/rate seconds, never a burst: Telegram counts any one-second window.
            self._limiter = AsyncLimiter(1, 1 / self.services.settings.broadcast_rate)
        async with self._concurrency:
            await self._limiter.acquire()
            return await self._deliver(row, sent if self._batched else None)

    async def _deliver(
        self, row: OutboxRow, sent: list[tuple[int, int | None]] | None = None
    ) -> bool:
        """Send one row and record the outcome. With ``sent``, a success is collected there for
        the caller to record in a batch (broadcasts above Telegram's rates only)."""
        outbox = self.services.store.outbox
        try:
            message_id = await self._send(row)
        except RetryAfter as error:
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            await outbox.defer(row.id, _after(seconds), f"retry after {seconds:.0f}s")
            return False
        except ChatMigrated as error:
            await migrate_chat(self.services.store.db, row.chat_id, error.new_chat_id)
            await outbox.release([row.id])
            log.info("group migrated", extra={"old": row.chat_id, "new": error.new_chat_id})
            self._again = True  # its rows now carry the new id: send them in the next pass
            return False
        except Forbidden as error:
            await self._unreachable(row, f"forbidden: {error.message}")
            return True
        except BadRequest as error:
            reason = error.message.lower()  # PTB capitalises Telegram's "message is not ..."
            if any(text in reason for text in _HARMLESS):
                await outbox.mark_sent(row.id, None)
                return True
            if "chat not found" in reason:
                await self._unreachable(row, "chat not found")
                return True
            await outbox.mark_dead(row.id, f"bad request: {error.message}")
            log.warning("outbox row refused", extra={"row": row.id, "kind": row.kind})
            return True
        except (NetworkError, TelegramError) as error:
            return await self._retry_later(row, f"{type(error).__name__}: {error}")
        except Undeliverable as error:
            await outbox.mark_dead(row.id, str(error))
            return True
        except Exception as error:  # one bad row must not stop the others
            log.exception("outbox row failed unexpectedly", extra={"row": row.id})
            return await self._retry_later(row, f"{type(error).__name__}: {error}")
        if sent is not None:
            sent.append((row.id, message_id))  # recorded with the rest of the page
            return True
        await outbox.mark_sent(row.id, message_id)
        return True

    async def _unreachable(self, row: OutboxRow, reason: str) -> None:
        """A citizen who blocked us gets no more messages; a group that is gone (the bot was
        removed, or the chat deleted) is unlinked and the admins are told, once."""
        store = self.services.store
        await store.outbox.mark_dead(row.id, reason)
        if row.chat_id > 0:
            await store.citizens.mark_blocked(row.chat_id)
            return
        links = await store.groups.links_of(row.chat_id)
        await store.groups.unlink(row.chat_id)
        await store.outbox.kill_pending(row.chat_id, f"group gone: {reason}")
        log.warning("group unreachable", extra={"chat": row.chat_id, "reason": reason})
        admin_chat = self.services.settings.admin_chat_id
        if links and admin_chat is not None and admin_chat != row.chat_id:
            await store.outbox.add(
                [
                    OutboxMessage(
                        chat_id=admin_chat,
                        kind="admin_notice",
                        payload={"chat_id": row.chat_id, "title": links[0].title, "reason": reason},
                        dedupe_key=f"group_gone:{row.chat_id}:{links[0].linked_at}",
                        priority=PRIORITY_ALERT,
                    )
                ]
            )
            self._again = True

    async def _retry_later(self, row: OutboxRow, error: str) -> bool:
        outbox = self.services.store.outbox
        attempts = row.attempts + 1
        if attempts >= self.services.settings.outbox_max_attempts:
            await outbox.mark_dead(row.id, error)
            log.warning("outbox row dead", extra={"row": row.id, "kind": row.kind})
            return True
        base = self.services.settings.outbox_backoff_seconds
        backoff = min(MAX_BACKOFF_SECONDS, base * 2 ** (attempts - 1)) * random.uniform(0.5, 1.0)
        await outbox.defer(row.id, _after(backoff), error)
        return False

    async def _send(self, row: OutboxRow) -> int | None:
        sender = getattr(self, f"_send_{row.kind}", None)
        if sender is None:
            raise Undeliverable(f"unknown kind {row.kind}")
        message = await sender(row)
        return message.message_id if isinstance(message, Message) else None

    async def _report(self, row: OutboxRow) -> Any:
        report = await self.services.store.reports.get(int(row.payload["report_id"]))
        if report is None:
            raise Undeliverable("report not found")
        return report

    async def _send_alert_photos(self, row: OutboxRow) -> Message:
        report = await self._report(row)
        photos = [
            p for p in await self.services.store.reports.photos(report.id) if p.role == "citizen"
        ]
        if not photos:
            raise Undeliverable("report has no photos")
        caption = plain(
            self.services.settings.default_language, "alert.photos_caption", ref=report.id
        )
        if len(photos) == 1:
            return await self.bot.send_photo(
                row.chat_id, photos[0].file_id, caption=caption, parse_mode=None
            )
        media = [
            InputMediaPhoto(p.file_id, caption=caption if i == 0 else None, parse_mode=None)
            for i, p in enumerate(photos)
        ]
        sent = await self.bot.send_media_group(row.chat_id, media)
        return sent[0]

    async def _send_alert_pin(self, row: OutboxRow) -> Message:
        report = await self._report(row)
        language = self.services.settings.default_language
        title = plain(
            language,
            "alert.pin_title",
            ref=report.id,
            category=category_label(self.services, report, language),
        )
        address = place_label(self.services.areas, report.lat, report.lon, None, language)
        if row.payload.get("reason") == OUTSIDE:
            address = report.address or address
        return await self.bot.send_venue(
            row.chat_id, report.lat, report.lon, title=title, address=to_plain(address)
        )

    async def _send_alert_card(self, row: OutboxRow) -> Message:
        report = await self._report(row)
        card = await alert_card(self.services, report, row.payload.get("reason"))
        message = await self.bot.send_message(
            row.chat_id, card.text, parse_mode=ParseMode.HTML, reply_markup=card.markup
        )
        await self.services.store.alerts.record_card(report.id, row.chat_id, message.message_id)
        # A change committed while the card was on its way (rendered, then held by the group's
        # rate limit) found no card to refresh; from here on every change will. So compare once.
        now = await alert_card(self.services, await self._report(row), row.payload.get("reason"))
        if now.text != card.text:
            refresh = card_refresh(row.chat_id, report.id, f"m{message.message_id}")
            await self.services.store.outbox.add([refresh])
            self._again = True
        return message

    async def _send_alert_edit(self, row: OutboxRow) -> Message | bool:
        report = await self._report(row)
        card_row = await self.services.store.alerts.card(report.id, row.chat_id)
        if card_row is None:
            raise Undeliverable("no alert card in this chat")
        card = await alert_card(self.services, report, row.payload.get("reason"))
        return await self.bot.edit_message_text(
            card.text,
            chat_id=row.chat_id,
            message_id=card_row.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=card.markup,
        )

    async def _send_sla_reminder(self, row: OutboxRow) -> Message:
        report = await self._report(row)
        rendered = sla_message(self.services, report, row.kind)
        card = await self.services.store.alerts.card(report.id, row.chat_id)
        return await self.bot.send_message(
            row.chat_id,
            rendered.text,
            parse_mode=ParseMode.HTML,
            reply_markup=rendered.markup,
            reply_parameters=ReplyParameters(card.message_id, allow_sending_without_reply=True)
            if card
            else None,
        )

    _send_sla_escalation = _send_sla_reminder

    async def _send_survey(self, row: OutboxRow) -> Message:
        report = await self._report(row)
        if report.status != "resolved":
            raise Undeliverable(f"report is {report.status} now")
        language = await self._language(row.chat_id)
        rendered = survey_message(self.services, report, language)
        return await self.bot.send_message(
            row.chat_id, rendered.text, parse_mode=ParseMode.HTML, reply_markup=rendered.markup
        )

    async def _send_broadcast(self, row: OutboxRow) -> Message:
        broadcast_id = int(row.payload["broadcast_id"])
        if broadcast_id not in self._broadcasts:
            self._broadcasts[broadcast_id] = await self.services.store.broadcasts.get(broadcast_id)
        broadcast = self._broadcasts[broadcast_id]
        if broadcast is None or broadcast.state == "cancelled":
            raise Undeliverable("broadcast cancelled")
        state = self._audience.get(row.chat_id)
        if state is not None and state.announcements_off:
            raise Undeliverable("announcements turned off")
        if state is not None and state.blocked:
            raise Undeliverable("forbidden: citizen blocked the bot")
        if broadcast.photo_file_id:
            return await self.bot.send_photo(
                row.chat_id,
                broadcast.photo_file_id,
                caption=broadcast.text,
                parse_mode=ParseMode.HTML,
            )
        return await self.bot.send_message(row.chat_id, broadcast.text, parse_mode=ParseMode.HTML)

    async def _send_admin_notice(self, row: OutboxRow) -> Message:
        language = self.services.settings.default_language
        payload = row.payload
        text = t(
            language,
            "admin.group_gone",
            title=payload.get("title") or "?",
            chat=payload["chat_id"],
            reason=payload.get("reason", ""),
        )
        return await self.bot.send_message(row.chat_id, text, parse_mode=ParseMode.HTML)

    async def _language(self, user_id: int) -> str:
        citizen = await self.services.store.citizens.get(user_id)
        if citizen is not None and citizen.blocked_at is not None:
            raise Undeliverable("citizen blocked the bot")
        return citizen.language if citizen else self.services.settings.default_language

    async def _send_followup(self, row: OutboxRow) -> Message:
        report = await self._report(row)
        event = await self.services.store.reports.event(int(row.payload["event_id"]))
        if event is None:
            raise Undeliverable("event not found")
        language = await self._language(row.chat_id)
        rendered = followup_message(self.services, report, event, language)
        if rendered.photo_file_id:
            local = local_photo_path(rendered.photo_file_id)
            photo = local.read_bytes() if local else rendered.photo_file_id
            sent = await self.bot.send_photo(
                row.chat_id,
                photo,
                caption=rendered.text,
                parse_mode=ParseMode.HTML,
                reply_markup=rendered.markup,
            )
            if local and sent.photo:
                # From now on the photo is Telegram's: later sends reuse its file_id.
                await self.services.store.reports.replace_photo_file(
                    rendered.photo_file_id, sent.photo[-1].file_id, sent.photo[-1].file_unique_id
                )
            return sent
        return await self.bot.send_message(
            row.chat_id, rendered.text, parse_mode=ParseMode.HTML, reply_markup=rendered.markup
        )


LOCAL_PHOTO_PREFIX = "local:"


def local_photo_path(file_id: str) -> Path | None:
    """Photos attached from the CLI live on disk until their first upload to Telegram."""
    if not file_id.startswith(LOCAL_PHOTO_PREFIX):
        return None
    path = Path(file_id.removeprefix(LOCAL_PHOTO_PREFIX))
    if not path.is_file():
        raise Undeliverable(f"photo file {path} is missing")
    return path


def _after(seconds: float) -> datetime:
    return datetime.now(UTC) + timedelta(seconds=seconds)
