"""Storage: migrations, WAL, and the one-transaction, idempotent submission of a draft."""

import sqlite3

import pytest

from bot.domain.categories import load_categories
from storage.db import migrations
from storage.drafts import Draft
from storage.photos import PhotoRef
from storage.store import Store


@pytest.fixture
async def store(tmp_path):
    store = await Store.open(tmp_path / "db" / "w.sqlite3")
    await store.categories.sync(load_categories())
    yield store
    await store.close()


def complete_draft(user_id=1, token="tok1"):
    return Draft(
        user_id=user_id,
        chat_id=user_id,
        token=token,
        step="summary",
        category_key="flood",
        lat=-6.1754,
        lon=106.8272,
        photos=(PhotoRef("f1", "u1"), PhotoRef("f2", "u2")),
        photos_done=True,
        description="Air setinggi lutut di depan pintu timur",
    )


async def test_schema_is_migrated_in_wal_mode(store, tmp_path):
    assert await store.db.schema_version() == migrations()[-1][0] >= 2
    conn = sqlite3.connect(tmp_path / "db" / "w.sqlite3")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    expected = {"citizens", "categories", "reports", "report_photos", "report_events", "drafts"}
    assert expected <= tables
    assert await store.db.migrate() == []  # applying again changes nothing


async def test_categories_are_seeded_from_the_bundled_file(store):
    keys = [c.key for c in await store.categories.all()]
    assert keys[:3] == ["flood", "garbage", "road_damage"]
    assert len(keys) == 10


async def test_submit_stores_report_photos_and_event_and_drops_the_draft(store):
    await store.citizens.ensure(1, 1, "id")
    draft = await store.drafts.save(complete_draft())
    ref = await store.reports.submit(
        draft, area_code="3173010001", description=draft.description, visibility="public"
    )
    assert ref == 1001
    report = await store.reports.get(ref)
    assert report.status == "new" and report.category_key == "flood"
    assert [p.file_id for p in await store.reports.photos(ref)] == ["f1", "f2"]
    events = await store.reports.events(ref)
    assert [(e.actor_kind, e.new_status) for e in events] == [("citizen", "new")]
    assert await store.drafts.get(1) is None


async def test_submitting_the_same_draft_twice_gives_one_report(store):
    await store.citizens.ensure(1, 1, "id")
    draft = await store.drafts.save(complete_draft())
    first = await store.reports.submit(
        draft, area_code=None, description=draft.description, visibility="public"
    )
    second = await store.reports.submit(
        draft, area_code=None, description=draft.description, visibility="public"
    )
    assert first == second
    assert await store.reports.count_by_citizen(1) == 1


async def test_a_failed_submission_leaves_nothing_behind(store):
    draft = await store.drafts.save(complete_draft(user_id=99))  # no citizen row: FK fails
    with pytest.raises(sqlite3.IntegrityError):
        await store.reports.submit(
            draft, area_code=None, description=draft.description, visibility="public"
        )
    assert await store.reports.get(1001) is None
    assert await store.drafts.get(99) is not None
