"""Officers' messages in a group: a reply to one of the bot's questions (handled in
handlers/groups/answers.py), a reply to an alert card (a note or a photo for the reporter), or an
answer posted without replying.

Telegram shows a group's messages to the bot only when they reply to it or it may read the group
(an administrator, or privacy mode off); so an answer posted plainly is seen only then. It is
taken when it can only mean one thing: its officer has exactly one open question in that group,
and it is what that question asks for (a photo for the after photo, a number for a duplicate).
Otherwise the officer is told, briefly, to reply to the question.
"""

from __future__ import annotations

from telegram import Message, Update

from bot.domain import questions
from bot.domain.cases import Actor
from bot.domain.permissions import is_admin, may_act_on
from bot.geo.places import area_label
from bot.i18n import t
from bot.telegram.context import BotContext
from handlers.groups.acting import NUMBER, actor_of
from handlers.groups.answers import take_answer, words_of
from handlers.messages import photo_of
from handlers.narrow import chat_of, message_of, user_of
from storage.questions import Question
from storage.reports import Report

#: What a question asks for, as the hint to reply names it.
_WHAT = {
    questions.REJECT: "alert.hint_what_reject",
    questions.DUPLICATE: "alert.hint_what_duplicate",
    questions.RESOLVE: "alert.hint_what_resolve",
    questions.RESOLVE_REASON: "alert.hint_what_resolve_reason",
}


async def group_reply(update: Update, context: BotContext) -> None:
    """A reply to one of the bot's questions, or to an alert card (a note or a photo); a reply to
    someone else's message is read as a message posted plainly."""
    message = message_of(update)
    target = message.reply_to_message
    if target is None or target.from_user is None or target.from_user.id != context.bot.id:
        await plain_answer(update, context)
        return
    services = context.services
    chat_id = chat_of(update).id
    found = await services.questions.at(chat_id, target.message_id)
    if found is not None:
        question, state = found
        await _to_question(update, context, question, state, replied=True)
        return
    card = await services.store.alerts.card_at(chat_id, target.message_id)
    report_id = card.report_id if card else None
    if report_id is None:  # the notice of an addition, or the card's other photos, stand for it
        report_id = await services.additions.report_of_message(chat_id, target.message_id)
    if report_id is None:
        return
    report = await services.store.reports.get(report_id)
    if report is not None and await _officer(update, context, report):
        await _note(message, context, report, actor_of(update, _admin(update, context)))


async def plain_answer(update: Update, context: BotContext) -> None:
    """A message that replies to none of the bot's: an answer, when it can only be one."""
    message = message_of(update)
    services = context.services
    open_questions = [
        question
        for question in await services.questions.open_by_officer(
            chat_of(update).id, user_of(update).id
        )
        if question.action in _WHAT
    ]
    if not open_questions:
        return  # the group's own conversation
    language = services.settings.default_language
    if len(open_questions) > 1:
        refs = ", ".join(f"#{q.report_id}" for q in reversed(open_questions))
        await message.reply_text(
            t(language, "alert.hint_many", count=len(open_questions), refs=refs)
        )
        return
    question = open_questions[0]
    if not _asked_for(question, message):
        what = t(language, _WHAT[question.action])
        await message.reply_text(t(language, "alert.hint_reply", ref=question.report_id, what=what))
        return
    await _to_question(update, context, question, questions.State.OPEN, replied=False)


def _asked_for(question: Question, message: Message) -> bool:
    """Whether a message posted plainly is what the question asks for, so surely its answer."""
    photo = photo_of(message) is not None
    words = words_of(message)
    if question.action == questions.RESOLVE:
        return photo
    if question.action == questions.RESOLVE_REASON:
        return photo or words is not None
    if question.action == questions.DUPLICATE:
        return NUMBER.search(words or "") is not None
    return words is not None and not photo  # a reject reason


async def _to_question(
    update: Update,
    context: BotContext,
    question: Question,
    state: questions.State,
    *,
    replied: bool,
) -> None:
    services = context.services
    message = message_of(update)
    language = services.settings.default_language
    report = await services.store.reports.get(question.report_id)
    if report is None or not await _officer(update, context, report):
        return
    actor = actor_of(update, _admin(update, context))
    if question.action == questions.AFTER_PHOTO:  # asked after resolving, before 0016: a note
        await _note(message, context, report, actor)
        return
    if question.officer_id != user_of(update).id:
        await message.reply_text(t(language, "alert.not_yours"))
        return
    if state is questions.State.OPEN:
        await take_answer(message, context, report, actor, question, replied=replied)
        return
    closing_photo = question.action in (questions.RESOLVE, questions.RESOLVE_REASON)
    if state is questions.State.ANSWERED and closing_photo and photo_of(message) is not None:
        await _note(message, context, report, actor)  # an album's other photos, one more
        return
    key = f"alert.question_{state.value}"
    minutes = questions.QUESTION_MINUTES
    await message.reply_text(t(language, key, ref=report.id, minutes=minutes))


def _admin(update: Update, context: BotContext) -> bool:
    return is_admin(context.services, user_of(update).id)


async def _officer(update: Update, context: BotContext, report: Report) -> bool:
    """Whether the sender may act on the report; anyone else is told who may."""
    services = context.services
    user = user_of(update)
    chat_id = chat_of(update).id
    if await may_act_on(
        services, services.chat_admins.asking(context.bot), user.id, chat_id, report
    ):
        return True
    language = services.settings.default_language
    area = services.areas.by_code.get(report.area_code or "")
    await message_of(update).reply_text(
        t(language, "alert.only_officers_reply", area=area_label(area, language)),
    )
    return False


async def _note(message: Message, context: BotContext, report: Report, actor: Actor) -> None:
    language = context.services.settings.default_language
    text, photo = words_of(message), photo_of(message)
    if text is None and photo is None:
        await message.reply_text(t(language, "alert.reply_needs_content"))
        return
    await context.services.cases.add_note(report.id, actor, note=text, photo=photo)
    key = "alert.photo_saved" if photo else "alert.note_saved"
    await message.reply_text(t(language, key, ref=report.id))
