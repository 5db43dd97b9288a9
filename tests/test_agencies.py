"""Agencies (issue 18): a report reaches its kelurahan's group and the groups of the agencies
handling its category there, each with its own card; admins manage agencies from the CLI and
/agency; an agency group's administrators act on that agency's reports only."""

from __future__ import annotations

from storage.groups import Scope
from tests.helpers import file_report, run_cli
from tests.test_groups import GAMBIR, PINANGSIA, linked_group, next_alert, next_alert_parts

KEC_GAMBIR = Scope("kecamatan", "Gambir")


async def agency_group(sandbox, store, admin, name, categories, scopes=(), *, title=None):
    """An agency and its group, the admin an administrator of it (as linked_group does)."""
    agency_id = await store.agencies.create(name, list(categories), list(scopes), admin.user_id)
    assert agency_id is not None
    group = sandbox.group(title=title or name)
    group.add_member(admin, status="administrator")
    assert await store.agencies.link(agency_id, group.chat_id, group.title, admin.user_id)
    return group


async def test_a_report_reaches_its_kelurahan_and_the_agencies_of_its_category(
    sandbox, bot, store, admin
):
    gambir = await linked_group(sandbox, store, admin, GAMBIR)
    sda = await agency_group(sandbox, store, admin, "Dinas SDA", ["flood", "blocked_drain"])
    pln = await agency_group(sandbox, store, admin, "PLN", ["street_light"], [KEC_GAMBIR])
    # An agency of Pinangsia's only: a flood at Monas (Gambir) is not its business.
    elsewhere = await agency_group(sandbox, store, admin, "Dinas SDA Utara", ["flood"], [PINANGSIA])
    warga = sandbox.citizen()
    flood = await file_report(warga)
    card_gambir, _ = await next_alert_parts(gambir)
    card_sda, _ = await next_alert_parts(sda)
    for card in (card_gambir, card_sda):
        assert f"Laporan #{flood}" in card.plain_text
        assert "Banjir" in card.plain_text
        assert "Selesai" in " ".join(card.buttons)

    light = await file_report(sandbox.citizen(), category="Lampu jalan mati")
    assert f"Laporan #{light}" in (await next_alert(gambir)).plain_text
    assert f"Laporan #{light}" in (await next_alert(pln)).plain_text
    await sda.expect_no_message()
    await elsewhere.expect_no_message()
    assert not any(f"#{light}" in m.plain_text for m in sda.messages + elsewhere.messages)
    assert pln.messages[-1].buttons  # its own card, with the officers' buttons


async def test_agency_group_admins_act_on_their_agencys_reports_only(sandbox, bot, store, admin):
    await linked_group(sandbox, store, admin, GAMBIR)
    sda = await agency_group(sandbox, store, admin, "Dinas SDA", ["flood"])
    pln = await agency_group(sandbox, store, admin, "PLN", ["street_light"])
    sda_head = sandbox.citizen(first_name="Kepala SDA")
    sda.add_member(sda_head, status="administrator")
    pln_head = sandbox.citizen(first_name="Kepala PLN")
    pln.add_member(pln_head, status="administrator")
    pln.add_member(sda_head)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    card = await next_alert(sda)
    # PLN's administrator, in PLN's group, on a flood: not PLN's report to move.
    await pln.send(pln_head, f"/move {ref} Pinangsia")
    assert "Hanya petugas" in (await pln.next_message()).plain_text
    await sda.tap(sda_head, "Terima", message=card)
    edited = await sda.next_edit(card)
    assert "Diterima" in edited.plain_text or "diterima" in edited.plain_text.lower()
    assert (await store.reports.get(ref)).status != "new"
    told = await warga.next_message()
    assert f"#{ref}" in told.plain_text


