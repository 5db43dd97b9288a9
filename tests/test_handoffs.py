"""Hand-offs (issue 18, "bukan wewenang kami"): from the card's ↪️ Serahkan and from
``case handoff``, the report moves to its new owner's groups (a new card there, the old cards
say who has it now and lose their buttons, groups that keep it keep their card), the reporter
hears who has it, the history keeps every hand-off and Open311 names the owner."""

from __future__ import annotations

from tests.helpers import file_report, run_cli
from tests.test_agencies import agency_group
from tests.test_groups import GAMBIR, PINANGSIA, linked_group, next_alert
from tests.test_open311 import BASE, client

GAMBIR_OWNER = "Kel. Gambir, Kec. Gambir, Jakarta Pusat"


async def owner_in_open311(bot, ref: int) -> str | None:
    async with client(bot) as api:
        response = await api.get(f"{BASE}/requests/{ref}.json")
    assert response.status_code == 200, response.text
    return response.json()[0]["agency_responsible"]


async def test_an_agency_hands_a_report_over_from_its_card(sandbox, bot, store, admin):
    gambir = await linked_group(sandbox, store, admin, GAMBIR)
    sda = await agency_group(sandbox, store, admin, "Dinas SDA", ["flood"])
    bina_marga = await agency_group(sandbox, store, admin, "Dinas Bina Marga", ["road_damage"])
    kepala = sandbox.citizen(first_name="Kepala SDA")
    sda.add_member(kepala, status="administrator")
    stranger = sandbox.citizen(first_name="Tamu")
    sda.add_member(stranger)
    bina_marga.add_member(stranger)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    kelurahan_card = await next_alert(gambir)
    card = await next_alert(sda)
    assert "↪️ Serahkan" in card.buttons
    assert await owner_in_open311(bot, ref) == GAMBIR_OWNER

    refused = await sda.tap(stranger, "Serahkan", message=card)
    assert refused.show_alert and "Hanya petugas" in refused.text
    await sda.tap(kepala, "Serahkan", message=card)
    picker = await sda.next_message()
    assert f"Serahkan laporan #{ref}" in picker.plain_text
    assert picker.buttons == ["Dinas Bina Marga", "Dinas SDA", "✖️ Batal"]
    await sda.tap(kepala, "Dinas Bina Marga", message=picker)
    question = await sda.next_edit(picker)
    assert f"mengapa laporan #{ref} diserahkan ke Dinas Bina Marga" in question.plain_text
    await sda.reply_to(question, kepala, "")  # an empty reply is no reason
    await sda.reply_to(question, kepala, "Ini jalan berlubang, bukan banjir")
    done = await sda.next_edit(question)
    assert f"Laporan #{ref} diserahkan ke Dinas Bina Marga" in done.plain_text

    new_card = await next_alert(bina_marga)
    assert f"Laporan #{ref}" in new_card.plain_text and "✅ Selesai" in new_card.buttons
    for group, old in ((sda, card), (gambir, kelurahan_card)):
        retired = await group.next_edit(old)
        assert "Diserahkan ke Dinas Bina Marga" in retired.plain_text
        assert retired.buttons == []
    told = await warga.next_message()
    assert f"#{ref}" in told.plain_text
    assert "Diserahkan ke Dinas Bina Marga" in told.plain_text
    assert "Ini jalan berlubang, bukan banjir" in told.plain_text

    [handoff] = await store.handoffs.of_report(ref)
    assert (handoff.from_owner, handoff.to_owner) == (GAMBIR_OWNER, "Dinas Bina Marga")
    assert handoff.note == "Ini jalan berlubang, bukan banjir"
    assert handoff.actor_id == kepala.user_id
    last = (await store.reports.events(ref))[-1]
    assert "Diserahkan ke Dinas Bina Marga" in (last.note or "")
    assert await owner_in_open311(bot, ref) == "Dinas Bina Marga"

    # Not Dinas SDA's any more: its head cannot move it, Bina Marga's stranger cannot hand it.
    await sda.send(kepala, f"/move {ref} Pinangsia")
    assert "Hanya petugas" in (await sda.next_message()).plain_text
    refused = await bina_marga.tap(stranger, "Serahkan", message=new_card)
    assert refused.show_alert and "Hanya petugas" in refused.text
    assert (await store.reports.get(ref)).area_code == GAMBIR.key

    # Bina Marga gives it back to its kelurahan: Gambir's group has it again, with a new card.
    await bina_marga.tap(admin, "Serahkan", message=new_card)
    picker = await bina_marga.next_message()
    assert picker.buttons == ["Dinas SDA", f"🏘️ {GAMBIR_OWNER}", "✖️ Batal"]
    await bina_marga.tap(admin, GAMBIR_OWNER, message=picker)
    question = await bina_marga.next_edit(picker)
    await bina_marga.reply_to(question, admin, "Banjir, bukan jalan rusak")
    assert f"diserahkan ke {GAMBIR_OWNER}" in (await bina_marga.next_edit(question)).plain_text
    assert f"Laporan #{ref}" in (await next_alert(gambir)).plain_text
    retired = await bina_marga.next_edit(new_card)
    assert f"Diserahkan ke {GAMBIR_OWNER}" in retired.plain_text and retired.buttons == []
    assert "Banjir, bukan jalan rusak" in (await warga.next_message()).plain_text
    assert await owner_in_open311(bot, ref) == GAMBIR_OWNER
    assert len(await store.handoffs.of_report(ref)) == 2


