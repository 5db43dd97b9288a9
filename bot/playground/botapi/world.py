"""The sandbox's state: users, chats, messages, files, the update queue and the record of calls.

Everything the fake Bot API knows lives in one ``World`` so that the HTTP layer (``server.py`` and
its method mixins) and the people helpers (``people.py``, ``groups.py``) agree on one truth; the
records it keeps are in ``records.py``. The world never talks HTTP itself: the bot, whether in
this process or a subprocess, only sees it through ``server.py``.

Waiting works by a change counter: every mutation that a test might wait for (a bot message, an
edit, a callback answer, an update handed to the bot) calls ``notify()``, and waiters re-check
their condition. That keeps the waiting code simple and free of lost-wakeup races.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from .records import Call, CallbackRecord, ChatState, FileRecord, JSONDict

#: Update types Telegram sends when ``allowed_updates`` was never set.
DEFAULT_ALLOWED_UPDATES = frozenset(
    {
        "message",
        "edited_message",
        "channel_post",
        "edited_channel_post",
        "business_connection",
        "business_message",
        "edited_business_message",
        "deleted_business_messages",
        "inline_query",
        "chosen_inline_result",
        "callback_query",
        "shipping_query",
        "pre_checkout_query",
        "purchased_paid_media",
        "poll",
        "poll_answer",
        "my_chat_member",
        "chat_join_request",
        "chat_boost",
        "removed_chat_boost",
    }
)


class World:
    """All state of the fake Telegram, shared by the HTTP server and the people helpers."""

    def __init__(self, token: str, bot_username: str = "wargalapor_test_bot") -> None:
        self.token = token
        bot_id = int(token.split(":", 1)[0])
        self.bot_user: JSONDict = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "WargaLapor Test",
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.users: dict[int, JSONDict] = {}
        self.blocked: set[int] = set()
        self.started: set[int] = set()
        self.chats: dict[int, ChatState] = {}
        self.files: dict[str, FileRecord] = {}
        self.files_by_path: dict[str, FileRecord] = {}
        #: How many times each file's bytes were downloaded, by file_id (the download route).
        self.downloads: Counter[str] = Counter()
        self.callbacks: dict[str, CallbackRecord] = {}
        self.calls: list[Call] = []
        self.commands: dict[tuple[str, str], list[JSONDict]] = {}
        self.descriptions: dict[tuple[str, str], str] = {}
        self.menu_buttons: dict[int | None, JSONDict] = {}
        self.webhook: JSONDict = {"url": ""}
        #: Reject a bare ``&`` in HTML (Telegram keeps it; see markup.py for why we do not).
        self.strict_ampersand = True
        #: Group privacy mode: the bot only sees commands, mentions and replies to it in groups
        #: where it is not an administrator (``can_read_all_group_messages`` is False).
        self.privacy_mode = True
        self.closing = False

        self.pending: list[JSONDict] = []
        self.update_chat: dict[int, int | None] = {}
        self.delivered_at: dict[int, float] = {}
        self.allowed_updates: frozenset[str] = DEFAULT_ALLOWED_UPDATES
        self.poll_generation = 0
        self._next_update_id = 700_000_001
        self._user_ids = itertools.count(5_000_001)
        self._group_ids = itertools.count(1)
        self._file_counter = itertools.count(1)
        self._seq = itertools.count(1)
        self._version = 0
        self._event = asyncio.Event()

    # -- change notification -------------------------------------------------------------

    def notify(self) -> None:
        """Wake everyone waiting for a change (bot message, update delivered, answer...)."""
        self._version += 1
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def wait_change(self, seconds: float) -> None:
        """Return after the next change or after ``seconds``, whichever comes first."""
        if seconds <= 0:
            return
        event = self._event
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), seconds)

    async def wait_for(self, predicate: Callable[[], Any], seconds: float) -> Any:
        """Wait until ``predicate()`` is truthy and return its value; None after ``seconds``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while True:
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0 or self.closing:
                return None
            await self.wait_change(remaining)

    def next_seq(self) -> int:
        """Global order of events (messages, edits, actions) across all chats."""
        return next(self._seq)

    # -- users, chats, files -------------------------------------------------------------

    def new_user(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> JSONDict:
        """Create a user with a unique id (the JSON Telegram puts in ``from``)."""
        user: JSONDict = {"id": next(self._user_ids), "is_bot": False, "first_name": first_name}
        if last_name:
            user["last_name"] = last_name
        if username:
            user["username"] = username
        if language_code:
            user["language_code"] = language_code
        self.users[user["id"]] = user
        return user

    def private_chat(self, user: JSONDict) -> ChatState:
        """The private chat between ``user`` and the bot (its id equals the user id)."""
        chat_id = int(user["id"])
        if chat_id not in self.chats:
            chat: JSONDict = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            for key in ("last_name", "username"):
                if key in user:
                    chat[key] = user[key]
            self.chats[chat_id] = ChatState(chat=chat, user_id=chat_id)
        return self.chats[chat_id]

    def new_group(self, title: str, chat_type: str = "supergroup") -> ChatState:
        """A group (negative id) or supergroup (-100... id) where the bot is already a member."""
        if chat_type not in ("group", "supergroup"):
            raise ValueError("chat_type must be 'group' or 'supergroup'")
        number = next(self._group_ids)
        chat_id = (
            -(1_001_000_000_000 + number) if chat_type == "supergroup" else -(400_000 + number)
        )
        state = ChatState(chat={"id": chat_id, "type": chat_type, "title": title})
        self.chats[chat_id] = state
        return state

    def new_file(
        self,
        data: bytes,
        *,
        folder: str,
        extension: str,
        prefix: str,
        unique_id: str | None = None,
        mime_type: str | None = None,
        file_name: str | None = None,
    ) -> FileRecord:
        """Store bytes under a fresh file_id so that getFile and the download route find them."""
        number = next(self._file_counter)
        file_id = f"{prefix}{number:04d}{secrets.token_urlsafe(24)}"
        record = FileRecord(
            file_id=file_id,
            file_unique_id=unique_id or f"AQAD{number:04d}{secrets.token_urlsafe(6)}",
            data=data,
            file_path=f"{folder}/file_{number}.{extension}",
            mime_type=mime_type,
            file_name=file_name,
            token=self.token,
        )
        self.files[file_id] = record
        self.files_by_path[record.file_path] = record
        return record

    def file_for_bot(self, file_id: str) -> FileRecord | None:
        """The file ``file_id`` names, if it was issued to the bot's current token; a file id
        from before a token change is unknown, as on Telegram."""
        record = self.files.get(file_id)
        return record if record is not None and record.token == self.token else None

    def change_token(self, token: str) -> None:
        """The bot gets a new token (BotFather's /revoke, or a new bot on the same database):
        the old token is refused from now on, and every file id issued to it stops working
        (the files' bytes stay, so tests can still read them)."""
        self.token = token
        self.bot_user["id"] = int(token.split(":", 1)[0])

    # -- updates -------------------------------------------------------------------------

    @property
    def next_update_id(self) -> int:
        """The id the next update will get (to stand in for one Telegram sent before)."""
        return self._next_update_id

    def enqueue(self, kind: str, payload: JSONDict, chat_id: int | None) -> JSONDict:
        """Put an update in the queue for getUpdates and wake the long poll."""
        update = {"update_id": self._next_update_id, kind: payload}
        self.update_chat[self._next_update_id] = chat_id
        self._next_update_id += 1
        self.pending.append(update)
        self.notify()
        return update

    def confirm(self, offset: int) -> None:
        """Forget updates below ``offset`` (Telegram's confirmation); negative = keep the last N."""
        if offset < 0:
            self.pending = self.pending[offset:]
        else:
            self.pending = [u for u in self.pending if u["update_id"] >= offset]

    def deliverable(self, limit: int) -> list[JSONDict]:
        """Pending updates of allowed types, oldest first."""
        return [u for u in self.pending if _update_type(u) in self.allowed_updates][:limit]

    def mark_delivered(self, updates: list[JSONDict]) -> None:
        """Remember when each update was first handed to the bot (for settling before a tap)."""
        now = time.monotonic()
        for update in updates:
            update_id = update["update_id"]
            if update_id not in self.delivered_at:
                self.delivered_at[update_id] = now
                chat_id = self.update_chat.get(update_id)
                if chat_id is not None and chat_id in self.chats:
                    self.chats[chat_id].last_delivery = now
        if updates:
            self.notify()

    def undelivered(self, chat_id: int | None = None) -> list[JSONDict]:
        """Updates (optionally of one chat) the bot asked for but has not fetched yet."""
        return [
            u
            for u in self.pending
            if u["update_id"] not in self.delivered_at
            and _update_type(u) in self.allowed_updates
            and (chat_id is None or self.update_chat.get(u["update_id"]) == chat_id)
        ]

    # -- activity ------------------------------------------------------------------------

    def touch(self, chat_id: int | None) -> None:
        """Note that the bot just did something in a chat (used to decide the chat has settled)."""
        if chat_id is not None and chat_id in self.chats:
            self.chats[chat_id].last_bot_activity = time.monotonic()

    async def settle(self, chat_id: int, quiet: float, idle: float, seconds: float) -> bool:
        """Wait until the bot has fetched this chat's updates and finished answering.

        "Finished" means: the bot acted in the chat after the last update was fetched and has
        then been quiet for ``quiet`` seconds, or it has not acted at all for ``idle`` seconds
        (an update it answers with nothing). Returns False if neither happened in ``seconds``.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        state = self.chats[chat_id]
        while not self.closing:
            now = loop.time()
            if now >= deadline:
                return False
            if self.undelivered(chat_id):
                await self.wait_change(deadline - now)
                continue
            if state.last_bot_activity >= state.last_delivery:
                ready_at = state.last_bot_activity + quiet
            else:
                ready_at = state.last_delivery + idle
            wait = ready_at - time.monotonic()
            if wait <= 0:
                return True
            await self.wait_change(min(wait, deadline - now))
        return False

    # -- transcripts ---------------------------------------------------------------------

    def transcript(self, chat_id: int, last: int = 12) -> str:
        """Recent messages and failed bot calls of a chat, for failure messages."""
        state = self.chats.get(chat_id)
        if state is None:
            return "(unknown chat)"
        lines: list[str] = []
        for message_id in sorted(state.messages)[-last:]:
            raw = state.messages[message_id]
            bot_msg = state.bot_message(message_id)
            if bot_msg is not None:
                lines.append("  <- " + bot_msg.describe())
            else:
                who = raw.get("from", {}).get("first_name", "?")
                lines.append(f"  -> {who} #{message_id}: {_describe_user_message(raw)!r}")
        failures = [c for c in self.calls if c.chat_id == chat_id and not c.ok][-5:]
        for call in failures:
            lines.append(f"  !! bot {call.method} failed: {call.status} {call.error}")
        waiting = self.undelivered(chat_id)
        if waiting:
            lines.append(
                f"  .. {len(waiting)} update(s) not fetched by the bot yet (is it polling?)"
            )
        return "\n".join(lines) if lines else "  (no messages)"


def _update_type(update: JSONDict) -> str:
    """The update's type, e.g. "message" (its one key besides update_id)."""
    return next(key for key in update if key != "update_id")


def _describe_user_message(raw: JSONDict) -> str:
    for key in ("text", "caption"):
        if key in raw:
            return str(raw[key])
    for key in ("photo", "location", "venue", "document", "sticker", "voice", "video", "contact"):
        if key in raw:
            return f"<{key}>"
    return "<message>"
