"""Followers and follow-ups: a neighbour who follows a report finds it in /myreports, reads what a
follower may read with /status, and gets follow-ups that say who acted and what comes next —
never a button only the reporter may press. The reporter's own follow-ups say the same in their
words, in Indonesian and in English."""

from __future__ import annotations

import re

import pytest

from bot.domain.cases import Actor, anywhere
from bot.domain.sweeps import SYSTEM
from storage.outbox import OutboxKind, OutboxMessage
from tests.helpers import DESCRIPTION, KOTA_TUA, at_location_step, file_report
from tests.test_groups import GAMBIR, linked_group, next_alert, resolve_from

OFFICERS = Actor("officer", None, "Budi")


def time_with_zone(zone: str) -> str:
    """ "12/05/2024 14:05 WIB": a time, then its zone."""
    return r"\d{2}/\d{2}/\d{4} \d{2}:\d{2} " + zone


async def neighbour(sandbox, **user):
    """A citizen who has said /start (the bot knows their language) and follows nothing yet."""
    person = sandbox.citizen(**user)
    await person.send("/start")
    await person.next_message()
    return person


def short_enough(message) -> None:
    """The issue's rule for every bot message: at most three short lines before its buttons."""
    assert len(message.plain_text.splitlines()) <= 3, message.plain_text


async def follow_nearby(person, ref: int, category: str = "Banjir"):
    """``person`` starts a flood report next to ``ref`` and taps "same — follow #ref" (reading
    on until the offer, whatever the steps before it say); returns the offer."""
    await at_location_step(person, category)
    await person.share_location(-6.1760, 106.8275)  # about 75 m from MONAS
    offer = await person.next_message()
    while f"#{ref}" not in " ".join(offer.buttons):
        offer = await person.next_message()
    await person.tap(f"#{ref}", message=offer)
    assert f"#{ref}" in (await person.next_message()).plain_text
    return offer


async def test_my_reports_lists_followed_reports_marked_and_paged(sandbox, make_bot):
    # Six reports in seconds are faster than any person types: above the per-minute throttle.
    bot = await make_bot(MAX_UPDATES_PER_MINUTE="200")
    siti = sandbox.citizen(first_name="Siti")
    first = await file_report(siti)
    budi = sandbox.citizen(first_name="Budi")
    offer = await follow_nearby(budi, first)
    assert " m · baru saja · " in offer.plain_text  # not "0 menit lalu"
    second = await file_report(siti, description="Air masuk ke rumah warga sejak subuh")
    await bot.services.cases.follow(second, budi.user_id)  # e.g. folded in as a duplicate
    own = [
        await file_report(budi, where=KOTA_TUA, description=f"Genangan air nomor {n} di jalan")
        for n in range(4)
    ]

    await budi.send("/myreports")
    page = await budi.next_message()
    assert "(6)" in page.plain_text and "1/2" in page.plain_text
    assert [f"#{r}" for r in [*reversed(own), second]] == [
        label for label in page.buttons if label.startswith("#")
    ]
    lines = {reference: line for line in page.plain_text.splitlines() if (reference := _ref(line))}
    assert lines[second].endswith("· 👥 diikuti")
    assert all("diikuti" not in lines[r] for r in own)
    assert re.search(time_with_zone("WIB"), lines[own[0]]), lines[own[0]]
    assert "👥 diikuti: laporan warga lain yang Anda ikuti" in page.plain_text
    await budi.tap("Berikutnya")
    last = await budi.next_edit(page)
    assert "2/2" in last.plain_text and f"#{first}" in last.buttons
    assert f"#{first} " in last.plain_text and "👥 diikuti" in last.plain_text

    # Siti sees her own two, unmarked: following is the neighbour's, not hers.
    await siti.send("/myreports")
    hers = await siti.next_message()
    assert "(2)" in hers.plain_text and "diikuti" not in hers.plain_text


