"""/stats: admins see the whole city, officers their areas, group admins their group's areas;
everyone else is refused. Figures come from reports seeded straight into the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.stats import parse_period
from bot.outbox.renderers import overdue_hours
from storage.groups import Scope
from storage.report_query import ReportQuery
from tests.helpers import MONAS

GAMBIR, CIDENG, PINANGSIA = "3173080003", "3173080001", "3174060008"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JAKARTA = ZoneInfo("Asia/Jakarta")

# (category, kelurahan, status, created hours ago, acknowledged and resolved hours after creation,
#  hours since the SLA wait began when it is not the creation time). SLAs: flood 6 h,
#  garbage 48 h, road damage and street light 72 h.
REPORTS = [
    ("flood", GAMBIR, "new", 10, None, None, None),  # overdue
    ("flood", GAMBIR, "new", 2, None, None, None),
    ("garbage", GAMBIR, "reopened", 120, 2, 24, 50),  # reopened 50 h ago: overdue
    ("flood", PINANGSIA, "new", 20, None, None, None),  # overdue
    ("flood", PINANGSIA, "acknowledged", 72, 4, None, None),
    ("road_damage", CIDENG, "resolved", 240, 1, 48, None),  # 10 days ago
    ("garbage", CIDENG, "closed", 480, 3, 10, None),  # 20 days ago
    ("flood", None, "new", 8, None, None, None),  # outside the service area, overdue
    ("street_light", GAMBIR, "new", 960, None, None, None),  # 40 days ago, overdue
    ("flood", PINANGSIA, "new", 7, None, None, None),  # overdue
    ("garbage", PINANGSIA, "new", 60, None, None, None),  # overdue
    ("flood", GAMBIR, "duplicate", 24, 1, None, None),
    ("flood", CIDENG, "new", 6, None, None, None),  # exactly at the SLA: overdue
    ("flood", CIDENG, "new", 5.9, None, None, None),  # a few minutes short of it
]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


async def seed(bot) -> None:
    services = bot.services
    now = services.clock.now()
    await services.store.citizens.ensure(777, 777, "id")
    async with services.store.db.transaction() as conn:
        for category, area, status, age, ack, res, sla in REPORTS:
            created = now - timedelta(hours=age)
            await conn.execute(
                "INSERT INTO reports (citizen_id, category_key, lat, lon, area_code, description,"
                " status, created_at, updated_at, acknowledged_at, resolved_at, sla_started_at)"
                " VALUES (777, ?, ?, ?, ?, 'seeded', ?, ?, ?, ?, ?, ?)",
                (
                    category,
                    *MONAS,
                    area,
                    status,
                    _iso(created),
                    _iso(created),
                    _iso(created + timedelta(hours=ack)) if ack is not None else None,
                    _iso(created + timedelta(hours=res)) if res is not None else None,
                    _iso(now - timedelta(hours=sla if sla is not None else age)),
                ),
            )


def lines_of(message) -> list[str]:
    return message.plain_text.splitlines()


SWEEP_MARKS = ("⏰", "🚨")  # the seeded overdue reports' reminders and escalations


async def next_answer(chat):
    """The bot's next message to ``chat``, passing over the SLA sweep's reminders: a linked
    group is also the sweep's audience, and its first run may land in the middle of /stats."""
    while True:
        message = await chat.next_message()
        if not (message.kind == "text" and message.plain_text.startswith(SWEEP_MARKS)):
            return message


async def stats_of(chat, text="/stats", person=None):
    """The answer: the chart, with the summary as its caption."""
    if person is None:
        await chat.send(text)
    else:
        await chat.send(person, text)
    return await next_answer(chat)


async def details_of(chat, answer, person=None):
    """Press the answer's details button: the full breakdown that comes back."""
    if person is None:
        await chat.tap("📋", message=answer)
    else:
        await chat.tap(person, "📋", message=answer)
    return await next_answer(chat)


def png_of(sandbox, message) -> bytes:
    assert message.kind == "photo"
    return sandbox.world.files[message.photo].data


def assert_lines(message, expected_lines):
    lines = lines_of(message)
    for expected in expected_lines:
        assert expected in lines, f"{expected!r} not in {message.plain_text}"


