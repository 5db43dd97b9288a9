"""The long-lived objects a handler needs, built once at start-up and shared."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.clock import Clock
from bot.config import Settings
from bot.domain.additions import AdditionService
from bot.domain.broadcasts import BroadcastService
from bot.domain.cases import CasesService
from bot.domain.citizens import CitizenService
from bot.domain.compose import BroadcastComposer
from bot.domain.evidence import EvidenceFiles, EvidenceService
from bot.domain.officers import OfficerService
from bot.domain.questions import Questions
from bot.domain.reporting import ReportingService
from bot.domain.staff_login import StaffLoginService
from bot.domain.withdrawals import WithdrawalService
from bot.geo.areas import AreaIndex
from bot.geo.directory import AreaDirectory
from bot.telegram.chat_admins import ChatAdminCache
from storage.categories import Category
from storage.store import Store
from storage.workers import WorkerState, new_worker_id


def utc() -> datetime:
    return datetime.now(UTC)


class Waker:
    """Lets a service ask for prompt delivery of what it just enqueued, without knowing who
    delivers: the bot connects its outbox job; the CLI connects nothing and the bot's poll
    picks the rows up instead."""

    def __init__(self) -> None:
        self._callback: Callable[[float], None] | None = None

    def connect(self, callback: Callable[[float], None]) -> None:
        self._callback = callback

    def __call__(self, delay: float = 0) -> None:
        """Deliver now, or in ``delay`` seconds (rows written to wait a moment)."""
        if self._callback is not None:
            self._callback(delay)


@dataclass
class Services:
    settings: Settings
    store: Store
    areas: AreaIndex
    directory: AreaDirectory
    categories: dict[str, Category]
    reporting: ReportingService
    cases: CasesService
    waker: Waker = field(default_factory=Waker)
    chat_admins: ChatAdminCache = field(default_factory=ChatAdminCache)
    clock: Clock = field(default_factory=Clock)
    #: This process among those sharing the database (storage/workers.py).
    worker: WorkerState = field(default_factory=lambda: WorkerState(new_worker_id(utc())))
    # Built from the parts above (so whoever builds Services needs nothing more):
    broadcasts: BroadcastService = field(init=False)
    composer: BroadcastComposer = field(init=False)
    citizens: CitizenService = field(init=False)
    officers: OfficerService = field(init=False)
    staff_login: StaffLoginService = field(init=False)
    additions: AdditionService = field(init=False)
    questions: Questions = field(init=False)
    evidence: EvidenceService = field(init=False)
    withdrawals: WithdrawalService = field(init=False)

    def __post_init__(self) -> None:
        self.broadcasts = BroadcastService(self.store, self.settings, self.clock, self.waker)
        self.composer = BroadcastComposer(
            self.store, self.areas, self.clock, self.settings.tz, self.waker
        )
        self.citizens = CitizenService(self.store, self.settings)
        self.officers = OfficerService(self.store)
        self.staff_login = StaffLoginService(self.store, self.settings, self.clock)
        self.additions = AdditionService(self.store, self.clock, self.waker)
        self.questions = Questions(self.store, self.clock)
        self.withdrawals = WithdrawalService(self.store, self.cases, self.clock)
        self.evidence = EvidenceService(
            self.store.evidence,
            EvidenceFiles(self.settings.database_path.resolve().parent / "evidence"),
            self.clock,
            max_bytes=int(self.settings.evidence_max_mb * 1024 * 1024),
            budget_bytes=int(self.settings.evidence_budget_gb * 1024**3),
            waker=self.waker,
        )