async def test_a_handoff_from_the_cli_to_an_area_and_to_an_agency(sandbox, bot, store, admin):
    gambir = await linked_group(sandbox, store, admin, GAMBIR)
    pinangsia = await linked_group(sandbox, store, admin, PINANGSIA, title="Kelurahan Pinangsia")
    sda = await agency_group(sandbox, store, admin, "Dinas SDA", ["flood"])
    warga = sandbox.citizen()
    ref = await file_report(warga)
    gambir_card = await next_alert(gambir)
    sda_card = await next_alert(sda)

    both = await run_cli(
        bot, "case", "handoff", str(ref), "--to-area", "Pinangsia", "--to-agency", "Dinas SDA"
    )
    assert both.returncode == 2 and "one of --to-agency" in both.stderr
    bare = await run_cli(bot, "case", "handoff", str(ref), "--to-area", "Pinangsia")
    assert bare.returncode == 2 and "--note is required" in bare.stderr
    unknown = await run_cli(
        bot, "case", "handoff", str(ref), "--to-agency", "Dinas PU", "--note", "x"
    )
    assert unknown.returncode == 2 and "no agency named 'Dinas PU'" in unknown.stderr
    wide = await run_cli(
        bot, "case", "handoff", str(ref), "--to-area", "Jakarta Barat", "--note", "x"
    )
    assert wide.returncode == 2 and "name one kelurahan" in wide.stderr

    moved = await run_cli(
        bot,
        "case",
        "handoff",
        f"#{ref}",
        "--to-area",
        "Pinangsia",
        "--note",
        "Lokasinya di Pinangsia, bukan Gambir",
        "--by",
        "Operator Kota",
    )
    assert moved.returncode == 0, moved.stderr
    area = bot.services.areas.by_code[PINANGSIA.key]
    pinangsia_owner = f"Kel. {area.name}, Kec. {area.district}, {area.city}"
    assert f"#{ref}: handed over to {pinangsia_owner} (by Operator Kota)" in moved.stdout
    new_card = await next_alert(pinangsia)
    assert f"Laporan #{ref}" in new_card.plain_text
    retired = await gambir.next_edit(gambir_card)
    assert f"Diserahkan ke {pinangsia_owner}" in retired.plain_text and retired.buttons == []
    kept = await sda.next_edit(sda_card)  # Dinas SDA handles floods everywhere: its card stays
    assert "bukan lagi urusan grup ini" not in kept.plain_text and "✅ Selesai" in kept.buttons
    assert f"Diserahkan ke {pinangsia_owner}" in kept.plain_text  # the last change, as a note
    told = await warga.next_message()
    assert f"Diserahkan ke {pinangsia_owner}" in told.plain_text
    assert "Lokasinya di Pinangsia, bukan Gambir" in told.plain_text
    assert await owner_in_open311(bot, ref) == pinangsia_owner

    to_sda = await run_cli(
        bot, "case", "handoff", str(ref), "--to-agency", "dinas sda", "--note", "Urusan SDA"
    )
    assert to_sda.returncode == 0, to_sda.stderr
    retired = await pinangsia.next_edit(new_card)
    assert "Diserahkan ke Dinas SDA" in retired.plain_text and retired.buttons == []
    assert "Urusan SDA" in (await warga.next_message()).plain_text
    assert await owner_in_open311(bot, ref) == "Dinas SDA"
    again = await run_cli(
        bot, "case", "handoff", str(ref), "--to-agency", "Dinas SDA", "--note", "lagi"
    )
    assert again.returncode == 0 and "already with Dinas SDA" in again.stdout

    history = [(h.from_owner, h.to_owner, h.note) for h in await store.handoffs.of_report(ref)]
    assert history == [
        (GAMBIR_OWNER, pinangsia_owner, "Lokasinya di Pinangsia, bukan Gambir"),
        (pinangsia_owner, "Dinas SDA", "Urusan SDA"),
    ]
    shown = await run_cli(bot, "case", "show", str(ref))
    assert "Diserahkan ke Dinas SDA" in shown.stdout
    assert "Diserahkan ke " + pinangsia_owner in shown.stdout
