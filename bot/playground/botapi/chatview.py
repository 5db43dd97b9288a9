"""What every chat a test plays shares: sending into it and reading the bot's answers.

Each helper turns an action into the update Telegram would send (a message with a bot_command
entity, a callback_query, a location...) and puts it in the queue the bot long-polls. Waiting
helpers read the bot's answers back as ``BotMessage`` objects.

Cursor rule for ``next_message``: it returns bot messages in order and never the same one twice,
and every action of the person (``send``, ``tap``, ``share_location``...) moves the cursor to
"now". So ``await warga.tap("Kirim"); reply = await warga.next_message()`` gets the answer to the
tap, not a leftover from an earlier step (read those from ``warga.messages``).

``tap`` without an explicit message first lets the chat settle: the bot fetched this chat's updates,
answered and then stayed quiet for ``sandbox.settle_time`` (or stayed silent for
``sandbox.idle_time``). So a test can tap right after sending without racing the bot; if the label
is still missing, ``tap`` keeps waiting until a keyboard with it shows up.

Citizens (people.py) and groups (groups.py) build on ``ChatView``; pressing buttons is in
keyboards.py. The ChatMember shapes and the tiny photo live here too, as both sides of the
sandbox (the HTTP methods and the people) need them.
"""

# The public helpers take ``timeout=`` because that is the test API the project agreed on.
# ruff: noqa: ASYNC109

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .records import BotMessage, ChatState, JSONDict
from .world import World

if TYPE_CHECKING:
    from .sandbox import Sandbox

#: A tiny valid JPEG (1x1 px) used when a test needs "some photo".
TINY_JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b"
    "0c1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ff"
    "c0000b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0b"
    "ffc400b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a108"
    "2342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a53545556"
    "5758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9"
    "aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7"
    "f8f9faffda0008010100003f00fbd3ffd9"
)


#: How long a person waits for the bot by default. Generous, because a loaded 2-core machine
#: (CI, or two suites at once) can stall a healthy bot for seconds; a missing answer still fails.
WAIT = 10.0


class NoMessage(AssertionError, TimeoutError):
    """No bot message arrived in time (both an AssertionError and an asyncio.TimeoutError)."""


@dataclass
class CallbackAnswer:
    """How the bot answered a button press (answerCallbackQuery)."""

    text: str | None
    show_alert: bool
    url: str | None = None


def member_json(user: JSONDict, status: str) -> JSONDict:
    """ChatMember JSON for a status, with the fields PTB requires for that status."""
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == "administrator":
        return {
            "status": "administrator",
            "user": user,
            "can_be_edited": False,
            "is_anonymous": False,
            "can_manage_chat": True,
            "can_delete_messages": True,
            "can_manage_video_chats": True,
            "can_restrict_members": True,
            "can_promote_members": False,
            "can_change_info": True,
            "can_invite_users": True,
            "can_post_stories": False,
            "can_edit_stories": False,
            "can_delete_stories": False,
            "can_pin_messages": True,
        }
    if status == "kicked":
        return {"status": "kicked", "user": user, "until_date": 0}
    if status in ("member", "left"):
        return {"status": status, "user": user}
    raise ValueError(f"unsupported member status {status!r}")


