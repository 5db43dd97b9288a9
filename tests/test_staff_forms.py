"""The report page's two forms, as an officer's browser submits them: a status change and a note
or photo that keeps the status. Plain forms and ``multipart/form-data`` (a form with a file
input), photos that reach the citizen without their EXIF, refusals that come back as the page
with what was typed, and the checks every form gets (CSRF, areas, sizes, malformed bodies).

Requests go to the real Starlette app over httpx's ASGI transport with the running test bot;
the citizen's follow-ups arrive at the sandbox.
"""

from __future__ import annotations

import asyncio
import io
import os
import re

import pytest
from PIL import Image

from bot.http.errors import ApiError
from tests.helpers import KOTA_TUA, file_report
from tests.test_groups import officer_for
from tests.test_staff_pages import client, csrf_of, pinangsia_report, signed_in
from tests.test_staff_security import agency_report

MAKER = "SecretPhoneMaker"


@pytest.fixture
async def staff_bot(make_bot):
    from tests.test_staff_pages import BASE

    return await make_bot(WEB_BASE_URL=BASE, OUTBOX_POLL_SECONDS="0.3")


def phone_jpeg(size: tuple[int, int] = (640, 480)) -> bytes:
    """A photo as a phone writes it: EXIF with the maker and the GPS position of the street."""
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = MAKER
    exif[0x8825] = {1: "S", 2: (6.0, 10.0, 31.5), 3: "E", 4: (106.0, 49.0, 37.9)}
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    data = out.getvalue()
    assert MAKER.encode() in data
    return data


def no_metadata(data: bytes) -> None:
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info and "icc_profile" not in image.info
    assert MAKER.encode() not in data and b"Exif" not in data


def uploads_of(bot) -> list:
    folder = bot.settings.database_path.parent / "uploads"
    return sorted(folder.iterdir()) if folder.exists() else []


def selected(page: str, name: str) -> list[str]:
    """The values of the options selected in the select called ``name``."""
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert found, f"no select {name}"
    return re.findall(r'<option value="([^"]*)" selected>', found.group(1))


async def test_the_status_form_chooses_nothing_and_a_refusal_keeps_what_was_typed(
    sandbox, staff_bot, admin
):
    store = staff_bot.services.store
    officer = await officer_for(sandbox, store, admin)
    ref = await file_report(sandbox.citizen())
    other = await pinangsia_report(staff_bot)  # outside Gambir
    async with signed_in(staff_bot, officer) as web:
        page = (await web.get(f"/staff/reports/{ref}")).text
        assert selected(page, "status") == [""]  # the placeholder: no status chosen for them
        assert '<select name="status" required>' in page
        assert 'class="dup-field"' in page and 'enctype="multipart/form-data"' in page
        csrf = csrf_of(page)
        url = f"/staff/reports/{ref}/status"

        empty = await web.post(url, data={"csrf": csrf, "status": "", "note": "Tim <SDA>"})
        assert empty.status_code == 400
        assert "Pilih status baru dulu." in empty.text
        assert "Masuk sebagai Budi" in empty.text and 'href="/staff?lang=id"' in empty.text
        assert ">Tim &lt;SDA&gt;</textarea>" in empty.text  # what they typed, escaped
        assert f"<h1>#{ref}</h1>" in empty.text  # the report's page, not a bare error

        rejected = await web.post(url, data={"csrf": csrf, "status": "rejected", "note": "  "})
        assert rejected.status_code == 400
        assert "Status Ditolak perlu catatan" in rejected.text
        assert selected(rejected.text, "status") == ["rejected"]
        assert 'role="alert"' in rejected.text

        wrong = await web.post(
            url, data={"csrf": csrf, "status": "duplicate", "duplicate_of": "#99999"}
        )
        assert wrong.status_code == 400 and "Isi nomor laporan asli" in wrong.text
        assert selected(wrong.text, "status") == ["duplicate"]
        assert 'name="duplicate_of" value="#99999"' in wrong.text

        theirs = await web.post(
            url, data={"csrf": csrf, "status": "duplicate", "duplicate_of": str(other)}
        )
        assert theirs.status_code == 403
        assert f"Laporan #{other} di luar wilayah Anda" in theirs.text
        assert 'class="status-form"' in theirs.text

        long_note = "x" * 701
        too_long = await web.post(url, data={"csrf": csrf, "status": "rejected", "note": long_note})
        assert too_long.status_code == 400 and "paling banyak 700" in too_long.text
        assert f">{long_note}</textarea>" in too_long.text

        english = await web.post(url + "?lang=en", data={"csrf": csrf, "status": "rejected"})
        assert "Rejected needs a note" in english.text and "Signed in as Budi" in english.text
    report = await store.reports.get(ref)
    assert report.status == "new" and len(await store.reports.events(ref)) == 1


