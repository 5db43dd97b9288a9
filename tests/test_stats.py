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
    """The text answer and the chart after it."""
    if person is None:
        await chat.send(text)
    else:
        await chat.send(person, text)
    return await next_answer(chat), await next_answer(chat)


def png_of(sandbox, message) -> bytes:
    assert message.kind == "photo"
    return sandbox.world.files[message.photo].data


async def test_admin_sees_the_whole_city(sandbox, bot, store, admin):
    await seed(bot)
    text, chart = await stats_of(admin)
    lines = lines_of(text)
    for expected in (
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
        "• Sampai diterima: 2 jam (5 laporan)",  # 1, 1, 2, 3, 4 hours
        "• Sampai selesai: 24 jam (3 laporan)",  # 10, 24, 48 hours
        "⏰ Terlambat ditanggapi (melewati batas waktu kategorinya): 7",
        "1. Kel. Pinangsia (Kec. Taman Sari, Jakarta Barat): 3",
        "2. Kel. Gambir (Kec. Gambir, Jakarta Pusat): 2",
        "3. Kel. Cideng (Kec. Gambir, Jakarta Pusat): 1",
    ):
        assert expected in lines, f"{expected!r} not in {text.plain_text}"
    assert lines[2].startswith("Periode: 30 hari terakhir (")
    assert "<b>Statistik laporan</b>" in text.text
    # The overdue rule is the one the report cards use.
    now = bot.services.clock.now()
    since = _iso(now - timedelta(days=30))
    reports = [
        r for r in await store.reports.search(ReportQuery(), limit=100) if r.created_at >= since
    ]
    assert sum(overdue_hours(bot.services, r) is not None for r in reports) == 7
    png = png_of(sandbox, chart)
    assert png.startswith(PNG_SIGNATURE) and len(png) > 5_000
    assert chart.text == "📊 Laporan menurut kategori, 30 hari terakhir"

    text, chart = await stats_of(admin, "/stats 7d")
    assert "Jumlah laporan: 11" in lines_of(text) and "Jalan rusak" not in text.plain_text
    assert "Periode: 7 hari terakhir (" in text.plain_text
    assert "• Sampai selesai: 24 jam (1 laporan)" in lines_of(text)
    assert png_of(sandbox, chart).startswith(PNG_SIGNATURE)

    text, chart = await stats_of(admin, "/stats all")
    lines = lines_of(text)
    assert "Jumlah laporan: 14" in lines and "Periode: semua waktu" in lines
    assert "• 💡 Lampu jalan mati: 1" in lines
    assert "⏰ Terlambat ditanggapi (melewati batas waktu kategorinya): 8" in lines
    assert "1. Kel. Gambir (Kec. Gambir, Jakarta Pusat): 3" in lines  # ties go by name
    assert "2. Kel. Pinangsia (Kec. Taman Sari, Jakarta Barat): 3" in lines
    assert chart.kind == "photo"


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
    text, chart = await stats_of(officer)
    lines = lines_of(text)
    for expected in (
        "Area: Kel. Gambir (Kec. Gambir)",
        "Reports: 4",
        "• 🆕 New: 2",
        "• ♻️ Reopened: 1",
        "• 🔁 Duplicate: 1",
        "• 🌊 Flood: 3",
        "• 🗑️ Garbage: 1",
        "• Jakarta Pusat: 4",
        "• To acknowledgement: 1.5 h (2 acknowledged)",  # 1 and 2 hours
        "⏰ Overdue for acknowledgement (past the category's deadline): 2",
        "1. Kel. Gambir (Kec. Gambir, Jakarta Pusat): 2",
    ):
        assert expected in lines, f"{expected!r} not in {text.plain_text}"
    for elsewhere in ("Pinangsia", "Cideng", "Jakarta Barat", "Outside"):
        assert elsewhere not in text.plain_text
    assert png_of(sandbox, chart).startswith(PNG_SIGNATURE)
    assert chart.text == "📊 Reports by category, last 30 days"

    kecamatan = sandbox.citizen(first_name="Sari")
    await store.officers.add(kecamatan.user_id, Scope("kecamatan", "Gambir"), by=admin.user_id)
    text, _ = await stats_of(kecamatan)
    lines = lines_of(text)
    assert "Wilayah: Kec. Gambir, Jakarta Pusat (6 kelurahan)" in lines
    assert "Jumlah laporan: 8" in lines  # Gambir's 4 and Cideng's 4
    assert "2. Kel. Cideng (Kec. Gambir, Jakarta Pusat): 1" in lines


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
    text, chart = await stats_of(group, person=lurah)
    lines = lines_of(text)
    assert "Wilayah: Kel. Pinangsia (Kec. Taman Sari)" in lines
    assert "Jumlah laporan: 4" in lines and "• Jakarta Barat: 4" in lines
    assert "Gambir" not in text.plain_text
    assert chart.kind == "photo", group.transcript()
    await group.send(stranger, "/stats")
    assert "hanya untuk admin" in (await next_answer(group)).plain_text


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