def _ref(line: str) -> int | None:
    match = re.match(r"#(\d+) ", line)
    return int(match.group(1)) if match else None


async def test_my_reports_in_english_for_someone_who_only_follows(sandbox, bot):
    siti = sandbox.citizen()
    ref = await file_report(siti)
    ani = await neighbour(sandbox, first_name="Ani", language_code="en")
    await bot.services.cases.follow(ref, ani.user_id)
    await ani.send("/myreports")
    page = await ani.next_message()
    assert "no reports yet" not in page.plain_text
    assert f"#{ref}" in page.buttons and "· 👥 followed" in page.plain_text
    assert "👥 followed: a neighbour's report you follow" in page.plain_text
    assert re.search(time_with_zone("WIB"), page.plain_text)


@pytest.mark.parametrize(
    ("zone", "label"),
    [("Asia/Makassar", "WITA"), ("Asia/Jayapura", "WIT"), ("Asia/Singapore", r"UTC\+8")],
)
async def test_my_reports_name_the_configured_zone_or_its_utc_offset(
    sandbox, make_bot, zone, label
):
    warga = sandbox.citizen()
    await make_bot(TIMEZONE=zone)
    await file_report(warga)
    await warga.send("/myreports")
    assert re.search(time_with_zone(label), (await warga.next_message()).plain_text)


async def test_status_for_a_follower_shows_what_followers_may_see(sandbox, bot, store):
    siti = sandbox.citizen(first_name="Siti")
    ref = await file_report(siti)
    budi = await neighbour(sandbox, first_name="Budi")
    await bot.services.cases.follow(ref, budi.user_id)
    await bot.services.cases.change_status(ref, "acknowledged", OFFICERS, note="Pompa dikirim")
    await bot.services.cases.add_note(
        ref, Actor("citizen", siti.user_id, None), note="Rumah saya nomor 12, pagar hijau"
    )
    await budi.next_message()  # the acknowledgement
    await budi.next_message()  # Siti's note (follow-ups carry it, as before)

    await budi.send(f"/status {ref}")
    seen = await budi.next_message()
    text = seen.plain_text
    assert f"Laporan #{ref}" in text and "👀 Diterima" in text
    assert "Anda mengikuti laporan ini" in text and "Kel. Gambir" in text
    assert "Riwayat" in text and "Pompa dikirim" in text  # what the officers did
    assert re.search(time_with_zone("WIB"), text)
    # Never the reporter's own words, photos or exact place.
    assert DESCRIPTION not in text and "pagar hijau" not in text
    assert "Foto:" not in text and "Lokasi:" not in text
    assert seen.buttons == []

    await siti.send(f"/status {ref}")
    own = (await siti.next_message()).plain_text
    assert DESCRIPTION in own and "pagar hijau" in own and "mengikuti" not in own

    stranger = sandbox.citizen(language_code="en")
    await stranger.send(f"/status {ref}")
    public = (await stranger.next_message()).plain_text
    assert "History" not in public and "Pompa dikirim" not in public and "follow" not in public


async def test_status_for_a_follower_in_english(sandbox, bot):
    ref = await file_report(sandbox.citizen())
    ani = sandbox.citizen(language_code="en")
    offer = await follow_nearby(ani, ref, category="Flood")
    assert " m · just now · " in offer.plain_text
    await ani.send(f"/status {ref}")
    text = (await ani.next_message()).plain_text
    assert f"Report #{ref}" in text and "You follow this report" in text
    assert "History" in text and DESCRIPTION not in text


