"""A reporter withdrawing their report (issue 18): the typed reason between the question and the
confirmation, and the withdrawal itself (bot/domain/cases.py makes the change).

Why the typed reason is kept in the database: "Alasan lain" asks the reporter to type it, and
then to confirm; the confirmation's button cannot carry their words, and a restart between the
two must not lose them. The question is the citizen's one open prompt (``citizen_prompts``, like
➕ Add information's), valid for :data:`PROMPT_VALID_FOR`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import Clock
from bot.domain.cases import CasesService, ChangeResult
from storage.store import Store

#: The kind of the open question while a typed reason is awaited.
PROMPT = "withdraw_reason"
PROMPT_VALID_FOR = timedelta(minutes=30)
#: A typed reason at most this long: it goes on the officers' card and notice.
MAX_REASON = 300


class WithdrawalService:
    def __init__(self, store: Store, cases: CasesService, clock: Clock) -> None:
        self.store = store
        self.cases = cases
        self.clock = clock

    async def ask_reason(self, user_id: int, report_id: int) -> None:
        await self.store.surveys.ask(user_id, PROMPT, report_id)

    async def asked(self, user_id: int) -> int | None:
        """The report whose withdrawal reason the citizen's next message is, while valid."""
        prompt = await self.store.surveys.prompt(user_id)
        if prompt is None or prompt.kind != PROMPT:
            return None
        if self.clock.now() - datetime.fromisoformat(prompt.created_at) > PROMPT_VALID_FOR:
            await self.store.surveys.answered(user_id)
            return None
        return prompt.report_id

    async def keep_reason(self, user_id: int, report_id: int, reason: str) -> None:
        """The typed reason, kept for the confirmation; the question is answered."""
        await self.store.withdrawal_reasons.keep(user_id, report_id, reason)
        await self.store.surveys.answered(user_id)

    async def typed_reason(self, user_id: int, report_id: int) -> str | None:
        return await self.store.withdrawal_reasons.reason(user_id, report_id)

    async def withdraw(self, report_id: int, user_id: int, reason: str) -> ChangeResult:
        result = await self.cases.withdraw(report_id, user_id, reason)
        await self.store.withdrawal_reasons.drop(user_id)
        return result

    async def keep_report(self, user_id: int) -> None:
        """ "Keep it": any typed reason and open question go."""
        await self.store.withdrawal_reasons.drop(user_id)
        prompt = await self.store.surveys.prompt(user_id)
        if prompt is not None and prompt.kind == PROMPT:
            await self.store.surveys.answered(user_id)
