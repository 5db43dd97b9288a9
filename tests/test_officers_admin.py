"""Admins take officers off their areas and withdraw invites, from Telegram and from the CLI.

A removed officer's alert buttons stop working for them at once, and so does their staff cookie.
Invite tokens are stored only as hashes; an invite is named by a short id that is not secret.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from storage.db import Database, migrations
from storage.groups import OfficerRepository, Scope
from tests.conftest import RunningBot
from tests.helpers import file_report
from tests.test_ban import cli
from tests.test_groups import GAMBIR, linked_group, next_alert, officer_for
from tests.test_officers_and_nearby import invite_link
from tests.test_staff_pages import BASE, signed_in


class Alerted(NamedTuple):
    bot: RunningBot
    group: Any
    officer: Any
    ref: int
    card: Any


@pytest.fixture
async def alerted(sandbox, make_bot, admin) -> Alerted:
    """A bot with staff pages; Budi, an officer of Gambir, in its linked group; and the alert
    card there of a report from Gambir, for Budi to press once he is removed."""
    bot = await make_bot(WEB_BASE_URL=BASE)
    store = bot.services.store
    group = await linked_group(sandbox, store, admin, GAMBIR)
    officer = await officer_for(sandbox, store, admin, name="Budi")
    group.add_member(officer)
    ref = await file_report(sandbox.citizen(first_name="Siti"))
    card = await next_alert(group)
    return Alerted(bot, group, officer, ref, card)


def database_bytes(path: Path) -> bytes:
    """The database as it is on disk, with its write-ahead log (where new rows land first)."""
    parts = [path, path.with_name(path.name + "-wal")]
    return b"".join(part.read_bytes() for part in parts if part.exists())


async def test_an_admin_removes_an_officer_who_then_loses_buttons_and_pages(alerted, admin):
    bot, group, officer, ref, card = alerted
    store = bot.services.store
    async with signed_in(bot, officer) as web:
        assert (await web.get("/staff")).status_code == 200

        await officer.send("/officers")  # not an admin: neither the command nor a forged press
        refusal = await officer.next_message()
        assert "Hanya admin" in refusal.plain_text
        [row] = await store.db.fetchall("SELECT rowid FROM officers")
        answer = await officer.press(refusal, callback_data=f"of:ok:{row[0]}:{officer.user_id}")
        assert answer.show_alert and "Hanya admin" in answer.text
        assert await store.officers.covers(officer.user_id, [GAMBIR])

        await admin.send("/officers")
        listing = await admin.next_message()
        assert "1 penugasan petugas" in listing.plain_text
        assert listing.buttons == ["✖️ Budi · Kel. Gambir (Kec. Gambir)"]
        await admin.tap("Budi", message=listing)
        confirm = await admin.next_edit(listing)
        assert "Keluarkan Budi dari Kel. Gambir" in confirm.plain_text
        assert "admin grup yang ditautkan tetap dihitung petugas" in confirm.plain_text
        await admin.tap("Ya, keluarkan", message=confirm)
        assert "Budi tidak lagi petugas" in (await admin.next_edit(confirm)).plain_text

        assert not await store.officers.covers(officer.user_id, [GAMBIR])
        answer = await group.press(officer, card, callback_data=f"st:{ref}:ack")
        assert answer.show_alert and "Hanya petugas" in answer.text
        assert (await store.reports.get(ref)).status == "new"
        refused = await web.get("/staff")
        assert refused.status_code == 401
    await admin.send("/officers")
    assert "Belum ada petugas" in (await admin.next_message()).plain_text


@pytest.mark.sqlite_only  # reads the database file
async def test_invites_are_stored_hashed_listed_and_withdrawn(sandbox, bot, store, admin):
    link = await invite_link(admin, "kel. Gambir")
    token = link.split("start=inv_")[1]
    on_disk = database_bytes(Path(bot.settings.database_path))
    assert token.encode() not in on_disk
    assert hashlib.sha256(token.encode()).hexdigest().encode() in on_disk  # the right file was read
    [row] = await store.db.fetchall("SELECT * FROM officer_invites")
    assert token not in [str(value) for value in tuple(row)]

    second = await invite_link(admin, "kec. Gambir")
    await admin.send("/invites")
    listing = await admin.next_message()
    assert "2 undangan terbuka" in listing.plain_text
    assert [label.split(" · ")[:2] for label in listing.buttons] == [
        ["Cabut #1", "Kel. Gambir (Kec. Gambir)"],
        ["Cabut #2", "Kec. Gambir, Jakarta Pusat (6 kelurahan)"],
    ]
    stranger = sandbox.citizen(first_name="Joko")
    await stranger.send("/invites")
    refusal = await stranger.next_message()
    assert "Hanya admin" in refusal.plain_text
    answer = await stranger.press(refusal, callback_data="in:rv:2")
    assert answer.show_alert and "Hanya admin" in answer.text
    answer = await admin.tap("Cabut #2", message=listing)
    assert "Undangan #2 dicabut" in answer.text
    assert (await admin.next_edit(listing)).buttons[0].startswith("Cabut #1")

    await stranger.send("/start " + second.split("start=")[1])
    assert "sudah dicabut" in (await stranger.next_message()).plain_text
    assert not await store.officers.covers(stranger.user_id, [Scope("kecamatan", "Gambir")])
    officer = sandbox.citizen(first_name="Budi")
    await officer.send("/start " + link.split("start=")[1])
    assert "terdaftar sebagai petugas" in (await officer.next_message()).plain_text
    await stranger.send("/start " + link.split("start=")[1])
    assert "sudah dipakai" in (await stranger.next_message()).plain_text
    await admin.send("/invites")
    assert "Tidak ada undangan terbuka" in (await admin.next_message()).plain_text


async def test_migration_0011_expires_unhashed_invites_and_keeps_history(tmp_path):
    """SQLite cannot hash, so an open pre-0011 invite is expired rather than left readable."""
    db = Database(tmp_path / "old.sqlite3")
    await db.open(migrate=False)
    try:
        for version, _name, sql in migrations():
            if version < 11:
                await db.writer.executescript(f"{sql}\nPRAGMA user_version = {version};")
        await db.writer.executescript(
            "INSERT INTO officer_invites (token, scope, scope_key, created_by, created_at,"
            " expires_at) VALUES ('open-token', 'kelurahan', '3173080003', 1,"
            " '2026-01-01T00:00:00+00:00', '2999-01-01T00:00:00+00:00');"
            "INSERT INTO officer_invites VALUES ('used-token', 'kelurahan', '3173080003', 1,"
            " '2026-01-01T00:00:00+00:00', '2026-01-08T00:00:00+00:00', 42,"
            " '2026-01-02T00:00:00+00:00');"
        )
        assert "0011_hashed_invites.sql" in await db.migrate()
        rows = await db.fetchall("SELECT * FROM officer_invites ORDER BY id")
        assert [(r["id"], r["token_hash"], r["expires_at"], r["used_by"]) for r in rows] == [
            (1, None, "2026-01-01T00:00:00+00:00", None),
            (2, None, "2026-01-08T00:00:00+00:00", 42),
        ]
        outcome, _ = await OfficerRepository(db).redeem_invite("open-token", 7, datetime.now(UTC))
        assert outcome == "unknown"
    finally:
        await db.close()


async def test_the_officer_cli_lists_removes_and_revokes(sandbox, alerted, admin):
    bot, group, officer, ref, card = alerted
    pending = await invite_link(admin, "kec. Gambir")

    listed = await cli(bot, "officer", "list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split()[:4] == [str(officer.user_id), "Budi", "kel.", GAMBIR.key]
    invites = await cli(bot, "officer", "invites")
    assert invites.stdout.split()[:3] == ["#2", "kec.", "Gambir"], invites.stdout
    for args, error in (
        (("officer", "remove", "budi"), "is not a Telegram user id"),
        (("officer", "remove", str(officer.user_id), "--area", "Gambir"), "is ambiguous"),
        (("officer", "remove", str(officer.user_id), "--area", "Atlantis"), "unknown area"),
        (("officer", "remove", "999"), "999 is not an officer"),
        (("officer", "revoke-invite", "satu"), "is not an invite id"),
        (("officer", "revoke-invite", "1"), "invite #1 is not open"),  # used by Budi
    ):
        refused = await cli(bot, *args)
        assert refused.returncode == 2, refused
        assert refused.stderr.count("\n") == 1 and error in refused.stderr, refused.stderr

    async with signed_in(bot, officer) as web:
        assert (await web.get("/staff")).status_code == 200
        removed = await cli(bot, "officer", "remove", str(officer.user_id), "--area", "kel. Gambir")
        assert removed.returncode == 0, removed.stderr
        assert "removed" in removed.stdout and "administrators of a group" in removed.stdout
        assert (await web.get("/staff")).status_code == 401
    answer = await group.press(officer, card, callback_data=f"st:{ref}:ack")
    assert answer.show_alert and "Hanya petugas" in answer.text

    assert (await cli(bot, "officer", "revoke-invite", "#2")).returncode == 0
    joko = sandbox.citizen(first_name="Joko")
    await joko.send("/start " + pending.split("start=")[1])
    assert "sudah dicabut" in (await joko.next_message()).plain_text
