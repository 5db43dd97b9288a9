"""The outbox: every asynchronous message, written in the transaction of the change causing it.

A row is delivered at least once; ``dedupe_key`` makes enqueueing the same message twice a no-op,
so a retried change never produces a second alert or follow-up.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from storage.backend import Backend, Connection, Row
from storage.sqltext import placeholders, utc_now
from storage.workers import WHOLE, Share, gone_cutoff, holder_gone

PRIORITY_ALERT = 0
PRIORITY_FOLLOWUP = 5
PRIORITY_BROADCAST = 50


class OutboxKind(StrEnum):
    """What an outbox row is; the stored value is the member's string, so rows written before
    the enum existed read the same. Defined here, beside the table, so that bot.domain (which
    writes rows) and bot.outbox (which sends them) share it without importing each other. Every
    kind has exactly one sender in :data:`bot.outbox.senders.SENDERS`."""

    # An alert is its card (the first photo, the card its caption) and, when the report has
    # several photos, the rest as a reply to it. Rows of the kinds an alert was before,
    # "alert_photos" and "alert_pin", are parked as unknown: the card carries both now.
    ALERT_CARD = "alert_card"
    ALERT_MORE_PHOTOS = "alert_more_photos"
    ALERT_EDIT = "alert_edit"
    SLA_REMINDER = "sla_reminder"
    SLA_ESCALATION = "sla_escalation"
    ADMIN_NOTICE = "admin_notice"
    FOLLOWUP = "followup"
    SURVEY = "survey"
    BROADCAST = "broadcast"
    CITIZEN_UPDATE = "citizen_update"  # a reporter's addition, told to the groups with its card
    WITHDRAWAL_NOTICE = "withdrawal_notice"  # the reporter withdrew it: a reply to the card
    HANDOFF_RETIRE = "handoff_retire"  # handed to another owner: the card says so, no buttons
    EVIDENCE_TOO_LARGE = "evidence_too_large"  # a citizen's photo too large to keep: told once


@dataclass(frozen=True)
class OutboxMessage:
    """A message to enqueue."""

    chat_id: int
    kind: OutboxKind
    payload: dict[str, Any]
    dedupe_key: str | None = None
    priority: int = PRIORITY_FOLLOWUP
    report_id: int | None = None
    broadcast_id: int | None = None
    #: Hold the row this long after it is written (an album's notice waits for its photos).
    delay_seconds: float = 0


@dataclass(frozen=True)
class OutboxRow:
    id: int
    chat_id: int
    kind: str  # as stored: a kind this version does not know still reads, and is parked as dead
    payload: dict[str, Any]
    dedupe_key: str | None
    priority: int
    not_before: str
    attempts: int
    state: str
    last_error: str | None
    sent_message_id: int | None
    report_id: int | None
    broadcast_id: int | None = None


def _row(row: Row) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        chat_id=row["chat_id"],
        kind=row["kind"],
        payload=json.loads(row["payload"]),
        dedupe_key=row["dedupe_key"],
        priority=row["priority"],
        not_before=row["not_before"],
        attempts=row["attempts"],
        state=row["state"],
        last_error=row["last_error"],
        sent_message_id=row["sent_message_id"],
        report_id=row["report_id"],
        broadcast_id=row["broadcast_id"],
    )


async def enqueue(conn: Connection, message: OutboxMessage) -> None:
    """Add a row inside the caller's transaction; a repeated ``dedupe_key`` is ignored."""
    await enqueue_many(conn, [message])


async def enqueue_many(conn: Connection, messages: list[OutboxMessage]) -> None:
    """Add rows inside the caller's transaction in one call: a broadcast's chunk of thousands
    written one statement at a time was as many trips to the database's thread, each waking the
    event loop, and the sends stalled behind them (bench/broadcast.py: a page every few seconds
    took twice as long)."""
    if not messages:
        return
    now = utc_now()
    await conn.executemany(
        "INSERT INTO outbox (chat_id, kind, payload, dedupe_key, priority, not_before,"
        " created_at, report_id, broadcast_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(dedupe_key) DO NOTHING",
        [
            (
                message.chat_id,
                message.kind,
                json.dumps(message.payload),
                message.dedupe_key,
                message.priority,
                _not_before(now, message.delay_seconds),
                now,
                message.report_id,
                message.broadcast_id,
            )
            for message in messages
        ],
    )


def _not_before(now: str, delay_seconds: float) -> str:
    if delay_seconds <= 0:
        return now
    later = datetime.now(UTC) + timedelta(seconds=delay_seconds)
    return later.isoformat(timespec="milliseconds")


#: A row of the same chat another process is sending (its one parameter: this worker's id).
_SENT_BY_ANOTHER = (
    "SELECT 1 FROM outbox s WHERE s.state = 'sending' AND s.chat_id = outbox.chat_id"
    " AND (s.claimed_by IS NULL OR s.claimed_by <> ?)"
)


class OutboxRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def add(self, messages: list[OutboxMessage]) -> None:
        async with self._db.transaction() as conn:
            for message in messages:
                await enqueue(conn, message)

    async def due(
        self, limit: int = 100, *, share: Share = WHOLE, worker_id: str = ""
    ) -> list[OutboxRow]:
        """Pending rows due now, for the chats in this process's ``share`` (each chat has one
        sender at a time: its rows stay in order and its pace is one process's to keep).

        Several processes: a chat with a row another process is sending waits for it, which
        matters only for the moment processes come and go and the shares move."""
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        # In sending order straight off the index (see migration 0022), never a sort of all.
        hint = self._db.dialect.index_hint("outbox_pending_order")
        sql = f"SELECT * FROM outbox {hint} WHERE state = 'pending' AND not_before <= ?"
        params: list[Any] = [now]
        if share.count > 1:
            sql += " AND abs(chat_id) % ? = ?"
            params += [share.count, share.slot]
        if self._db.shared_by_processes:
            sql += f" AND NOT EXISTS ({_SENT_BY_ANOTHER})"
            params.append(worker_id)
        rows = await self._db.fetchall(sql + " ORDER BY priority, id LIMIT ?", [*params, limit])
        return [_row(row) for row in rows]

    async def claim(self, row_ids: list[int], worker_id: str = "") -> set[int]:
        """Take rows for sending: only rows still pending are taken, and, with several
        processes, none of a chat another process is sending to, so no row is ever sent by two
        passes (or two processes) at once and a chat's rows keep their order. An exclusive
        transaction: two processes' claims never interleave. Rows a gone process left
        'sending' are given back by :meth:`recover`: those, and only those, may go out twice."""
        if not row_ids:
            return set()
        marks = placeholders(row_ids)
        sql = (
            "UPDATE outbox SET state = 'sending', claimed_by = ?"
            f" WHERE state = 'pending' AND id IN ({marks})"
        )
        params: list[Any] = [worker_id, *row_ids]
        if self._db.shared_by_processes:
            sql += f" AND NOT EXISTS ({_SENT_BY_ANOTHER})"
            params.append(worker_id)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(sql + " RETURNING id", params)
            return {int(row[0]) for row in await cursor.fetchall()}

    async def release(self, row_ids: list[int]) -> None:
        """Give claimed rows back untouched (their chat must wait for an earlier row)."""
        if not row_ids:
            return
        marks = placeholders(row_ids)
        async with self._db.transaction() as conn:
            await conn.execute(
                f"UPDATE outbox SET state = 'pending' WHERE state = 'sending' AND id IN ({marks})",
                row_ids,
            )

    async def postpone(self, row_ids: list[int], not_before: datetime) -> None:
        """Hold claimed rows until ``not_before`` without counting an attempt (pacing)."""
        if not row_ids:
            return
        marks = placeholders(row_ids)
        async with self._db.transaction() as conn:
            await conn.execute(
                f"UPDATE outbox SET state = 'pending', not_before = ? WHERE id IN ({marks})",
                [not_before.astimezone(UTC).isoformat(timespec="milliseconds"), *row_ids],
            )

    async def recover(self, now: datetime | None = None) -> int:
        """Rows left 'sending' by a process that is gone (crashed, killed, its machine lost)
        go back to pending (at-least-once). Run at start and with every heartbeat, so a live
        process's rows in flight are never taken from it."""
        moment = now or datetime.now(UTC)
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE outbox SET state = 'pending', claimed_by = NULL"
                f" WHERE state = 'sending' AND (claimed_by IS NULL OR {holder_gone()})",
                (gone_cutoff(moment),),
            )
            return cursor.rowcount

    async def mark_sent(self, row_id: int, message_id: int | None) -> None:
        await self.mark_many_sent([(row_id, message_id)])

    async def mark_many_sent(self, sent: list[tuple[int, int | None]]) -> None:
        """Record sends in one transaction: a broadcast at hundreds per second would otherwise
        spend most of its time committing."""
        now = utc_now()
        async with self._db.transaction() as conn:
            await conn.executemany(
                "UPDATE outbox SET state = 'sent', sent_at = ?, sent_message_id = ?,"
                " attempts = attempts + 1 WHERE id = ?",
                [(now, message_id, row_id) for row_id, message_id in sent],
            )

    async def defer(self, row_id: int, not_before: datetime, error: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET state = 'pending', not_before = ?, attempts = attempts + 1,"
                " last_error = ? WHERE id = ?",
                (not_before.astimezone(UTC).isoformat(timespec="milliseconds"), error, row_id),
            )

    async def mark_dead(self, row_id: int, error: str) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE outbox SET state = 'dead', last_error = ?, attempts = attempts + 1"
                " WHERE id = ?",
                (error, row_id),
            )

    async def kill_pending(self, chat_id: int, error: str) -> int:
        """Park every pending row for a chat that is gone for good."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE outbox SET state = 'dead', last_error = ?"
                " WHERE chat_id = ? AND state IN ('pending', 'sending')",
                (error, chat_id),
            )
            return cursor.rowcount

    async def rows(
        self, *, chat_id: int | None = None, kind: OutboxKind | None = None
    ) -> list[OutboxRow]:
        """For tests and the CLI: rows filtered by chat and kind, oldest first."""
        sql = "SELECT * FROM outbox WHERE 1 = 1"
        params: list[int | str] = []
        if chat_id is not None:
            sql += " AND chat_id = ?"
            params.append(chat_id)
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        return [_row(row) for row in await self._db.fetchall(sql + " ORDER BY id", params)]
