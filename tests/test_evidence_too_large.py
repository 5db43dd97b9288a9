"""A citizen's photo too large to keep as evidence (over ``EVIDENCE_MAX_MB``) is not dropped in
silence (issue 18): the citizen is told once per photo, in their language, to send a smaller one
or a screenshot (the message takes a reply, and has the add-info button); the officers' card is
as it was; an officer's "after" photo over the limit tells nobody."""

from __future__ import annotations

import asyncio

from tests.helpers import jpeg
from tests.test_evidence import kept
from tests.test_groups import GAMBIR, linked_group, next_alert, officer_for, resolve_from
from tests.test_open311_media import phone_photo, report_with_photo

LIMIT = "0.05"  # MB: a phone photo is more, a small JPEG less


async def refused_again(store, photo_id: int) -> None:
    """Put a refused photo back in the job's queue, as a second process or a crash would find
    it, and wait until the job has refused it once more."""
    async with store.db.transaction() as conn:
        await conn.execute(
            "UPDATE evidence SET state = 'pending', last_error = NULL, next_attempt_at = ?"
            " WHERE photo_id = ?",
            ("2000-01-01T00:00:00+00:00", photo_id),
        )
    for _ in range(150):
        row = await store.evidence.by_photo(photo_id)
        if row.state == "refused" and row.last_error:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not refused again: {await store.evidence.by_photo(photo_id)}")


async def test_a_citizen_is_told_once_when_a_photo_is_too_large_to_keep(sandbox, make_bot, admin):
    bot = await make_bot(EVIDENCE_MAX_MB=LIMIT, OUTBOX_POLL_SECONDS="0.3")
    store = bot.services.store
    group = await linked_group(sandbox, store, admin, GAMBIR)
    officer = await officer_for(sandbox, store, admin)
    warga = sandbox.citizen()
    big = phone_photo()
    ref = await report_with_photo(warga, big)

    told = await warga.next_message()
    assert f"Foto Anda untuk laporan #{ref} terlalu besar" in told.plain_text, told.plain_text
    assert f"batasnya {LIMIT} MB" in told.plain_text
    assert "foto yang lebih kecil atau tangkapan layarnya" in told.plain_text
    assert "➕ Tambah info" in told.buttons
    [row] = await kept(store, ref, state="refused")
    # The officers' card still carries the citizen's photo (Telegram's copy), nothing more.
    card = await next_alert(group)
    assert card.kind == "photo" and sandbox.world.files[card.photo].data == big
    await group.expect_no_message(within=0.5)

    await refused_again(store, row.photo_id)  # the same photo again: no second word
    await warga.expect_no_message(within=1.0)

    # In English now; a reply to that message with another big photo adds it to the report,
    # and that photo (a new one) is told once, in English.
    await warga.send("/language")
    choice = await warga.next_message()
    await warga.tap("English", message=choice)
    await warga.next_edit(choice)
    await warga.send_photo(phone_photo(90), caption="Air naik lagi sore ini", reply_to=told)
    assert f"➕ Added to report #{ref}" in (await warga.next_message()).plain_text
    again = await warga.next_message()
    assert f"Your photo for report #{ref} is too large for us to keep" in again.plain_text
    assert f"the limit is {LIMIT} MB" in again.plain_text and "screenshot" in again.plain_text
    rows = await kept(store, ref, 2, state="refused")
    assert sorted(r.role for r in rows) == ["citizen", "update"]
    await group.next_message()  # the addition's notice under the card
    await warga.expect_no_message(within=0.8)

    # A small photo is kept and tells nobody anything.
    await warga.send_photo(jpeg(12), caption="Sudah surut", reply_to=told)
    assert "Added to report" in (await warga.next_message()).plain_text
    await kept(store, ref, 1, state="stored")
    await group.next_message()  # its notice
    await warga.expect_no_message(within=0.8)

    # An officer's "after" photo over the limit: refused, and nobody is asked to resend.
    await resolve_from(group, officer, card, photo=phone_photo(150))
    resolved = await warga.next_message()
    assert f"#{ref}" in resolved.plain_text and "resolved" in resolved.plain_text
    rows = await kept(store, ref, 3, state="refused")
    assert "resolution" in {r.role for r in rows}
    await warga.expect_no_message(within=0.8)
    assert [m for m in group.messages if "terlalu besar" in (m.text or "")] == []
    assert "terlalu besar" not in (officer.last_message.text if officer.last_message else "")
