"""The permission matrix: each privileged action tried by a citizen, an officer of another area,
a plain member of the area's group, the area's officer and an admin. Checked on the server, so
the refusals hold even for forged button presses."""

from __future__ import annotations

import httpx
import pytest

from bot.domain.cases import Actor
from bot.http.server import build_app
from storage.apikeys import ApiKeyRepository
from storage.groups import Scope
from tests.helpers import KOTA_TUA, file_report
from tests.test_groups import GAMBIR, linked_group, next_alert, officer_for

PINANGSIA = Scope("kelurahan", "3174060008")
ROLES = ("citizen", "other_officer", "member", "officer", "admin")


@pytest.fixture
async def cast(sandbox, bot, store, admin):
    group = await linked_group(sandbox, store, admin, GAMBIR)
    people = {
        "citizen": sandbox.citizen(first_name="Warga"),
        "other_officer": await officer_for(sandbox, store, admin, PINANGSIA, name="Joko"),
        "member": sandbox.citizen(first_name="Anggota"),
        "officer": await officer_for(sandbox, store, admin, name="Budi"),
        "admin": admin,
    }
    await people["citizen"].send("/start")
    await people["citizen"].next_message()
    await people["member"].send("/start")
    await people["member"].next_message()
    for role in ("citizen", "other_officer", "member", "officer"):
        group.add_member(people[role])
    return group, people


async def test_status_buttons(sandbox, bot, store, cast):
    group, people = cast
    reporter = sandbox.citizen()
    ref = await file_report(reporter)
    card = await next_alert(group)
    for role in ("citizen", "other_officer", "member"):
        answer = await group.press(people[role], card, callback_data=f"st:{ref}:ack")
        assert answer.show_alert and "Hanya petugas" in answer.text, role
        assert (await store.reports.get(ref)).status == "new", role
    answer = await group.press(people["officer"], card, callback_data=f"st:{ref}:ack")
    assert "Diterima" in answer.text
    answer = await group.press(people["admin"], card, callback_data=f"st:{ref}:prog")
    assert "Dikerjakan" in answer.text
    assert (await store.reports.get(ref)).status == "in_progress"


async def test_linking_a_group(sandbox, bot, store, cast):
    group, people = cast
    for role in ("citizen", "other_officer", "member", "officer"):
        await group.send(people[role], "/link Jakarta Barat")
        assert "Hanya admin" in (await group.next_message()).plain_text, role
    await group.send(people["admin"], "/link Jakarta Barat")
    assert "kini menerima laporan" in (await group.next_message()).plain_text
    assert Scope("kota", "Jakarta Barat") in {
        link.scope for link in await store.groups.links_of(group.chat_id)
    }


@pytest.mark.parametrize(
    ("command", "refusal", "granted"),
    [
        ("/invite kel. Gambir", "Hanya admin", "Undangan petugas"),
        ("/broadcast", "Hanya admin", "Tulis pengumumannya"),
    ],
)
async def test_admin_only_private_commands(sandbox, bot, cast, command, refusal, granted):
    _, people = cast
    for role in ("citizen", "other_officer", "member", "officer"):
        await people[role].send(command)
        assert refusal in (await people[role].next_message()).plain_text, role
    await people["admin"].send(command)
    reply = await people["admin"].next_message()
    assert granted in reply.plain_text or any(granted in b for b in reply.buttons), reply.plain_text


async def test_statistics(sandbox, bot, cast):
    _, people = cast
    for role in ("citizen", "member"):
        await people[role].send("/stats")
        assert "Statistik hanya untuk" in (await people[role].next_message()).plain_text, role
    for role in ("other_officer", "officer", "admin"):
        await people[role].send("/stats")
        answer = (await people[role].next_message()).plain_text
        assert "Statistik hanya untuk" not in answer and "Tidak ada laporan" in answer, role


