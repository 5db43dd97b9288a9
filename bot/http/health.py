"""``GET /healthz`` and ``GET /metrics``: is the bot well, and what is it doing.

``/healthz`` answers 200 with ``{"status": "ok", "database": "ok", "outbox": {"backlog": N,
"oldest_age_seconds": S|null}}`` (and ``"polling": true|false`` when the bot runs), or 503 with
``"status": "unhealthy"`` when a trivial query fails: what a load balancer or systemd watchdog
needs. A stalled outbox does not make it 503 (restarting would not help); alert on the age in
``/metrics`` instead.

``/metrics`` is Prometheus text format 0.0.4:

- ``wargalapor_reports{status}`` — reports by status (every status listed, zeros included);
- ``wargalapor_outbox_pending`` — messages not delivered yet;
- ``wargalapor_outbox_oldest_pending_age_seconds`` — age of the oldest of them (0 when none);
- ``wargalapor_outbox_rows{state,kind}`` — outbox rows by state (pending, sending, sent, dead)
  and kind (alert_card, followup, broadcast, …): deliveries and failures by kind, among the
  rows still kept (the retention sweep, bot/domain/retention.py, deletes old sent and dead ones).

Both read one snapshot at most ``SNAPSHOT_SECONDS`` old (bot/http/metrics.py), so scrapers in a loop
cost the citizens nothing; ``/healthz`` adds a ``SELECT 1`` shared by concurrent checks. With
``METRICS_TOKEN`` set, ``/metrics`` wants ``Authorization: Bearer <token>`` (401 otherwise): the
figures say how busy each office is and how far delivery lags, which is nobody else's business.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from bot.domain.statuses import STATUSES
from bot.http.common import error_response
from bot.http.metrics import CachedSnapshot, SingleFlight
from bot.services import Services

log = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 5.0
PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class HealthApi:
    def __init__(self, services: Services, polling: Callable[[], bool] | None = None) -> None:
        self.monitoring = services.store.monitoring
        self.snapshot = CachedSnapshot(self.monitoring, services.clock)
        self._ping = SingleFlight(lambda: self.monitoring.ping())
        self.polling = polling
        token = services.settings.metrics_token
        self._token = token.encode() if token else None

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/healthz", self.healthz, methods=["GET"]),
            Route("/metrics", self.metrics, methods=["GET"]),
        ]

    async def healthz(self, _request: Request) -> Response:
        body: dict[str, object] = {"status": "ok", "database": "ok"}
        if self.polling is not None:
            body["polling"] = self.polling()
        try:
            async with asyncio.timeout(CHECK_TIMEOUT_SECONDS):
                await self._ping()
                backlog = (await self.snapshot.get()).backlog(datetime.now(UTC))
        except Exception as error:  # any failure to read is "unhealthy", with the reason
            log.warning("health check failed", extra={"error": str(error)})
            body.update(status="unhealthy", database=f"error: {type(error).__name__}")
            return JSONResponse(body, status_code=503)
        age = backlog.oldest_age_seconds
        body["outbox"] = {
            "backlog": backlog.count,
            "oldest_age_seconds": round(age, 1) if age is not None else None,
        }
        return JSONResponse(body)

    def _authorized(self, request: Request) -> bool:
        if self._token is None:
            return True
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), self._token
        )

    async def metrics(self, request: Request) -> Response:
        if not self._authorized(request):
            refused = error_response(401, "send Authorization: Bearer <METRICS_TOKEN>")
            refused.headers["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return refused
        snapshot = await self.snapshot.get()
        by_status = snapshot.reports_by_status
        backlog = snapshot.backlog(datetime.now(UTC))
        rows = snapshot.outbox_rows
        lines = [
            "# HELP wargalapor_reports Reports by current status.",
            "# TYPE wargalapor_reports gauge",
        ]
        for status in (*STATUSES, *sorted(set(by_status) - set(STATUSES))):
            lines.append(
                f'wargalapor_reports{{status="{_label(status)}"}} {by_status.get(status, 0)}'
            )
        lines += [
            "# HELP wargalapor_outbox_pending Outbox messages not delivered yet.",
            "# TYPE wargalapor_outbox_pending gauge",
            f"wargalapor_outbox_pending {backlog.count}",
            "# HELP wargalapor_outbox_oldest_pending_age_seconds Age of the oldest undelivered"
            " outbox message (0 when none).",
            "# TYPE wargalapor_outbox_oldest_pending_age_seconds gauge",
            f"wargalapor_outbox_oldest_pending_age_seconds {backlog.oldest_age_seconds or 0:.1f}",
            "# HELP wargalapor_outbox_rows Outbox rows by state and kind.",
            "# TYPE wargalapor_outbox_rows gauge",
        ]
        for state, kind, count in rows:
            lines.append(
                f'wargalapor_outbox_rows{{state="{_label(state)}",kind="{_label(kind)}"}} {count}'
            )
        waited = snapshot.oldest_waiting_at
        waiting_age = max(0.0, (datetime.now(UTC) - waited).total_seconds()) if waited else 0.0
        lines += [
            "# HELP wargalapor_inbox_waiting Updates received from Telegram and not handled yet.",
            "# TYPE wargalapor_inbox_waiting gauge",
            f"wargalapor_inbox_waiting {snapshot.inbox_waiting}",
            "# HELP wargalapor_inbox_oldest_waiting_age_seconds Age of the oldest update not"
            " handled yet (0 when none).",
            "# TYPE wargalapor_inbox_oldest_waiting_age_seconds gauge",
            f"wargalapor_inbox_oldest_waiting_age_seconds {waiting_age:.1f}",
            "# HELP wargalapor_processes Bot processes alive on this database.",
            "# TYPE wargalapor_processes gauge",
            f"wargalapor_processes {snapshot.processes}",
        ]
        return PlainTextResponse("\n".join(lines) + "\n", media_type=PROMETHEUS_TYPE)


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
