"""The group chats a test plays: a kelurahan group whose members write, reply and press buttons.

Apart from citizens because groups have rules of their own: members and their standing, the
bot's own status, privacy mode hiding most messages from a bot that is not an administrator, and
a group's upgrade to a supergroup.
"""

# The public helpers take ``timeout=`` because that is the test API the project agreed on.
# ruff: noqa: ASYNC109

from __future__ import annotations

from typing import Any

from .chatview import TINY_JPEG, CallbackAnswer, _command_entities, member_json
from .keyboards import KeyboardView
from .people import Person
from .records import BotMessage, JSONDict


class GroupChat(KeyboardView):
    """A kelurahan group: people write, reply to alerts and press their buttons."""

    @property
    def title(self) -> str:
        """The group's title."""
        return str(self.state.chat["title"])

    @property
    def type(self) -> str:
        """ "group" or "supergroup"."""
        return str(self.state.chat["type"])

    def __repr__(self) -> str:
        return f"GroupChat({self.title!r}, id={self.chat_id})"

    def add_member(self, person: Person, status: str = "member") -> None:
        """Put ``person`` in the group ("creator", "administrator", "member", "left", "kicked")."""
        member_json(person.user, status)  # validates the status
        self.state.members[person.user_id] = status

    def remove_member(self, person: Person) -> None:
        """``person`` leaves the group."""
        self.state.members[person.user_id] = "left"

    def migrate_to_supergroup(self) -> GroupChat:
        """The group becomes a supergroup with a new id, as Telegram does when a group grows:
        sends to the old id then fail with ``migrate_to_chat_id``. Members carry over."""
        new = self.sandbox.group(title=self.title, type="supergroup")
        new.state.members.update(self.state.members)
        new.state.bot_status = self.state.bot_status
        self.state.migrated_to = new.chat_id
        return new

    def set_bot_status(self, status: str) -> None:
        """Change the bot's own status here without an update ("administrator", "kicked"...)."""
        self.state.bot_status = status

    def admin_user(self) -> JSONDict:
        """A creator/administrator of the group (or a made-up one) for service updates."""
        for user_id, status in self.state.members.items():
            if status in ("creator", "administrator"):
                return self.world.users[user_id]
        return {"id": 777_000, "is_bot": False, "first_name": "Group admin"}

    def _visible(self, message: JSONDict) -> bool:
        """Privacy mode: does the bot receive this group message?"""
        if not self.world.privacy_mode or self.state.bot_status == "administrator":
            return True
        username = "@" + str(self.world.bot_user["username"])
        reply = message.get("reply_to_message")
        if reply and reply.get("from", {}).get("id") == self.world.bot_user["id"]:
            return True
        text = str(message.get("text") or message.get("caption") or "")
        entities = message.get("entities") or message.get("caption_entities") or []
        if any(e["type"] == "bot_command" for e in entities):
            command = text.split()[0]
            return "@" not in command or command.lower().endswith(username.lower())
        return username.lower() in text.lower()

    def _submit(self, user: JSONDict, content: JSONDict, reply_to: Any = None) -> JSONDict:
        user_id = int(user["id"])
        if self.state.members.get(user_id) == "kicked":
            raise AssertionError(f"{user['first_name']} was banned from {self} and cannot write")
        if self.state.members.get(user_id) in (None, "left"):
            self.state.members[user_id] = "member"
        message = self._user_message(user, content, reply_to)
        if self._visible(message):
            return self._deliver("message", message)
        self._acted()
        return message

    async def send(self, person: Person, text: str) -> JSONDict:
        """``person`` writes ``text`` in the group (unless privacy mode hides it from the bot)."""
        content: JSONDict = {"text": text}
        entities = _command_entities(text)
        if entities:
            content["entities"] = entities
        return self._submit(person.user, content)

    async def reply_to(
        self, message: BotMessage | JSONDict | int, person: Person, text: str
    ) -> JSONDict:
        """``person`` replies to ``message`` (e.g. a note on an alert)."""
        content: JSONDict = {"text": text}
        entities = _command_entities(text)
        if entities:
            content["entities"] = entities
        return self._submit(person.user, content, reply_to=message)

    async def reply_photo_to(
        self,
        message: BotMessage | JSONDict | int,
        person: Person,
        data: bytes = TINY_JPEG,
        caption: str | None = None,
    ) -> JSONDict:
        """``person`` replies to ``message`` with a photo (an "after" picture)."""
        return self._submit(person.user, self._photo_content(data, caption, None), reply_to=message)

    async def send_photo(
        self, person: Person, data: bytes = TINY_JPEG, caption: str | None = None
    ) -> JSONDict:
        """``person`` posts a photo replying to nothing (unless privacy mode hides it from the
        bot, as Telegram does when the bot is not an administrator)."""
        return self._submit(person.user, self._photo_content(data, caption, None))

    async def tap(
        self,
        person: Person,
        label: str,
        message: BotMessage | None = None,
        timeout: float = 5.0,
    ) -> CallbackAnswer | None:
        """``person`` presses a button of ``message`` (default: the group's last keyboard)."""
        if self.state.members.get(person.user_id) is None:
            self.state.members[person.user_id] = "member"
        return await self._tap(person.user, label, message, timeout)

    async def press(
        self,
        person: Person,
        message: BotMessage | JSONDict | int,
        callback_data: str | None,
        wait: float = 5.0,
    ) -> CallbackAnswer | None:
        """``person`` sends a raw callback for ``message`` (forged or stale data)."""
        return await self._callback(person.user, message, callback_data, wait)
