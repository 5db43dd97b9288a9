"""Delivery under trouble: Telegram's 429s, 5xx answers, timeouts and dropped connections; a
citizen who blocked the bot; a group the bot was removed from or that became a supergroup; a
restart with messages still waiting. Nothing is lost and at most one message repeats."""

from __future__ import annotations

import asyncio

from bot.domain.cases import Actor, CasesService
from bot.outbox.senders import SENDERS
from storage.outbox import OutboxKind
from storage.store import Store
from tests.helpers import file_report
from tests.test_groups import GAMBIR, linked_group, next_alert

FAST = {
    "SWEEP_SECONDS": "0.2",
    "OUTBOX_POLL_SECONDS": "0.3",
    "OUTBOX_BACKOFF_SECONDS": "0.1",
    "TELEGRAM_TIMEOUT_SECONDS": "1",
    "QUIET_HOURS": "off",
}


async def settled_rows(store, chat_id, seconds=10.0):
    """The chat's follow-up rows once none is pending any more."""
    for _ in range(int(seconds / 0.1)):
        rows = await store.outbox.rows(chat_id=chat_id, kind=OutboxKind.FOLLOWUP)
        if rows and all(r.state not in ("pending", "sending") for r in rows):
            return rows
        await asyncio.sleep(0.1)
    return await store.outbox.rows(chat_id=chat_id, kind=OutboxKind.FOLLOWUP)


def test_every_outbox_kind_has_a_sender():
    assert set(SENDERS) == set(OutboxKind)
    assert len(set(SENDERS.values())) == len(OutboxKind)  # one sender per kind, none shared


def followups(person, text):
    return [m for m in person.messages if text in m.plain_text]


async def test_followups_get_through_429_5xx_timeouts_and_drops(sandbox, make_bot, admin):
    bot = await make_bot(**FAST)
    sandbox.faults.timeout_delay = 1.5
    group = await linked_group(sandbox, bot.services.store, admin, GAMBIR)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    card = await next_alert(group)
    for kind, count in (("429", 1), ("5xx", 2), ("timeout", 1), ("drop", 1)):
        sandbox.faults.fail_next("sendMessage", kind, count)
    await group.tap(admin, "Terima", message=card)
    followup = await warga.next_message(timeout=15)
    assert f"Laporan #{ref}" in followup.plain_text and "sudah diterima" in followup.plain_text
    rows = await settled_rows(bot.services.store, warga.chat_id)
    assert [r.state for r in rows] == ["sent"] and rows[0].attempts > 1
    assert sum(sandbox.faults.served.values()) == 5
    assert 1 <= len(followups(warga, "sudah diterima")) <= 2  # a timed-out send may have landed


async def test_a_citizen_who_blocked_the_bot_is_not_written_to(sandbox, make_bot, admin):
    bot = await make_bot(**FAST)
    store = bot.services.store
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    card = await next_alert(group)
    warga.block_bot()
    await group.tap(admin, "Terima", message=card)
    card = await group.next_edit(card)
    await sandbox.world.wait_for(
        lambda: any(c.chat_id == warga.chat_id and c.status == 403 for c in sandbox.world.calls),
        5,
    )
    for _ in range(50):  # the bot records the 403 just after Telegram answered it
        citizen = await store.citizens.get(warga.user_id)
        if citizen.blocked_at is not None:
            break
        await asyncio.sleep(0.1)
    assert citizen.blocked_at is not None
    tries = len([c for c in sandbox.world.calls if c.chat_id == warga.chat_id])
    await group.tap(admin, "Kerjakan", message=card)
    await group.next_edit(card)
    await group.expect_no_message(within=0.8)
    assert len([c for c in sandbox.world.calls if c.chat_id == warga.chat_id]) == tries
    rows = await store.outbox.rows(chat_id=warga.chat_id, kind=OutboxKind.FOLLOWUP)
    assert [r.state for r in rows] == ["dead", "dead"]
    assert (await store.reports.get(ref)).status == "in_progress"


async def test_a_group_the_bot_was_removed_from_is_unlinked_and_admins_told(
    sandbox, make_bot, admin, admins_group
):
    bot = await make_bot(**FAST)
    store = bot.services.store
    group = await linked_group(sandbox, store, admin, GAMBIR, title="Kelurahan Gambir")
    group.set_bot_status("kicked")
    warga = sandbox.citizen()
    ref = await file_report(warga)
    notice = await admins_group.next_message(timeout=8)
    assert (
        "Kelurahan Gambir" in notice.plain_text and "tidak bisa lagi dihubungi" in notice.plain_text
    )
    assert await store.groups.links_of(group.chat_id) == []
    rows = await store.outbox.rows(chat_id=group.chat_id)
    assert rows and all(r.state == "dead" for r in rows)
    second = await file_report(warga, description="Banjir lagi di jalan sebelah timur")
    card = await next_alert(admins_group)  # now uncovered: the admins get it
    assert f"#{second}" in card.plain_text and second == ref + 1


async def test_a_group_that_became_a_supergroup_keeps_getting_alerts(sandbox, make_bot, admin):
    bot = await make_bot(**FAST)
    store = bot.services.store
    group = await linked_group(sandbox, store, admin, GAMBIR)
    supergroup = group.migrate_to_supergroup()
    warga = sandbox.citizen()
    ref = await file_report(warga)
    card = await next_alert(supergroup)
    assert f"Laporan #{ref}" in card.plain_text
    assert [link.chat_id for link in await store.groups.links_of(supergroup.chat_id)] == [
        supergroup.chat_id
    ]
    assert await store.groups.links_of(group.chat_id) == []
    await supergroup.tap(admin, "Terima", message=card)
    assert "👀 Diterima" in (await supergroup.next_edit(card)).plain_text


async def test_a_restart_with_pending_followups_delivers_each_once(sandbox, make_bot, admin):
    bot = await make_bot(**FAST)
    group = await linked_group(sandbox, bot.services.store, admin, GAMBIR)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    await next_alert(group)
    await bot.stop()

    # While the bot is down, an agency changes the case from another process's connection.
    store = await Store.open(bot.settings.database)
    cases = CasesService(store, wake=lambda: None)
    await cases.change_status(ref, "in_progress", Actor("agency", None, "Dinas SDA"))
    await cases.add_note(ref, Actor("agency", None, "Dinas SDA"), note="Pompa dikirim")
    await store.close()

    await bot.start()
    first = await warga.next_message(timeout=5)
    second = await warga.next_message(timeout=5)
    assert "sedang dikerjakan" in first.plain_text and "Pompa dikirim" in second.plain_text
    await warga.expect_no_message(within=1.0)
    assert len(followups(warga, "sedang dikerjakan")) == 1
