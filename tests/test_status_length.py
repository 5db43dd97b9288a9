"""Messages built from people's words stay within Telegram's limits (4,096 characters for a text,
1,024 for a caption; the sandbox refuses longer ones as Telegram does): long staff notes shorten,
and a long history keeps its latest events behind a pointer to the earlier ones."""

from __future__ import annotations

from bot.domain.cases import Actor
from storage.photos import PhotoRef
from tests.helpers import file_report, jpeg
from tests.test_groups import GAMBIR, linked_group, next_alert

AGENCY = Actor("agency", None, "Dinas SDA")


def note(number: int, length: int = 1000) -> str:
    head = f"Catatan ke-{number}: "
    return head + "x" * (length - len(head))


async def test_status_and_view_answer_after_six_long_notes(sandbox, bot, store):
    warga = sandbox.citizen()
    ref = await file_report(warga)
    for number in range(1, 7):
        await bot.services.cases.add_note(ref, AGENCY, note=note(number))
        followup = await warga.next_message()
        assert "Catatan ke-" in followup.plain_text
    await warga.send(f"/status {ref}")
    shown = await warga.next_message()
    assert len(shown.plain_text) <= 4096
    assert f"Laporan #{ref}" in shown.plain_text and "Catatan ke-6" in shown.plain_text
    await warga.tap("Lihat", message=followup)
    viewed = await warga.next_message()
    assert len(viewed.plain_text) <= 4096 and "Catatan ke-6" in viewed.plain_text

    own = Actor("citizen", warga.user_id, None)  # their own notes: no follow-ups to wait for
    async with store.db.transaction() as conn:  # nor 24 edits of the admins' card (20 a minute)
        await conn.execute("DELETE FROM alert_messages WHERE report_id = ?", (ref,))
    for number in range(7, 31):
        await bot.services.cases.add_note(ref, own, note=note(number))
    await warga.send(f"/status {ref}")
    shown = (await warga.next_message()).plain_text
    assert len(shown) <= 4096 and "Catatan ke-30" in shown
    assert "pembaruan sebelumnya tidak ditampilkan" in shown and "Catatan ke-1:" not in shown


async def test_a_long_note_with_a_photo_still_reaches_the_reporter_and_the_card(
    sandbox, bot, store, admin
):
    """A follow-up with a photo is a caption (1,024); the card's last note shortens too."""
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    card = await next_alert(group)
    photo = sandbox.api.make_photo(jpeg(9))[-1]
    await bot.services.cases.add_note(
        ref, AGENCY, note=note(1, 5000), photo=PhotoRef(photo["file_id"], photo["file_unique_id"])
    )
    followup = await warga.next_message()
    assert followup.kind == "photo" and "Catatan ke-1" in followup.plain_text
    assert len(followup.plain_text) <= 1024
    refreshed = await group.next_edit(card)
    assert "Catatan ke-1" in refreshed.plain_text and len(refreshed.plain_text) <= 4096
