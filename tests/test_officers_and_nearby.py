"""Officer invite links, and the nearby-duplicate step of the report conversation."""

from __future__ import annotations

from storage.groups import Scope
from tests.helpers import MONAS, at_location_step, file_report

GAMBIR = Scope("kelurahan", "3173080003")


async def invite_link(admin, query="Gambir", pick=None):
    await admin.send(f"/invite {query}")
    reply = await admin.next_message()
    if pick is not None:
        await admin.tap(pick, message=reply)
        reply = await admin.next_message()
    return next(w for w in reply.plain_text.split() if w.startswith("https://t.me/"))


async def test_invite_links_valid_reused_expired_forged(sandbox, bot, store, admin):
    link = await invite_link(admin, "kel. Gambir")
    assert link.startswith("https://t.me/wargalapor_test_bot?start=inv_")
    payload = link.split("start=")[1]
    officer = sandbox.citizen(first_name="Budi")
    await officer.send(f"/start {payload}")
    assert "petugas Kel. Gambir (Kec. Gambir)" in (await officer.next_message()).plain_text
    assert await store.officers.covers(officer.user_id, [GAMBIR])

    other = sandbox.citizen(first_name="Joko")
    await other.send(f"/start {payload}")
    assert "sudah dipakai" in (await other.next_message()).plain_text
    await other.send("/start inv_forged-token-123")
    assert "tidak dikenal" in (await other.next_message()).plain_text

    expiring = await invite_link(admin, "Gambir", pick="Kec. Gambir, Jakarta Pusat (6 kelurahan)")
    async with store.db.transaction() as conn:
        await conn.execute("UPDATE officer_invites SET expires_at = '2020-01-01T00:00:00+00:00'")
    await other.send("/start " + expiring.split("start=")[1])
    assert "kedaluwarsa" in (await other.next_message()).plain_text
    assert not await store.officers.covers(other.user_id, [Scope("kecamatan", "Gambir")])


async def test_only_admins_invite_and_only_in_private(sandbox, bot, store, admin):
    citizen = sandbox.citizen()
    await citizen.send("/invite Gambir")
    assert "Hanya admin" in (await citizen.next_message()).plain_text
    group = sandbox.group(title="RW 01")
    group.add_member(admin, status="administrator")
    await group.send(admin, "/invite Gambir")
    assert "chat pribadi" in (await group.next_message()).plain_text
    await admin.send("/invite")
    assert "/invite Gambir" in (await admin.next_message()).plain_text


async def test_a_neighbour_follows_a_report_within_250_m(sandbox, bot, store):
    siti = sandbox.citizen(first_name="Siti")
    ref = await file_report(siti)
    budi = sandbox.citizen(first_name="Budi")
    await at_location_step(budi, "Banjir")
    await budi.share_location(-6.1760, 106.8275)  # about 75 m from the first report
    offer = await budi.next_message()
    assert offer.plain_text.startswith("📍 Kel. Gambir")  # the place taken, then the question
    assert f"#{ref}" in offer.plain_text and "🌊 Banjir" in offer.plain_text
    assert " m · " in offer.plain_text and "baru saja" in offer.plain_text
    await budi.tap(f"ikuti #{ref}")
    followed = await budi.next_message()
    assert f"mengikuti laporan #{ref}" in followed.plain_text and followed.removes_keyboard
    assert budi.user_id in await store.reports.followers(ref)
    assert (await store.reports.get(ref)).supporters == 1
    assert await store.reports.count_by_citizen(budi.user_id) == 0
    assert await store.drafts.get(budi.user_id) is None


async def test_mine_is_different_continues_the_report(sandbox, bot, store):
    siti = sandbox.citizen()
    ref = await file_report(siti)
    budi = sandbox.citizen()
    await at_location_step(budi, "Banjir")
    await budi.share_location(*MONAS)
    await budi.next_message()
    await budi.send("sama kok")
    assert f"#{ref}" in (await budi.next_message()).plain_text  # asked again, with the list
    await budi.tap("Laporan saya berbeda")
    assert "foto" in (await budi.next_message()).plain_text.lower()
    assert budi.user_id not in await store.reports.followers(ref)


async def test_reports_beyond_250_m_or_of_another_category_are_not_offered(sandbox, bot, store):
    siti = sandbox.citizen()
    await file_report(siti)
    budi = sandbox.citizen()
    await at_location_step(budi, "Banjir")
    await budi.share_location(-6.1754, 106.8302)  # about 330 m east
    assert "📷 Kirim foto" in (await budi.next_message()).plain_text  # straight to photos
    ani = sandbox.citizen()
    await at_location_step(ani, "Sampah")
    await ani.share_location(*MONAS)
    assert "📷 Kirim fotonya" in (await ani.next_message()).plain_text


async def test_own_reports_are_not_offered_to_follow(sandbox, bot, store):
    siti = sandbox.citizen()
    first = await file_report(siti)
    second = await file_report(siti, description="Air makin tinggi sore ini di sisi barat")
    assert second == first + 1
    assert not any("laporan serupa" in m.plain_text for m in siti.messages)