def _command_entities(text: str) -> list[JSONDict]:
    """A bot_command entity for a leading ``/command`` (``/cmd@bot`` included), as clients add."""
    if not text.startswith("/") or len(text) < 2:
        return []
    end = 1
    while end < len(text) and not text[end].isspace():
        end += 1
    command = text[:end]
    if not command[1:2].isalnum() and command[1:2] != "_":
        return []
    return [{"type": "bot_command", "offset": 0, "length": len(command.encode("utf-16-le")) // 2}]


class ChatView:
    """What citizens and groups share: sending into a chat and reading the bot's answers."""

    def __init__(self, sandbox: Sandbox, state: ChatState) -> None:
        self.sandbox = sandbox
        self.world: World = sandbox.world
        self.state = state
        self._cursor = 0
        self._edits_seen: dict[int, int] = {}

    @property
    def chat_id(self) -> int:
        """The chat's id (equal to the user id for a private chat)."""
        return self.state.chat_id

    @property
    def messages(self) -> list[BotMessage]:
        """All bot messages in this chat, oldest first (edited ones show their current state)."""
        return list(self.state.bot_messages)

    @property
    def last_message(self) -> BotMessage | None:
        """The latest bot message in this chat, or None."""
        return self.state.bot_messages[-1] if self.state.bot_messages else None

    def transcript(self) -> str:
        """Recent messages and failed bot calls in this chat."""
        return self.world.transcript(self.chat_id)

    # -- reading the bot's answers -------------------------------------------------------

    async def next_message(self, timeout: float = WAIT) -> BotMessage:
        """The next bot message after the cursor (see module docstring); waits up to ``timeout``."""
        found = await self.world.wait_for(
            lambda: len(self.state.bot_messages) > self._cursor, timeout
        )
        if not found:
            raise NoMessage(
                f"no new bot message in chat {self.chat_id} within {timeout}s; recent chat:\n"
                + self.transcript()
            )
        message = self.state.bot_messages[self._cursor]
        self._cursor += 1
        return message

    async def expect_no_message(self, within: float = 0.5) -> None:
        """Assert the bot sends nothing new here (nothing unread now or within ``within`` s)."""
        await self.world.wait_for(lambda: len(self.state.bot_messages) > self._cursor, within)
        if len(self.state.bot_messages) > self._cursor:
            unexpected = self.state.bot_messages[self._cursor :]
            raise AssertionError(
                "expected no bot message, got: "
                + "; ".join(m.describe() for m in unexpected)
                + "\nrecent chat:\n"
                + self.transcript()
            )

    async def next_edit(self, message: BotMessage, timeout: float = WAIT) -> BotMessage:
        """Wait until ``message`` is edited (or return at once for an edit not waited on yet)."""
        seen = self._edits_seen.get(message.message_id, 0)
        found = await self.world.wait_for(
            lambda: len(message.edits) > seen or message.deleted, timeout
        )
        if message.deleted:
            raise AssertionError(f"message #{message.message_id} was deleted, not edited")
        if not found:
            raise NoMessage(
                f"bot message #{message.message_id} was not edited within {timeout}s; recent "
                "chat:\n" + self.transcript()
            )
        self._edits_seen[message.message_id] = len(message.edits)
        return message

    # -- acting --------------------------------------------------------------------------

    def _acted(self) -> None:
        """Move the cursor to now: what the bot sends from here on answers this action."""
        self._cursor = len(self.state.bot_messages)

    def _user_message(
        self,
        user: JSONDict,
        content: JSONDict,
        reply_to: BotMessage | JSONDict | int | None = None,
    ) -> JSONDict:
        """Store a message from ``user`` in this chat; returns its JSON (not yet queued)."""
        self._check_not_blocked(user)
        if self.state.is_private:
            self.world.started.add(int(user["id"]))  # a user who writes has started the bot
        message: JSONDict = {
            "message_id": self.state.take_message_id(),
            "from": user,
            "chat": dict(self.state.chat),
            "date": int(time.time()),
        }
        if reply_to is not None:
            target = self._resolve(reply_to)
            message["reply_to_message"] = {
                k: v for k, v in target.items() if k != "reply_to_message"
            }
        message.update(content)
        self.state.messages[message["message_id"]] = message
        return message

    def _check_not_blocked(self, user: JSONDict) -> None:
        """A person who blocked the bot cannot write to it (clients ask to unblock first)."""
        if self.state.is_private and int(user["id"]) in self.world.blocked:
            raise AssertionError(
                f"{user['first_name']} has blocked the bot; call unblock_bot() before acting"
            )

    def _resolve(self, message: BotMessage | JSONDict | int) -> JSONDict:
        """The current JSON of a message in this chat given a BotMessage, its dict or its id."""
        if isinstance(message, BotMessage):
            message_id = message.message_id
        elif isinstance(message, dict):
            message_id = int(message["message_id"])
        else:
            message_id = int(message)
        raw = self.state.messages.get(message_id)
        if raw is None:
            raise AssertionError(f"message #{message_id} does not exist in chat {self.chat_id}")
        return raw

    def _deliver(self, kind: str, payload: JSONDict) -> JSONDict:
        self._acted()
        self.world.enqueue(kind, copy.deepcopy(payload), self.chat_id)
        return payload

    def _submit(self, user: JSONDict, content: JSONDict, reply_to: Any = None) -> JSONDict:
        """Store and queue a message from ``user`` (groups override this for privacy mode)."""
        return self._deliver("message", self._user_message(user, content, reply_to))

    def _photo_content(
        self, data: bytes, caption: str | None, media_group_id: str | None
    ) -> JSONDict:
        content: JSONDict = {"photo": self.sandbox.api.make_photo(data)}
        if caption is not None:
            content["caption"] = caption
            entities = _command_entities(caption)
            if entities:
                content["caption_entities"] = entities
        if media_group_id is not None:
            content["media_group_id"] = media_group_id
        return content
