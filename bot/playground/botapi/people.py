"""The citizens a test plays: a Telegram user in a private chat with the bot.

Each action turns into the update Telegram would send (a message with a bot_command entity, a
photo, a location, a contact...) and goes into the queue the bot long-polls; see chatview.py for
how ``next_message`` pairs answers with actions.
"""

# The public helpers take ``timeout=`` because that is the test API the project agreed on.
# ruff: noqa: ASYNC109

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from .chatview import TINY_JPEG, CallbackAnswer, _command_entities, member_json
from .keyboards import KeyboardView
from .records import BotMessage, JSONDict

if TYPE_CHECKING:
    from .sandbox import Sandbox


class Person(KeyboardView):
    """A citizen: a Telegram user with a private chat with the bot."""

    def __init__(self, sandbox: Sandbox, user: JSONDict) -> None:
        super().__init__(sandbox, sandbox.world.private_chat(user))
        self.user = user

    @property
    def user_id(self) -> int:
        """The person's Telegram user id."""
        return int(self.user["id"])

    @property
    def first_name(self) -> str:
        """The person's first name."""
        return str(self.user["first_name"])

    @property
    def language_code(self) -> str | None:
        """The client language Telegram reports in ``from.language_code``."""
        return self.user.get("language_code")

    def __repr__(self) -> str:
        return f"Person({self.first_name!r}, id={self.user_id})"

    # -- messages ------------------------------------------------------------------------

    async def send(
        self,
        text: str,
        reply_to: BotMessage | JSONDict | int | None = None,
        entities: list[JSONDict] | None = None,
    ) -> JSONDict:
        """Write ``text``; a leading ``/command`` gets its bot_command entity. ``entities`` is
        formatting made with Telegram's own buttons (bold, links...), as Telegram delivers it."""
        content: JSONDict = {"text": text}
        entities = _command_entities(text) + list(entities or [])
        if entities:
            content["entities"] = entities
        return self._deliver("message", self._user_message(self.user, content, reply_to))

    async def tap(
        self, label: str, message: BotMessage | None = None, timeout: float = 5.0
    ) -> CallbackAnswer | None:
        """Press the button labelled ``label`` (exact, else case-insensitive substring) on the last
        keyboard, or on ``message``. Inline buttons return the bot's answer (None if it did not
        answer within 5 s); reply-keyboard buttons send their text."""
        return await self._tap(self.user, label, message, timeout)

    async def press(
        self, message: BotMessage | JSONDict | int, callback_data: str | None, wait: float = 5.0
    ) -> CallbackAnswer | None:
        """Send a callback_query with arbitrary data for ``message`` (forged or stale buttons)."""
        return await self._callback(self.user, message, callback_data, wait)

    async def share_location(self, latitude: float, longitude: float) -> JSONDict:
        """Share a location (what a request_location button or the attachment menu sends)."""
        content = {"location": {"latitude": latitude, "longitude": longitude}}
        return self._deliver("message", self._user_message(self.user, content))

    async def send_venue(
        self, latitude: float, longitude: float, *, title: str, address: str
    ) -> JSONDict:
        """Send a venue (a place picked from the map); Telegram includes its location too."""
        location = {"latitude": latitude, "longitude": longitude}
        content = {
            "venue": {"location": location, "title": title, "address": address},
            "location": location,
        }
        return self._deliver("message", self._user_message(self.user, content))

    async def send_photo(
        self,
        data: bytes = TINY_JPEG,
        caption: str | None = None,
        media_group_id: str | None = None,
        reply_to: BotMessage | JSONDict | int | None = None,
    ) -> JSONDict:
        """Send a photo (as a reply to ``reply_to`` if given); the bot sees three PhotoSize
        entries whose files hold ``data``."""
        content = self._photo_content(data, caption, media_group_id)
        return self._deliver("message", self._user_message(self.user, content, reply_to))

    async def send_album(
        self, photos: list[bytes], caption: str | None = None, media_group_id: str | None = None
    ) -> list[JSONDict]:
        """Send 2–10 photos as one album, as Telegram delivers it: one message per photo, each
        its own update, all sharing a ``media_group_id``; a caption typed for the album rides
        on its first photo only."""
        if not 2 <= len(photos) <= 10:
            raise ValueError("an album holds 2 to 10 items")
        self.sandbox.api._media_groups += 1
        group = media_group_id or f"14{self.sandbox.api._media_groups:015d}"
        sent = []
        for index, data in enumerate(photos):
            content = self._photo_content(data, caption if index == 0 else None, group)
            sent.append(self._deliver("message", self._user_message(self.user, content)))
        return sent

    async def send_video(
        self, duration: int = 5, data: bytes = b"\x00\x00\x00\x18ftypmp42sandbox-video"
    ) -> JSONDict:
        """Send a video (from the camera or the gallery), as Telegram describes one."""
        record = self.world.new_file(
            data, folder="videos", extension="mp4", prefix="BAACAgUAAxkBAAI", mime_type="video/mp4"
        )
        video = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "width": 1280,
            "height": 720,
            "duration": duration,
            "mime_type": "video/mp4",
            "file_size": record.file_size,
        }
        return self._deliver("message", self._user_message(self.user, {"video": video}))

    async def send_document(
        self,
        data: bytes,
        file_name: str = "document.pdf",
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> JSONDict:
        """Send a file as a document."""
        content: JSONDict = {"document": self.sandbox.api.make_document(data, file_name, mime_type)}
        if caption is not None:
            content["caption"] = caption
        return self._deliver("message", self._user_message(self.user, content))

    async def send_sticker(
        self, emoji: str = "👍", reply_to: BotMessage | JSONDict | int | None = None
    ) -> JSONDict:
        """Send a sticker (something a text-only step must cope with)."""
        record = self.world.new_file(
            b"RIFF\x00\x00\x00\x00WEBP",
            folder="stickers",
            extension="webp",
            prefix="CAACAgIAAxkBAAI",
        )
        sticker = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "set_name": "SandboxStickers",
            "file_size": record.file_size,
        }
        message = self._user_message(self.user, {"sticker": sticker}, reply_to)
        return self._deliver("message", message)

    async def send_voice(
        self, duration: int = 3, data: bytes = b"OggS\x00sandbox-voice"
    ) -> JSONDict:
        """Send a voice note."""
        record = self.world.new_file(
            data, folder="voice", extension="oga", prefix="AwACAgUAAxkBAAI", mime_type="audio/ogg"
        )
        voice = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": record.file_size,
        }
        return self._deliver("message", self._user_message(self.user, {"voice": voice}))

    async def send_contact(
        self, phone: str = "+628123456789", first_name: str | None = None, own: bool = True
    ) -> JSONDict:
        """Share a contact; ``own=True`` (a request_contact button) adds this person's user_id."""
        contact: JSONDict = {"phone_number": phone, "first_name": first_name or self.first_name}
        if own:
            contact["user_id"] = self.user_id
        return self._deliver("message", self._user_message(self.user, {"contact": contact}))

    async def edit(self, message: JSONDict, text: str) -> JSONDict:
        """Edit one of this person's earlier text messages (an edited_message update)."""
        raw = self._resolve(message)
        raw = {k: v for k, v in raw.items() if k not in ("text", "entities")}
        raw["text"] = text
        entities = _command_entities(text)
        if entities:
            raw["entities"] = entities
        raw["edit_date"] = int(time.time())
        self.state.messages[raw["message_id"]] = raw
        return self._deliver("edited_message", raw)

    # -- blocking ------------------------------------------------------------------------

    def block_bot(self) -> None:
        """Block the bot: sends now fail with 403 and the bot gets a my_chat_member update."""
        self._membership_change("member", "kicked")
        self.world.blocked.add(self.user_id)

    def unblock_bot(self) -> None:
        """Unblock (Telegram's "Restart"): the bot may write again."""
        self.world.blocked.discard(self.user_id)
        self.world.started.add(self.user_id)
        self._membership_change("kicked", "member")

    def _membership_change(self, old: str, new: str) -> None:
        bot = {k: self.world.bot_user[k] for k in ("id", "is_bot", "first_name", "username")}
        payload = {
            "chat": dict(self.state.chat),
            "from": self.user,
            "date": int(time.time()),
            "old_chat_member": member_json(bot, old),
            "new_chat_member": member_json(bot, new),
        }
        self.world.enqueue("my_chat_member", payload, self.chat_id)
