"""Pressing buttons: finding the keyboard a person can press now, tapping a label on it and
sending (or forging) the callback query it makes.

Kept apart from the reading and writing in chatview.py because tapping has its own rules: let the
chat settle first, then match a label exactly or else by substring, and refuse buttons the
sandbox cannot press rather than pretending to.
"""

from __future__ import annotations

import time

from .chatview import CallbackAnswer, ChatView
from .records import BotMessage, CallbackRecord, JSONDict


def _match(labels: list[str], wanted: str) -> list[int]:
    """Indexes of buttons matching ``wanted``: exact label, else case-insensitive substring."""
    exact = [i for i, label in enumerate(labels) if label == wanted]
    if exact:
        return exact
    folded = wanted.casefold()
    return [i for i, label in enumerate(labels) if folded in label.casefold()]


class KeyboardView(ChatView):
    """A chat view whose people can press the bot's keyboards."""

    def _keyboard_message(self) -> BotMessage | None:
        """The last bot message whose keyboard a person can currently press."""
        messages = [m for m in self.state.bot_messages if not m.deleted]
        reply_keyboard_live = True
        for message in reversed(messages):
            if message.has_inline_keyboard:
                return message
            if message.removes_keyboard:
                reply_keyboard_live = False
                continue
            if message.has_reply_keyboard:
                if reply_keyboard_live:
                    return message
                reply_keyboard_live = False
        return None

    def _find_button(self, label: str) -> tuple[BotMessage, JSONDict] | None:
        message = self._keyboard_message()
        if message is None:
            return None
        buttons = [b for row in message.keyboard_rows for b in row]
        hits = _match([str(b.get("text", "")) for b in buttons], label)
        if len(hits) > 1:
            raise AssertionError(
                f"button {label!r} is ambiguous on bot message #{message.message_id}: "
                f"{[buttons[i].get('text') for i in hits]}; all buttons: {message.buttons}"
            )
        return (message, buttons[hits[0]]) if hits else None

    async def _tap(
        self,
        user: JSONDict,
        label: str,
        message: BotMessage | None,
        wait: float,
    ) -> CallbackAnswer | None:
        if message is None:
            loop_deadline = time.monotonic() + wait
            await self.world.settle(
                self.chat_id, self.sandbox.settle_time, self.sandbox.idle_time, wait
            )
            found = await self.world.wait_for(
                lambda: self._find_button(label), max(0.0, loop_deadline - time.monotonic())
            )
            if not found:
                current = self._keyboard_message()
                where = (
                    f"the last keyboard (bot message #{current.message_id}) has {current.buttons}"
                    if current
                    else "the bot has sent no keyboard in this chat"
                )
                raise AssertionError(
                    f"no button matching {label!r}: {where}\nrecent chat:\n" + self.transcript()
                )
            target, button = found
        else:
            if message.deleted:
                raise AssertionError(f"bot message #{message.message_id} was deleted")
            buttons = [b for row in message.keyboard_rows for b in row]
            hits = _match([str(b.get("text", "")) for b in buttons], label)
            if len(hits) != 1:
                problem = "is ambiguous" if hits else "is not"
                raise AssertionError(
                    f"button {label!r} {problem} on bot message #{message.message_id}; "
                    f"buttons: {message.buttons}"
                )
            target, button = message, buttons[hits[0]]

        if target.has_inline_keyboard:
            if "callback_data" in button:
                return await self._callback(user, target, button["callback_data"])
            if "url" in button:
                raise AssertionError(
                    f"{button['text']!r} is a URL button ({button['url']}); pressing it sends "
                    "nothing to the bot"
                )
            raise AssertionError(f"the sandbox cannot press inline button {button}")
        if button.get("request_location"):
            raise AssertionError(
                f"{button['text']!r} is a request_location button: use "
                "share_location(latitude, longitude) to press it"
            )
        if button.get("request_contact"):
            raise AssertionError(
                f"{button['text']!r} is a request_contact button: use send_contact() to press it"
            )
        for key in ("request_users", "request_chat", "request_poll", "web_app"):
            if button.get(key):
                raise AssertionError(
                    f"the sandbox cannot press a {key} button ({button['text']!r})"
                )
        self._submit(user, {"text": button["text"]})
        return None

    async def _callback(
        self,
        user: JSONDict,
        message: BotMessage | JSONDict | int,
        data: str | None,
        wait: float = 5.0,
    ) -> CallbackAnswer | None:
        raw = self._resolve(message)
        self._check_not_blocked(user)
        if self.state.is_private:
            self.world.started.add(int(user["id"]))
        self.sandbox.api._callback_ids += 1
        query_id = f"{4_820_000_000_000_000_000 + self.sandbox.api._callback_ids}"
        record = CallbackRecord(
            query_id, self.chat_id, int(raw["message_id"]), int(user["id"]), data
        )
        self.world.callbacks[query_id] = record
        query: JSONDict = {
            "id": query_id,
            "from": user,
            "message": raw,
            "chat_instance": str(abs(self.chat_id) * 7919 % 10**18),
        }
        if data is not None:
            query["data"] = data
        self._deliver("callback_query", query)
        answered = await self.world.wait_for(lambda: record.answered, wait)
        if not answered or record.answer is None:
            return None
        return CallbackAnswer(
            text=record.answer.get("text"),
            show_alert=bool(record.answer.get("show_alert")),
            url=record.answer.get("url"),
        )
