"""Agency staff follow a case from the terminal while the bot runs: `python -m bot case ...`."""

from __future__ import annotations

import asyncio
import subprocess

import pytest

from bot.domain.statuses import STATUSES
from bot.playground.botapi import TINY_JPEG
from tests.conftest import RunningBot, make_settings
from tests.helpers import DESCRIPTION, file_report, run_cli


@pytest.fixture
async def fast_bot(sandbox, tmp_path, admin, admins_group):
    """The bot polling its outbox every 0.3 s: the CLI cannot wake it, so it must look often."""
    settings = make_settings(
        sandbox,
        tmp_path / "data" / "wargalapor.sqlite3",
        ADMIN_USER_IDS=str(admin.user_id),
        ADMIN_CHAT_ID=str(admins_group.chat_id),
        OUTBOX_POLL_SECONDS="0.3",
    )
    running = RunningBot(settings)
    await running.start()
    yield running
    await running.stop()


async def case(bot: RunningBot, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot case ...` on the bot's database, without blocking the bot's event loop."""
    return await run_cli(bot, "case", *args)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


async def test_staff_show_list_and_update_a_case_and_the_citizen_hears(sandbox, fast_bot, tmp_path):
    warga = sandbox.citizen()
    ref = await file_report(warga, photos=1)

    shown = ok(await case(fast_bot, "show", f"#{ref}"))
    assert f"Report #{ref}" in shown and "Flood (flood)" in shown
    assert "Status:      new" in shown
    assert "Kel. Gambir, Kec. Gambir, Jakarta Pusat [3173080003]" in shown
    assert DESCRIPTION in shown and "Photos:      1 (1 from the citizen, 0 from staff)" in shown
    assert "WIB" in shown and "citizen          filed: new" in shown
    assert str(warga.user_id) not in shown

    listed = ok(await case(fast_bot, "list", "--status", "new", "--area", "Gambir"))
    header, *rows = listed.splitlines()
    assert "Kel. Gambir (Kec. Gambir)" in header and "status: new" in header
    assert len(rows) == 1 and rows[0].split()[:4] == [f"#{ref}", "new", "Flood", "Gambir"]
    assert f"#{ref}" not in ok(await case(fast_bot, "list", "--status", "resolved"))
    assert f"#{ref}" in ok(await case(fast_bot, "list", "--area", "3173080003", "--limit", "1"))

    updated = ok(
        await case(
            fast_bot, "update", str(ref), "--status", "acknowledged", "--note", "Tim menuju lokasi"
        )
    )
    assert f"#{ref}: new → acknowledged (by agency (CLI))" in updated
    followup = await warga.next_message(timeout=5)
    assert f"Laporan #{ref}" in followup.plain_text and "sudah diterima" in followup.plain_text
    assert "Tim menuju lokasi" in followup.plain_text

    noted = ok(
        await case(fast_bot, "update", str(ref), "--note", "Pompa air dikirim", "--by", "Dinas SDA")
    )
    assert "note added, status stays acknowledged (by Dinas SDA)" in noted
    note = await warga.next_message(timeout=5)
    assert "Catatan petugas" in note.plain_text and "Pompa air dikirim" in note.plain_text

    after = tmp_path / "sesudah.jpeg"
    after.write_bytes(TINY_JPEG)
    resolved = ok(
        await case(fast_bot, "update", str(ref), "--status", "resolved", "--photo", str(after))
    )
    uploads = list((fast_bot.settings.database_path.parent / "uploads").iterdir())
    assert len(uploads) == 1 and uploads[0].suffix == ".jpg"
    assert "acknowledged → resolved" in resolved and str(uploads[0]) in resolved
    photo = await warga.next_message(timeout=5)
    assert photo.kind == "photo" and "sudah diselesaikan" in photo.plain_text
    store = fast_bot.services.store
    for _ in range(50):  # Telegram's file_id replaces the local path right after the upload
        staff_photos = [p for p in await store.reports.photos(ref) if p.role == "resolution"]
        if not staff_photos[0].file_id.startswith("local:"):
            break
        await asyncio.sleep(0.05)
    assert staff_photos[0].file_id == photo.photo

    history = ok(await case(fast_bot, "show", str(ref))).split("History:")[1].splitlines()[1:]
    assert len(history) == 4
    assert history[1].endswith('agency (CLI)     new → acknowledged  "Tim menuju lokasi"')
    assert history[2].endswith('Dinas SDA        note  "Pompa air dikirim"')
    assert history[3].endswith("agency (CLI)     acknowledged → resolved  [photo]")

    again = ok(await case(fast_bot, "update", str(ref), "--status", "resolved"))
    assert "already resolved: nothing changed" in again
    refused = await case(fast_bot, "update", str(ref), "--status", "in_progress")
    assert refused.returncode == 2
    assert refused.stderr == (
        f"wargalapor: report #{ref} is resolved; it cannot become in_progress,"
        " only: closed, reopened\n"
    )
    await warga.expect_no_message(within=0.5)


async def test_bad_arguments_are_one_line_and_exit_code_2(sandbox, fast_bot, tmp_path):
    ref = await file_report(sandbox.citizen(), photos=0)
    not_an_image = tmp_path / "foto.jpg"
    not_an_image.write_text("not really a photo")
    valid = ", ".join(STATUSES)
    cases = [
        (("show", "99999"), "report #99999 not found"),
        (("show", "abc"), "'abc' is not a reference"),
        (("update", "99999", "--status", "acknowledged"), "report #99999 not found"),
        (("update", str(ref), "--status", "fixed"), f"unknown status 'fixed'; valid: {valid}"),
        (("list", "--status", "open"), f"unknown status 'open'; valid: {valid}"),
        (
            ("update", str(ref), "--status", "closed"),
            f"report #{ref} is new; it cannot become closed,"
            " only: acknowledged, in_progress, resolved, rejected, duplicate",
        ),
        (("update", str(ref), "--status", "rejected"), "rejected needs the reason"),
        (("update", str(ref), "--status", "duplicate"), "needs --duplicate-of REF"),
        (
            ("update", str(ref), "--status", "duplicate", "--duplicate-of", "99999"),
            "--duplicate-of #99999: no such report",
        ),
        (
            ("update", str(ref), "--status", "duplicate", "--duplicate-of", f"#{ref}"),
            "cannot duplicate itself",
        ),
        (("update", str(ref), "--photo", str(tmp_path / "missing.jpg")), "no such file"),
        (("update", str(ref), "--photo", str(not_an_image)), "not a JPEG, PNG or WebP image"),
        (("update", str(ref)), "nothing to update"),
        (("list", "--area", "Atlantis"), "unknown area 'Atlantis'"),
        (("list", "--area", "Gambi"), "did you mean: Kel. Gambir (Kec. Gambir)"),
    ]
    gate = asyncio.Semaphore(4)

    async def run(args: tuple[str, ...]) -> subprocess.CompletedProcess[str]:
        async with gate:
            return await case(fast_bot, *args)

    results = await asyncio.gather(*(run(args) for args, _ in cases))
    for (args, expected), result in zip(cases, results, strict=True):
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("wargalapor: "), (args, result.stderr)
        assert expected in lines[0], (args, lines[0])
        assert "Traceback" not in result.stderr and result.stdout == ""
    report = await fast_bot.services.store.reports.get(ref)
    assert report is not None and report.status == "new"
    assert len(await fast_bot.services.store.reports.events(ref)) == 1
    assert not (fast_bot.settings.database_path.parent / "uploads").exists()