async def test_admin_sees_the_whole_city(sandbox, make_bot, admin):
    # The seeded resolved report is 8 days past its resolution: the sweep's auto-close (after 7
    # days by default) would close it somewhere between the summary and the details.
    bot = await make_bot(AUTO_CLOSE_DAYS="30")
    store = bot.services.store
    await seed(bot)
    answer = await stats_of(admin)
    assert_lines(
        answer,
        (
            "Wilayah: seluruh wilayah layanan",
            "Jumlah laporan: 13",
            "Masih terbuka: 10 — 🆕 Baru 8 · 👀 Diterima 1 · ♻️ Dibuka lagi 1",
            "Tertutup: 3 — ✅ Selesai 1 · 📁 Ditutup 1 · 🔁 Duplikat 1",
            # 1, 1, 2, 3, 4 hours; and 10, 24, 48 hours
            "⏱️ Median sampai diterima 2 jam (5 laporan), sampai selesai 24 jam (3 laporan)",
            "⏰ Terlambat ditanggapi: 7",
            "1. Kel. Pinangsia (Kec. Taman Sari, Jakarta Barat): 3",
            "2. Kel. Gambir (Kec. Gambir, Jakarta Pusat): 2",
            "3. Kel. Cideng (Kec. Gambir, Jakarta Pusat): 1",
        ),
    )
    assert len(lines_of(answer)) <= 15  # readable beside the chart on a phone
    assert lines_of(answer)[2].startswith("Periode: 30 hari terakhir (")
    assert "<b>Statistik laporan</b>" in answer.text
    assert answer.buttons == ["📋 Rincian lengkap"]
    png = png_of(sandbox, answer)  # one message: the chart is the summary's photo
    assert png.startswith(PNG_SIGNATURE) and len(png) > 5_000

    details = await details_of(admin, answer)
    assert details.reply_to_message_id == answer.message_id
    assert_lines(
        details,
        (
            "Wilayah: seluruh wilayah layanan",
            "Jumlah laporan: 13",
            "• 🆕 Baru: 8",
            "• 👀 Diterima: 1",
            "• ♻️ Dibuka lagi: 1",
            "• ✅ Selesai: 1",
            "• 📁 Ditutup: 1",
            "• 🔁 Duplikat: 1",
            "• 🌊 Banjir: 9",
            "• 🗑️ Sampah: 3",
            "• 🚧 Jalan rusak: 1",
            "• Jakarta Pusat: 8",
            "• Jakarta Barat: 4",
            "• Di luar wilayah layanan: 1",
            "• Sampai diterima: 2 jam (5 laporan)",
            "• Sampai selesai: 24 jam (3 laporan)",
            "⏰ Terlambat ditanggapi (melewati batas waktu kategorinya): 7",
            "1. Kel. Pinangsia (Kec. Taman Sari, Jakarta Barat): 3",
            "3. Kel. Cideng (Kec. Gambir, Jakarta Pusat): 1",
        ),
    )
    assert answer.buttons == []  # shown once; /stats again for fresh figures
    # The overdue rule is the one the report cards use.
    now = bot.services.clock.now()
    since = _iso(now - timedelta(days=30))
    reports = [
        r for r in await store.reports.search(ReportQuery(), limit=100) if r.created_at >= since
    ]
    assert sum(overdue_hours(bot.services, r) is not None for r in reports) == 7

    answer = await stats_of(admin, "/stats 7d")
    assert_lines(answer, ("Jumlah laporan: 11",))
    assert "Periode: 7 hari terakhir (" in answer.plain_text
    assert "sampai selesai 24 jam (1 laporan)" in answer.plain_text
    assert png_of(sandbox, answer).startswith(PNG_SIGNATURE)
    details = await details_of(admin, answer)
    assert "Jalan rusak" not in details.plain_text and "• 🌊 Banjir: 9" in lines_of(details)

    answer = await stats_of(admin, "/stats all")
    assert_lines(
        answer,
        (
            "Jumlah laporan: 14",
            "Periode: semua waktu",
            "⏰ Terlambat ditanggapi: 8",
            "1. Kel. Gambir (Kec. Gambir, Jakarta Pusat): 3",  # ties go by name
            "2. Kel. Pinangsia (Kec. Taman Sari, Jakarta Barat): 3",
        ),
    )
    details = await details_of(admin, answer)
    assert_lines(details, ("• 💡 Lampu jalan mati: 1", "Periode: semua waktu"))


async def test_bad_and_empty_periods(sandbox, bot, admin):
    await seed(bot)
    await admin.send("/stats kemarin")
    usage = await admin.next_message()
    assert "/stats 7d" in usage.plain_text and "/stats 2026-11" in usage.plain_text
    await admin.send("/stats 2020-01")
    empty = await admin.next_message()
    assert "Tidak ada laporan pada periode ini" in empty.plain_text
    assert "Periode: Januari 2020 (01/01/2020 – 31/01/2020)" in empty.plain_text
    await admin.expect_no_message(within=0.3)  # no data, no chart
    assert sandbox.calls_to("sendPhoto") == []


