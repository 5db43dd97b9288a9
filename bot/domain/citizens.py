"""The citizen record: registered on first contact, their language, their announcements.

Why here and not in handlers: the Telegram adapter, the CLI and future front ends change a
citizen the same way, and handlers write nothing to storage themselves.
"""

from __future__ import annotations

from storage.citizens import Citizen
from storage.store import Store


async def register(store: Store, user_id: int, chat_id: int, language: str) -> Citizen:
    """A person in a private chat is a citizen from now on; one who had blocked the bot and came
    back is reachable again. ``language`` is only a first guess (their app's)."""
    return await store.citizens.ensure(user_id, chat_id, language)


async def choose_language(store: Store, user_id: int, language: str) -> None:
    """The citizen's own choice, which from now on wins over their app's language."""
    await store.citizens.set_language(user_id, language)


async def resume_announcements(store: Store, user_id: int) -> bool:
    """/start after /stop: announcements again. True when they had been off."""
    return await store.citizens.set_announcements(user_id, on=True)
