"""The parts of an update a handler was registered for, narrowed once.

Why: python-telegram-bot types ``update.effective_message``, ``effective_user``,
``effective_chat`` and ``callback_query`` as optional, because an update may be of any kind. Each
handler, though, is registered with filters that guarantee them (a ``MessageHandler`` on
``filters.TEXT`` gets a message with a sender in a chat; a ``CallbackQueryHandler`` gets a query).
These helpers state that once, as rules-bot's ``cast(Message, …)`` helpers do, and check it: a
registration mistake becomes one clear error naming what was missing instead of an
``AttributeError`` deep inside a handler, and ``mypy --strict`` sees real types everywhere.

Where a handler legitimately meets updates without the part (a press on a message too old for
Telegram to send back, an update from a channel), it checks ``update.effective_…`` itself.
"""

from __future__ import annotations

from telegram import CallbackQuery, Chat, Message, Update, User


class MissingPart(RuntimeError):
    """A handler got an update without the part its registration promised."""


def message_of(update: Update) -> Message:
    """The message a message handler (or a command) is answering."""
    if update.effective_message is None:
        raise MissingPart("this update carries no message")
    return update.effective_message


def user_of(update: Update) -> User:
    """Who sent the update: every message from a person and every button press has one."""
    if update.effective_user is None:
        raise MissingPart("this update has no sender")
    return update.effective_user


def chat_of(update: Update) -> Chat:
    """The chat the update happened in."""
    if update.effective_chat is None:
        raise MissingPart("this update belongs to no chat")
    return update.effective_chat


def query_of(update: Update) -> CallbackQuery:
    """The button press a ``CallbackQueryHandler`` is answering."""
    if update.callback_query is None:
        raise MissingPart("this update is not a button press")
    return update.callback_query


def pressed_message(query: CallbackQuery) -> Message | None:
    """The message whose button was pressed, or None when Telegram no longer sends it back
    (older than 48 hours, or deleted): the press must still be answered, the message not edited.
    """
    message = query.message
    return message if isinstance(message, Message) else None
