"""``python -m bot case export REF``: a report's case file as a zip: the history with who and when,
the reporter's additions, every kept photo with a manifest of SHA-256s, and no phone number or
Telegram id anywhere in it."""

from __future__ import annotations

import hashlib
import json
import zipfile

from tests.helpers import file_report, jpeg, run_cli
from tests.test_add_info import acknowledged
from tests.test_evidence import kept
from tests.test_groups import resolve_from

PHONE = "0812-3456-7890"
SAID = f"Air setinggi lutut di depan pintu timur, hubungi saya {PHONE}"
ADDED = "Sekarang sudah sampai pinggang, hubungi +62 812 3456 7890"


async def test_the_zip_holds_history_additions_and_checksummed_photos(
    sandbox, bot, store, admin, tmp_path
):
    warga = sandbox.citizen()
    ref, group, card, followup = await acknowledged(
        sandbox, store, admin, warga, photos=2, description=SAID
    )
    await warga.send(ADDED, reply_to=followup)
    await warga.next_message()
    await group.next_message()  # the officers' notice of it
    await warga.send_photo(jpeg(7), reply_to=followup)
    await warga.next_message()
    await group.next_message()
    await resolve_from(group, admin, card, photo=jpeg(99), caption="Sudah dikeruk")
    await kept(store, ref, 4)

    output = tmp_path / "case.zip"
    done = await run_cli(bot, "case", "export", str(ref), "--output", str(output))
    assert done.returncode == 0, done.stderr
    assert f"case file of #{ref}" in done.stdout and "4 of 4 photos" in done.stdout

    with zipfile.ZipFile(output) as archive:
        names = set(archive.namelist())
        files = {name: archive.read(name) for name in names}
    assert {"case.json", "summary.txt", "manifest.sha256"} <= names
    photos = sorted(name for name in names if name.startswith("photos/"))
    assert len(photos) == 4

    # The manifest's checksums are those of the files, and name every other file.
    listed = {}
    for line in files["manifest.sha256"].decode().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert set(listed) == names - {"manifest.sha256"}
    for name, digest in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name

    # The photos are the original bytes, each with its role and checksum.
    case = json.loads(files["case.json"])
    originals = {jpeg(0), jpeg(1), jpeg(7), jpeg(99)}
    assert {files[name] for name in photos} == originals
    roles = sorted(photo["role"] for photo in case["photos"])
    assert roles == ["citizen", "citizen", "resolution", "update"]
    for photo in case["photos"]:
        assert photo["sha256"] == hashlib.sha256(files[photo["file"]]).hexdigest()
        assert photo["received_at"] and photo["state"] == "stored"

    # The history: every status with who and when; the additions.
    moves = [(e["from_status"], e["to_status"], e["by"]) for e in case["history"]]
    assert moves[0] == (None, "new", "citizen")
    assert ("new", "acknowledged", "admin") in moves  # an admin acting as an officer
    assert ("acknowledged", "resolved", "admin") in moves
    assert all(event["at"] for event in case["history"])
    resolved = next(e for e in case["history"] if e["to_status"] == "resolved")
    assert resolved["note"] == "Sudah dikeruk" and resolved["photo"] in photos
    assert resolved["name"] == "Admin"
    assert [a["note"] for a in case["additions"] if a["note"]] == [
        "Sekarang sudah sampai pinggang, hubungi [phone]"
    ]
    summary = files["summary.txt"].decode()
    assert f"Case file of report #{ref}" in summary and "acknowledged → resolved" in summary

    # No phone number, no Telegram id of the reporter, in any file.
    for name, data in files.items():
        for leak in (PHONE, "812 3456", "3456-7890", str(warga.user_id)):
            assert leak.encode() not in data, (name, leak)
    assert "[phone]" in case["report"]["description"]


async def test_unknown_report_and_existing_output_are_refused_clearly(bot, tmp_path):
    unknown = await run_cli(bot, "case", "export", "99999")
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == "wargalapor: report #99999 not found"

    taken = tmp_path / "taken.zip"
    taken.write_bytes(b"an earlier case file")
    again = await run_cli(bot, "case", "export", "1001", "--output", str(taken))
    assert again.returncode == 2 and "already exists" in again.stderr
    assert taken.read_bytes() == b"an earlier case file"

    bad = await run_cli(bot, "case", "export", "12ab")
    assert bad.returncode == 2 and "is not a reference" in bad.stderr


async def test_a_photo_not_kept_is_listed_with_the_reason(sandbox, make_bot, tmp_path):
    bot = await make_bot(EVIDENCE_MAX_MB="0.0001")  # ~100 bytes: every test photo is over
    ref = await file_report(sandbox.citizen())
    await kept(bot.services.store, ref, state="refused")
    done = await run_cli(bot, "case", "export", str(ref), "--output", str(tmp_path))
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(tmp_path / f"case-{ref}.zip") as archive:
        case = json.loads(archive.read("case.json"))
        assert not [name for name in archive.namelist() if name.startswith("photos/")]
    [photo] = case["photos"]
    assert photo["file"] is None and photo["state"] == "refused"
    assert "limit" in photo["note"]
