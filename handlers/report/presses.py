"""How every report button's press is checked and answered, shared by the button modules.

A press carries the draft's token; the token and the step the draft is on decide whether it is
stale. A stale press is told so, loses its buttons, and the citizen sees where the report stands.
The report's steps use reply keyboards (handlers/report/prompts.py); the inline buttons left are
the busy/restore questions' and those on messages sent before this flow.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Update

from bot.i18n import t
from bot.telegram import callbacks
from bot.telegram.callbacks import ButtonKind
from bot.telegram.context import BotContext
from handlers.messages import drop_buttons
from handlers.narrow import pressed_message, query_of
from handlers.people import language_of
from handlers.report.prompts import prompt
from storage.drafts import Draft

P = TypeVar("P", bound=callbacks.Draft | callbacks.DraftChoice | callbacks.DraftReport)


async def pressed(
    update: Update,
    context: BotContext,
    kind: ButtonKind[P],
    *,
    step: str | None = None,
    inactive_too: bool = False,
) -> tuple[Draft, P, str] | None:
    """The citizen's draft and the press's fields, when the press is for that draft (its token)
    and, unless ``inactive_too``, the draft is still open, at ``step`` if one is given. Else the
    press is answered as stale and None returned."""
    language = await language_of(update, context)
    query = query_of(update)
    press = kind.parse(query.data)
    draft = await context.services.store.drafts.get(query.from_user.id)
    if (
        press is None
        or draft is None
        or draft.token != press.token
        or not (draft.is_active or inactive_too)
        or (step is not None and draft.step != step)
    ):
        await stale(update, context, language)
        return None
    return draft, press, language


async def took(update: Update, note: str | None = None) -> None:
    """The press is obeyed: answered, and its message's buttons taken away."""
    query = query_of(update)
    await query.answer()
    await drop_buttons(pressed_message(query), note)


async def move_on(
    update: Update, context: BotContext, draft: Draft, language: str, prefix: str | None = None
) -> None:
    """The press is obeyed (answered, its buttons taken away) and ``draft`` asks its next
    question, with that step's keyboard."""
    await took(update)
    await prompt(context, draft, language, prefix=prefix)


async def move(
    update: Update,
    context: BotContext,
    kind: ButtonKind[Any],
    step: str,
    change: Callable[[Draft], Awaitable[Draft]],
) -> None:
    """A press that moves the draft on from ``step``: the next step is asked."""
    found = await pressed(update, context, kind, step=step)
    if found is None:
        return
    draft, _, language = found
    await move_on(update, context, await change(draft), language)


async def stale(update: Update, context: BotContext, language: str) -> None:
    """Say the button expired, take the old buttons away, and show where the citizen really is."""
    query = query_of(update)
    await query.answer(t(language, "common.stale_button"))
    await drop_buttons(pressed_message(query))
    draft = await context.services.reporting.active_draft(query.from_user.id)
    if draft is not None:
        await prompt(context, draft, language)
