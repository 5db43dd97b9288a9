"""Banned citizens: one polite answer an hour, nothing stored, buttons refused; bans from
Telegram (/ban with an id, or as a reply to an alert card) and from the CLI."""

from __future__ import annotations

import subprocess
from datetime import timedelta

from tests.conftest import RunningBot
from tests.helpers import file_report, jpeg, run_cli
from tests.test_groups import next_alert

POLITE = "tidak dapat lagi memakai layanan ini"


async def cli(bot: RunningBot, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m bot ...`` on the bot's database, with the bot's ADMIN_USER_IDS."""
    admins = ",".join(str(user) for user in bot.settings.admin_user_ids)
    return await run_cli(bot, *args, ADMIN_USER_IDS=admins)


async def rows(store, sql: str, *params) -> int:
    return len(await store.db.fetchall(sql, params))


async def test_a_banned_citizen_gets_one_polite_answer_an_hour_and_nothing_is_stored(
    sandbox, bot, store, admin
):
    warga = sandbox.citizen(first_name="Iseng")
    await warga.send("/start")
    welcome = await warga.next_message()
    await admin.send(f"/ban {warga.user_id}")
    assert "diblokir" in (await admin.next_message()).plain_text

    await warga.send("/report")
    assert POLITE in (await warga.next_message()).plain_text
    await warga.send("Banjir di depan rumah")
    await warga.send_photo(jpeg(1))
    await warga.share_location(-6.1754, 106.8272)
    await warga.expect_no_message(within=1.0)
    answer = await warga.press(welcome, callback_data="m:report")
    assert answer.show_alert and POLITE in answer.text
    assert await rows(store, "SELECT 1 FROM drafts WHERE user_id = ?", warga.user_id) == 0
    assert await rows(store, "SELECT 1 FROM reports WHERE citizen_id = ?", warga.user_id) == 0

    bot.services.clock.advance(timedelta(minutes=61))
    await warga.send("halo?")
    assert POLITE in (await warga.next_message()).plain_text

    await admin.send(f"/unban {warga.user_id}")
    assert "dicabut" in (await admin.next_message()).plain_text
    await warga.send("/report")
    assert "Pilih kategori" in (await warga.next_message()).plain_text


async def test_ban_by_replying_to_an_alert_card_leaves_open_reports(
    sandbox, bot, store, admin, admins_group
):
    warga = sandbox.citizen(first_name="Iseng")
    ref = await file_report(warga)
    card = await next_alert(admins_group)
    lurah = sandbox.citizen(first_name="Lurah")
    admins_group.add_member(lurah)
    await admins_group.reply_to(card, lurah, "/ban")
    assert "Hanya admin" in (await admins_group.next_message()).plain_text
    await admins_group.reply_to(card, admin, "/ban")
    banned = (await admins_group.next_message()).plain_text
    assert f"pelapor laporan #{ref} diblokir" in banned and str(warga.user_id) not in banned
    assert (await store.citizens.get(warga.user_id)).banned_at is not None
    assert (await store.reports.get(ref)).status == "new"
    await warga.send("/myreports")
    assert POLITE in (await warga.next_message()).plain_text
    await admin.send(f"/ban {admin.user_id}")
    assert "tidak dapat diblokir" in (await admin.next_message()).plain_text


async def test_ban_and_unban_from_the_cli(sandbox, bot, store, admin):
    warga = sandbox.citizen(first_name="Iseng")
    await warga.send("/start")
    await warga.next_message()
    banned = await cli(bot, "citizen", "ban", str(warga.user_id))
    assert banned.returncode == 0 and f"{warga.user_id} banned" in banned.stdout
    await warga.send("halo")
    assert POLITE in (await warga.next_message()).plain_text
    for args, error in (
        (("citizen", "ban", "abc"), "is not a Telegram user id"),
        (("citizen", "ban", str(admin.user_id)), "an admin cannot be banned"),
    ):
        refused = await cli(bot, *args)
        assert refused.returncode == 2, refused
        assert refused.stderr.count("\n") == 1 and error in refused.stderr, refused.stderr
    unbanned = await cli(bot, "citizen", "unban", str(warga.user_id))
    assert unbanned.returncode == 0 and "unbanned" in unbanned.stdout
    await warga.send("/help")
    assert POLITE not in (await warga.next_message()).plain_text
