"""Fault soak: one Bot API call in five fails (429, 502, a late answer, a dropped connection) while
citizens report and officers work the alerts; every alert and follow-up still arrives, nothing is
given up, and the bot keeps answering.

The sandbox spares getUpdates (as Telegram's own hiccups rarely hit a long poll), so every update
reaches the bot; what fails is the bot's own calls. Interactive answers are not retried by the bot:
a failed one leaves the citizen with the "something went wrong" message or with silence, and the
citizen does what a person does (``tests/soak_people.py``): taps again, or types /report and
continues the draft. Officers press a status button again when neither the popup nor the card
shows the change. Asynchronous messages go through the outbox, which must retry until each is out.

Timeouts are shortened to keep the run bounded (see ``FAST``): the bot gives up on a call after
1 s instead of 10, the sandbox answers a "timeout" fault after 1.5 s instead of 6 (still later
than the bot waits, so the message is sent *and* the call fails, the case that repeats messages),
and the outbox retries after 0.2 s instead of 1 s. ``SOAK_SEED`` replays a run's fault sequence.
"""

from __future__ import annotations

import asyncio
import os
import random
import time

from bot.domain.cases import Actor, CasesService
from storage.groups import Scope
from storage.outbox import OutboxKind
from tests.helpers import MONAS, map_link, reference_in, until_summary
from tests.soak_people import (
    Plan,
    SoakCitizen,
    button_data,
    cards_seen,
    file_all,
    followups_seen,
    notes_seen,
    references_in,
)

#: Shortened timeouts (see the module docstring): production waits 10 s, retries after 1 s.
FAST = {
    "TELEGRAM_TIMEOUT_SECONDS": "1",
    "OUTBOX_BACKOFF_SECONDS": "0.2",
    "OUTBOX_POLL_SECONDS": "0.3",
}
TIMEOUT_FAULT_DELAY = 1.5
FAULT_KINDS = ("429", "5xx", "timeout", "drop")
KELURAHAN = (
    ("3173080003", "Gambir", (-6.17528, 106.82681)),
    ("3173080004", "Kebon Kelapa", (-6.16394, 106.82474)),
    ("3173080005", "Petojo Utara", (-6.16540, 106.81565)),
    ("3173080001", "Cideng", (-6.17532, 106.80739)),
)
#: Two people per kelurahan, with different categories (so neither is offered the other's report).
CATEGORIES = (
    ("Banjir", "flood", 0),
    ("Sampah", "garbage", 1),
    ("Lampu jalan mati", "street_light", 1),
)
STEPS = (("Terima", "👀 Diterima"), ("Kerjakan", "🔧 Dikerjakan"))


def card_of(group, ref: int):
    """The newest alert card for ``ref`` in the group, or None."""
    for message in reversed(group.messages):
        if message.kind in ("text", "photo") and message.plain_text.startswith(
            f"🚨 Laporan #{ref}"
        ):
            return message
    return None


class Officer:
    """A kelurahan officer (an administrator of the linked group) working each alert: Terima,
    Kerjakan, then a note by replying to the card. Retries like a person when nothing shows."""

    def __init__(self, sandbox, group, person) -> None:
        self.sandbox, self.group, self.person = sandbox, group, person
        self.presses = 0
        self.refused: list[str] = []

    async def work(self, alerts: int, within: float) -> None:
        """Take up each new alert as it arrives, until ``alerts`` were dealt with."""
        handled: set[int] = set()
        while len(handled) < alerts:
            ref = await self.sandbox.world.wait_for(
                lambda: next((r for r in cards_seen(self.group) if r not in handled), None),
                within,
            )
            assert ref, f"no new alert in {self.group}:\n{self.group.transcript()}"
            await self.handle(ref)
            handled.add(ref)

    async def handle(self, ref: int) -> None:
        for label, status in STEPS:
            await self.move(ref, label, status)
        await self.note(ref)

    def shows(self, ref: int, status: str) -> bool:
        card = card_of(self.group, ref)
        return card is not None and f"Status: {status}" in card.plain_text

    async def move(self, ref: int, label: str, status: str) -> None:
        for _ in range(8):
            if self.shows(ref, status):
                return
            card = card_of(self.group, ref)
            data = button_data(card, label)
            if data is not None:
                self.presses += 1
                answer = await self.group.press(self.person, card, data, wait=1.0)
                text = (answer.text or "") if answer else ""
                if status in text:  # "Status #N: ..." or "... sudah berstatus ..."
                    return
                if "Hanya petugas" in text:
                    self.refused.append(f"#{ref} {label}: {text}")
            await self.sandbox.world.wait_for(lambda: self.shows(ref, status), 1.5)
        raise AssertionError(
            f"{self.person} could not set #{ref} to {status}; refusals: {self.refused}\n"
            + self.group.transcript()
        )

    async def note(self, ref: int) -> None:
        text = f"Petugas sudah di lokasi laporan #{ref}"
        saved = f"Catatan ditambahkan ke laporan #{ref}"
        for _ in range(5):
            mark = len(self.group.messages)
            await self.group.reply_to(card_of(self.group, ref), self.person, text)
            got = await self.sandbox.world.wait_for(
                lambda mark=mark: any(saved in m.plain_text for m in self.group.messages[mark:]),
                2.0,
            )
            if got:
                return
        raise AssertionError(f"the note on #{ref} was never confirmed:\n{self.group.transcript()}")


