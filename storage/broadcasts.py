"""Broadcasts, their recipients page by page, and their delivery counts.

Recipients are read by keyset pagination (``chat_id > cursor ORDER BY chat_id``) and put in the
outbox a chunk at a time, so a broadcast to 100,000 citizens never holds 100,000 rows in memory,
and after a crash it resumes from the cursor without skipping or repeating anyone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from storage.backend import Backend, Row, returned_id
from storage.groups import Scope
from storage.outbox import PRIORITY_BROADCAST, OutboxKind, OutboxMessage, enqueue_many
from storage.sqltext import iso, placeholders, utc_now

ACTIVE_CITIZEN = "c.blocked_at IS NULL AND c.banned_at IS NULL AND c.announcements_off_at IS NULL"
#: How many broadcasts /broadcasts lists with their delivery counts (read from their outbox rows,
#: which the retention sweep therefore keeps: storage/retention.py).
RECENT_LISTED = 10


@dataclass(frozen=True)
class Audience:
    """Who gets a broadcast: all citizens, citizens who reported in some kelurahan lately,
    all linked groups, or the groups covering some scopes."""

    kind: str  # citizens | area_citizens | groups | area_groups
    scope: Scope | None = None
    area_codes: tuple[str, ...] = ()  # kelurahan codes of the scope (area_citizens)
    group_scopes: tuple[Scope, ...] = ()  # scopes whose groups hear it (area_groups)
    days: int = 90

    def to_json(self) -> str:
        return json.dumps(
            {
                "kind": self.kind,
                "scope": [self.scope.kind, self.scope.key] if self.scope else None,
                "area_codes": list(self.area_codes),
                "group_scopes": [[s.kind, s.key] for s in self.group_scopes],
                "days": self.days,
            }
        )

    @classmethod
    def from_json(cls, raw: str) -> Audience:
        data = json.loads(raw)
        return cls(
            kind=data["kind"],
            scope=Scope(*data["scope"]) if data.get("scope") else None,
            area_codes=tuple(data.get("area_codes", ())),
            group_scopes=tuple(Scope(*pair) for pair in data.get("group_scopes", ())),
            days=int(data.get("days", 90)),
        )


@dataclass(frozen=True)
class Broadcast:
    id: int
    author_id: int
    text: str
    photo_file_id: str | None
    audience: Audience
    state: str
    scheduled_at: str
    created_at: str
    started_at: str | None
    finished_at: str | None
    cursor: int | None
    exhausted: bool
    total: int
    progress_chat_id: int | None
    progress_message_id: int | None
    progress_at: str | None


@dataclass(frozen=True)
class Counts:
    sent: int
    failed: int
    blocked: int
    pending: int


def _broadcast(row: Row) -> Broadcast:
    values: dict[str, Any] = {name: row[name] for name in Broadcast.__dataclass_fields__}
    values["audience"] = Audience.from_json(row["audience"])
    values["exhausted"] = bool(row["exhausted"])
    return Broadcast(**values)


def _recipients_sql(audience: Audience, *, count: bool) -> tuple[str, list[Any]]:
    """The audience as SQL over ``chat_id``; the page form ends with ``chat_id > ?`` and
    ``LIMIT ?`` slots for the keyset cursor."""
    if audience.kind in ("citizens", "area_citizens"):
        sql = f"SELECT c.chat_id AS chat_id FROM citizens c WHERE {ACTIVE_CITIZEN}"
        params: list[Any] = []
        if audience.kind == "area_citizens":
            marks = placeholders(audience.area_codes) or "NULL"
            sql += (
                " AND EXISTS (SELECT 1 FROM reports r WHERE r.citizen_id = c.user_id"
                f" AND r.area_code IN ({marks})"
                " AND r.created_at >= ?)"
            )
            since = datetime.now(UTC) - timedelta(days=audience.days)
            params += [*audience.area_codes, iso(since)]
    else:
        sql = "SELECT DISTINCT g.chat_id AS chat_id FROM area_groups g WHERE 1 = 1"
        params = []
        if audience.kind == "area_groups":
            clause = " OR ".join("(g.scope = ? AND g.scope_key = ?)" for _ in audience.group_scopes)
            sql += f" AND ({clause or '1 = 0'})"
            params += [v for s in audience.group_scopes for v in (s.kind, s.key)]
    if count:
        return f"SELECT COUNT(*) AS n FROM ({sql}) AS recipients", params
    page = f"SELECT chat_id FROM ({sql}) AS recipients WHERE chat_id > ? ORDER BY chat_id LIMIT ?"
    return page, params


class BroadcastRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def count_recipients(self, audience: Audience) -> int:
        sql, params = _recipients_sql(audience, count=True)
        row = await self._db.fetchone(sql, params)
        return int(row["n"]) if row else 0

    async def create(
        self,
        *,
        author_id: int,
        text: str,
        photo_file_id: str | None,
        audience: Audience,
        scheduled_at: datetime,
        total: int,
        running: bool,
        progress_chat_id: int,
    ) -> int:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO broadcasts (author_id, text, photo_file_id, audience, state,"
                " scheduled_at, created_at, started_at, total, progress_chat_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (
                    author_id,
                    text,
                    photo_file_id,
                    audience.to_json(),
                    "running" if running else "scheduled",
                    scheduled_at.astimezone(UTC).isoformat(timespec="seconds"),
                    utc_now(),
                    utc_now() if running else None,
                    total,
                    progress_chat_id,
                ),
            )
            return await returned_id(cursor)

    async def get(self, broadcast_id: int) -> Broadcast | None:
        row = await self._db.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
        return _broadcast(row) if row else None

    async def in_states(self, *states: str) -> list[Broadcast]:
        marks = placeholders(states)
        rows = await self._db.fetchall(
            f"SELECT * FROM broadcasts WHERE state IN ({marks}) ORDER BY id", states
        )
        return [_broadcast(row) for row in rows]

    async def recent(self, limit: int = RECENT_LISTED) -> list[Broadcast]:
        rows = await self._db.fetchall(
            "SELECT * FROM broadcasts ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [_broadcast(row) for row in rows]

    async def start_due(self, now: datetime) -> list[int]:
        """Scheduled broadcasts whose time has come become running."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE broadcasts SET state = 'running', started_at = ?"
                " WHERE state = 'scheduled' AND scheduled_at <= ? RETURNING id",
                (utc_now(), now.astimezone(UTC).isoformat(timespec="seconds")),
            )
            return [int(row[0]) for row in await cursor.fetchall()]

    async def feed(self, broadcast: Broadcast, chunk: int) -> int:
        """Put the next ``chunk`` recipients in the outbox and move the cursor, atomically."""
        sql, params = _recipients_sql(broadcast.audience, count=False)
        after = broadcast.cursor if broadcast.cursor is not None else -(2**62)
        rows = await self._db.fetchall(sql, [*params, after, chunk])
        chats = [int(row["chat_id"]) for row in rows]
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT state FROM broadcasts WHERE id = ?", (broadcast.id,)
            ) as cursor:
                state = await cursor.fetchone()
            if state is None or state["state"] != "running":
                return 0  # cancelled meanwhile
            await enqueue_many(
                conn,
                [
                    OutboxMessage(
                        chat_id=chat_id,
                        kind=OutboxKind.BROADCAST,
                        payload={"broadcast_id": broadcast.id},
                        dedupe_key=f"bc:{broadcast.id}:{chat_id}",
                        priority=PRIORITY_BROADCAST,
                        broadcast_id=broadcast.id,
                    )
                    for chat_id in chats
                ],
            )
            await conn.execute(
                "UPDATE broadcasts SET cursor = ?, exhausted = ? WHERE id = ?",
                (chats[-1] if chats else broadcast.cursor, int(len(chats) < chunk), broadcast.id),
            )
        return len(chats)

    async def pending(self, broadcast_id: int) -> int:
        """Rows not delivered yet: from the (broadcast_id, state) index alone, so asking every
        second stays cheap however many have been sent (``counts`` reads every row)."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM outbox WHERE broadcast_id = ?"
            " AND state IN ('pending', 'sending')",
            (broadcast_id,),
        )
        return int(row["n"]) if row else 0

    async def counts(self, broadcast_id: int) -> Counts:
        rows = await self._db.fetchall(
            "SELECT state, last_error LIKE 'forbidden%' AS blocked, COUNT(*) AS n FROM outbox"
            " WHERE broadcast_id = ? GROUP BY state, blocked",
            (broadcast_id,),
        )
        sent = failed = blocked = pending = 0
        for row in rows:
            if row["state"] == "sent":
                sent += row["n"]
            elif row["state"] in ("pending", "sending"):
                pending += row["n"]
            elif row["blocked"]:
                blocked += row["n"]
            else:
                failed += row["n"]
        return Counts(sent=sent, failed=failed, blocked=blocked, pending=pending)

    async def finish(self, broadcast_id: int, state: str = "done") -> bool:
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE broadcasts SET state = ?, finished_at = ?"
                " WHERE id = ? AND state IN ('scheduled', 'running')",
                (state, utc_now(), broadcast_id),
            )
            if state == "cancelled":
                await conn.execute(
                    "UPDATE outbox SET state = 'dead', last_error = 'cancelled'"
                    " WHERE broadcast_id = ? AND state IN ('pending', 'sending')",
                    (broadcast_id,),
                )
            return cursor.rowcount > 0

    async def progress_shown(self, broadcast_id: int, message_id: int | None) -> None:
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE broadcasts SET progress_message_id = COALESCE(?, progress_message_id),"
                " progress_at = ? WHERE id = ?",
                (message_id, utc_now(), broadcast_id),
            )
