"""Anonymous and confidential reports in Telegram (issue 18): the choice on the summary (one tap,
none for the default), the /settings default, a sensitive category starting confidential, the
group's card (and its edits) showing the reporter, or that they are anonymous, or the "🔒
Rahasia" mark, and follow-ups reaching the reporter in every mode.

Each anonymous check has a normal twin that shows the reporter where the anonymous one must not,
so an assertion that the name is absent can fail.
"""

from __future__ import annotations

from tests.helpers import (
    DESCRIPTION,
    MONAS,
    actions_of,
    at_location_step,
    file_report,
    reference_in,
    until_summary,
)
from tests.test_groups import GAMBIR, linked_group, next_alert, officer_for

NAME, SURNAME, USERNAME = "Siti", "Rahayu", "siti_rahayu"


def reporter(sandbox):
    """A citizen whose name, surname, username and id are easy to look for."""
    return sandbox.citizen(first_name=NAME, last_name=SURNAME, username=USERNAME)


def identity_in(text: str, person) -> list[str]:
    """Which of ``person``'s name, surname, username and Telegram id ``text`` contains (a raw
    message's HTML, so a profile link's id counts)."""
    return [part for part in (NAME, SURNAME, USERNAME, str(person.user_id)) if part in text]


async def file_as(warga, mode_button: str | None, **kwargs) -> int:
    """A report through the summary, with one tap on ``mode_button`` (a privacy choice) first
    when given; returns its reference."""
    summary = await until_summary(warga, **kwargs)
    if mode_button is not None:
        assert mode_button in summary.buttons, summary.buttons
        await warga.tap(mode_button)
        await warga.next_message()
    await warga.tap("Kirim laporan")
    return reference_in((await warga.next_message()).plain_text)


async def test_a_normal_card_shows_the_reporter_to_the_officers(sandbox, bot, store, admin):
    """The twin of the anonymous card: name, username and a link to the profile."""
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = reporter(sandbox)
    ref = await file_report(warga)
    card = await next_alert(group)
    assert f"#{ref}" in card.plain_text
    assert f"👤 Pelapor: {NAME} {SURNAME} (@{USERNAME})" in card.plain_text
    assert f'href="tg://user?id={warga.user_id}"' in card.text
    report = await store.reports.get(ref)
    assert (report.visibility, report.reporter_name) == ("public", f"{NAME} {SURNAME}")


async def test_anonymous_is_one_tap_and_the_card_never_names_the_reporter(
    sandbox, bot, store, admin
):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    officer = await officer_for(sandbox, store, admin)
    group.add_member(officer)
    warga = reporter(sandbox)
    summary = await until_summary(warga)
    assert "👤 Nama tampil" in summary.plain_text  # the default, sent without a tap
    await warga.tap("🕶️ Jadikan anonim")
    again = await warga.next_message()
    assert "petugas dan publik tidak melihat nama" in again.plain_text
    assert "🕶️ Anonim" in again.plain_text and "Nama tampil" not in again.plain_text
    assert "👤 Pakai nama saya" in again.buttons and "🔒 Jadikan rahasia" in again.buttons
    assert "🕶️ Jadikan anonim" not in again.buttons
    await warga.tap("Kirim laporan")
    ref = reference_in((await warga.next_message()).plain_text)
    # /report, category, location, photo, description, the privacy tap, send
    assert actions_of(sandbox, warga) == 7
    report = await store.reports.get(ref)
    assert report.visibility == "anonymous"
    assert (report.reporter_name, report.reporter_username) == (None, None)  # not even stored

    card = await next_alert(group)
    assert "🕶️ Pelapor anonim" in card.plain_text and DESCRIPTION in card.plain_text
    assert identity_in(card.text, warga) == []
    await group.tap(officer, "Terima", message=card)
    edited = await group.next_edit(card)
    assert "Diterima" in edited.plain_text and "🕶️ Pelapor anonim" in edited.plain_text
    assert identity_in(edited.text, warga) == []
    followup = await warga.next_message()  # the reporter is still told
    assert f"#{ref}" in followup.plain_text and "sudah diterima" in followup.plain_text

    await group.reply_to(card, officer, "Tim kebersihan menuju lokasi sore ini")
    saved = await group.next_message()
    assert "dikirim ke pelapor" in saved.plain_text
    assert identity_in(saved.text, warga) == []
    note = await warga.next_message()
    assert "Tim kebersihan menuju lokasi sore ini" in note.plain_text
    for message in group.messages:  # nothing the group got, edits included, names her
        assert identity_in(message.text or "", warga) == [], message.text