async def outbox_states(store) -> dict[str, int]:
    rows = await store.db.fetchall("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
    return {row["state"]: row["n"] for row in rows}


async def test_one_call_in_five_failing_loses_no_alert_and_no_follow_up(sandbox, make_bot):
    seed = int(os.environ.get("SOAK_SEED") or time.time_ns() % 2**32)
    print(f"fault soak seed={seed} (SOAK_SEED={seed} replays the fault sequence)")
    rng = random.Random(seed)
    bot = await make_bot(**FAST)
    store = bot.services.store
    groups, officers, citizens, area_of = {}, {}, [], {}
    for k, (code, name, where) in enumerate(KELURAHAN):
        group = sandbox.group(title=f"Kelurahan {name}")
        lurah = sandbox.citizen(first_name=f"Lurah {name}", started=True)
        group.add_member(lurah, status="administrator")
        await store.groups.link(group.chat_id, [Scope("kelurahan", code)], group.title, 1)
        groups[code], officers[code] = group, Officer(sandbox, group, lurah)
        for i in range(2):
            number = 2 * k + i + 1
            label, key, photos = CATEGORIES[(k + i) % len(CATEGORIES)]
            plan = Plan(label, key, where, photos, f"Warga {number}: {label.lower()} di {name}")
            person = sandbox.citizen(first_name=f"Warga{number}")
            citizens.append(SoakCitizen(sandbox, person, number, [plan], rng, patience=1.5))
            area_of[person.user_id] = code

    sandbox.faults.timeout_delay = TIMEOUT_FAULT_DELAY
    sandbox.faults.inject(rate=0.2, kinds=FAULT_KINDS, seed=seed)
    started = time.monotonic()
    phases: dict[str, float] = {}
    working = [asyncio.create_task(officer.work(2, 30)) for officer in officers.values()]
    try:
        await file_all(citizens, 30)
        phases["filed"] = time.monotonic() - started
        await asyncio.wait_for(asyncio.gather(*working), 30)
        phases["worked"] = time.monotonic() - started
        notes = await store.db.fetchall(
            "SELECT report_id, COUNT(*) AS n FROM report_events"
            " WHERE actor_kind != 'citizen' AND note IS NOT NULL GROUP BY report_id"
        )
        notes_due = {row["report_id"]: row["n"] for row in notes}

        def delivered() -> bool:
            for person in citizens:
                ref, seen = person.refs[0], followups_seen(person.person)
                if any(seen[ref, status] == 0 for _, status in STEPS):
                    return False
                if notes_seen(person.person)[ref] < notes_due.get(ref, 0):
                    return False
            return True

        await sandbox.world.wait_for(delivered, 15)
        phases["delivered"] = time.monotonic() - started
        for _ in range(50):  # the last rows are marked sent just after the sandbox took them
            if set(await outbox_states(store)) == {"sent"}:
                break
            await asyncio.sleep(0.1)
    finally:
        sandbox.faults.clear()
        for task in working:
            task.cancel()  # left running only when a citizen failed
    served = dict(sandbox.faults.served)
    print(
        f"{len(citizens)} citizens, {sum(c.nudges for c in citizens)} nudges,"
        f" {sum(o.presses for o in officers.values())} officer presses, faults served {served};"
        f" {', '.join(f'{k} at {v:.1f}s' for k, v in phases.items())};"
        f" outbox {await outbox_states(store)}"
    )

    # The faults really happened, of every kind.
    # At least 15: a report costs about 9 calls now (17 when this soak was written with 30), so
    # one call in five failing serves some 20 to 35 faults in a run; 27 was seen.
    assert set(served) == set(FAULT_KINDS) and sum(served.values()) >= 15, served

    # The bot kept answering: everyone filed, and was shown the reference of their own report.
    reports = {row["id"]: row for row in await store.db.fetchall("SELECT * FROM reports")}
    assert len(reports) == len(citizens)
    for person in citizens:
        ref = person.refs[0]
        shown = set().union(*(references_in(m.plain_text) for m in person.person.messages))
        assert shown == {ref} and reports[ref]["citizen_id"] == person.user_id
        assert reports[ref]["status"] == "in_progress"
        assert len(await store.reports.photos(ref)) == person.plans[0].photos

    # Every alert, card refresh and follow-up went out; none was given up.
    assert set(await outbox_states(store)) == {"sent"}
    for person in citizens:
        ref, group = person.refs[0], groups[area_of[person.user_id]]
        assert cards_seen(group)[ref] >= 1
        card = card_of(group, ref)  # one message: the first photo, or a text, with a map link
        assert map_link(card).startswith("https://www.openstreetmap.org/?mlat=")
        assert card.kind == ("photo" if person.plans[0].photos else "text"), group.transcript()
        assert officers[area_of[person.user_id]].shows(ref, "🔧 Dikerjakan")
        seen = followups_seen(person.person)
        assert all(seen[ref, status] >= 1 for _, status in STEPS), person.person.transcript()
        assert notes_seen(person.person)[ref] >= notes_due[ref] >= 1

    # Still answering once the faults stop: a new citizen's report goes through at once.
    warga = sandbox.citizen()
    await until_summary(warga, photos=0, where=MONAS, category="Lampu jalan mati")
    await warga.tap("Kirim laporan")
    assert reference_in((await warga.next_message()).plain_text) > max(reports)


async def test_a_card_sent_slowly_still_shows_a_change_made_meanwhile(sandbox, make_bot):
    """The card is rendered, then its send is slow (Telegram answers late, or the group's rate
    limit holds it); an agency acknowledges the report meanwhile. That change finds no card to
    refresh yet, so the card itself must catch up once it is out."""
    bot = await make_bot(OUTBOX_POLL_SECONDS="0.3")
    store = bot.services.store
    group = sandbox.group(title="Kelurahan Gambir")
    await store.groups.link(group.chat_id, [Scope("kelurahan", "3173080003")], group.title, 1)
    warga = sandbox.citizen()
    await until_summary(warga, photos=0)
    sandbox.faults.timeout_delay = 1.5  # answered late, well within the bot's 10 s
    sandbox.faults.fail_next("sendMessage", "timeout", count=2)  # "filed" reply, then the card
    await warga.tap("Kirim laporan")
    assert await sandbox.world.wait_for(lambda: card_of(group, 1001), 5)
    cases = CasesService(store, lambda: None)
    await cases.change_status(1001, "acknowledged", Actor("agency", None, "Dinas SDA"))
    card = card_of(group, 1001)
    assert await sandbox.world.wait_for(lambda: "Status: 👀 Diterima" in card.plain_text, 5), (
        group.transcript()
    )
    assert reference_in((await warga.next_message()).plain_text) == 1001


async def test_a_card_refresh_that_changes_nothing_counts_as_sent(sandbox, make_bot):
    """Two changes in a row queue two refreshes of one card; the first already shows both, so
    Telegram answers the second with "message is not modified". That is success, not a dead row."""
    bot = await make_bot(OUTBOX_POLL_SECONDS="1")
    store = bot.services.store
    group = sandbox.group(title="Kelurahan Gambir")
    await store.groups.link(group.chat_id, [Scope("kelurahan", "3173080003")], group.title, 1)
    warga = sandbox.citizen()
    await until_summary(warga, photos=0)
    await warga.tap("Kirim laporan")
    for _ in range(50):  # until the bot has noted where its card is
        if await store.alerts.card(1001, group.chat_id):
            break
        await asyncio.sleep(0.1)
    cases = CasesService(store, lambda: None)  # no wake-up: both refreshes wait for one poll
    agency = Actor("agency", None, "Dinas SDA")
    await cases.change_status(1001, "acknowledged", agency)
    await cases.add_note(1001, agency, note="Tim menuju lokasi")
    card = card_of(group, 1001)
    assert await sandbox.world.wait_for(lambda: "Tim menuju lokasi" in card.plain_text, 5)
    for _ in range(50):  # the second refresh is answered a poll later, slower on PostgreSQL
        edits = await store.outbox.rows(chat_id=group.chat_id, kind=OutboxKind.ALERT_EDIT)
        if len(edits) == 2 and all(row.state not in ("pending", "sending") for row in edits):
            break
        await asyncio.sleep(0.1)
    assert [row.state for row in edits] == ["sent", "sent"], [row.last_error for row in edits]
    refused = [c for c in sandbox.calls_to("editMessageText") if "not modified" in (c.error or "")]
    assert len(refused) == 1  # the case this test is about did happen


async def test_an_officer_is_not_locked_out_by_one_failed_membership_check(sandbox, make_bot):
    """Whether the presser administers the group is asked of Telegram (getChatMember) and
    remembered for two minutes. A failed call is no answer: the next press must ask again."""
    bot = await make_bot()
    group = sandbox.group(title="Kelurahan Gambir")
    lurah = sandbox.citizen(first_name="Lurah", started=True)
    group.add_member(lurah, status="administrator")
    await bot.services.store.groups.link(
        group.chat_id, [Scope("kelurahan", "3173080003")], group.title, 1
    )
    warga = sandbox.citizen()
    await until_summary(warga, photos=0)
    await warga.tap("Kirim laporan")
    assert await sandbox.world.wait_for(lambda: card_of(group, 1001), 5)
    sandbox.faults.fail_next("getChatMember", "5xx", count=3)  # one try and both retries
    first = await group.tap(lurah, "Terima", message=card_of(group, 1001))
    assert first is not None and "coba lagi" in first.text, first  # not "only officers"
    assert (await bot.services.store.reports.get(1001)).status == "new"
    answer = await group.tap(lurah, "Terima", message=card_of(group, 1001))
    assert answer is not None and "Diterima" in answer.text, answer
    assert (await bot.services.store.reports.get(1001)).status == "acknowledged"
