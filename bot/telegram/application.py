"""Builds the Telegram ``Application``: builder options, handlers in one ordered place, start-up.

Start-up (``post_init``) opens the database, applies migrations, syncs the bundled categories and
loads the area boundaries before the first update is read, so a handler never meets a half-ready
bot. The command menu is set in both languages at the same time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.config import Settings
from bot.domain.cases import CasesService
from bot.domain.categories import load_categories
from bot.domain.reporting import ReportingService
from bot.geo.areas import AreaIndex
from bot.geo.directory import AreaDirectory
from bot.geo.geocoding import build_geocoder
from bot.http.server import start_http
from bot.i18n import LANGUAGES, plain
from bot.services import Services, Waker
from bot.telegram import callbacks
from bot.telegram.callbacks import ButtonKind
from bot.telegram.context import BotContext, attach_services
from bot.telegram.http_client import build_requests
from bot.telegram.inbox import InboxQueue
from bot.telegram.jobs import pace, start_jobs
from bot.telegram.polling_conflict import PollingConflicts
from bot.telegram.rate_limiter import BotRateLimiter
from bot.telegram.update_processor import PerChatUpdateProcessor
from bot.telegram.workers import ThisProcess
from handlers import (
    add_info,
    agency_admin,
    bans,
    broadcast,
    common,
    gate,
    keyboards,
    officer_admin,
    officers,
    people,
    private_text,
    settings,
    survey,
    tracking,
    weblogin,
    withdraw,
)
from handlers.groups import agency_links as group_agencies
from handlers.groups import alerts as group_alerts
from handlers.groups import guide as group_guide
from handlers.groups import handoff as group_handoff
from handlers.groups import links as group_links
from handlers.groups import moves as group_moves
from handlers.groups import questions as group_questions
from handlers.groups import replies as group_replies
from handlers.report import buttons as report_buttons
from handlers.report import start as report_start
from handlers.report import steps as report_steps
from storage.areas import AreaRow
from storage.store import Store

log = logging.getLogger(__name__)

MENU_COMMANDS = (
    "start",
    "report",
    "status",
    "myreports",
    "language",
    "settings",
    "cancel",
    "help",
    "stop",
)
GROUP_COMMANDS = ("help", "area", "status", "move", "agency", "link", "unlink")
CITIZEN_COMMANDS_ELSEWHERE = ["start", "report", "myreports", "language", "settings", "cancel"]
ALLOWED_UPDATES = Update.ALL_TYPES

#: A report button of no known kind (garbled): the report's own stale answer, which shows where
#: the report stands.
REPORT_BUTTONS = re.compile(r"^(?:draft|r):")

BotApplication = Application[Any, BotContext, Any, Any, Any, Any]


def register_handlers(application: BotApplication) -> None:
    """All handlers, in the order PTB tries them (first match wins within group 0)."""
    private = filters.ChatType.PRIVATE
    groups_filter = filters.ChatType.GROUPS
    new_message = filters.UpdateType.MESSAGE  # edits never re-run a command
    add = application.add_handler
    # Before everything, in this order (each group runs before the next; the first two end a
    # refused update with ApplicationHandlerStop): a flood is dropped, a banned citizen refused
    # (handlers/gate.py), and only then is the citizen registered (handlers/people.py), so a
    # dropped or banned update stores nothing.
    add(TypeHandler(Update, gate.throttle), group=-3)
    add(TypeHandler(Update, gate.ban_gate), group=-2)
    add(TypeHandler(Update, people.register), group=-1)
    # 1. Citizen commands in private chats.
    add(CommandHandler("start", common.start, filters=private & new_message))
    add(CommandHandler("help", common.help_command, filters=private & new_message))
    add(CommandHandler("language", common.language_command, filters=private & new_message))
    add(CommandHandler("settings", settings.settings_command, filters=private & new_message))
    add(CommandHandler("report", report_start.begin_report, filters=private & new_message))
    add(CommandHandler("cancel", add_info.cancel_command, filters=private & new_message))
    add(CommandHandler("status", tracking.status_command, filters=new_message))
    add(CommandHandler("myreports", tracking.my_reports, filters=private & new_message))
    add(CommandHandler("stop", broadcast.stop_command, filters=private & new_message))
    # The reply main menu's labels are the same commands, even in the middle of a report.
    menu_labels = filters.Text(list(keyboards.MENU_WORDS))
    add(MessageHandler(private & new_message & menu_labels, common.menu_text))
    # 2. Citizen commands sent in a group: point to the private chat (/help there is the
    #    officers' own).
    add(CommandHandler("help", group_guide.help_command, filters=groups_filter & new_message))
    add(
        CommandHandler(
            CITIZEN_COMMANDS_ELSEWHERE, common.private_only, filters=groups_filter & new_message
        )
    )
    # 3. Group and admin commands: linking groups to areas, officer invites.
    add(CommandHandler("link", group_links.link_command, filters=new_message))
    add(CommandHandler("unlink", group_links.unlink_command, filters=new_message))
    add(CommandHandler("area", group_links.area_command, filters=groups_filter & new_message))
    add(CommandHandler("agency", group_agencies.agency_command, filters=new_message))
    add(CommandHandler("agencies", agency_admin.agencies_command, filters=new_message))
    add(CommandHandler("agency_new", agency_admin.agency_new_command, filters=new_message))
    add(CommandHandler("invite", officers.invite_command, filters=new_message))
    add(CommandHandler("officers", officer_admin.officers_command, filters=new_message))
    add(CommandHandler("invites", officer_admin.invites_command, filters=new_message))
    add(CommandHandler("ban", bans.ban_command, filters=new_message))
    add(CommandHandler("unban", bans.unban_command, filters=new_message))
    add(CommandHandler("move", group_moves.move_command, filters=new_message))
    from handlers import stats  # kept beside its registration (one hunk in a busy file)

    add(CommandHandler("stats", stats.stats_command, filters=new_message))  # admins, officers
    add(CommandHandler("broadcast", broadcast.broadcast_command, filters=new_message))
    add(CommandHandler("broadcasts", broadcast.list_command, filters=new_message))
    add(CommandHandler("weblogin", weblogin.command, filters=private & new_message))
    # 4. Buttons, each kind by its pattern (bot/telegram/callbacks.py, old formats included);
    #    anything else is stale or forged, and so is a press of a button the bot cannot have
    #    shown where it was pressed.
    add(common.ForeignPress(common.stale_button))
    for kind, callback in button_handlers():
        add(CallbackQueryHandler(callback, pattern=kind.pattern))
    add(CallbackQueryHandler(report_buttons.stale_press, pattern=REPORT_BUTTONS))
    # These three parse their kinds themselves (handlers/broadcast.py, handlers/officer_admin.py),
    # so they take every press of their family, new words and old.
    add(CallbackQueryHandler(broadcast.button, pattern=r"^(?:broadcast|bc):"))
    add(CallbackQueryHandler(officer_admin.officers_pressed, pattern=r"^(?:officers|of):"))
    add(CallbackQueryHandler(officer_admin.invites_pressed, pattern=r"^(?:invites|in):"))
    add(CallbackQueryHandler(common.stale_button))
    # 5. Replies in groups: officers answering the bot's questions or annotating an alert.
    add(MessageHandler(groups_filter & new_message & filters.REPLY, group_replies.group_reply))
    #    ... and, where the bot may read the group, an answer posted without replying.
    posted = filters.TEXT | filters.PHOTO | filters.Document.IMAGE
    add(
        MessageHandler(
            groups_filter & new_message & ~filters.COMMAND & posted, group_replies.plain_answer
        )
    )
    # 6. Edited messages are not read again; the citizen is told so.
    add(MessageHandler(private & filters.UpdateType.EDITED_MESSAGE, common.edited_message))
    # 7. Unknown commands in private chats.
    add(MessageHandler(private & new_message & filters.COMMAND, common.unknown_command))
    # 8. Every other private message takes the first of these routes that wants it; ORDER
    #    MATTERS: each route is its own group, and takes the message by ending the update
    #    (ApplicationHandlerStop) or lets the next group look. A report under way comes first
    #    (its steps read every text), then an admin's broadcast being composed, then the answer
    #    to a question the bot asked (a reopened report's note, ➕ Add information's prompt);
    #    anything else may start a report, or gets the menu. Before them all (still group 0):
    #    a reply to a bot message about a report, or an album's later photo, goes to that
    #    report (handlers/add_info.py), even while another report is being drafted.
    text = private & new_message & ~filters.COMMAND
    add(MessageHandler(text & add_info.REPLY_OR_ALBUM, add_info.reply_or_album))
    add(MessageHandler(text, report_steps.during_report), group=1)
    add(MessageHandler(text, private_text.broadcast_text), group=2)
    add(MessageHandler(text, private_text.prompt_answer), group=3)
    add(MessageHandler(text, report_start.outside_report), group=4)
    # Errors: a 409 from polling (another poller on the token) is one clear line, not a
    # traceback per retry (bot/telegram/polling_conflict.py); everything else, the general one.
    application.add_error_handler(PollingConflicts())
    application.add_error_handler(common.on_error)


def button_handlers() -> list[tuple[ButtonKind[Any], Callable[[Update, BotContext], Any]]]:
    """Every kind of button with the handler for its presses."""
    from handlers import stats  # as for its command: imported where it is registered

    return [
        (callbacks.STATUS, group_alerts.status_pressed),
        (callbacks.QUESTION, group_questions.question_pressed),
        (callbacks.HANDOFF, group_handoff.handoff_pressed),
        (callbacks.DUPLICATE_OF, group_questions.duplicate_confirmed),
        (callbacks.LINK_AREA, group_links.link_chosen),
        (callbacks.INVITE_AREA, officers.invite_chosen),
        *report_buttons.HANDLERS,
        (callbacks.SURVEY, survey.survey_pressed),
        (callbacks.RATING, survey.rating_pressed),
        (callbacks.MENU, common.menu_pressed),
        (callbacks.LANGUAGE, common.language_chosen),
        (callbacks.PRIVACY, settings.privacy_chosen),
        (callbacks.MY_REPORTS_PAGE, tracking.page_pressed),
        (callbacks.VIEW_REPORT, tracking.view_pressed),
        (callbacks.ADD_INFO, add_info.add_info_pressed),
        (callbacks.WITHDRAW, withdraw.withdraw_pressed),
        (callbacks.SENT, withdraw.sent_pressed),
        (callbacks.STATS_DETAILS, stats.details_pressed),
        (callbacks.AGENCIES_PAGE, agency_admin.page_pressed),
        (callbacks.AGENCY_ADMIN, agency_admin.card_pressed),
        (callbacks.AGENCY_AREA, agency_admin.area_pressed),
    ]


async def _set_commands(application: BotApplication) -> None:
    """The "/" menu in both languages: citizen commands in private chats, group ones in groups."""
    menus = (
        (BotCommandScopeAllPrivateChats(), MENU_COMMANDS),
        (BotCommandScopeAllGroupChats(), GROUP_COMMANDS),
    )
    for scope, names in menus:
        for language in LANGUAGES:
            commands = [BotCommand(name, plain(language, f"commands.{name}")) for name in names]
            code = None if language == "id" else language
            await application.bot.set_my_commands(commands, scope=scope, language_code=code)


async def open_services(settings: Settings) -> Services:
    """Everything a handler needs, ready; the same for the bot and the CLI."""
    categories = load_categories()
    areas = AreaIndex.load(settings.areas_file)
    store = await Store.open(settings.database)
    await store.categories.sync(categories)
    await store.areas.sync(
        AreaRow(a.code, a.name, a.district, a.city, a.min_lat, a.min_lon, a.max_lat, a.max_lon)
        for a in areas.areas
    )
    by_key = {category.key: category for category in categories}
    waker = Waker()
    geocoder = build_geocoder(
        settings.geocoder,
        areas=areas,
        cache=store.geocache,
        url=settings.nominatim_url,
        user_agent=settings.nominatim_user_agent,
        timeout=settings.geocoder_timeout,
    )
    reporting = ReportingService(
        store,
        areas,
        categories,
        max_reports_per_hour=settings.max_reports_per_hour,
        admin_chat_id=settings.admin_chat_id,
        wake=waker,
        geocoder=geocoder,
    )
    return Services(
        settings=settings,
        store=store,
        areas=areas,
        directory=AreaDirectory(areas),
        categories=by_key,
        reporting=reporting,
        cases=CasesService(
            store,
            waker,
            areas=areas,
            admin_chat_id=settings.admin_chat_id,
            categories=by_key,
        ),
        waker=waker,
    )


def build_application(settings: Settings) -> BotApplication:
    async def post_init(application: BotApplication) -> None:
        services = await open_services(settings)
        attach_services(application, services)
        # Seen by the other processes on the database (if any), what they left taken back,
        # and the inbox replayed or shared: all before polling or the webhook add anything.
        process = ThisProcess(application, services, inbox)
        application.bot_data["process"] = process
        await process.join()
        process.start_heartbeat(start_jobs(application, services))
        # HTTP (health, metrics, Open311, the webhook) when HTTP_PORT is set; stopped in
        # post_shutdown. In webhook mode nothing polls, so /healthz reports no "polling" at all.
        polling = (
            None
            if settings.webhook_url
            else (lambda: bool(application.updater and application.updater.running))
        )
        application.bot_data["http"] = await start_http(services, polling, application)
        await _set_commands(application)
        log.info("bot ready", extra={"bot": application.bot.username})

    async def post_shutdown(application: BotApplication) -> None:
        http = application.bot_data.pop("http", None)
        if http is not None:
            await http.stop()  # before the store closes: a request in flight may still write
        process = application.bot_data.pop("process", None)
        if process is not None:
            await process.leave()
        services = application.bot_data.get("services")
        if services is not None:
            await services.store.close()

    inbox = InboxQueue()
    requests = build_requests(
        settings.telegram_http_client,
        pool_size=settings.telegram_pool_size,
        timeout=settings.telegram_timeout_seconds,
    )
    application = (
        ApplicationBuilder()
        .token(settings.bot_token)
        .update_queue(inbox)  # updates are kept on disk until handled (bot/telegram/inbox.py)
        .base_url(settings.api_base_url)
        .base_file_url(settings.api_file_url)
        .context_types(ContextTypes(context=BotContext))
        # Every text the bot writes is Telegram HTML, escaped where it holds people's words
        # (bot/i18n.py); plain texts (popups, a photo album's caption) say parse_mode=None.
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        # Chats side by side, each chat's updates in order (bot/telegram/update_processor.py).
        .concurrent_updates(
            PerChatUpdateProcessor(
                settings.concurrent_updates, on_done=inbox.done, on_start=inbox.starting
            )
        )
        .rate_limiter(
            # Never more than 30 in any second: PTB's default bucket of 30 lets 31 through after
            # a pause, and each 429 then stalls every request for a second.
            BotRateLimiter(
                overall_max_rate=pace(settings)[0],
                overall_time_period=pace(settings)[1],
                max_retries=3,
            )
        )
        # The HTTP client under every call (bot/telegram/http_client.py: why aiohttp).
        .request(requests[0])
        .get_updates_request(requests[1])
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    register_handlers(application)
    return application