async def test_confidential_card_is_marked_and_the_reporter_is_still_told(
    sandbox, bot, store, admin
):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    officer = await officer_for(sandbox, store, admin)
    group.add_member(officer)
    warga = reporter(sandbox)
    ref = await file_as(warga, "🔒 Jadikan rahasia")
    assert (await store.reports.get(ref)).visibility == "confidential"
    card = await next_alert(group)
    assert "🔒 Rahasia" in card.plain_text
    # Confidential is about publishing: the responsible officers still see who wrote.
    assert f"{NAME} {SURNAME}" in card.plain_text
    await group.tap(officer, "Kerjakan", message=card)
    edited = await group.next_edit(card)
    assert "🔒 Rahasia" in edited.plain_text and "Dikerjakan" in edited.plain_text
    followup = await warga.next_message()
    assert f"#{ref}" in followup.plain_text


async def test_a_sensitive_category_starts_confidential(sandbox, bot, store):
    warga = reporter(sandbox)
    summary = await until_summary(warga, category="Keamanan", photos=0)
    assert "🔒 Rahasia" in summary.plain_text
    assert "👤 Pakai nama saya" in summary.buttons and "🕶️ Jadikan anonim" in summary.buttons
    await warga.tap("Kirim laporan")
    ref = reference_in((await warga.next_message()).plain_text)
    report = await store.reports.get(ref)
    assert (report.category_key, report.visibility) == ("security", "confidential")


async def test_the_settings_default_applies_to_the_next_report(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    warga = reporter(sandbox)
    await warga.send("/settings")
    settings = await warga.next_message()
    assert "privasi laporan Anda berikutnya: 👤 Biasa" in settings.plain_text
    assert settings.buttons == ["✓ 👤 Biasa", "🕶️ Anonim", "🔒 Rahasia"]
    await warga.tap("🕶️ Anonim", message=settings)
    saved = await warga.next_edit(settings)
    assert "Tersimpan: laporan Anda berikutnya dimulai 🕶️ Anonim" in saved.plain_text
    assert "✓ 🕶️ Anonim" in saved.buttons
    assert (await store.citizens.get(warga.user_id)).default_visibility == "anonymous"

    summary = await until_summary(warga)
    assert "🕶️ Anonim" in summary.plain_text and "👤 Pakai nama saya" in summary.buttons
    await warga.tap("Kirim laporan")
    ref = reference_in((await warga.next_message()).plain_text)
    assert (await store.reports.get(ref)).visibility == "anonymous"
    card = await next_alert(group)
    assert "🕶️ Pelapor anonim" in card.plain_text and identity_in(card.text, warga) == []
    # A sensitive category still starts confidential, whatever the default.
    second = await until_summary(warga, category="Keamanan", photos=0, description="x" * 12)
    assert "🔒 Rahasia" in second.plain_text


async def test_settings_in_english_and_a_forged_press(sandbox, bot, store):
    resident = sandbox.citizen(first_name="Ann", language_code="en")
    await resident.send("/settings")
    settings = await resident.next_message()
    assert "privacy of your next reports: 👤 Normal" in settings.plain_text
    await resident.tap("🔒 Confidential", message=settings)
    saved = await resident.next_edit(settings)
    assert "Saved: your next reports start 🔒 Confidential" in saved.plain_text
    answer = await resident.press(settings, callback_data="privacy:everyone")
    assert answer is not None and "expired" in answer.text  # and nothing changed
    assert (await store.citizens.get(resident.user_id)).default_visibility == "confidential"


async def test_a_confidential_report_is_not_offered_to_neighbours(sandbox, bot, store):
    """ "The same problem nearby?" would tell a neighbour that it exists; an anonymous one is
    offered (published, no name), a confidential one is not."""
    warga = reporter(sandbox)
    hidden = await file_as(warga, "🔒 Jadikan rahasia")
    shown = await file_as(warga, "🕶️ Jadikan anonim", category="Sampah")
    for category, ref, offered in (("Banjir", hidden, False), ("Sampah", shown, True)):
        tetangga = sandbox.citizen(first_name="Budi")
        await at_location_step(tetangga, category)
        await tetangga.share_location(*MONAS)
        answer = await tetangga.next_message()
        assert (f"#{ref}" in " ".join(answer.buttons)) is offered, answer.plain_text
        assert identity_in(answer.text, warga) == []