async def test_resolving_with_a_photo_tells_the_citizen_with_it_cleaned(sandbox, staff_bot, admin):
    store = staff_bot.services.store
    officer = await officer_for(sandbox, store, admin)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    async with signed_in(staff_bot, officer) as web:
        csrf = csrf_of((await web.get(f"/staff/reports/{ref}")).text)
        done = await web.post(
            f"/staff/reports/{ref}/status",
            data={"csrf": csrf, "status": "resolved", "note": "Saluran sudah dikeruk"},
            files={"photo": ("IMG_2041.JPG", phone_jpeg((4000, 3000)), "image/jpeg")},
        )
        assert done.status_code == 303, done.text
        assert done.headers["location"].endswith("done=changed#notice")
        followup = await warga.next_message(timeout=5)
        assert followup.kind == "photo" and "sudah diselesaikan" in followup.plain_text
        assert "Saluran sudah dikeruk" in followup.plain_text
        sent = sandbox.world.files[followup.photo].data
        no_metadata(sent)
        with Image.open(io.BytesIO(sent)) as image:
            assert max(image.size) == 1600  # written again, at most 1600 px a side

        event = (await store.reports.events(ref))[-1]
        assert (event.new_status, event.actor_kind, event.actor_name) == (
            "resolved",
            "officer",
            "Budi",
        )
        [kept] = uploads_of(staff_bot)
        assert oct(os.stat(kept).st_mode & 0o777) == "0o600"
        for _ in range(50):  # Telegram's file_id replaces the local path after the upload
            [after] = [p for p in await store.reports.photos(ref) if p.role == "resolution"]
            if not after.file_id.startswith("local:"):
                break
            await asyncio.sleep(0.05)
        assert after.file_id == followup.photo

        page = (await web.get(done.headers["location"])).text
        assert "Status laporan" in page and "✅ Selesai" in page
        assert "Dari petugas (foto sesudah)" in page
        assert f"/staff/photos/{after.file_id}" in page
        assert str(kept.parent) not in page  # no server path on a page
        shown = await web.get(f"/staff/photos/{after.file_id}")
        assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert (await store.reports.get(ref)).status == "resolved"


async def test_a_local_photo_is_shown_by_its_name_not_its_path(sandbox, staff_bot, admin):
    """An agency's report has no one to tell: its photo stays a file beside the database."""
    store = staff_bot.services.store
    ref = await agency_report(staff_bot, "Sampah menumpuk di pinggir kali", where=KOTA_TUA)
    async with signed_in(staff_bot, admin) as web:
        csrf = csrf_of((await web.get(f"/staff/reports/{ref}")).text)
        noted = await web.post(
            f"/staff/reports/{ref}/note",
            data={"csrf": csrf, "note": ""},
            files={"photo": ("sesudah.png", _png(), "image/png")},
        )
        assert noted.status_code == 303, noted.text
        [kept] = uploads_of(staff_bot)
        [photo] = [p for p in await store.reports.photos(ref) if p.role == "resolution"]
        assert photo.file_id == f"local:{kept}"
        page = (await web.get(noted.headers["location"])).text
        assert "Catatan untuk laporan" in page and "tersimpan" in page
        address = f"/staff/photos/local:{kept.stem}"
        assert address in page and str(kept) not in page
        shown = await web.get(address)
        assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
        no_metadata(shown.content)
        for forged in ("local:" + "0" * 32, "local:..%2Fwargalapor", f"local:{kept}"):
            assert (await web.get(f"/staff/photos/{forged}")).status_code == 404, forged
    async with signed_in(staff_bot, await officer_for(sandbox, store, admin)) as web:
        assert (await web.get(address)).status_code == 403  # Pinangsia is not their area


async def _once_telegrams(store, ref: int, sent_as: str):
    """The report's photo row once the sender has swapped the local file for Telegram's (just
    after the citizen got it)."""
    for _ in range(100):
        for photo in await store.reports.photos(ref):
            if photo.file_id == sent_as:
                return photo
        await asyncio.sleep(0.05)
    raise AssertionError(f"no photo of #{ref} became {sent_as}")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (10, 200, 10, 128)).save(out, "PNG")
    return out.getvalue()


async def test_a_note_or_photo_keeps_the_status_and_reaches_the_citizen(sandbox, staff_bot, admin):
    store = staff_bot.services.store
    officer = await officer_for(sandbox, store, admin)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    async with signed_in(staff_bot, officer) as web:
        page = (await web.get(f"/staff/reports/{ref}")).text
        assert 'class="note-form"' in page and "Tambah catatan atau foto" in page
        csrf = csrf_of(page)
        url = f"/staff/reports/{ref}/note"
        nothing = await web.post(
            url,
            data={"csrf": csrf, "note": "  "},
            files={"photo": ("", b"", "application/octet-stream")},  # no file chosen
        )
        assert nothing.status_code == 400 and "Tulis catatan atau pilih foto dulu." in nothing.text
        assert 'id="note-form"' in nothing.text and "Masuk sebagai Budi" in nothing.text

        text_only = await web.post(url, data={"csrf": csrf, "note": "Petugas menuju lokasi"})
        assert text_only.status_code == 303
        note = await warga.next_message(timeout=5)
        assert "Catatan petugas" in note.plain_text and "Petugas menuju lokasi" in note.plain_text

        with_photo = await web.post(
            url,
            data={"csrf": csrf, "note": "Pompa sudah tiba"},
            files={"photo": ("pompa.jpg", phone_jpeg(), "image/jpeg")},
        )
        assert with_photo.status_code == 303
        photo = await warga.next_message(timeout=5)
        assert photo.kind == "photo" and "Pompa sudah tiba" in photo.plain_text
        no_metadata(sandbox.world.files[photo.photo].data)
        # A page opened before the upload to Telegram named the photo by its local name; once
        # the photo is Telegram's, that address still shows it (it used to be a 404: a broken
        # image for the officer, and a browser test that waited for it forever).
        kept = await _once_telegrams(store, ref, photo.photo)
        assert kept.file_unique_id.startswith("local:")  # the name the earlier page used
        shown = await web.get(f"/staff/photos/{kept.file_unique_id}")
        assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    report = await store.reports.get(ref)
    assert report.status == "new"
    events = await store.reports.events(ref)
    assert [(e.new_status, e.note) for e in events[1:]] == [
        ("new", "Petugas menuju lokasi"),
        ("new", "Pompa sudah tiba"),
    ]


async def test_files_that_are_not_photos_are_refused_and_nothing_is_kept(sandbox, staff_bot, admin):
    store = staff_bot.services.store
    officer = await officer_for(sandbox, store, admin)
    ref = await file_report(sandbox.citizen())
    async with signed_in(staff_bot, officer) as web:
        csrf = csrf_of((await web.get(f"/staff/reports/{ref}")).text)
        url = f"/staff/reports/{ref}/status"
        fakes = [
            ("foto.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
            ("foto.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),  # a PNG's start only
            ("anim.gif", b"GIF89a" + b"\x00" * 64, "image/gif"),
        ]
        for name, data, media_type in fakes:
            refused = await web.post(
                url,
                data={"csrf": csrf, "status": "resolved", "note": "Sudah bersih"},
                files={"photo": (name, data, media_type)},
            )
            assert refused.status_code == 400, name
            assert "bukan foto JPEG, PNG atau WebP" in refused.text
            assert "pilih lagi" in refused.text  # a file input cannot be filled again
            assert ">Sudah bersih</textarea>" in refused.text
            assert selected(refused.text, "status") == ["resolved"]

        over = b"\xff\xd8\xff\xe0" + b"\x00" * (10 * 1024 * 1024)  # the form fits, not the photo
        too_big = await web.post(
            url,
            data={"csrf": csrf, "status": "resolved", "note": "Sudah bersih"},
            files={"photo": ("big.jpg", over)},
        )
        assert too_big.status_code == 400 and "Foto lebih dari 10 MB" in too_big.text
        assert ">Sudah bersih</textarea>" in too_big.text
        body_over = over + b"\x00" * (100 * 1024)  # the whole form too: refused unread
        huge = await web.post(
            url, data={"csrf": csrf, "status": "resolved"}, files={"photo": ("big.jpg", body_over)}
        )
        assert huge.status_code == 413 and "Foto lebih dari 10 MB" in huge.text
        assert huge.headers["connection"] == "close"

        refused_change = await web.post(
            url,  # a photo with a change the rules refuse: the photo is not kept either
            data={"csrf": csrf, "status": "rejected"},
            files={"photo": ("ok.jpg", phone_jpeg(), "image/jpeg")},
        )
        assert refused_change.status_code == 400 and "pilih lagi" in refused_change.text
        await web.post(url, data={"csrf": csrf, "status": "acknowledged"})
        again = await web.post(
            url,  # already acknowledged: nothing changes, and the page says the photo stayed out
            data={"csrf": csrf, "status": "acknowledged"},
            files={"photo": ("ok.jpg", phone_jpeg(), "image/jpeg")},
        )
        assert again.status_code == 303 and "unchanged_dropped" in again.headers["location"]
        page = (await web.get(again.headers["location"])).text
        assert "catatan dan foto tidak dikirim" in page
    assert uploads_of(staff_bot) == []
    assert [p.role for p in await store.reports.photos(ref)] == ["citizen"]


async def test_every_form_checks_its_token_and_the_area(sandbox, staff_bot, admin):
    store = staff_bot.services.store
    officer = await officer_for(sandbox, store, admin)
    ref = await file_report(sandbox.citizen())
    other = await pinangsia_report(staff_bot)
    photo = {"photo": ("ok.jpg", phone_jpeg(), "image/jpeg")}
    async with client(staff_bot) as stranger:  # no session: refused before the body is read
        anonymous = await stranger.post(f"/staff/reports/{ref}/note", data={"note": "x"})
        assert anonymous.status_code == 401
    async with signed_in(staff_bot, officer) as web:
        csrf = csrf_of((await web.get(f"/staff/reports/{ref}")).text)
        for path in (f"/staff/reports/{ref}/note", f"/staff/reports/{ref}/status"):
            for token in ({}, {"csrf": "0" * 64}, {"csrf": "é" * 64}):
                forged = await web.post(
                    path, data={"note": "x", "status": "acknowledged", **token}, files=photo
                )
                assert forged.status_code == 403, (path, token)
                assert "Formulir kedaluwarsa" in forged.text
        outside = await web.post(
            f"/staff/reports/{other}/note", data={"csrf": csrf, "note": "x"}, files=photo
        )
        assert outside.status_code == 403 and "di luar wilayah Anda" in outside.text
        broken = await web.post(
            f"/staff/reports/{ref}/note",
            content=b"--xyz\r\nContent-Disposition: form-data; name=csrf\r\n\r\n" + csrf.encode(),
            headers={"content-type": "multipart/form-data; boundary=xyz"},
        )
        assert broken.status_code == 400 and "Formulir berisi teks" in broken.text
    assert len(await store.reports.events(ref)) == 1
    assert len(await store.reports.events(other)) == 1
    assert uploads_of(staff_bot) == []


async def test_what_the_reporter_added_has_its_own_box(sandbox, staff_bot, admin):
    store = staff_bot.services.store
    officer = await officer_for(sandbox, store, admin)
    warga = sandbox.citizen()
    ref = await file_report(warga)
    async with signed_in(staff_bot, officer) as web:
        before = (await web.get(f"/staff/reports/{ref}")).text
        assert 'class="additions"' not in before
        await warga.send("Airnya sudah sampai pinggang", reply_to=warga.last_message)
        assert "Ditambahkan" in (await warga.next_message()).plain_text
        page = (await web.get(f"/staff/reports/{ref}")).text
    box = re.search(r'<section class="additions">(.*?)</section>', page, re.S)
    assert box, page
    assert "Tambahan dari pelapor setelah melapor (1)" in box.group(1)
    assert "Airnya sudah sampai pinggang" in box.group(1)
    assert page.index('class="additions"') < page.index('class="status-form"')


def test_the_multipart_reader_takes_what_browsers_send():
    from bot.http.staff_upload import parse_multipart

    boundary = "----WebKitFormBoundaryx7Q"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="csrf"\r\n\r\nabc\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="note"\r\n\r\nBaris satu\r\nbaris dua ✓\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="photo"; filename="sesudah é.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + b"\xff\xd8\xff\r\n--not-the-boundary\r\n\xff\xd9"
        + (
            f"\r\n--{boundary}\r\n"
            'Content-Disposition: form-data; name="empty"; filename=""\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
            f"\r\n--{boundary}--\r\n"
        ).encode()
    )
    form = parse_multipart(body, f"multipart/form-data; boundary={boundary}")
    assert form.fields == {"csrf": "abc", "note": "Baris satu\r\nbaris dua ✓"}
    assert list(form.files) == ["photo"]  # a file input left empty is no file
    assert form.files["photo"].filename == "sesudah é.jpg"
    assert form.files["photo"].data == b"\xff\xd8\xff\r\n--not-the-boundary\r\n\xff\xd9"

    kind = "multipart/form-data; boundary=b"
    for broken, why in [
        (b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx', "no closing boundary"),
        (b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", "no Content-Disposition"),
        (b'--b\r\nContent-Disposition: form-data; name="a"\r\nx\r\n--b--', "no blank line"),
        (b"hello", "no boundary at the start"),
        (b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n\xff\r\n--b--', "not UTF-8"),
    ]:
        with pytest.raises(ApiError) as refused:
            parse_multipart(broken, kind)
        assert refused.value.status == 400, why
    with pytest.raises(ApiError):
        parse_multipart(b"--b--", "multipart/form-data")  # no boundary parameter
