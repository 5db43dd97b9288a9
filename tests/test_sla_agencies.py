"""SLA reminders and escalation for the reports an agency has (issue 18), by the real sweep and a
clock the test moves forward (as tests/test_scheduler.py).

An agency (storage/agencies.py) has no level above it: its report is reminded at 1× the SLA in
the agency's groups (under their card) with its area's, and escalated at 2× in the agency's
groups and to the admins; the kelurahan chain climbs as before. Handed to an agency, a report is
that agency's alone: its former area (and the agency that had its category) hear nothing more.
"""

from __future__ import annotations

from datetime import timedelta

from storage.groups import Scope
from tests.helpers import file_report, run_cli
from tests.test_agencies import agency_group
from tests.test_groups import GAMBIR, linked_group, next_alert
from tests.test_scheduler import FAST

KEC_GAMBIR = Scope("kecamatan", "Gambir")


async def sla_texts(group, count: int) -> list[str]:
    """The next ``count`` messages of ``group``, as text, checked to be reminders/escalations."""
    texts = [(await group.next_message()).plain_text for _ in range(count)]
    assert all("Pengingat" in text or "Eskalasi" in text for text in texts), texts
    return texts


async def test_an_agency_is_reminded_then_escalated_with_its_area(
    sandbox, make_bot, admin, admins_group
):
    bot = await make_bot(**FAST)
    store = bot.services.store
    kelurahan = await linked_group(sandbox, store, admin, GAMBIR)
    kecamatan = await linked_group(sandbox, store, admin, KEC_GAMBIR, title="Kecamatan Gambir")
    sda = await agency_group(sandbox, store, admin, "Dinas SDA", ["flood"])
    pln = await agency_group(sandbox, store, admin, "PLN", ["street_light"])
    ref = await file_report(sandbox.citizen())  # a flood at Monas: 6 hours to acknowledge
    await next_alert(kelurahan)
    await next_alert(kecamatan)
    sda_card = await next_alert(sda)

    bot.services.clock.advance(timedelta(hours=6, minutes=5))
    reminder = await sda.next_message()
    assert f"laporan #{ref}" in reminder.plain_text and "Pengingat" in reminder.plain_text
    assert reminder.reply_to_message_id == sda_card.message_id  # under the agency's card
    assert "👀 Terima" in reminder.buttons
    assert "Pengingat" in (await kelurahan.next_message()).plain_text
    await admins_group.expect_no_message(within=0.3)

    bot.services.clock.advance(timedelta(hours=6))
    escalation = await sda.next_message()
    assert "Eskalasi" in escalation.plain_text and f"#{ref}" in escalation.plain_text
    assert escalation.reply_to_message_id == sda_card.message_id
    assert "Eskalasi" in (await admins_group.next_message()).plain_text
    assert [text.split(":")[0] for text in await sla_texts(kecamatan, 2)] == [
        "⏰ Pengingat",
        "🚨 Eskalasi",
    ]
    await kelurahan.expect_no_message(within=0.5)  # reminded already; the chain climbs
    await pln.expect_no_message(within=0.1)  # not its category: not its report
    report = await store.reports.get(ref)
    assert report.reminded_at and report.escalated_at


async def test_a_report_handed_to_an_agency_is_reminded_and_escalated_there_only(
    sandbox, make_bot, admin, admins_group
):
    bot = await make_bot(**FAST)
    store = bot.services.store
    kelurahan = await linked_group(sandbox, store, admin, GAMBIR)
    kecamatan = await linked_group(sandbox, store, admin, KEC_GAMBIR, title="Kecamatan Gambir")
    sda = await agency_group(sandbox, store, admin, "Dinas SDA", ["flood"])
    pln = await agency_group(sandbox, store, admin, "PLN", ["street_light"])
    ref = await file_report(sandbox.citizen())
    for group in (kelurahan, kecamatan, sda):
        await next_alert(group)
    handed = await run_cli(
        bot, "case", "handoff", str(ref), "--to-agency", "PLN", "--note", "Tiang listrik roboh"
    )
    assert handed.returncode == 0, handed.stderr
    pln_card = await next_alert(pln)
    await admins_group.expect_no_message(within=0.3)

    bot.services.clock.advance(timedelta(hours=6, minutes=5))
    reminder = await pln.next_message()
    assert "Pengingat" in reminder.plain_text and f"#{ref}" in reminder.plain_text
    assert reminder.reply_to_message_id == pln_card.message_id

    bot.services.clock.advance(timedelta(hours=6))
    escalation = await pln.next_message()
    assert "Eskalasi" in escalation.plain_text and f"#{ref}" in escalation.plain_text
    assert "Eskalasi" in (await admins_group.next_message()).plain_text
    for group in (kelurahan, kecamatan, sda):  # they gave it away: nothing more for them
        await group.expect_no_message(within=0.2)
    assert (await store.reports.get(ref)).escalated_at
