"""The people a test plays: citizens in private chats and members of group chats.

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
"""

# The public helpers take ``timeout=`` because that is the test API the project agreed on.
# ruff: noqa: ASYNC109

from __future__ import annotations

import copy
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .world import BotMessage, CallbackRecord, ChatState, JSONDict, World

if TYPE_CHECKING:
    from .server import Sandbox

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


def _match(labels: list[str], wanted: str) -> list[int]:
    """Indexes of buttons matching ``wanted``: exact label, else case-insensitive substring."""
    exact = [i for i, label in enumerate(labels) if label == wanted]
    if exact:
        return exact
    folded = wanted.casefold()
    return [i for i, label in enumerate(labels) if folded in label.casefold()]


class _ChatView:
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


class Person(_ChatView):
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


class GroupChat(_ChatView):
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