async def test_only_an_admin_links_a_group_to_an_agency_with_agency(sandbox, bot, store, admin):
    await store.agencies.create("Dinas SDA", ["flood"], [], admin.user_id)
    group = sandbox.group(title="Grup Dinas SDA")
    kepala = sandbox.citizen(first_name="Kepala")
    group.add_member(kepala, status="administrator")
    group.add_member(admin)
    await group.send(kepala, "/agency Dinas SDA")
    assert "Hanya admin WargaLapor" in (await group.next_message()).plain_text
    await admin.send("/agency Dinas SDA")
    assert "dipakai di grup instansi" in (await admin.next_message()).plain_text
    assert await store.agencies.of_chat(group.chat_id) == []
    await group.send(admin, "/agency Dinas PU")
    unknown = (await group.next_message()).plain_text
    assert "“Dinas PU” tidak dikenal" in unknown and "Dinas SDA" in unknown
    await group.send(admin, "/agency dinas sda")
    assert "kini menerima laporan untuk Dinas SDA" in (await group.next_message()).plain_text
    await group.send(kepala, "/agency")
    assert "• Dinas SDA" in (await group.next_message()).plain_text
    [linked] = await store.agencies.of_chat(group.chat_id)
    assert linked.name == "Dinas SDA"
    warga = sandbox.citizen()
    ref = await file_report(warga)
    assert f"Laporan #{ref}" in (await next_alert(group)).plain_text
    await group.send(kepala, "/agency off Dinas SDA")
    assert "Hanya admin WargaLapor" in (await group.next_message()).plain_text
    await group.send(admin, "/agency off Dinas SDA")
    assert "tidak lagi menerima laporan untuk Dinas SDA" in (await group.next_message()).plain_text
    assert await store.agencies.of_chat(group.chat_id) == []


async def test_agencies_from_the_cli(sandbox, bot, store, admin):
    made = await run_cli(
        bot, "agency", "create", "Dinas SDA", "--categories", "flood,blocked_drain"
    )
    assert made.returncode == 0, made.stderr
    assert "Dinas SDA: blocked_drain, flood | everywhere | groups: no group yet" in made.stdout
    again = await run_cli(bot, "agency", "create", "dinas sda", "--categories", "flood")
    assert again.returncode == 2 and "exists" in again.stderr
    bad = await run_cli(bot, "agency", "create", "PLN", "--categories", "lampu")
    assert bad.returncode == 2 and "unknown categories: lampu" in bad.stderr
    assert "street_light" in bad.stderr
    where = await run_cli(
        bot, "agency", "create", "PLN", "--categories", "street_light", "--areas", "Atlantis"
    )
    assert where.returncode == 2 and "unknown area" in where.stderr
    pln = await run_cli(
        bot, "agency", "create", "PLN", "--categories", "street_light", "--areas", "kec. Gambir"
    )
    assert pln.returncode == 0, pln.stderr
    group = sandbox.group(title="Dinas SDA")
    linked = await run_cli(bot, "agency", "link-group", "Dinas SDA", str(group.chat_id))
    assert linked.returncode == 0 and "now receives Dinas SDA" in linked.stdout
    nobody = await run_cli(bot, "agency", "link-group", "Dinas PU", str(group.chat_id))
    assert nobody.returncode == 2 and "no agency named 'Dinas PU'" in nobody.stderr
    listed = await run_cli(bot, "agency", "list")
    assert f"Dinas SDA: blocked_drain, flood | everywhere | groups: {group.chat_id}" in (
        listed.stdout
    )
    assert "PLN: street_light | kec. Gambir | groups: no group yet" in listed.stdout

    ref = await file_report(sandbox.citizen())
    assert f"Laporan #{ref}" in (await next_alert(group)).plain_text

    removed = await run_cli(bot, "agency", "remove", "Dinas SDA")
    assert removed.returncode == 0 and "removed Dinas SDA" in removed.stdout
    assert await store.agencies.by_name("Dinas SDA") is None
    assert await store.agencies.of_chat(group.chat_id) == []
    widened = await run_cli(bot, "agency", "set", "pln", "--areas", "all")
    assert widened.returncode == 0, widened.stderr
    assert "PLN: street_light | everywhere" in widened.stdout
    listed = await run_cli(bot, "agency", "list")
    assert "Dinas SDA" not in listed.stdout and "PLN: street_light | everywhere" in listed.stdout
