"""Deleting what is no longer needed, a batch at a time (the policy is in bot/domain/retention.py).

Why batches: SQLite has one writer, and one ``DELETE`` of a million outbox rows would hold it
for seconds while citizens' answers wait. Each batch is its own short transaction of at most
``BATCH`` rows, found through an index, and the caller yields between them.

Each statement keeps what a later feature still reads:

- outbox: only ``sent`` rows (and, after longer, ``dead`` ones); never ``pending`` or ``sending``.
  Rows of a broadcast still scheduled or running, or among the ``RECENT_LISTED`` newest, stay:
  ``/broadcasts`` counts their deliveries from them, and a running broadcast's dedupe keys stop
  a resumed feed from sending twice. Other dedupe keys are never enqueued again once their row
  is old: every one names a single event (``followup:{event}``, ``alert_*:{report}:…:{cause}``
  with a cause of ``new``, ``move{event}``, ``reopen{event}``; ``alert_edit`` with an event, a
  follower or a message id; SLA and survey keys with the start of that wait, guarded by the
  report's ``reminded_at``/``escalated_at``/``survey_sent_at`` in the same transaction;
  ``group_gone`` with the link's time, and the link is gone). An alert card's message id, which
  status changes need to edit it, lives in ``alert_messages``, not in the outbox row.
- inbox: handled rows only (their payload is already empty); unfinished ones wait for replay.
- web sessions at their expiry; sign-in links and officer invites a day after theirs, so a
  late click still reads "expired" (or "used") rather than "unknown".
- geocoder answers past the cache's own age limit (storage/geocache.py), never served again.
- officers' questions in groups (``pending_replies``), long lapsed, as old as delivered messages.
"""

from __future__ import annotations

from storage.backend import Backend
from storage.broadcasts import RECENT_LISTED

BATCH = 5000

_KEPT_BROADCASTS = (
    "(broadcast_id IS NULL OR broadcast_id NOT IN ("
    "SELECT id FROM broadcasts WHERE state IN ('scheduled', 'running')"
    " UNION SELECT id FROM (SELECT id FROM broadcasts"
    f" ORDER BY id DESC LIMIT {RECENT_LISTED}) AS recent))"
)

#: Each target: a statement deleting at most ``BATCH`` rows older than its one parameter.
TARGETS: dict[str, str] = {
    # not_before <= sent_at for a sent row, so the (state, not_before) index finds them.
    "outbox_sent": (
        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state = 'sent'"
        " AND not_before < :before AND sent_at < :before"
        f" AND {_KEPT_BROADCASTS} LIMIT {BATCH})"
    ),
    # A dead row's not_before is its last attempt: kept that long after the last try.
    "outbox_dead": (
        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state = 'dead'"
        f" AND not_before < :before AND {_KEPT_BROADCASTS} LIMIT {BATCH})"
    ),
    "inbox": (
        "DELETE FROM inbox WHERE update_id IN (SELECT update_id FROM inbox"
        f" WHERE done_at IS NOT NULL AND done_at < :before LIMIT {BATCH})"
    ),
    "web_sessions": (
        "DELETE FROM web_sessions WHERE token_hash IN (SELECT token_hash FROM web_sessions"
        f" WHERE expires_at < :before LIMIT {BATCH})"
    ),
    # A handful a day, typed by admins and staff: no batching needed.
    "web_logins": "DELETE FROM web_logins WHERE expires_at < :before",
    "officer_invites": "DELETE FROM officer_invites WHERE expires_at < :before",
    # Officers' questions lapse in minutes; kept as long as messages, so a late reply is told why.
    "questions": "DELETE FROM pending_replies WHERE created_at < :before",
    "geocode_cache": (
        "DELETE FROM geocode_cache WHERE (kind, query) IN (SELECT kind, query FROM geocode_cache"
        f" WHERE created_at < :before LIMIT {BATCH})"
    ),
}
BATCHED = frozenset(TARGETS) - {"web_logins", "officer_invites", "questions"}


class RetentionRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def prune_batch(self, target: str, before: str) -> int:
        """Delete one batch of ``target``'s rows older than ``before``; returns how many went
        (fewer than ``BATCH``: nothing more is due)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(TARGETS[target], {"before": before})
            return cursor.rowcount