async def test_an_officer_sees_only_their_kelurahan_in_their_language(sandbox, bot, store, admin):
    await seed(bot)
    officer = sandbox.citizen(first_name="Budi", language_code="en")
    await store.officers.add(officer.user_id, Scope("kelurahan", GAMBIR), by=admin.user_id)
    answer = await stats_of(officer)
    assert_lines(
        answer,
        (
            "Area: Kel. Gambir (Kec. Gambir)",
            "Reports: 4",
            "Still open: 3 — 🆕 New 2 · ♻️ Reopened 1",
            "Closed: 1 — 🔁 Duplicate 1",
            # 1 and 2 hours; the reopened one had been resolved in 24
            "⏱️ Median to acknowledgement 1.5 h (2 acknowledged), to resolution 24 h (1 resolved)",
            "⏰ Overdue for acknowledgement: 2",
            "1. Kel. Gambir (Kec. Gambir, Jakarta Pusat): 2",
        ),
    )
    assert len(lines_of(answer)) <= 15
    assert answer.buttons == ["📋 Full details"]
    assert png_of(sandbox, answer).startswith(PNG_SIGNATURE)
    details = await details_of(officer, answer)
    assert_lines(
        details,
        (
            "📋 Report statistics in detail",
            "• 🌊 Flood: 3",
            "• 🗑️ Garbage: 1",
            "• Jakarta Pusat: 4",
            "• To acknowledgement: 1.5 h (2 acknowledged)",
            "⏰ Overdue for acknowledgement (past the category's deadline): 2",
        ),
    )
    for elsewhere in ("Pinangsia", "Cideng", "Jakarta Barat", "Outside"):
        assert elsewhere not in answer.plain_text and elsewhere not in details.plain_text

    kecamatan = sandbox.citizen(first_name="Sari")
    await store.officers.add(kecamatan.user_id, Scope("kecamatan", "Gambir"), by=admin.user_id)
    answer = await stats_of(kecamatan)
    assert_lines(
        answer,
        (
            "Wilayah: Kec. Gambir, Jakarta Pusat (6 kelurahan)",
            "Jumlah laporan: 8",  # Gambir's 4 and Cideng's 4
            "2. Kel. Cideng (Kec. Gambir, Jakarta Pusat): 1",
        ),
    )


async def test_strangers_are_refused_and_group_admins_see_their_group(sandbox, bot, store, admin):
    await seed(bot)
    stranger = sandbox.citizen(first_name="Tono")
    await stranger.send("/stats all")
    refusal = await stranger.next_message()
    assert "hanya untuk admin WargaLapor dan petugas wilayah" in refusal.plain_text
    await stranger.expect_no_message(within=0.2)

    group = sandbox.group(title="Kelurahan Pinangsia")
    lurah = sandbox.citizen(first_name="Lurah")
    group.add_member(lurah, status="administrator")
    group.add_member(stranger, status="member")
    await store.groups.link(group.chat_id, [Scope("kelurahan", PINANGSIA)], None, admin.user_id)
    answer = await stats_of(group, person=lurah)
    assert_lines(answer, ("Wilayah: Kel. Pinangsia (Kec. Taman Sari)", "Jumlah laporan: 4"))
    assert "Gambir" not in answer.plain_text
    assert answer.kind == "photo", group.transcript()
    # The details are the asker's: another member's press is refused, and nothing is posted.
    refused = await group.tap(stranger, "📋", message=answer)
    assert refused.show_alert and "untuk yang meminta statistiknya" in refused.text
    assert answer.buttons == ["📋 Rincian lengkap"]
    details = await details_of(group, answer, person=lurah)
    assert "• Jakarta Barat: 4" in lines_of(details) and "Gambir" not in details.plain_text
    await group.send(stranger, "/stats")
    assert "hanya untuk admin" in (await next_answer(group)).plain_text


async def test_the_details_button_checks_the_asker_again(sandbox, bot, store, admin):
    """An officer removed since asking gets no details; forged data naming someone else, or
    carrying a period that is none, gets nothing either."""
    await seed(bot)
    officer = sandbox.citizen(first_name="Budi")
    await store.officers.add(officer.user_id, Scope("kelurahan", GAMBIR), by=admin.user_id)
    answer = await stats_of(officer)
    forged = await officer.press(answer, callback_data=f"stats:30d:{admin.user_id}")
    assert forged.show_alert and "untuk yang meminta statistiknya" in forged.text
    nonsense = await officer.press(answer, callback_data=f"stats:kemarin:{officer.user_id}")
    assert "tidak berlaku" in nonsense.text
    assert await bot.services.officers.remove(officer.user_id) == 1
    refused = await officer.tap("📋", message=answer)
    assert refused.show_alert and "hanya untuk admin" in refused.text
    await officer.expect_no_message(within=0.3)


def test_periods():
    now = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)
    month = parse_period("2026-11", now, JAKARTA)
    assert month.since == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    assert month.until == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    december = parse_period("2026-12", now, JAKARTA)
    assert december.until == datetime(2027, 1, 1, tzinfo=JAKARTA)
    assert parse_period("", now, JAKARTA).since == now - timedelta(days=30)
    assert parse_period(" 90D ", now, JAKARTA).days == 90
    assert parse_period("all", now, JAKARTA).since is None
    for bad in ("2026-13", "2026-00", "7", "1y", "kemarin", "2026-11-01"):
        assert parse_period(bad, now, JAKARTA) is None
