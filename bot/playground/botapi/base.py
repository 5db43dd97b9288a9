"""What every group of Bot API methods shares: finding the chat, checking text and keyboards
like Telegram, and building and storing the bot's messages.

The methods are split by job into mixins (messages.py, media.py, chats.py, commands.py,
updates.py) over this one base, so they all refuse bad input with the same descriptions
Telegram uses and keep messages in one shape.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from typing import Any

from .faults import FaultInjector, RateLimits
from .markup import MarkupError, parse_html, utf16_len
from .protocol import ApiError, bad_request
from .records import BotMessage, ChatState, JSONDict
from .world import World

_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "login_url",
    "web_app",
    "callback_game",
    "pay",
    "copy_text",
)

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64


def _check_inline_button(button: Any) -> None:
    """One inline button: a label, exactly one known action, valid callback_data and URL."""
    if not isinstance(button, dict):
        raise bad_request(
            "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
        )
    text = button.get("text")
    if not isinstance(text, str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    if not text.strip():
        raise bad_request("inline keyboard button text must be non-empty")
    actions = [key for key in _INLINE_ACTIONS if key in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
            raise bad_request("BUTTON_DATA_INVALID")
    if "url" in button:
        url = button["url"]
        if not isinstance(url, str) or not re.match(r"^(https?|tg)://\S+$", url):
            raise bad_request(f"inline keyboard button URL '{url}' is invalid")


class ApiBase:
    """State and helpers of the Bot API methods on top of a World."""

    def __init__(self, world: World, faults: FaultInjector, limits: RateLimits) -> None:
        self.world = world
        self.faults = faults
        self.limits = limits
        self.photo_sizes: dict[str, list[JSONDict]] = {}
        self._known_uploads: dict[str, str] = {}
        self._media_groups = 0
        self._callback_ids = 0
        #: Calls being answered right now, and the most ever at once, by method (lower case).
        self.in_flight: Counter[str] = Counter()
        self.most_in_flight: Counter[str] = Counter()

    @property
    def _bot_from(self) -> JSONDict:
        user = self.world.bot_user
        return {k: user[k] for k in ("id", "is_bot", "first_name", "username")}

    def _chat(self, params: JSONDict, *, writing: bool = True) -> ChatState:
        """The chat named by chat_id, refusing like Telegram when the bot may not write there."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        state: ChatState | None = None
        if isinstance(chat_id, int):
            state = self.world.chats.get(chat_id)
        elif isinstance(chat_id, str) and chat_id.startswith("@"):
            for candidate in self.world.chats.values():
                if not candidate.is_private and candidate.chat.get("username") == chat_id[1:]:
                    state = candidate
        if state is None:
            raise bad_request("chat not found")
        if writing:
            if state.is_private:
                assert state.user_id is not None
                if state.user_id in self.world.blocked:
                    raise ApiError(403, "Forbidden: bot was blocked by the user")
                if state.user_id not in self.world.started:
                    raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
            else:
                kind = state.chat["type"]
                if state.migrated_to is not None:
                    raise ApiError(
                        400,
                        "Bad Request: group chat was upgraded to a supergroup chat",
                        {"migrate_to_chat_id": state.migrated_to},
                    )
                if state.bot_status == "kicked":
                    raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
                if state.bot_status == "left":
                    raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
        return state

    def _format(
        self,
        text: Any,
        parse_mode: Any,
        entities: Any,
        *,
        caption: bool,
    ) -> tuple[str, list[JSONDict]]:
        """Parse and check a text or caption; returns (visible text, entities)."""
        if text is None:
            text = ""
        if not isinstance(text, str):
            text = str(text)
        found: list[JSONDict] = []
        mode = (parse_mode or "").lower() if isinstance(parse_mode, str) else ""
        if mode == "html":
            try:
                plain, found = parse_html(text, strict_ampersand=self.world.strict_ampersand)
            except MarkupError as err:
                raise bad_request(f"can't parse entities: {err}") from err
        elif mode in ("", "markdown", "markdownv2"):
            plain = text
            if isinstance(entities, list):
                found = [dict(e) for e in entities if isinstance(e, dict)]
        else:
            raise bad_request("unsupported parse_mode")
        stripped = plain.lstrip()
        shift = utf16_len(plain) - utf16_len(stripped)
        stripped = stripped.rstrip()
        if shift:
            for entity in found:
                entity["offset"] = max(0, entity["offset"] - shift)
        if caption:
            if len(stripped) > CAPTION_LIMIT:
                raise bad_request("message caption is too long")
        else:
            if not stripped:
                raise bad_request("message text is empty")
            if len(stripped) > TEXT_LIMIT:
                raise bad_request("message is too long")
        return stripped, found

    def _markup(self, markup: Any, *, inline_only: bool = False) -> JSONDict | None:
        """Validate reply_markup; returns it (None when absent or an empty inline keyboard)."""
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Array"
                )
            for row in rows:
                for button in row:
                    _check_inline_button(button)
            if not any(rows):
                return None
            return markup
        if inline_only:
            raise bad_request("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
                raise bad_request("can't parse reply keyboard markup JSON object")
            for row in rows:
                for button in row:
                    label = button.get("text") if isinstance(button, dict) else button
                    if not isinstance(label, str) or not label.strip():
                        raise bad_request("keyboard button text must be non-empty")
            return markup
        if markup.get("remove_keyboard") or markup.get("force_reply"):
            return markup
        raise bad_request("can't parse reply keyboard markup JSON object")

    def _reply_target(self, state: ChatState, params: JSONDict) -> JSONDict | None:
        """The message being replied to (reply_parameters or the older reply_to_message_id)."""
        reply = params.get("reply_parameters")
        allow = bool(params.get("allow_sending_without_reply"))
        message_id: Any = params.get("reply_to_message_id")
        target_state = state
        if isinstance(reply, dict):
            message_id = reply.get("message_id")
            allow = bool(reply.get("allow_sending_without_reply", allow))
            other = reply.get("chat_id")
            if other is not None and other != state.chat_id:
                found = (
                    self.world.chats.get(int(other)) if str(other).lstrip("-").isdigit() else None
                )
                if found is None:
                    raise bad_request("chat not found")
                target_state = found
        if message_id is None:
            return None
        message = target_state.messages.get(int(message_id))
        if message is None:
            if allow:
                return None
            raise bad_request("message to be replied not found")
        return message

    def _new_message(self, state: ChatState, params: JSONDict, markup: JSONDict | None) -> JSONDict:
        """The common part of a bot message: id, sender, chat, date, reply and keyboard."""
        reply = self._reply_target(state, params)
        message: JSONDict = {
            "message_id": state.take_message_id(),
            "from": self._bot_from,
            "chat": dict(state.chat),
            "date": int(time.time()),
        }
        if isinstance(params.get("message_thread_id"), int):
            message["message_thread_id"] = params["message_thread_id"]
        if reply is not None:
            message["reply_to_message"] = {
                k: v for k, v in reply.items() if k != "reply_to_message"
            }
        if markup is not None and "inline_keyboard" in markup:
            # Telegram echoes only inline keyboards in the returned Message.
            message["reply_markup"] = markup
        return message

    def _store(
        self,
        state: ChatState,
        message: JSONDict,
        params: JSONDict,
        kind: str,
        text: str | None,
        markup: JSONDict | None,
        **fields: Any,
    ) -> BotMessage:
        """Keep a sent message (raw + BotMessage view) and wake whoever waits for it."""
        state.messages[message["message_id"]] = message
        reply = message.get("reply_to_message")
        seq = self.world.next_seq()
        bot_message = BotMessage(
            message_id=message["message_id"],
            chat_id=state.chat_id,
            kind=kind,
            text=text,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            reply_to_message_id=reply["message_id"] if reply else None,
            raw=message,
            seq=seq,
            sent_at=time.monotonic(),
            changed_seq=seq,
            sent_removing_keyboard=bool(markup and markup.get("remove_keyboard")),
            **fields,
        )
        state.bot_messages.append(bot_message)
        self.world.touch(state.chat_id)
        self.world.notify()
        return bot_message

    def _caption(self, message: JSONDict, params: JSONDict) -> str | None:
        caption = params.get("caption")
        if caption is None:
            return None
        plain, entities = self._format(
            caption, params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        if plain:
            message["caption"] = plain
            if entities:
                message["caption_entities"] = entities
        return str(caption)
