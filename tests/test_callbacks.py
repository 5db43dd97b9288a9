"""The callback-data codec: every button it builds fits Telegram's 64 bytes and parses back, and a
button from before the readable format (still sitting in chats) does what the new one does."""

from __future__ import annotations

from typing import Any, get_type_hints

import pytest

from bot.domain.cases import Actor
from bot.telegram import callbacks
from bot.telegram.callbacks import KINDS, MAX_BYTES, ButtonKind
from tests.helpers import file_report
from tests.test_groups import GAMBIR, linked_group, next_alert, officer_for


def _largest(kind: ButtonKind[Any]) -> tuple[Any, ...]:
    """Fields as long as real ones get: 15-digit ids, a long word (a category key, an area code)."""
    values = []
    for name, type_ in get_type_hints(kind.fields_type).items():
        values.append(10**15 - 1 if type_ is int else ("k" * 12 if name != "token" else "T" * 8))
    return kind.fields_type(*values)


@pytest.mark.parametrize("kind", KINDS, ids=lambda kind: kind.template.text)
def test_every_button_fits_and_round_trips(kind):
    fields = _largest(kind)
    data = kind.data(fields)
    assert len(data.encode()) <= MAX_BYTES, data
    assert kind.pattern.match(data), data
    assert kind.parse(data) == fields
    others = [other for other in KINDS if other is not kind and other.parse(data) is not None]
    assert not others, f"{data} also parses as {[o.template.text for o in others]}"


def test_data_over_64_bytes_or_with_a_separator_is_refused():
    with pytest.raises(ValueError):
        callbacks.DRAFT_CATEGORY.data(callbacks.DraftChoice("T" * 8, "k" * 60))
    with pytest.raises(ValueError):
        callbacks.MENU.data(callbacks.Word("a:b"))


@pytest.mark.parametrize(
    ("old", "kind", "fields"),
    [
        ("st:42:ack", callbacks.STATUS, callbacks.Status(42, "acknowledged")),
        ("st:42:prog", callbacks.STATUS, callbacks.Status(42, "in_progress")),
        ("st:42:res", callbacks.STATUS, callbacks.Status(42, "resolved")),
        ("st:42:rej", callbacks.STATUS, callbacks.Status(42, "rejected")),
        ("st:42:dup", callbacks.STATUS, callbacks.Status(42, "duplicate")),
        (
            "r:AbCd_123:cat:flood",
            callbacks.DRAFT_CATEGORY,
            callbacks.DraftChoice("AbCd_123", "flood"),
        ),
        ("r:AbCd_123:ok", callbacks.DRAFT_CONFIRM, callbacks.Draft("AbCd_123")),
        ("r:AbCd_123:ed", callbacks.DRAFT_EDIT, callbacks.Draft("AbCd_123")),
        (
            "r:AbCd_123:ef:photos",
            callbacks.DRAFT_EDIT_FIELD,
            callbacks.DraftChoice("AbCd_123", "photos"),
        ),
        ("r:AbCd_123:eb", callbacks.DRAFT_SUMMARY, callbacks.Draft("AbCd_123")),
        ("r:AbCd_123:x", callbacks.DRAFT_CANCEL, callbacks.Draft("AbCd_123")),
        ("r:AbCd_123:cont", callbacks.DRAFT_CONTINUE, callbacks.Draft("AbCd_123")),
        ("r:AbCd_123:new", callbacks.DRAFT_RESTART, callbacks.Draft("AbCd_123")),
        ("r:AbCd_123:rs", callbacks.DRAFT_RESTORE, callbacks.Draft("AbCd_123")),
        ("r:AbCd_123:qy", callbacks.DRAFT_OFFER_YES, callbacks.Draft("AbCd_123")),
        ("r:AbCd_123:qn", callbacks.DRAFT_OFFER_NO, callbacks.Draft("AbCd_123")),
        ("r:AbCd_123:fol:7", callbacks.DRAFT_FOLLOW, callbacks.DraftReport("AbCd_123", 7)),
        ("r:AbCd_123:dif", callbacks.DRAFT_DIFFERENT, callbacks.Draft("AbCd_123")),
        ("r:AbCd_123:here", callbacks.DRAFT_ADDRESS_OK, callbacks.Draft("AbCd_123")),
        ("sv:42:yes", callbacks.SURVEY, callbacks.Answer(42, "fixed")),
        ("sv:42:no", callbacks.SURVEY, callbacks.Answer(42, "not-fixed")),
        ("sv:42:skip", callbacks.SURVEY, callbacks.Answer(42, "skip")),
        ("rt:42:5", callbacks.RATING, callbacks.Stars(42, "5")),
        ("m:report", callbacks.MENU, callbacks.Word("report")),
        ("m:lang", callbacks.MENU, callbacks.Word("language")),
        ("lang:en", callbacks.LANGUAGE, callbacks.Word("en")),
        ("my:2", callbacks.MY_REPORTS_PAGE, callbacks.Page(2)),
        ("vw:42", callbacks.VIEW_REPORT, callbacks.ReportRef(42)),
        ("lk:kel:3173080003", callbacks.LINK_AREA, callbacks.Area("kelurahan", "3173080003")),
        ("iv:kec:317308", callbacks.INVITE_AREA, callbacks.Area("kecamatan", "317308")),
        ("of:pg:1", callbacks.OFFICERS_PAGE, callbacks.Page(1)),
        ("of:rm:3:900", callbacks.OFFICER_REMOVE, callbacks.OfficerRow(3, 900)),
        ("of:ok:3:900", callbacks.OFFICER_REMOVE_CONFIRMED, callbacks.OfficerRow(3, 900)),
        ("in:pg:1", callbacks.INVITES_PAGE, callbacks.Page(1)),
        ("in:rv:5", callbacks.INVITE_REVOKE, callbacks.Number(5)),
        ("bc:sched", callbacks.BROADCAST_STEP, callbacks.Word("schedule")),
        ("bc:aud:all", callbacks.BROADCAST_AUDIENCE, callbacks.Word("all")),
        ("bc:sc:kota:3173", callbacks.BROADCAST_AREA, callbacks.Area("kota", "3173")),
        ("bc:days:30", callbacks.BROADCAST_DAYS, callbacks.Number(30)),
        ("bc:x:9", callbacks.BROADCAST_WITHDRAW, callbacks.Number(9)),
    ],
)
def test_old_data_parses_as_the_new(old, kind, fields):
    assert kind.pattern.match(old)
    assert kind.parse(old) == fields
    assert kind.parse(kind.data(fields)) == fields
    assert kind.data(fields) != old  # only the readable format is built


