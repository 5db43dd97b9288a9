"""The repositories over one open database, handed to services as a single object."""

from __future__ import annotations

from pathlib import Path

from storage.alerts import AlertRepository
from storage.areas import AreaRepository
from storage.broadcast_drafts import BroadcastDraftRepository
from storage.broadcasts import BroadcastRepository
from storage.categories import CategoryRepository
from storage.citizens import CitizenRepository
from storage.db import Database
from storage.drafts import DraftRepository
from storage.groups import GroupRepository, OfficerRepository
from storage.inbox import InboxRepository
from storage.outbox import OutboxRepository
from storage.reports import ReportRepository
from storage.surveys import SurveyRepository
from storage.sweeps import SweepRepository


class Store:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.citizens = CitizenRepository(db)
        self.categories = CategoryRepository(db)
        self.drafts = DraftRepository(db)
        self.reports = ReportRepository(db)
        self.areas = AreaRepository(db)
        self.groups = GroupRepository(db)
        self.officers = OfficerRepository(db)
        self.outbox = OutboxRepository(db)
        self.alerts = AlertRepository(db)
        self.sweeps = SweepRepository(db)
        self.surveys = SurveyRepository(db)
        self.broadcasts = BroadcastRepository(db)
        self.broadcast_drafts = BroadcastDraftRepository(db)
        self.inbox = InboxRepository(db)

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Store:
        db = Database(path)
        await db.open(migrate=migrate)
        return cls(db)

    async def close(self) -> None:
        await self.db.close()
