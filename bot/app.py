"""Builds the Telegram ``Application``: builder options, handlers in one ordered place, start-up.

Start-up (``post_init``) opens the database, applies migrations, syncs the bundled categories and
loads the area boundaries before the first update is read, so a handler never meets a half-ready
bot. The command menu is set in both languages at the same time.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.categories import load_categories
from bot.config import Settings
from bot.context import BotContext, attach_services
from bot.geo import AreaIndex
from bot.i18n import LANGUAGES, plain
from bot.reporting import ReportingService
from bot.services import Services
from handlers import common, report, tracking
from storage.store import Store

log = logging.getLogger(__name__)

MENU_COMMANDS = ("start", "report", "status", "myreports", "language", "cancel", "help")
CITIZEN_COMMANDS_ELSEWHERE = ["start", "report", "myreports", "language", "cancel", "help"]
ALLOWED_UPDATES = Update.ALL_TYPES

BotApplication = Application[Any, BotContext, Any, Any, Any, Any]


def register_handlers(application: BotApplication) -> None:
    """All handlers, in the order PTB tries them (first match wins within group 0)."""
    private = filters.ChatType.PRIVATE
    groups = filters.ChatType.GROUPS
    new_message = filters.UpdateType.MESSAGE  # edits never re-run a command
    add = application.add_handler
    # 1. Citizen commands in private chats.
    add(CommandHandler("start", common.start, filters=private & new_message))
    add(CommandHandler("help", common.help_command, filters=private & new_message))
    add(CommandHandler("language", common.language_command, filters=private & new_message))
    add(CommandHandler("report", report.begin_report, filters=private & new_message))
    add(CommandHandler("cancel", report.cancel_command, filters=private & new_message))
    add(CommandHandler("status", tracking.status_command, filters=new_message))
    add(CommandHandler("myreports", tracking.my_reports, filters=private & new_message))
    # 2. Citizen commands sent in a group: point to the private chat.
    add(
        CommandHandler(
            CITIZEN_COMMANDS_ELSEWHERE, common.private_only, filters=groups & new_message
        )
    )
    # 3. Buttons, by the prefix of their callback data; anything else is stale or forged.
    add(CallbackQueryHandler(report.on_button, pattern=r"^r:"))
    add(CallbackQueryHandler(common.menu_pressed, pattern=r"^m:"))
    add(CallbackQueryHandler(common.language_chosen, pattern=r"^lang:"))
    add(CallbackQueryHandler(tracking.page_pressed, pattern=r"^my:"))
    add(CallbackQueryHandler(tracking.view_pressed, pattern=r"^vw:"))
    add(CallbackQueryHandler(common.stale_button))
    # 4. Edited messages are not read again; the citizen is told so.
    add(MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, common.edited_message))
    # 5. Unknown commands, then every other private message: the report conversation.
    add(MessageHandler(private & new_message & filters.COMMAND, common.unknown_command))
    add(MessageHandler(private & new_message, report.on_message))
    application.add_error_handler(common.on_error)


async def _set_commands(application: BotApplication) -> None:
    scope = BotCommandScopeAllPrivateChats()
    for language in LANGUAGES:
        commands = [BotCommand(name, plain(language, f"commands.{name}")) for name in MENU_COMMANDS]
        code = None if language == "id" else language
        await application.bot.set_my_commands(commands, scope=scope, language_code=code)


async def open_services(settings: Settings) -> Services:
    """Everything a handler needs, ready; the same for the bot and the CLI."""
    categories = load_categories()
    areas = AreaIndex.load(settings.areas_file)
    store = await Store.open(settings.database_path)
    await store.categories.sync(categories)
    reporting = ReportingService(
        store, areas, categories, max_reports_per_hour=settings.max_reports_per_hour
    )
    return Services(
        settings=settings,
        store=store,
        areas=areas,
        categories={category.key: category for category in categories},
        reporting=reporting,
    )


def build_application(settings: Settings) -> BotApplication:
    async def post_init(application: BotApplication) -> None:
        services = await open_services(settings)
        attach_services(application, services)
        await _set_commands(application)
        log.info("bot ready", extra={"bot": application.bot.username})

    async def post_shutdown(application: BotApplication) -> None:
        services = application.bot_data.get("services")
        if services is not None:
            await services.store.close()

    application = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .context_types(ContextTypes(context=BotContext))
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    register_handlers(application)
    return application