def test_garbage_parses_as_nothing():
    for data in ("", "st:", "st:²:ack", "st:1:ack:extra", "status:x:resolved", "r:tok", "zz:1"):
        assert callbacks.STATUS.parse(data) is None
        assert callbacks.DRAFT_CONFIRM.parse(data) is None


async def test_an_old_alert_card_button_does_what_the_new_one_does(sandbox, bot, store, admin):
    """A card sent before the deploy carries ``st:<ref>:ack``: it still acknowledges."""
    group = await linked_group(sandbox, store, admin, GAMBIR)
    officer = await officer_for(sandbox, store, admin, name="Budi")
    group.add_member(officer)
    answers, reports = [], []
    for data, category in (("st:{ref}:ack", "Banjir"), ("status:{ref}:acknowledged", "Sampah")):
        ref = await file_report(sandbox.citizen(), category=category)  # two: not "nearby"
        card = await next_alert(group)
        answer = await group.press(officer, card, callback_data=data.format(ref=ref))
        answers.append(answer.text.replace(str(ref), "#"))
        reports.append((await store.reports.get(ref)).status)
    assert reports == ["acknowledged", "acknowledged"]
    assert answers[0] == answers[1]


async def test_an_old_survey_star_does_what_the_new_one_does(sandbox, bot, store, admin):
    """Stars offered before the deploy carry ``rt:<ref>:<n>``: they still rate."""
    ratings = []
    # two categories the agency may resolve without an after photo
    for data, category in (("rt:{ref}:4", "Banjir"), ("rating:{ref}:4", "Parkir liar")):
        reporter = sandbox.citizen()
        ref = await file_report(reporter, category=category)
        await bot.services.cases.change_status(ref, "resolved", Actor("agency", None, "Dinas"))
        answer = await reporter.press(reporter.last_message, callback_data=data.format(ref=ref))
        assert answer.show_alert is False
        ratings.append(await store.surveys.rating(ref))
    assert ratings == [(True, 4), (True, 4)]