async def test_agency_updates_over_http(sandbox, bot, store, cast):
    reporter = sandbox.citizen()
    ref = await file_report(reporter)
    keys = ApiKeyRepository(store.db)
    _, pinangsia_key = await keys.create("Dinas Pinangsia", [PINANGSIA.key])
    _, gambir_key = await keys.create("Dinas Gambir", [GAMBIR.key])
    app = build_app(bot.services, polling=lambda: True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as web:
        url = f"/api/v1/requests/{ref}/updates"
        body = {"status": "acknowledged", "note": "Diterima dinas"}
        assert (await web.post(url, json=body)).status_code == 401
        assert (await web.post(url, json={**body, "api_key": "wrong"})).status_code == 401
        assert (await web.post(url, json={**body, "api_key": pinangsia_key})).status_code == 403
        assert (await store.reports.get(ref)).status == "new"
        assert (await web.post(url, json={**body, "api_key": gambir_key})).status_code == 200
    assert (await store.reports.get(ref)).status == "acknowledged"
    assert "Diterima dinas" in (await reporter.next_message()).plain_text


async def test_a_duplicate_needs_permission_on_the_original_too(sandbox, bot, store, cast):
    """A Gambir officer must not hand a Gambir reporter to a Pinangsia report."""
    group, people = cast
    pinangsia_ref = await file_report(sandbox.citizen(first_name="Tua"), where=KOTA_TUA)
    gambir_reporter = sandbox.citizen(first_name="Siti")
    gambir_ref = await file_report(gambir_reporter)
    card = await next_alert(group)
    await group.tap(people["officer"], "Duplikat", message=card)
    question = await group.next_message()
    await group.reply_to(question, people["officer"], f"#{pinangsia_ref}")
    assert "di luar wilayah Anda" in (await group.next_message()).plain_text
    assert (await store.reports.get(gambir_ref)).status == "new"
    assert gambir_reporter.user_id not in await store.reports.followers(pinangsia_ref)


async def test_an_api_key_marks_duplicates_only_of_its_own_areas(sandbox, bot, store, cast):
    reporter = sandbox.citizen()
    pinangsia_ref = await file_report(sandbox.citizen(first_name="Tua"), where=KOTA_TUA)
    ref = await file_report(reporter)
    keys = ApiKeyRepository(store.db)
    _, gambir_key = await keys.create("Dinas Gambir", [GAMBIR.key])
    app = build_app(bot.services, polling=lambda: True)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as web:
        url = f"/api/v1/requests/{ref}/updates"
        body = {"status": "duplicate", "duplicate_of": str(pinangsia_ref), "api_key": gambir_key}
        refused = await web.post(url, json=body)
        assert refused.status_code == 403
        assert "duplicate_of" in refused.json()[0]["description"]
        assert (await store.reports.get(ref)).status == "new"
        assert reporter.user_id not in await store.reports.followers(pinangsia_ref)
        other = await file_report(sandbox.citizen(first_name="Ani"), where=(-6.1800, 106.8272))
        body = {"status": "duplicate", "duplicate_of": str(other), "api_key": gambir_key}
        assert (await web.post(url, json=body)).status_code == 200
    assert (await store.reports.get(ref)).duplicate_of == other


async def test_stars_only_from_the_reporter_of_a_handled_report(sandbox, bot, store, cast):
    """Forged ``rt:`` presses: another citizen's report, or one still open, change nothing."""
    _, people = cast
    reporter = sandbox.citizen(first_name="Siti")
    ref = await file_report(reporter)
    mine = reporter.last_message
    answer = await reporter.press(mine, callback_data=f"rt:{ref}:1")
    assert answer.show_alert and "tidak berlaku" in answer.text
    stranger = people["citizen"]
    theirs = stranger.last_message
    answer = await stranger.press(theirs, callback_data=f"rt:{ref}:1")
    assert answer.show_alert and "Hanya pelapor" in answer.text
    assert await store.surveys.rating(ref) is None
    await bot.services.cases.change_status(ref, "resolved", Actor("agency", None, "Dinas"))
    answer = await reporter.press(mine, callback_data=f"rt:{ref}:4")
    assert answer.show_alert is False
    assert await store.surveys.rating(ref) == (True, 4)


async def test_the_staff_page_marks_duplicates_only_of_the_officers_areas(sandbox, make_bot, admin):
    from tests.test_staff_pages import BASE, csrf_of, signed_in

    staff_bot = await make_bot(WEB_BASE_URL=BASE)
    store = staff_bot.services.store
    officer = await officer_for(sandbox, store, admin, name="Budi")
    reporter = sandbox.citizen(first_name="Siti")
    ref = await file_report(reporter)
    pinangsia_ref = await file_report(sandbox.citizen(first_name="Tua"), where=KOTA_TUA)
    async with signed_in(staff_bot, officer) as web:
        csrf = csrf_of((await web.get(f"/staff/reports/{ref}")).text)
        refused = await web.post(
            f"/staff/reports/{ref}/status",
            data={"csrf": csrf, "status": "duplicate", "duplicate_of": str(pinangsia_ref)},
        )
        assert refused.status_code == 403 and "di luar wilayah Anda" in refused.text
    assert (await store.reports.get(ref)).status == "new"
    assert reporter.user_id not in await store.reports.followers(pinangsia_ref)
