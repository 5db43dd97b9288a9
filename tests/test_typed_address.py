"""A citizen types an address instead of sharing a point: the geocoder finds it, the citizen
confirms it on a map; a slow or broken geocoder falls back to the offline answer."""

from __future__ import annotations

import pytest

from tests.helpers import at_location_step


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
