"""The time the sweeps and services go by. One object, so tests can move it forward by hours
(reminders, escalation, surveys, quiet hours) without waiting and without touching the code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta
