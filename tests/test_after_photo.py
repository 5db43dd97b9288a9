"""A category whose reports are resolved only with an "after" photo (``resolve_photo =
"required"``, e.g. garbage) is held to it on every surface, not only in the group: the staff
form, the case CLI, the update API and Open311. A photo given with the change, or one staff
attached since the report was last reopened, is the proof; a category that allows it
(``"optional"``, e.g. flood) still resolves without one everywhere.

The group's own question (✅ Selesai asks for the photo) is in tests/test_officer_questions.py.
"""

from __future__ import annotations

import pytest

from bot.playground.botapi import TINY_JPEG
from tests.helpers import file_report, jpeg, run_cli
from tests.open311_spec import refused, valid
from tests.test_groups import officer_for
from tests.test_open311 import BASE as OPEN311
from tests.test_open311 import assert_error, new_key, seed
from tests.test_open311 import client as api_client
from tests.test_staff_forms import no_metadata, phone_jpeg, selected, uploads_of
from tests.test_staff_pages import csrf_of, signed_in

REQUIRED_LABEL = "Foto sesudah (wajib untuk Selesai di kategori ini)"
REFUSED_ID = "Laporan 🗑️ Sampah baru bisa Selesai dengan foto “sesudah”"
REFUSED_EN = "A 🗑️ Garbage report can be resolved only with an “after” photo"


@pytest.fixture
async def staff_bot(make_bot):
    """The staff pages' address, and an outbox polled often enough for the CLI's rows."""
    from tests.test_staff_pages import BASE

    return await make_bot(WEB_BASE_URL=BASE, OUTBOX_POLL_SECONDS="0.3")


async def test_the_staff_form_resolves_garbage_only_with_its_photo(sandbox, staff_bot, admin):
    store = staff_bot.services.store
    officer = await officer_for(sandbox, store, admin)
    warga = sandbox.citizen()
    ref = await file_report(warga, category="Sampah")
    async with signed_in(staff_bot, officer) as web:
        page = (await web.get(f"/staff/reports/{ref}")).text
        assert REQUIRED_LABEL in page
        csrf = csrf_of(page)
        url = f"/staff/reports/{ref}/status"

        bare = await web.post(
            url, data={"csrf": csrf, "status": "resolved", "note": "Sudah diangkut <pagi>"}
        )
        assert bare.status_code == 400
        assert REFUSED_ID in bare.text and 'role="alert"' in bare.text
        assert selected(bare.text, "status") == ["resolved"]  # shown again as it was sent
        assert ">Sudah diangkut &lt;pagi&gt;</textarea>" in bare.text
        assert f"<h1>#{ref}</h1>" in bare.text and "Masuk sebagai Budi" in bare.text
        english = await web.post(url + "?lang=en", data={"csrf": csrf, "status": "resolved"})
        assert english.status_code == 400 and REFUSED_EN in english.text
        assert (await store.reports.get(ref)).status == "new"
        assert len(await store.reports.events(ref)) == 1 and uploads_of(staff_bot) == []
        await warga.expect_no_message(within=0.5)

        done = await web.post(  # the same form, the photo chosen this time: one submit
            url,
            data={"csrf": csrf, "status": "resolved", "note": "Sudah diangkut pagi ini"},
            files={"photo": ("IMG_3001.JPG", phone_jpeg(), "image/jpeg")},
        )
        assert done.status_code == 303, done.text
        assert done.headers["location"].endswith("done=changed#notice")
        told = await warga.next_message(timeout=5)
        assert told.kind == "photo" and "sudah diselesaikan" in told.plain_text
        assert "Sudah diangkut pagi ini" in told.plain_text
        no_metadata(sandbox.world.files[told.photo].data)
    report = await store.reports.get(ref)
    assert report.status == "resolved"
    event = (await store.reports.events(ref))[-1]
    assert event.new_status == "resolved" and event.photo_file_id is not None


async def test_a_flood_still_resolves_from_the_form_without_a_photo(sandbox, staff_bot, admin):
    store = staff_bot.services.store
    officer = await officer_for(sandbox, store, admin)
    warga = sandbox.citizen()
    ref = await file_report(warga)  # resolve_photo = "optional"
    async with signed_in(staff_bot, officer) as web:
        page = (await web.get(f"/staff/reports/{ref}")).text
        assert REQUIRED_LABEL not in page and "foto sesudah untuk Selesai; boleh kosong" in page
        done = await web.post(
            f"/staff/reports/{ref}/status",
            data={"csrf": csrf_of(page), "status": "resolved", "note": "Air sudah surut"},
        )
        assert done.status_code == 303, done.text
    told = await warga.next_message(timeout=5)
    assert told.kind == "text" and "sudah diselesaikan" in told.plain_text
    assert (await store.reports.get(ref)).status == "resolved"


async def test_a_photo_attached_earlier_counts_until_the_report_is_reopened(
    sandbox, staff_bot, admin
):
    store = staff_bot.services.store
    officer = await officer_for(sandbox, store, admin)
    warga = sandbox.citizen()
    ref = await file_report(warga, category="Sampah")
    async with signed_in(staff_bot, officer) as web:
        csrf = csrf_of((await web.get(f"/staff/reports/{ref}")).text)
        noted = await web.post(
            f"/staff/reports/{ref}/note",
            data={"csrf": csrf, "note": "Sudah diangkut"},
            files={"photo": ("sesudah.jpg", phone_jpeg(), "image/jpeg")},
        )
        assert noted.status_code == 303, noted.text
        assert (await warga.next_message(timeout=5)).kind == "photo"
        resolved = await web.post(
            f"/staff/reports/{ref}/status", data={"csrf": csrf, "status": "resolved"}
        )
        assert resolved.status_code == 303, resolved.text
        assert "sudah diselesaikan" in (await warga.next_message(timeout=5)).plain_text

        reopened = await run_cli(staff_bot, "case", "update", str(ref), "--status", "reopened")
        assert reopened.returncode == 0, reopened.stderr
        await warga.next_message(timeout=5)  # "reopened"
        again = await web.post(
            f"/staff/reports/{ref}/status", data={"csrf": csrf, "status": "resolved"}
        )
        assert again.status_code == 400 and REFUSED_ID in again.text  # the old fix is no proof
    assert (await store.reports.get(ref)).status == "reopened"