async def test_followers_never_get_reporter_only_buttons(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    siti = sandbox.citizen(first_name="Siti")
    ref = await file_report(siti)
    card = await next_alert(group)
    budi = await neighbour(sandbox, first_name="Budi")
    await bot.services.cases.follow(ref, budi.user_id)
    # Without a photo (a flood may go without one): the follow-ups stay texts, whose buttons a
    # follower could try to forge.
    await resolve_from(group, admin, card, reason="Air sudah surut")

    told_reporter = await siti.next_message()
    assert "❌ Belum beres" in told_reporter.buttons
    told_follower = await budi.next_message()
    assert f"Laporan #{ref}" in told_follower.plain_text
    assert told_follower.buttons == ["📄 Lihat laporan"]
    assert "Pelapor akan diminta memastikan" in told_follower.plain_text

    await siti.send(f"/status {ref}")
    assert "❌ Belum beres" in (await siti.next_message()).buttons
    await budi.send(f"/status {ref}")
    assert (await budi.next_message()).buttons == []
    await budi.tap("Lihat laporan", message=told_follower)
    assert (await budi.next_message()).buttons == []

    # The reporter's button, forged by the follower: refused on the server, nothing changes.
    not_fixed = dict(told_reporter.inline_buttons)["❌ Belum beres"]
    answer = await budi.press(told_follower, callback_data=not_fixed)
    assert answer.show_alert and "Hanya pelapor" in answer.text
    answer = await budi.press(told_follower, callback_data=f"rating:{ref}:1")
    assert answer.show_alert and "Hanya pelapor" in answer.text
    assert (await store.reports.get(ref)).status == "resolved"
    assert await store.surveys.rating(ref) is None

    # "Is it fixed?" is the reporter's question: a survey meant for anyone else is not sent.
    await store.outbox.add(
        [
            OutboxMessage(
                chat_id=budi.chat_id,
                kind=OutboxKind.SURVEY,
                payload={"report_id": ref},
                dedupe_key=f"survey-test:{ref}",
                report_id=ref,
            )
        ]
    )
    bot.services.waker()
    await budi.expect_no_message(within=1.0)
    [row] = await store.outbox.rows(chat_id=budi.chat_id, kind=OutboxKind.SURVEY)
    assert row.state == "dead"


async def test_follow_ups_say_who_acted_and_what_comes_next(sandbox, bot, store, admin):
    """Acknowledged, in progress, resolved: to the reporter (Indonesian) and a follower
    (English), one sentence each, the kelurahan as a unit rather than an address line."""
    group = await linked_group(sandbox, store, admin, GAMBIR)
    siti = sandbox.citizen(first_name="Siti")
    ref = await file_report(siti)
    card = await next_alert(group)
    ani = await neighbour(sandbox, first_name="Ani", language_code="en")
    await bot.services.cases.follow(ref, ani.user_id)
    expected = {
        "Terima": (
            f"👀 Laporan #{ref} (🌊 Banjir) sudah diterima petugas Kelurahan Gambir. "
            "Kami kabari lagi saat mulai dikerjakan.",
            f"👀 Report #{ref} (🌊 Flood) that you follow was received by the Kelurahan Gambir "
            "officers. We will tell you when work starts.",
        ),
        "Kerjakan": (
            f"🔧 Laporan #{ref} (🌊 Banjir) sedang dikerjakan petugas Kelurahan Gambir. "
            "Kami kabari lagi saat selesai.",
            f"🔧 Report #{ref} (🌊 Flood) that you follow is being worked on by the Kelurahan "
            "Gambir officers. We will tell you when it is done.",
        ),
        "Selesai": (
            f"✅ Laporan #{ref} (🌊 Banjir) sudah diselesaikan petugas Kelurahan Gambir.\n"
            "Belum beres? Tekan ❌ Belum beres di bawah.",
            f"✅ Report #{ref} (🌊 Flood) that you follow was resolved by the Kelurahan Gambir "
            "officers.\nThe reporter will be asked to confirm it is fixed.",
        ),
    }
    for button, (to_reporter, to_follower) in expected.items():
        if button == "Selesai":
            await resolve_from(group, admin, card)  # with the after photo: its caption
        else:
            await group.tap(admin, button, message=card)
        card = await group.next_edit(card)
        reporter_sees, follower_sees = await siti.next_message(), await ani.next_message()
        assert reporter_sees.plain_text == to_reporter
        assert follower_sees.plain_text == to_follower
        short_enough(reporter_sees)
        short_enough(follower_sees)


async def test_a_rejection_gives_the_reason_and_what_to_do_next(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    siti = sandbox.citizen()
    ref = await file_report(siti)
    card = await next_alert(group)
    ani = await neighbour(sandbox, language_code="en")
    await bot.services.cases.follow(ref, ani.user_id)
    await group.tap(admin, "Tolak", message=card)
    question = await group.next_message()
    await group.reply_to(question, admin, "Saluran milik PLN, sudah kami teruskan")
    reporter_sees = await siti.next_message()
    assert reporter_sees.plain_text.splitlines() == [
        f"⛔ Laporan #{ref} (🌊 Banjir) ditolak petugas Kelurahan Gambir.",
        "Alasan: Saluran milik PLN, sudah kami teruskan",
        "Masalahnya lain atau belum tertangani? Kirim laporan baru dengan /report.",
    ]
    follower_sees = await ani.next_message()
    assert follower_sees.plain_text.splitlines() == [
        f"⛔ Report #{ref} (🌊 Flood) that you follow was rejected by the Kelurahan Gambir "
        "officers.",
        "Reason: Saluran milik PLN, sudah kami teruskan",
        "A different problem, or not dealt with? Send a new report with /report.",
    ]


async def test_duplicate_closed_and_reopened_follow_ups(sandbox, bot, store):
    cases = bot.services.cases
    siti, ani = sandbox.citizen(first_name="Siti"), sandbox.citizen(first_name="Ani")
    original = await file_report(siti)
    copy = await file_report(ani, where=(-6.1800, 106.8272), description="Banjir di depan stasiun")
    budi = await neighbour(sandbox, first_name="Budi", language_code="en")
    await cases.follow(original, budi.user_id)

    await cases.change_status(
        copy, "duplicate", OFFICERS, duplicate_of=original, may_touch_original=anywhere
    )
    moved = await ani.next_message()
    assert moved.plain_text.splitlines() == [
        f"🔁 Laporan #{copy} (🌊 Banjir) sama dengan laporan #{original}, yang ditangani "
        "petugas Kelurahan Gambir.",
        f"Anda kini mengikuti #{original} dan akan dikabari perkembangannya.",
    ]

    # Ani follows the original now: its news reaches her as a follower's.
    await cases.change_status(original, "resolved", OFFICERS)
    assert (await siti.next_message()).plain_text.startswith(f"✅ Laporan #{original}")
    assert "yang Anda ikuti sudah diselesaikan" in (await ani.next_message()).plain_text
    assert "that you follow was resolved" in (await budi.next_message()).plain_text

    # The reporter says it is not fixed: followers hear it from the reporter's side.
    await cases.change_status(original, "reopened", Actor("citizen", siti.user_id, None))
    assert (await budi.next_message()).plain_text.splitlines() == [
        f"♻️ Report #{original} (🌊 Flood) that you follow is reopened: the reporter says the "
        "problem is not fixed.",
        "The officers were told; we will tell you when they act.",
    ]
    await siti.expect_no_message(within=0.3)  # she pressed it herself
    await ani.next_message()

    await cases.change_status(original, "resolved", OFFICERS)
    for person in (siti, ani, budi):
        await person.next_message()
    await cases.change_status(original, "closed", SYSTEM)
    closed = await siti.next_message()
    assert closed.plain_text.splitlines() == [
        f"📁 Laporan #{original} (🌊 Banjir) ditutup karena tidak ada keberatan setelah "
        "diselesaikan.",
        "Masalahnya muncul lagi? Kirim laporan baru dengan /report.",
    ]
    assert closed.buttons == ["📄 Lihat laporan"]
    assert "that you follow is closed: no objection came" in (await budi.next_message()).plain_text
