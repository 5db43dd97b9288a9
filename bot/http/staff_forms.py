"""The two forms on a report's page, as HTML: change its status, or add a note or photo.

Why they render a :class:`Draft`: a refused change (a rejection without its reason, a duplicate
of a report that does not exist, a file that is not a photo) comes back as the same page with
the form as the person left it and the reason beside it, not as a bare error page that loses
what they typed. The server decides every refusal (:mod:`bot.http.staff_pages`); the browser's
help (a required choice, the duplicate field shown only for "duplicate" by the stylesheet, the
photo's size checked by ``staff-form.js``) only saves a round trip, and the forms work without
JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.cases import MAX_NOTE
from bot.domain.statuses import DUPLICATE, moves
from bot.http.staff_guard import csrf_for
from bot.http.templates import STATIC, esc, select, text
from bot.i18n import plain
from bot.images import MAX_PHOTO_BYTES
from storage.reports import Report

STATUS_FORM = "status-form"
NOTE_FORM = "note-form"
_MB = 1024 * 1024


@dataclass(frozen=True)
class Draft:
    """What a person sent in a form that was refused, to show it again with the reason."""

    form: str  # STATUS_FORM or NOTE_FORM
    error: str  # the reason, in the page's language (plain text)
    status: str | None = None
    note: str = ""
    duplicate_of: str = ""
    photo_dropped: bool = False  # a photo came with it: a file input cannot be filled again


def forms(
    language: str,
    report: Report,
    session_token: str,
    admin: bool,
    draft: Draft | None,
    *,
    photo_required: bool = False,
) -> str:
    """Both forms and the script that helps them, for the report's page; ``photo_required``:
    the report's category needs an "after" photo to be resolved, which the photo's label says
    (the server refuses a resolve without one whatever the browser sends)."""
    csrf = csrf_for(session_token)
    return (
        status_form(language, report, csrf, admin, draft, photo_required=photo_required)
        + note_form(language, report, csrf, draft)
        + f'<script src="{STATIC}/staff-form.js"></script>'
    )


def _refusal(language: str, draft: Draft | None, form: str) -> str:
    if draft is None or draft.form != form:
        return ""
    message = esc(draft.error)
    if draft.photo_dropped:
        message += " " + text(language, "photo_again")
    return f'<p class="error" role="alert">{message}</p>'


def _photo_input(language: str, label_key: str) -> str:
    limit = MAX_PHOTO_BYTES // _MB
    return (
        f'<label>{text(language, label_key)}<input type="file" name="photo"'
        ' accept="image/jpeg,image/png,image/webp"'
        f' data-max-bytes="{MAX_PHOTO_BYTES}"'
        f' data-too-big="{text(language, "upload_too_large", max=limit)}"></label>'
        f'<small class="hint">{text(language, "photo_hint", max=limit)}</small>'
    )


def _note_field(language: str, label_key: str, typed: str) -> str:
    return (
        f"<label>{text(language, label_key)}"
        f'<textarea name="note" rows="3" maxlength="{MAX_NOTE}">{esc(typed)}</textarea></label>'
    )


def status_form(
    language: str,
    report: Report,
    csrf: str,
    admin: bool,
    draft: Draft | None,
    *,
    photo_required: bool = False,
) -> str:
    allowed = moves(report.status, "admin" if admin else "officer")
    if not allowed:
        return f'<section id="{STATUS_FORM}"><p>{text(language, "final")}</p></section>'
    mine = draft if draft is not None and draft.form == STATUS_FORM else None
    options = [(status, plain(language, f"status.{status}")) for status in allowed]
    chosen = mine.status if mine and mine.status in allowed else None
    duplicate = ""
    if DUPLICATE in allowed:
        duplicate = (
            f'<label class="dup-field">{text(language, "duplicate_of")}'
            f'<input name="duplicate_of" value="{esc(mine.duplicate_of if mine else "")}"'
            ' size="8" inputmode="numeric"></label>'
        )
    placeholder = plain(language, "web.choose_status")
    return (
        f'<section id="{STATUS_FORM}"><h2>{text(language, "change_status")}</h2>'
        + _refusal(language, draft, STATUS_FORM)
        + f'<form class="{STATUS_FORM}" method="post" enctype="multipart/form-data"'
        f' action="/staff/reports/{report.id}/status?lang={esc(language)}#{STATUS_FORM}">'
        f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
        f"<label>{text(language, 'new_status')}"
        f"{select('status', options, chosen, placeholder=placeholder)}</label>"
        + duplicate
        + _note_field(language, "note", mine.note if mine else "")
        + _photo_input(language, "photo_status_required" if photo_required else "photo_status")
        + f'<button type="submit">{text(language, "save")}</button></form></section>'
    )


def note_form(language: str, report: Report, csrf: str, draft: Draft | None) -> str:
    """A note or a photo for the reporter and followers; the status stays (any status, a final
    one too, as a reply to the group's alert card can)."""
    mine = draft if draft is not None and draft.form == NOTE_FORM else None
    return (
        f'<section id="{NOTE_FORM}"><h2>{text(language, "add_note")}</h2>'
        f'<p class="hint">{text(language, "add_note_hint")}</p>'
        + _refusal(language, draft, NOTE_FORM)
        + f'<form class="{NOTE_FORM}" method="post" enctype="multipart/form-data"'
        f' action="/staff/reports/{report.id}/note?lang={esc(language)}#{NOTE_FORM}">'
        f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
        + _note_field(language, "note_only", mine.note if mine else "")
        + _photo_input(language, "photo_note")
        + f'<button type="submit">{text(language, "send_note")}</button></form></section>'
    )
