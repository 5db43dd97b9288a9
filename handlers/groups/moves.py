"""/move: hand a report to another kelurahan, for officers of the report's area and admins."""

from __future__ import annotations

from telegram import Update

from bot.domain.alerts import alert_messages, report_recipients
from bot.domain.cases import Outcome
from bot.domain.permissions import is_admin, may_act_on
from bot.geo.places import area_label
from bot.i18n import t
from bot.telegram.context import BotContext
from handlers.groups.acting import NUMBER, actor_of
from handlers.narrow import chat_of, message_of, user_of


async def move_command(update: Update, context: BotContext) -> None:
    """``/move 1042 Pinangsia``: for officers of the report's area, and admins."""
    services = context.services
    language = services.settings.default_language
    message = message_of(update)
    args = context.args or []
    match = NUMBER.fullmatch(args[0]) if args else None
    if match is None or len(args) < 2:
        await message.reply_text(t(language, "alert.move_usage"))
        return
    report = await services.store.reports.get(int(match.group(1)))
    if report is None:
        await message.reply_text(t(language, "tracking.not_found", ref=match.group(1)))
        return
    user = user_of(update)
    if not await may_act_on(
        services, services.chat_admins.asking(context.bot), user.id, chat_of(update).id, report
    ):
        area = services.areas.by_code.get(report.area_code or "")
        await message.reply_text(
            t(language, "alert.not_officer", area=area_label(area, language)),
        )
        return
    choices = [
        c for c in services.directory.resolve(" ".join(args[1:])) if c.scope.kind == "kelurahan"
    ]
    if len(choices) != 1:
        await message.reply_text(t(language, "alert.move_which"))
        return
    target = services.areas.by_code[choices[0].scope.key]
    chats, reason = await report_recipients(
        services.store, report, target, services.settings.admin_chat_id
    )
    fresh = [c for c in chats if await services.store.alerts.card(report.id, c) is None]
    photos = len([p for p in await services.store.reports.photos(report.id) if p.role == "citizen"])
    place = area_label(target, language)
    result = await services.cases.move(
        report.id,
        target,
        actor_of(update, is_admin(services, user.id)),
        note=t(language, "alert.moved_note", place=place),
        alerts=lambda report_id, event_id: alert_messages(
            report_id, fresh, photos=photos, reason=reason, cause=f"move{event_id}"
        ),
    )
    key = "alert.moved" if result.outcome is Outcome.CHANGED else "alert.move_same"
    await message.reply_text(t(language, key, ref=report.id, place=place))
