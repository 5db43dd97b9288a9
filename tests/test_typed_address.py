"""A citizen types an address instead of sharing a point: the geocoder finds it, the citizen
confirms it on a map; a slow or broken geocoder falls back to the offline answer."""

from __future__ import annotations

import pytest

from tests.helpers import at_location_step, jpeg, reference_in


@pytest.fixture
async def geo_bot(make_geo_bot):
    return await make_geo_bot(seconds="0.5")


async def test_a_typed_address_is_found_shown_and_confirmed(sandbox, geo_bot, nominatim):
    warga = sandbox.citizen()
    await at_location_step(warga)
    await warga.send("Jalan Medan Merdeka Barat")
    pin = await warga.next_message()
    assert pin.kind == "venue" and abs(pin.lat + 6.1754) < 0.01
    question = await warga.next_message()
    assert "Medan Merdeka Barat" in question.plain_text and "✅ Ya, di sini" in question.buttons
    assert nominatim.requests[-1].user_agent == "wargalapor-tests"
    await warga.tap("Ya, di sini")
    photos_prompt = await warga.next_message()
    assert "Kel. Gambir" in photos_prompt.plain_text and "foto" in photos_prompt.plain_text
    draft = await geo_bot.services.store.drafts.get(warga.user_id)
    assert abs(draft.lat + 6.1754) < 0.01 and "Medan Merdeka Barat" in draft.address


async def test_a_shared_point_gets_its_street_address(sandbox, geo_bot, nominatim):
    warga = sandbox.citizen()
    await at_location_step(warga)
    await warga.share_location(-6.1754, 106.8272)
    await warga.next_message()
    draft = await geo_bot.services.store.drafts.get(warga.user_id)
    assert draft.address and "Medan Merdeka Barat" in draft.address
    assert "/reverse" in nominatim.paths()


async def test_an_unknown_address_is_asked_again(sandbox, geo_bot):
    warga = sandbox.citizen()
    await at_location_step(warga)
    await warga.send("Jalan Tidak Ada Di Mana Pun 99")
    reply = await warga.next_message()
    assert "tidak saya temukan" in reply.plain_text and "📍 Kirim lokasi saya" in reply.buttons


@pytest.mark.parametrize("trouble", ["failure", "timeout"])
async def test_a_broken_geocoder_falls_back_to_area_names(sandbox, geo_bot, nominatim, trouble):
    if trouble == "failure":
        nominatim.fail_with(500)
    else:
        nominatim.delay(3.0)
    warga = sandbox.citizen()
    await at_location_step(warga)
    await warga.send("Kelurahan Pinangsia")
    pin = await warga.next_message(timeout=5)
    assert pin.kind == "venue"
    question = await warga.next_message()
    assert "Kel. Pinangsia" in question.plain_text
    await warga.tap("Ya, di sini")
    assert "Kel. Pinangsia" in (await warga.next_message()).plain_text


async def test_offline_geocoder_knows_kelurahan_names(sandbox, bot):
    warga = sandbox.citizen()
    await at_location_step(warga)
    await warga.send("ragunan")
    await warga.next_message()
    question = await warga.next_message()
    assert "Kel. Ragunan, Kec. Pasar Minggu, Jakarta Selatan" in question.plain_text


async def test_a_typed_area_name_is_one_place_line_marked_approximate(sandbox, bot, store):
    """The offline geocoder finds an area's middle, not a street: the place reads once (not
    "Kel. Gambir … · Kel. Gambir …") and says it is only around there, and the report says so."""
    warga = sandbox.citizen()
    await at_location_step(warga)
    await warga.send("Gambir")
    await warga.next_message()  # the pin
    await warga.next_message()
    await warga.tap("Ya, di sini")
    photo_prompt = await warga.next_message()
    assert "📍 sekitar Kel. Gambir, Jakarta Pusat" in photo_prompt.plain_text
    await warga.send_photo(jpeg(1), caption="Genangan di jalan utama sejak pagi")
    summary = await warga.next_message()
    assert summary.plain_text.count("Gambir") == 1, summary.plain_text
    assert "sekitar Kel. Gambir" in summary.plain_text
    await warga.tap("Kirim laporan")
    report = await store.reports.get(reference_in((await warga.next_message()).plain_text))
    assert report.approximate and report.address is None


async def test_a_typed_area_name_in_english(sandbox, bot, store):
    resident = sandbox.citizen(language_code="en")
    await at_location_step(resident, "Flood")
    await resident.send("kec. Gambir")
    await resident.next_message()
    await resident.next_message()
    await resident.tap("Yes, here")
    assert "📍 around Kel." in (await resident.next_message()).plain_text


async def test_a_street_found_is_not_approximate(sandbox, geo_bot, nominatim):
    warga = sandbox.citizen()
    await at_location_step(warga)
    await warga.send("Jalan Medan Merdeka Barat")
    await warga.next_message()
    await warga.next_message()
    await warga.tap("Ya, di sini")
    photo_prompt = await warga.next_message()
    assert (
        "Medan Merdeka Barat" in photo_prompt.plain_text
        and "sekitar" not in photo_prompt.plain_text
    )
    assert not (await geo_bot.services.store.drafts.get(warga.user_id)).approximate


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("id", "saya hanya tahu nama kelurahan, kecamatan dan kota"),
        ("en", "I only know kelurahan, kecamatan and city names"),
    ],
)
async def test_the_offline_geocoder_says_it_knows_area_names_only(sandbox, bot, language, said):
    warga = sandbox.citizen(language_code=language)
    await warga.send("/report")
    await warga.next_message()
    await warga.send("banjir" if language == "id" else "flood")
    asked = await warga.next_message()
    assert ("nama kelurahannya" if language == "id" else "type the kelurahan") in asked.plain_text
    await warga.send("Jalan Tidak Ada Di Mana Pun 99")
    reply = await warga.next_message()
    assert said in reply.plain_text and reply.has_reply_keyboard
