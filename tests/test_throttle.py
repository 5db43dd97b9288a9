"""One person flooding the bot gets one "slow down" and is ignored until they pause; nobody
else notices (MAX_UPDATES_PER_MINUTE)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import ConfigError, load_settings
from tests.conftest import TOKEN

SLOW = "terlalu cepat"


async def test_a_flood_gets_one_warning_and_is_dropped_until_it_calms_down(sandbox, make_bot):
    bot = await make_bot(MAX_UPDATES_PER_MINUTE="5")
    flood, calm = sandbox.citizen(first_name="Cepat"), sandbox.citizen(first_name="Tenang")
    for _ in range(12):
        await flood.send("/help")
    answers = [(await flood.next_message()).plain_text for _ in range(6)]
    await flood.expect_no_message(within=1.0)
    assert sum("/report" in text for text in answers) == 5, answers
    assert SLOW in answers[-1] and sum(SLOW in text for text in answers) == 1

    await calm.send("/help")
    assert "/report" in (await calm.next_message()).plain_text
    await flood.send("/help")  # still within the minute: still ignored, no second warning
    await flood.expect_no_message(within=0.5)

    bot.services.clock.advance(timedelta(seconds=61))
    await flood.send("/help")
    assert "/report" in (await flood.next_message()).plain_text


async def test_button_presses_count_too_and_admins_are_never_slowed(sandbox, make_bot, admin):
    await make_bot(MAX_UPDATES_PER_MINUTE="3")
    warga = sandbox.citizen()
    await warga.send("/start")
    menu = await warga.next_message()
    for _ in range(2):
        await warga.press(menu, callback_data="m:help")
        await warga.next_message()
    answer = await warga.press(menu, callback_data="m:help")
    assert answer.show_alert and SLOW in answer.text
    for _ in range(6):
        await admin.send("/help")
    for _ in range(6):
        assert "/report" in (await admin.next_message()).plain_text


def test_the_limit_is_a_setting():
    assert load_settings({"TELEGRAM_BOT_TOKEN": TOKEN}).max_updates_per_minute == 30
    with pytest.raises(ConfigError, match="MAX_UPDATES_PER_MINUTE"):
        load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, "MAX_UPDATES_PER_MINUTE": "lots"})


async def test_chatter_in_a_group_does_not_count(sandbox, make_bot, admin):
    await make_bot(MAX_UPDATES_PER_MINUTE="3")
    group = sandbox.group(title="RW 01")
    group.set_bot_status("administrator")  # an administrator bot receives every message
    warga = sandbox.citizen()
    group.add_member(warga)
    for number in range(8):
        await group.send(warga, f"Pagi semua, kabar ke-{number}")
    await group.expect_no_message(within=0.5)
    await warga.send("/help")
    assert "/report" in (await warga.next_message()).plain_text
