"""The bot's messages: sending text and places, editing, deleting, and answering a press.

Edits and deletes follow Telegram's rules that bots trip over: an edit that changes nothing is
refused, omitting reply_markup drops the inline keyboard, others' messages in a group need admin
rights to delete, and a callback query can be answered only once.
"""

from __future__ import annotations

import time
from typing import Any

from .base import ApiBase
from .protocol import Ctx, bad_request
from .records import BotMessage, ChatState, JSONDict, MessageVersion

ANSWER_TEXT_LIMIT = 200

_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class MessageMethods(ApiBase):
    """sendMessage, sendLocation, sendVenue, sendChatAction, the edits, deleteMessage and
    answerCallbackQuery."""

    async def m_sendMessage(self, ctx: Ctx) -> JSONDict:
        """Text message; HTML, length and keyboard checked like Telegram."""
        params = ctx.params
        state = self._chat(params)
        plain, entities = self._format(
            params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
        )
        markup = self._markup(params.get("reply_markup"))
        message = self._new_message(state, params, markup)
        message["text"] = plain
        if entities:
            message["entities"] = entities
        self._store(state, message, params, "text", str(params.get("text")), markup)
        return message

    @staticmethod
    def _location(params: JSONDict) -> JSONDict:
        lat, lon = params.get("latitude"), params.get("longitude")
        if not isinstance(lat, int | float) or not isinstance(lon, int | float):
            raise bad_request("latitude and longitude must be numbers")
        if not -90 <= lat <= 90 or not -180 <= lon <= 180:
            raise bad_request("wrong latitude or longitude")
        return {"latitude": float(lat), "longitude": float(lon)}

    async def m_sendLocation(self, ctx: Ctx) -> JSONDict:
        params = ctx.params
        state = self._chat(params)
        location = self._location(params)
        markup = self._markup(params.get("reply_markup"))
        message = self._new_message(state, params, markup)
        message["location"] = location
        self._store(
            state,
            message,
            params,
            "location",
            None,
            markup,
            lat=location["latitude"],
            lon=location["longitude"],
        )
        return message

    async def m_sendVenue(self, ctx: Ctx) -> JSONDict:
        params = ctx.params
        state = self._chat(params)
        location = self._location(params)
        title, address = params.get("title"), params.get("address")
        if not title or not address:
            raise bad_request("venue title and address must be non-empty")
        markup = self._markup(params.get("reply_markup"))
        message = self._new_message(state, params, markup)
        venue: JSONDict = {"location": location, "title": str(title), "address": str(address)}
        for key in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
            if params.get(key):
                venue[key] = params[key]
        message["venue"] = venue
        message["location"] = location
        self._store(
            state,
            message,
            params,
            "venue",
            str(title),
            markup,
            lat=location["latitude"],
            lon=location["longitude"],
        )
        return message

    async def m_sendChatAction(self, ctx: Ctx) -> bool:
        """Typing indicator; counts as activity for settling."""
        state = self._chat(ctx.params)
        if ctx.params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self.world.touch(state.chat_id)
        return True

    def _editable(self, params: JSONDict) -> tuple[ChatState, JSONDict, BotMessage]:
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the sandbox")
        state = self._chat(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = state.messages.get(int(message_id))
        if message is None:
            raise bad_request("message to edit not found")
        bot_message = state.bot_message(int(message_id))
        if bot_message is None:
            raise bad_request("message can't be edited")
        return state, message, bot_message

    def _apply_edit(
        self, state: ChatState, bot_message: BotMessage, new_raw: JSONDict, **changes: Any
    ) -> JSONDict:
        """Replace a message's content, keeping the old version in ``edits``."""
        bot_message.edits.append(
            MessageVersion(
                text=bot_message.text,
                parse_mode=bot_message.parse_mode,
                reply_markup=bot_message.reply_markup,
                raw=bot_message.raw,
                replaced_at=time.monotonic(),
            )
        )
        new_raw["edit_date"] = int(time.time())
        state.messages[bot_message.message_id] = new_raw
        bot_message.raw = new_raw
        for key, value in changes.items():
            setattr(bot_message, key, value)
        bot_message.changed_seq = self.world.next_seq()
        self.world.touch(state.chat_id)
        self.world.notify()
        return new_raw

    # -- methods: editing ----------------------------------------------------------------

    async def m_editMessageText(self, ctx: Ctx) -> JSONDict:
        """Edit text; omitting reply_markup drops the inline keyboard, as Telegram does."""
        params = ctx.params
        state, message, bot_message = self._editable(params)
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        plain, entities = self._format(
            params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
        )
        markup = self._markup(params.get("reply_markup"), inline_only=True)
        if (
            plain == message.get("text")
            and entities == message.get("entities", [])
            and markup == message.get("reply_markup")
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        new_raw = {
            k: v for k, v in message.items() if k not in ("text", "entities", "reply_markup")
        }
        new_raw["text"] = plain
        if entities:
            new_raw["entities"] = entities
        if markup is not None:
            new_raw["reply_markup"] = markup
        return self._apply_edit(
            state,
            bot_message,
            new_raw,
            text=str(params.get("text")),
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
        )

    async def m_editMessageCaption(self, ctx: Ctx) -> JSONDict:
        """Edit a caption; omitting reply_markup drops the inline keyboard."""
        params = ctx.params
        state, message, bot_message = self._editable(params)
        if not any(k in message for k in ("photo", "document", "video", "audio", "animation")):
            raise bad_request("there is no caption in the message to edit")
        markup = self._markup(params.get("reply_markup"), inline_only=True)
        new_raw = {
            k: v
            for k, v in message.items()
            if k not in ("caption", "caption_entities", "reply_markup")
        }
        text = self._caption(new_raw, params)
        if (
            new_raw.get("caption") == message.get("caption")
            and new_raw.get("caption_entities") == message.get("caption_entities")
            and markup == message.get("reply_markup")
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        if markup is not None:
            new_raw["reply_markup"] = markup
        return self._apply_edit(
            state,
            bot_message,
            new_raw,
            text=text,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup if markup is not None else None,
        )

    async def m_editMessageReplyMarkup(self, ctx: Ctx) -> JSONDict:
        """Replace (or with no markup, remove) an inline keyboard."""
        params = ctx.params
        state, message, bot_message = self._editable(params)
        markup = self._markup(params.get("reply_markup"), inline_only=True)
        if markup == message.get("reply_markup"):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        new_raw = {k: v for k, v in message.items() if k != "reply_markup"}
        if markup is not None:
            new_raw["reply_markup"] = markup
        return self._apply_edit(state, bot_message, new_raw, reply_markup=markup)

    async def m_deleteMessage(self, ctx: Ctx) -> bool:
        """Delete; others' messages in groups need the bot to be an administrator."""
        state = self._chat(ctx.params)
        message_id = ctx.params.get("message_id")
        if not isinstance(message_id, int) or message_id not in state.messages:
            raise bad_request("message to delete not found")
        bot_message = state.bot_message(message_id)
        if bot_message is None and not state.is_private and state.bot_status != "administrator":
            raise bad_request("message can't be deleted")  # others' messages need admin rights
        del state.messages[message_id]
        if bot_message is not None:
            bot_message.deleted = True
            bot_message.changed_seq = self.world.next_seq()
        self.world.touch(state.chat_id)
        self.world.notify()
        return True

    async def m_answerCallbackQuery(self, ctx: Ctx) -> bool:
        """Answer a button press once; a second answer is refused like Telegram."""
        params = ctx.params
        record = self.world.callbacks.get(str(params.get("callback_query_id")))
        if record is None or record.answered:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if isinstance(text, str) and len(text) > ANSWER_TEXT_LIMIT:
            raise bad_request("MESSAGE_TOO_LONG")
        record.answered = True
        record.answer = {
            "text": text,
            "show_alert": bool(params.get("show_alert")),
            "url": params.get("url"),
            "cache_time": params.get("cache_time"),
        }
        self.world.touch(record.chat_id)
        self.world.notify()
        return True
