"""What the sandbox's world stores: chats, the bot's messages (and their edit history), files,
callback queries and the record of the bot's calls.

Plain data kept apart from ``World`` (world.py), which owns the queue and the waiting: the HTTP
methods, the people helpers and the tests all read these records, so they share one definition.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .markup import strip_html

JSONDict = dict[str, Any]


def _plain(text: str | None, parse_mode: str | None) -> str:
    if text is None:
        return ""
    if (parse_mode or "").lower() == "html":
        return strip_html(text)
    return text


class _Content:
    """Reading helpers shared by a bot message and its earlier versions."""

    text: str | None
    parse_mode: str | None
    reply_markup: JSONDict | None

    @property
    def plain_text(self) -> str:
        """Text or caption with tags stripped and entities unescaped (what the reader sees)."""
        return _plain(self.text, self.parse_mode)

    @property
    def has_inline_keyboard(self) -> bool:
        """True when the message carries an inline keyboard."""
        return bool(self.reply_markup and self.reply_markup.get("inline_keyboard"))

    @property
    def has_reply_keyboard(self) -> bool:
        """True when the message shows a reply keyboard (ReplyKeyboardMarkup)."""
        return bool(self.reply_markup and self.reply_markup.get("keyboard"))

    @property
    def removes_keyboard(self) -> bool:
        """True when the message was sent with ReplyKeyboardRemove."""
        return bool(self.reply_markup and self.reply_markup.get("remove_keyboard"))

    @property
    def keyboard_rows(self) -> list[list[JSONDict]]:
        """Buttons as dicts (reply-keyboard strings normalised to ``{"text": ...}``)."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard") or self.reply_markup.get("keyboard") or []
        return [[b if isinstance(b, dict) else {"text": str(b)} for b in row] for row in rows]

    @property
    def buttons(self) -> list[str]:
        """Flat list of button labels, inline or reply keyboard."""
        return [str(b.get("text", "")) for row in self.keyboard_rows for b in row]

    @property
    def inline_buttons(self) -> list[tuple[str, str | None]]:
        """(label, callback_data or url) for each inline button."""
        if not self.has_inline_keyboard:
            return []
        return [
            (str(b.get("text", "")), b.get("callback_data", b.get("url")))
            for row in self.keyboard_rows
            for b in row
        ]


@dataclass
class MessageVersion(_Content):
    """A bot message as it was before an edit (kept so tests can assert on the history)."""

    text: str | None
    parse_mode: str | None
    reply_markup: JSONDict | None
    raw: JSONDict
    replaced_at: float | None


@dataclass
class BotMessage(_Content):
    """A message the bot sent, as the test sees it: the raw HTML it sent plus the Telegram JSON.

    ``text`` is the text or caption exactly as the bot sent it (HTML not parsed), so tests can
    assert on escaping; ``plain_text`` is what a person would read. The object is live: it is
    updated in place when the bot edits or deletes the message (a keyboard the bot removed is
    gone from ``buttons``, as from the screen). ``edits`` keeps the previous versions and
    ``original`` the first one, e.g. to forge a press with a button the bot has since removed.
    """

    message_id: int
    chat_id: int
    kind: str
    text: str | None
    parse_mode: str | None
    reply_markup: JSONDict | None
    reply_to_message_id: int | None
    raw: JSONDict
    seq: int
    sent_at: float
    photo: str | None = None
    document: str | None = None
    lat: float | None = None
    lon: float | None = None
    media_group_id: str | None = None
    edits: list[MessageVersion] = field(default_factory=list)
    deleted: bool = False
    changed_seq: int = 0
    #: Sent with ReplyKeyboardRemove: the client took the reply keyboard away on receiving it,
    #: and an inline keyboard the bot adds later by an edit does not bring it back.
    sent_removing_keyboard: bool = False

    @property
    def removes_keyboard(self) -> bool:
        """True when the message was sent with ReplyKeyboardRemove (edits do not undo that)."""
        return self.sent_removing_keyboard or super().removes_keyboard

    @property
    def original(self) -> MessageVersion:
        """The message as first sent (itself, as a version, when never edited)."""
        if self.edits:
            return self.edits[0]
        return MessageVersion(self.text, self.parse_mode, self.reply_markup, self.raw, None)

    def describe(self) -> str:
        """One line for transcripts in failure messages."""
        body = self.plain_text.replace("\n", " / ")
        if len(body) > 120:
            body = body[:117] + "..."
        extra = f" [{self.kind}]" if self.kind != "text" else ""
        buttons = f" buttons={self.buttons}" if self.buttons else ""
        flags = " (deleted)" if self.deleted else (" (edited)" if self.edits else "")
        return f"bot #{self.message_id}{extra}: {body!r}{buttons}{flags}"


@dataclass
class FileRecord:
    """A stored file; every size of a photo points at the same bytes."""

    file_id: str
    file_unique_id: str
    data: bytes
    file_path: str
    mime_type: str | None = None
    file_name: str | None = None
    #: The bot token that was given this file_id: as on Telegram, a file_id is only good for
    #: the bot that received it (a new token is a new bot as far as file ids go), while the
    #: file_unique_id stays the same for every bot.
    token: str = ""

    @property
    def file_size(self) -> int:
        """Size in bytes, as getFile reports it."""
        return len(self.data)


@dataclass
class CallbackRecord:
    """A callback query sent to the bot and whether/how it was answered."""

    query_id: str
    chat_id: int
    message_id: int
    user_id: int
    data: str | None
    answered: bool = False
    answer: JSONDict | None = None


@dataclass
class Call:
    """One request the bot made, for assertions ("setMyCommands was called for 'en'")."""

    method: str
    params: JSONDict
    at: float
    chat_id: int | str | None
    #: HTTP status of the answer; 0 while the call is in flight or when the connection was dropped.
    status: int = 0
    result: Any = None
    error: str | None = None
    fault: str | None = None

    @property
    def ok(self) -> bool:
        """True for a 2xx answer."""
        return 200 <= self.status < 300


@dataclass
class ChatState:
    """One chat: its Telegram JSON, its messages (users' and bot's) and, for groups, members."""

    chat: JSONDict
    user_id: int | None = None
    next_message_id: int = 1
    messages: dict[int, JSONDict] = field(default_factory=dict)
    bot_messages: list[BotMessage] = field(default_factory=list)
    members: dict[int, str] = field(default_factory=dict)
    bot_status: str = "member"
    migrated_to: int | None = None  # a group upgraded to this supergroup id
    last_bot_activity: float = 0.0
    last_delivery: float = 0.0

    @property
    def chat_id(self) -> int:
        """The chat's id."""
        return int(self.chat["id"])

    @property
    def is_private(self) -> bool:
        """True for a one-to-one chat with a user."""
        return bool(self.chat["type"] == "private")

    def take_message_id(self) -> int:
        """Next message id: users' and bot's messages share one sequence per chat, like Telegram."""
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id

    def bot_message(self, message_id: int) -> BotMessage | None:
        """The BotMessage with this id, if the bot sent it."""
        for msg in reversed(self.bot_messages):
            if msg.message_id == message_id:
                return msg
        return None
