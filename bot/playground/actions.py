"""What a person on the page does in a chat, as the built-in server's people do it in tests.

Why through the people helpers: a message typed on the page is stored and queued exactly as a
test's ``citizen.send`` is (entities for commands, privacy mode in groups, blocked bots), so the
bot meets the same updates it meets in the suite.
"""

from __future__ import annotations

from typing import Any

from bot.playground.botapi import CallbackAnswer, GroupChat, Person, Sandbox

JSONDict = dict[str, Any]


class ActionError(ValueError):
    """A request the page should not have made (an unknown chat, a chat the person is not in)."""


def _group(sandbox: Sandbox, person: Person, chat_id: int) -> GroupChat | None:
    """None for the person's own private chat; the group otherwise (they must be a member)."""
    if chat_id == person.chat_id:
        return None
    state = sandbox.world.chats.get(chat_id)
    if state is None or state.is_private:
        raise ActionError("no such chat")
    if state.members.get(person.user_id) in (None, "left", "kicked"):
        raise ActionError(f"{person.first_name} is not in {state.chat.get('title')}")
    return GroupChat(sandbox, state)


def chats_of(sandbox: Sandbox, person: Person) -> list[JSONDict]:
    """The chats in this person's list: their chat with the bot, then their groups."""
    chats = [{"id": person.chat_id, "title": "WargaLapor", "type": "private"}]
    for state in sandbox.world.chats.values():
        if state.is_private or state.migrated_to is not None:
            continue
        if state.members.get(person.user_id) in ("member", "administrator", "creator"):
            chats.append({"id": state.chat_id, "title": state.chat.get("title"), "type": "group"})
    return chats


async def send_text(
    sandbox: Sandbox, person: Person, chat_id: int, text: str, reply_to: int | None
) -> None:
    group = _group(sandbox, person, chat_id)
    if group is None:
        await person.send(text, reply_to=reply_to)
        return
    if reply_to is not None:
        await group.reply_to(reply_to, person, text)
    else:
        await group.send(person, text)


async def send_location(
    sandbox: Sandbox, person: Person, chat_id: int, lat: float, lon: float
) -> None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ActionError("a location needs a latitude and a longitude")
    group = _group(sandbox, person, chat_id)
    if group is None:
        await person.share_location(lat, lon)
    else:
        group._submit(person.user, {"location": {"latitude": lat, "longitude": lon}})


async def send_photos(
    sandbox: Sandbox,
    person: Person,
    chat_id: int,
    photos: list[bytes],
    caption: str | None,
    reply_to: int | None,
) -> None:
    """One photo, or an album of 2–10 (one message each, sharing a media_group_id)."""
    if not 1 <= len(photos) <= 10:
        raise ActionError("send 1 to 10 photos at a time")
    group = _group(sandbox, person, chat_id)
    if group is None:
        if len(photos) == 1:
            await person.send_photo(photos[0], caption=caption, reply_to=reply_to)
        else:
            await person.send_album(photos, caption=caption)
        return
    if len(photos) == 1 and reply_to is not None:
        await group.reply_photo_to(reply_to, person, photos[0], caption)
        return
    sandbox.api._media_groups += 1
    media_group = f"14{sandbox.api._media_groups:015d}" if len(photos) > 1 else None
    for index, data in enumerate(photos):
        content = group._photo_content(data, caption if index == 0 else None, media_group)
        group._submit(person.user, content, reply_to=reply_to if index == 0 else None)


async def press(
    sandbox: Sandbox, person: Person, chat_id: int, message_id: int, data: str
) -> CallbackAnswer | None:
    """An inline button: a callback query, and the bot's answer (pop-up or alert) if any."""
    group = _group(sandbox, person, chat_id)
    state = sandbox.world.chats[chat_id]
    if message_id not in state.messages:
        raise ActionError("that message is gone")
    if group is None:
        return await person.press(message_id, data)
    return await group.press(person, message_id, data)


async def share_contact(sandbox: Sandbox, person: Person, chat_id: int) -> None:
    if _group(sandbox, person, chat_id) is not None:
        raise ActionError("contacts are shared in the private chat")
    await person.send_contact()


__all__ = [
    "ActionError",
    "chats_of",
    "press",
    "send_location",
    "send_photos",
    "send_text",
    "share_contact",
]
