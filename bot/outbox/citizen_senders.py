"""Senders for what goes to a citizen: the follow-ups on their report (with an officer's photo
when there is one), the "is it fixed?" survey, and the word that a photo of theirs was too large
to keep, each in the citizen's language of the moment.

Photos attached from the CLI are files on disk until their first upload; after it, Telegram's
file_id replaces the path so later sends reuse the upload.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from telegram import Message

from bot.i18n import t
from bot.outbox.addition_views import with_add_info
from bot.outbox.policy import Undeliverable
from bot.outbox.renderers import followup_message, survey_message
from bot.outbox.sending import Outgoing, language_of, report_of
from storage.outbox import OutboxRow

LOCAL_PHOTO_PREFIX = "local:"


def local_photo_path(file_id: str) -> Path | None:
    """Photos attached from the CLI live on disk until their first upload to Telegram."""
    if not file_id.startswith(LOCAL_PHOTO_PREFIX):
        return None
    path = Path(file_id.removeprefix(LOCAL_PHOTO_PREFIX))
    if not path.is_file():
        raise Undeliverable(f"photo file {path} is missing")
    return path


async def send_followup(out: Outgoing, row: OutboxRow) -> Message:
    """A change to a report the citizen filed or follows: a status, a note, a photo. Whether
    they are its reporter is read here, at send time, from the report itself."""
    services = out.services
    report = await report_of(out, row)
    event = await services.store.reports.event(int(row.payload["event_id"]))
    if event is None:
        raise Undeliverable("event not found")
    language = await language_of(out, row.chat_id)
    reporter = row.chat_id == report.citizen_id
    rendered = followup_message(services, report, event, language, reporter=reporter)
    markup = with_add_info(rendered.markup, report, row.chat_id, language)  # for the reporter
    rendered = replace(rendered, markup=markup)
    if rendered.photo_file_id:
        kept = await services.evidence.sendable(rendered.photo_file_id)
        local = None if isinstance(kept, bytes) else local_photo_path(rendered.photo_file_id)
        photo = local.read_bytes() if local else kept
        sent = await out.bot.send_photo(
            row.chat_id, photo, caption=rendered.text, reply_markup=rendered.markup
        )
        if rendered.photo_file_id.startswith(LOCAL_PHOTO_PREFIX) and sent.photo:
            # From now on the photo is Telegram's: later sends reuse its file_id.
            await services.store.reports.replace_photo_file(
                rendered.photo_file_id, sent.photo[-1].file_id
            )
        return sent
    return await out.bot.send_message(row.chat_id, rendered.text, reply_markup=rendered.markup)


async def send_survey(out: Outgoing, row: OutboxRow) -> Message:
    """Asked only while the report is still resolved (a reopened one has its answer), and only of
    its reporter: the answer closes or reopens the report, which a follower may not."""
    report = await report_of(out, row)
    if row.chat_id != report.citizen_id:
        raise Undeliverable("a survey is for the reporter alone")
    if report.status != "resolved":
        raise Undeliverable(f"report is {report.status} now")
    language = await language_of(out, row.chat_id)
    rendered = survey_message(out.services, report, language)
    return await out.bot.send_message(row.chat_id, rendered.text, reply_markup=rendered.markup)


async def send_evidence_too_large(out: Outgoing, row: OutboxRow) -> Message:
    """A photo the reporter sent is over the evidence limit (bot/domain/evidence.py): they may
    send a smaller one or a screenshot, by the add-info button or a reply to this message."""
    report = await report_of(out, row)
    if row.chat_id != report.citizen_id:
        raise Undeliverable("only the reporter sent the photo")
    language = await language_of(out, row.chat_id)
    text = t(language, "evidence.too_large", ref=report.id, limit=out.services.evidence.limit_mb)
    markup = with_add_info(None, report, row.chat_id, language)
    return await out.bot.send_message(row.chat_id, text, reply_markup=markup)
