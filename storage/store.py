"""The repositories over one open database, handed to services as a single object.

Every repository is reached as ``store.<name>``, never built again from ``store.db`` elsewhere:
one way in, so a reader finds every query of an aggregate from here."""

from __future__ import annotations

from pathlib import Path

from storage.admin_prompts import AdminPromptRepository
from storage.agencies import AgencyRepository
from storage.alerts import AlertRepository
from storage.apikeys import ApiKeyRepository
from storage.areas import AreaRepository
from storage.backend import Backend
from storage.broadcast_drafts import BroadcastDraftRepository
from storage.broadcasts import BroadcastRepository
from storage.categories import CategoryRepository
from storage.citizen_updates import CitizenUpdateRepository, ReportMessageRepository
from storage.citizens import CitizenRepository
from storage.drafts import DraftRepository
from storage.engines import backend_for
from storage.evidence import EvidenceRepository
from storage.geocache import GeocodeCacheRepository
from storage.groups import GroupRepository, OfficerRepository
from storage.handoffs import HandoffRepository
from storage.inbox import InboxRepository
from storage.monitoring import MonitoringRepository
from storage.outbox import OutboxRepository
from storage.public_reports import PublicReportRepository
from storage.questions import QuestionRepository
from storage.reports import ReportRepository
from storage.request_details import RequestDetailsRepository
from storage.stats import StatsRepository
from storage.surveys import SurveyRepository
from storage.sweeps import SweepRepository
from storage.web_sessions import WebSessionRepository
from storage.withdrawals import WithdrawalReasonRepository
from storage.workers import LeasesRepository, WorkersRepository


class Store:
    def __init__(self, db: Backend) -> None:
        self.db = db
        self.citizens = CitizenRepository(db)
        self.categories = CategoryRepository(db)
        self.drafts = DraftRepository(db)
        self.reports = ReportRepository(db)
        self.areas = AreaRepository(db)
        self.groups = GroupRepository(db)
        self.agencies = AgencyRepository(db)
        self.handoffs = HandoffRepository(db)
        self.officers = OfficerRepository(db)
        self.outbox = OutboxRepository(db)
        self.alerts = AlertRepository(db)
        self.questions = QuestionRepository(db)
        self.sweeps = SweepRepository(db)
        self.surveys = SurveyRepository(db)
        self.broadcasts = BroadcastRepository(db)
        self.broadcast_drafts = BroadcastDraftRepository(db)
        self.inbox = InboxRepository(db)
        self.api_keys = ApiKeyRepository(db)
        self.web_sessions = WebSessionRepository(db)
        self.public_reports = PublicReportRepository(db)
        self.monitoring = MonitoringRepository(db)
        self.geocache = GeocodeCacheRepository(db)
        self.stats = StatsRepository(db)
        self.citizen_updates = CitizenUpdateRepository(db)
        self.report_messages = ReportMessageRepository(db)
        self.request_details = RequestDetailsRepository(db)
        self.evidence = EvidenceRepository(db)
        self.withdrawal_reasons = WithdrawalReasonRepository(db)
        self.admin_prompts = AdminPromptRepository(db)
        self.workers = WorkersRepository(db)
        self.leases = LeasesRepository(db)

    @classmethod
    async def open(cls, target: Path | str, *, migrate: bool = True) -> Store:
        """``target``: a SQLite file's path or a ``postgresql://`` URL (storage/engines.py)."""
        db = backend_for(target)
        await db.open(migrate=migrate)
        return cls(db)

    async def close(self) -> None:
        await self.db.close()