async def test_the_cli_refuses_garbage_without_photo_and_takes_it_with_one(
    sandbox, staff_bot, tmp_path
):
    store = staff_bot.services.store
    warga = sandbox.citizen()
    ref = await file_report(warga, category="Sampah")
    bare = await run_cli(staff_bot, "case", "update", str(ref), "--status", "resolved")
    assert bare.returncode == 2 and bare.stdout == ""
    assert bare.stderr == (
        f"wargalapor: report #{ref} is in category garbage, which is resolved only with an"
        ' "after" photo: add --photo PATH (a JPEG, PNG or WebP of the fixed problem)\n'
    )
    assert (await store.reports.get(ref)).status == "new" and uploads_of(staff_bot) == []
    await warga.expect_no_message(within=0.5)

    after = tmp_path / "sesudah.jpg"
    after.write_bytes(TINY_JPEG)
    done = await run_cli(
        staff_bot, "case", "update", str(ref), "--status", "resolved", "--photo", str(after)
    )
    assert done.returncode == 0, done.stderr
    assert f"#{ref}: new → resolved" in done.stdout
    told = await warga.next_message(timeout=5)
    assert told.kind == "photo" and "sudah diselesaikan" in told.plain_text
    assert (await store.reports.get(ref)).status == "resolved"

    flood_reporter = sandbox.citizen()
    flood = await file_report(flood_reporter)
    plain = await run_cli(staff_bot, "case", "update", str(flood), "--status", "resolved")
    assert plain.returncode == 0, plain.stderr
    assert f"#{flood}: new → resolved" in plain.stdout
    assert (await flood_reporter.next_message(timeout=5)).kind == "text"


async def test_the_update_apis_answer_400_until_staff_attach_the_photo(staff_bot):
    store = staff_bot.services.store
    garbage = await seed(staff_bot, "garbage", description="Sampah menumpuk di trotoar")
    flood = await seed(staff_bot)
    key = await new_key(staff_bot)
    api_url = f"/api/v1/requests/{garbage}/updates"
    open311_url = f"{OPEN311}/servicerequestupdates"
    async with api_client(staff_bot) as api:
        resolved = await api.post(api_url, data={"api_key": key, "status": "resolved"})
        linked = await api.post(  # a link is not a photo: the bot fetches nothing
            api_url,
            data={"api_key": key, "status": "FIXED", "media_url": "https://dinas.example/7.jpg"},
        )
        closed = await api.post(api_url, data={"api_key": key, "status": "closed"})
        mysociety = {"api_key": key, "service_request_id": str(garbage), "status": "FIXED"}
        as_json = await api.post(f"{open311_url}.json", data=mysociety)
        as_xml = await api.post(f"{open311_url}.xml", data=mysociety)
        flood_fixed = await api.post(
            f"/api/v1/requests/{flood}/updates", data={"api_key": key, "status": "FIXED"}
        )
    for answer in (resolved, linked, closed, as_json):
        assert_error(answer, 400, f"request {garbage} (garbage) is resolved only with an after")
    assert "--photo PATH" in resolved.json()[0]["description"]
    assert "after photo" in refused(as_xml, 400)
    assert as_xml.headers["content-type"].startswith("text/xml")
    assert (await store.reports.get(garbage)).status == "new"
    assert len(await store.reports.events(garbage)) == 1  # not even the link was kept
    assert flood_fixed.status_code == 200 and flood_fixed.json()["detailed_status"] == "resolved"

    photo = TINY_JPEG
    path = staff_bot.settings.database_path.parent / "sesudah.jpg"
    path.parent.mkdir(parents=True, exist_ok=True)  # on PostgreSQL no SQLite file made it
    path.write_bytes(photo)
    noted = await run_cli(staff_bot, "case", "update", str(garbage), "--photo", str(path))
    assert noted.returncode == 0, noted.stderr
    async with api_client(staff_bot) as api:
        fixed = await api.post(f"{open311_url}.json", data=mysociety)
    [posted] = valid(fixed, "update_posted")
    assert (await store.reports.get(garbage)).status == "resolved"
    assert int(posted["update_id"]) == (await store.reports.events(garbage))[-1].id


async def test_the_reporters_own_added_photo_is_no_proof_of_the_fix(sandbox, staff_bot):
    store = staff_bot.services.store
    warga = sandbox.citizen()
    ref = await file_report(warga, category="Sampah")
    await warga.send_photo(jpeg(9), caption="Sudah bersih sekarang", reply_to=warga.last_message)
    assert f"Ditambahkan ke laporan #{ref}" in (await warga.next_message()).plain_text
    assert [p.role for p in await store.reports.photos(ref)] == ["citizen", "update"]
    bare = await run_cli(staff_bot, "case", "update", str(ref), "--status", "resolved")
    assert bare.returncode == 2 and "add --photo PATH" in bare.stderr
    assert (await store.reports.get(ref)).status == "new"
