"""/status shows the whole story to the reporter and only the public part to anyone else;
/myreports pages through a citizen's reports, newest first."""

from __future__ import annotations

from tests.helpers import file_report


async def test_status_privacy(sandbox, bot):
    siti = sandbox.citizen(first_name="Siti")
    ref = await file_report(siti)
    await siti.send(f"/status {ref}")
    own = await siti.next_message()
    assert f"Laporan #{ref}" in own.plain_text
    assert "Air setinggi lutut" in own.plain_text  # the description
    assert "Riwayat" in own.plain_text and "🆕 Baru" in own.plain_text
    assert "WIB" in own.plain_text

    tetangga = sandbox.citizen(first_name="Budi", language_code="en")
    await tetangga.send(f"/status #{ref}")
    public = await tetangga.next_message()
    assert f"Report #{ref}" in public.plain_text
    assert "Kel. Gambir" in public.plain_text and "🆕 New" in public.plain_text
    assert "Air setinggi lutut" not in public.plain_text
    assert "History" not in public.plain_text


async def test_status_usage_and_unknown_reference(sandbox, bot):
    warga = sandbox.citizen()
    await warga.send("/status")
    assert "/status 1042" in (await warga.next_message()).plain_text
    await warga.send("/status abc")
    assert "/status 1042" in (await warga.next_message()).plain_text
    await warga.send("/status 99999")
    assert "#99999 tidak ditemukan" in (await warga.next_message()).plain_text


async def test_status_in_a_group_shows_only_the_public_part(sandbox, bot):
    siti = sandbox.citizen()
    ref = await file_report(siti)
    group = sandbox.group(title="Kelurahan Gambir")
    group.add_member(siti)
    await group.send(siti, f"/status {ref}")
    reply = await group.next_message()
    assert f"#{ref}" in reply.plain_text and "Air setinggi" not in reply.plain_text


async def test_my_reports_is_paginated_newest_first(sandbox, make_bot):
    # Seven reports in seconds are faster than any person types: above the per-minute throttle.
    await make_bot(MAX_UPDATES_PER_MINUTE="200")
    warga = sandbox.citizen()
    await warga.send("/myreports")
    assert "belum punya laporan" in (await warga.next_message()).plain_text
    refs = []
    for number in range(7):
        refs.append(
            await file_report(warga, description=f"Genangan air nomor {number} di jalan utama")
        )
    await warga.send("/myreports")
    first_page = await warga.next_message()
    assert "(7)" in first_page.plain_text and "1/2" in first_page.plain_text
    assert [f"#{r}" for r in reversed(refs[-5:])] == [
        label for label in first_page.buttons if label.startswith("#")
    ]
    assert "◀️ Sebelumnya" not in first_page.buttons
    await warga.tap("Berikutnya")
    second_page = await warga.next_edit(first_page)
    assert "2/2" in second_page.plain_text
    assert f"#{refs[0]}" in second_page.buttons and f"#{refs[1]}" in second_page.buttons
    assert "Berikutnya ▶️" not in second_page.buttons
    await warga.tap(f"#{refs[0]}")
    detail = await warga.next_message()
    assert f"Laporan #{refs[0]}" in detail.plain_text


async def test_start_language_and_command_menu(sandbox, bot, store):
    warga = sandbox.citizen(first_name="Siti", language_code="id")
    await warga.send("/start")
    welcome = await warga.next_message()
    assert "Halo, Siti" in welcome.plain_text
    assert "📝 Buat laporan" in welcome.buttons
    await warga.tap("Bahasa")
    choose = await warga.next_message()
    await warga.tap("English", message=choose)
    assert "English" in (await warga.next_edit(choose)).plain_text
    await warga.send("/help")
    assert "How to report" in (await warga.next_message()).plain_text
    assert (await store.citizens.get(warga.user_id)).language == "en"
    commands = [c for c in sandbox.world.calls if c.method == "setMyCommands"]
    menus = {
        (c.params["scope"]["type"], c.params.get("language_code")): len(c.params["commands"])
        for c in commands
    }
    assert menus == {
        ("all_private_chats", None): 9,
        ("all_private_chats", "en"): 9,
        ("all_group_chats", None): 7,  # /help, /area, /status, /move, /link, /unlink, /agency
        ("all_group_chats", "en"): 7,
    }


async def test_start_report_deep_link_opens_a_report(sandbox, bot):
    warga = sandbox.citizen()
    await warga.send("/start report")
    assert "Pilih kategori" in (await warga.next_message()).plain_text
