"""The one status model: the moves each kind of actor may make, and the named sets."""

from __future__ import annotations

from bot.domain import statuses

TAKE_UP = ("acknowledged", "in_progress", "resolved", "rejected", "duplicate")


def test_officers_move_a_case_along_and_nowhere_after_it_is_resolved():
    for kind in ("officer", "admin"):
        assert statuses.moves("new", kind) == TAKE_UP
        assert statuses.moves("reopened", kind) == TAKE_UP
        assert statuses.moves("acknowledged", kind) == TAKE_UP[1:]
        assert statuses.moves("in_progress", kind) == ("resolved", "rejected", "duplicate")
        for done in ("resolved", "closed", "rejected", "duplicate"):
            assert statuses.moves(done, kind) == ()


def test_the_reporter_and_the_scheduler_act_on_resolved_reports_only():
    assert statuses.moves("resolved", "citizen") == ("closed", "reopened")
    assert statuses.moves("resolved", "system") == ("closed",)
    for status in ("acknowledged", "in_progress", "reopened", "closed", "rejected", "withdrawn"):
        assert statuses.moves(status, "citizen") == ()
        assert statuses.moves(status, "system") == ()
    assert statuses.moves("new", "system") == ()


def test_only_the_reporter_withdraws_and_only_a_new_report():
    assert statuses.moves("new", "citizen") == ("withdrawn",)
    for actor in ("officer", "admin", "agency", "system"):
        assert "withdrawn" not in statuses.moves("new", actor)
    assert statuses.moves("withdrawn", "agency") == ()
    assert statuses.open311_status("withdrawn") == "closed"
    assert not statuses.acknowledges("withdrawn")


def test_an_agency_may_make_every_move_of_the_lifecycle():
    assert statuses.moves("new", "agency") == TAKE_UP
    assert statuses.moves("resolved", "agency") == ("closed", "reopened")
    assert statuses.moves("closed", "agency") == ()
    assert statuses.moves("new", "stranger") == ()


def test_the_named_sets_cover_every_status_once():
    assert set(statuses.OPEN) | set(statuses.DONE) == set(statuses.STATUSES)
    assert not set(statuses.OPEN) & set(statuses.DONE)
    assert set(statuses.WAITING) <= set(statuses.OPEN)
    assert set(statuses.RATEABLE) <= set(statuses.DONE)
    assert statuses.open311_status("reopened") == "open"
    assert statuses.open311_status("duplicate") == "closed"
    assert "new" not in statuses.SETTABLE
