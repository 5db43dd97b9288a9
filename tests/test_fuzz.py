"""Fuzz: thousands of random updates, in the shapes Telegram really sends, against the running bot.

Why: the conversation tests walk the paths we thought of. Here a seeded generator throws what
Telegram can deliver at any moment -- every message kind, edits, channel posts, inline queries,
member changes, forged and stale button data, huge texts, malformed entities, unknown users and
chats, replies to anything -- from many chats at once, so the per-chat concurrent processor, the
handlers and the store meet them side by side. Afterwards: no error reached the logs (PTB's error
handler logs every unhandled exception), no call of the bot was refused for bad markup or bad
parameters, and a citizen still files a normal report.

A failure names its seed; ``FUZZ_SEED=<seed> pytest tests/test_fuzz.py`` replays it (the
generator's choices are fixed by the seed; which stale button a press finds can still depend on
timing). ``FUZZ_UPDATES`` changes the volume.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import string
import time
from collections import Counter
from dataclasses import replace

import pytest

from bot.playground.botapi.chatview import member_json
from bot.telegram import callbacks
from handlers.report import KEYBOARD_LABELS
from tests.conftest import RunningBot
from tests.helpers import DESCRIPTION, KOTA_TUA, MONAS, file_report, jpeg, until_summary

SEED = int(os.environ.get("FUZZ_SEED", "20261129"))
UPDATES = int(os.environ.get("FUZZ_UPDATES", "2400"))
BATCH = 150
CITIZENS = 220
GROUPS = 110
#: The generator stays this far ahead of the bot: later batches press buttons the bot sent in
#: answer to earlier ones, as people do.
AHEAD = 2 * BATCH

BOT_USERNAME = "wargalapor_test_bot"
ANONYMOUS_ADMIN = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}
TELEGRAM_SERVICE = {"id": 777000, "is_bot": False, "first_name": "Telegram"}
#: Where the last report is filed: no fixed point of the fuzz, so no open report nearby.
BUNDARAN_HI = (-6.1950, 106.8230)

#: 400 answers that describe the world, not what the bot built: the button's message is gone,
#: or the edit would change nothing (the bot tolerates both on purpose).
BENIGN_400 = (
    "message is not modified",
    "message to edit not found",
)

COMMANDS = (
    "start",
    "help",
    "language",
    "report",
    "cancel",
    "status",
    "myreports",
    "stop",
    "link",
    "unlink",
    "area",
    "invite",
    "move",
    "stats",
    "broadcast",
    "broadcasts",
    "weblogin",
    "settings",
    "START",
    "x",
)
PREFIXES = ("st", "r", "lk", "iv", "sv", "rt", "bc", "m", "lang", "my", "vw")
#: Pieces of callback data: real actions and ids next to garbage (Unicode digits included:
#: ``"²".isdigit()`` is true but ``int("²")`` fails).
DATA_PARTS = (
    "",
    "0",
    "1",
    "2",
    "-1",
    "007",
    "99999999999999999999",
    "1e3",
    "²",
    "٣",
    "abc",
    " ",
    "ack",
    "prog",
    "res",
    "rej",
    "dup",
    "cat",
    "flood",
    "ok",
    "ed",
    "ef",
    "eb",
    "fol",
    "dif",
    "here",
    "x",
    "cont",
    "rs",
    "new",
    "qy",
    "qn",
    "yes",
    "no",
    "skip",
    "kel",
    "kec",
    "kota",
    "3173080003",
    "Gambir",
    "aud",
    "citizens",
    "area_groups",
    "sc",
    "days",
    "now",
    "sched",
    "edit",
    "cancel",
    "report",
    "mine",
    "lang",
    "id",
    "en",
    "fr",
    "description",
    "photos",
    "location",
)
ARGUMENTS = (
    "1",
    "#1",
    "#2",
    "0",
    "-5",
    "99999999999999999999999",
    "abc",
    "Gambir",
    "kec. Gambir",
    "Jakarta Pusat",
    "Jakarta Barat",
    "3173080003",
    "Pinangsia",
    "7d",
    "30d",
    "all",
    "2026-11",
    "2026-13",
    "report",
    "inv_",
    "inv_AAAAAAAAAAAAAAAAAAAAAA",
    "1 Pinangsia",
    "#1 Gambir",
    "<b>",
    "&amp;",
)
WORDS = (
    "banjir",
    "sampah",
    "jalan rusak",
    "lampu mati",
    "Got mampet & bau",
    "<b>tebal</b>",
    "<i>miring",
    "a<b",
    "&",
    "&lt;",
    "Jl. Medan Merdeka",
    "Gambir",
    "Monas",
    "07:00",
    "30/11 07:00",
    "2026-11-30 07:00",
    "#1",
    "kirim",
    "ya",
    "tidak",
    "🌊",
    "👍🏽",
    "مرحبا",
    "שלום",
    "e\u0301",
    "zero\u200bwidth",
    "👨‍👩‍👧‍👦",
    "0812-3456-7890",
    "http://example.com",
    "@wargalapor_test_bot",
)
ALPHABET = (
    string.ascii_letters + string.digits + " <>&\"'#@/:.\n\t" + "éßøñ中文😀🌊👍🏽ءש\u200b\u0301"
)
ENTITY_TYPES = (
    "bold",
    "italic",
    "underline",
    "strikethrough",
    "spoiler",
    "code",
    "pre",
    "url",
    "email",
    "phone_number",
    "hashtag",
    "cashtag",
    "mention",
    "bot_command",
    "text_link",
    "text_mention",
    "custom_emoji",
    "blockquote",
    "expandable_blockquote",
)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class Fuzzer:
    """Builds random updates from the sandbox's current state and delivers them raw."""

    def __init__(self, rng: random.Random, sandbox, admin, admins_group, report_ids):
        self.rng = rng
        self.sandbox = sandbox
        self.world = sandbox.world
        self.admin = admin
        self.report_ids = list(report_ids)
        self.kinds: Counter[str] = Counter()
        self.delivered = 0
        self.admin_texts: set[str] = set()
        self.citizens = [
            sandbox.citizen(
                first_name=self.name(),
                language_code=rng.choice(("id", "id", "en", None, "pt-br", "zh-hans", "xx")),
                username=rng.choice((None, f"warga{i}")),
            )
            for i in range(CITIZENS)
        ]
        self.people = [*self.citizens, admin]
        self.groups = [admins_group]
        for number in range(GROUPS):
            group = sandbox.group(
                title=self.name(), type=rng.choice(("group", "supergroup", "supergroup"))
            )
            if group.type == "supergroup" and rng.random() < 0.2:
                group.state.chat["is_forum"] = True
            if rng.random() < 0.5:
                group.set_bot_status("administrator")  # sees every message, not only commands
            for person in rng.sample(self.citizens, 4):
                group.add_member(person, rng.choice(("member", "member", "administrator")))
            if number % 10 == 0:
                group.add_member(admin, "administrator")
            self.groups.append(group)
        self.channels = [
            {"id": -1_002_000_000_000 - n, "type": "channel", "title": f"Kanal {n}"}
            for n in range(1, 6)
        ]
        self.query_ids = 0

    # -- small random pieces ---------------------------------------------------------------

    def name(self) -> str:
        rng = self.rng
        return rng.choice(
            (
                "Budi",
                "Siti <b>Aminah</b>",
                "Tom & Jerry",
                "😀",
                "عبد الله",
                "A" * 64,
                "Ñandú",
                "x<y",
                "&amp;",
            )
        )

    def garbage(self, size: int) -> str:
        return "".join(self.rng.choice(ALPHABET) for _ in range(size))

    def text(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.30:
            command = "/" + rng.choice(COMMANDS)
            if rng.random() < 0.2:
                command += rng.choice(("@" + BOT_USERNAME, "@other_bot", "@"))
            if rng.random() < 0.6:
                command += " " + rng.choice(ARGUMENTS)
            if rng.random() < 0.04:
                command += " " + self.garbage(rng.randint(4000, 6000))
            return command
        if roll < 0.42:
            return rng.choice(sorted(KEYBOARD_LABELS))
        if roll < 0.70:
            return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
        if roll < 0.80:
            return rng.choice(("a", "abc", "x" * 1000, "x" * 1001, DESCRIPTION, "   .  "))
        if roll < 0.88:
            return "Laporan " + self.garbage(rng.randint(5000, 9000))  # huge
        return self.garbage(rng.randint(1, 300)).strip() or "?"

    def entities(self, text: str) -> list[dict]:
        """Clients' entities: a leading command's, plus random, overlapping or out of range."""
        rng = self.rng
        size = utf16_len(text)
        found = []
        if text.startswith("/") and rng.random() < 0.9:
            command = text.split()[0] if text.split() else text
            found.append({"type": "bot_command", "offset": 0, "length": utf16_len(command)})
        for _ in range(rng.choice((0, 0, 1, 2, 4))):
            kind = rng.choice(ENTITY_TYPES)
            if rng.random() < 0.3:
                offset, length = rng.randint(size, size + 50), rng.randint(1, 20)  # past the end
            else:
                offset = rng.randint(0, max(0, size - 1))
                length = rng.randint(1, max(1, size - offset + rng.choice((0, 0, 5))))
            entity = {"type": kind, "offset": offset, "length": length}
            if kind == "text_link":
                entity["url"] = rng.choice(("https://example.com/<x>", "tg://user?id=1"))
            elif kind == "text_mention":
                entity["user"] = rng.choice(self.people).user
            elif kind == "pre" and rng.random() < 0.5:
                entity["language"] = rng.choice(("python", "<script>", ""))
            elif kind == "custom_emoji":
                entity["custom_emoji_id"] = str(rng.randint(1, 10**18))
            found.append(entity)
        return sorted(found, key=lambda e: e["offset"]) if rng.random() < 0.7 else found

    def location(self) -> dict:
        rng = self.rng
        lat, lon = rng.choice(
            (
                MONAS,
                KOTA_TUA,
                (-6.2 + rng.uniform(-0.2, 0.2), 106.82 + rng.uniform(-0.2, 0.2)),
                (0.0, 0.0),
                (90.0, 180.0),
                (-90.0, -180.0),
                (rng.uniform(-90, 90), rng.uniform(-180, 180)),
            )
        )
        location = {"latitude": lat, "longitude": lon}
        if rng.random() < 0.2:
            location["horizontal_accuracy"] = rng.uniform(0, 1500)
        if rng.random() < 0.1:
            location["live_period"] = rng.choice((60, 900, 0x7FFFFFFF))
        return location

    def content(self) -> dict:
        """The body of a message: text, media, a place, a contact..."""
        rng = self.rng
        api = self.sandbox.api
        roll = rng.random()
        if roll < 0.50:
            text = self.text()
            content = {"text": text}
            entities = self.entities(text)
            if entities:
                content["entities"] = entities
            return content
        if roll < 0.62:
            content = {"photo": api.make_photo(jpeg(rng.randint(0, 400)))}
            if rng.random() < 0.5:
                caption = self.text()[:1024].strip() or "?"
                content["caption"] = caption
                entities = self.entities(caption)
                if entities:
                    content["caption_entities"] = entities
            if rng.random() < 0.15:
                content["media_group_id"] = str(rng.randint(10**16, 10**17))
            return content
        if roll < 0.66:
            record = self.world.new_file(
                b"RIFF\x00\x00\x00\x00WEBP", folder="stickers", extension="webp", prefix="CAAC"
            )
            return {
                "sticker": {
                    "file_id": record.file_id,
                    "file_unique_id": record.file_unique_id,
                    "type": rng.choice(("regular", "custom_emoji")),
                    "width": 512,
                    "height": 512,
                    "is_animated": rng.random() < 0.3,
                    "is_video": False,
                    "emoji": rng.choice(("👍", "🌊", "😀")),
                }
            }
        if roll < 0.70:
            record = self.world.new_file(
                b"OggS\x00voice", folder="voice", extension="oga", prefix="AwAC"
            )
            return {
                "voice": {
                    "file_id": record.file_id,
                    "file_unique_id": record.file_unique_id,
                    "duration": rng.randint(0, 3600),
                    "mime_type": "audio/ogg",
                }
            }
        if roll < 0.76:
            mime = rng.choice(("application/pdf", "image/jpeg", "image/png", "video/mp4", None))
            name = rng.choice(("lapor.pdf", "foto.jpg", "<b>x</b>.png", "a" * 200 + ".bin", None))
            content = {"document": api.make_document(jpeg(rng.randint(0, 50)), name, mime)}
            if mime == "video/mp4" and rng.random() < 0.5:
                document = content["document"]
                content["animation"] = {
                    "file_id": document["file_id"],
                    "file_unique_id": document["file_unique_id"],
                    "width": 320,
                    "height": 240,
                    "duration": 3,
                }
            return content
        if roll < 0.88:
            return {"location": self.location()}
        if roll < 0.93:
            location = self.location()
            venue = {
                "location": location,
                "title": rng.choice(("Monas", "<Pasar & Baru>", "😀" * 30, "x")),
                "address": rng.choice(("Jl. Medan Merdeka", "", "a" * 300)) or "-",
            }
            if rng.random() < 0.3:
                venue["foursquare_id"] = "4b5f0000f964a520"
            return {"venue": venue, "location": location}
        contact = {
            "phone_number": rng.choice(("+628123456789", "0812-3456-7890", "12", "+1 (555) <x>")),
            "first_name": self.name(),
        }
        if rng.random() < 0.5:
            contact["user_id"] = rng.choice(self.people).user_id
        if rng.random() < 0.2:
            contact["vcard"] = "BEGIN:VCARD\nVERSION:3.0\nFN:X\nEND:VCARD"
        return {"contact": contact}

    # -- messages --------------------------------------------------------------------------

    def message(self, state, sender: dict, content: dict) -> dict:
        """A new message in ``state``'s chat, maybe a reply, a forward or in a forum topic."""
        rng = self.rng
        message = {
            "message_id": state.take_message_id(),
            "from": sender,
            "chat": dict(state.chat),
            "date": int(time.time()) - rng.choice((0, 0, 0, 5, 86_400 * 30)),
            **content,
        }
        if rng.random() < 0.15:
            message["reply_to_message"] = self.replied(state)
        if rng.random() < 0.06:
            message["forward_origin"] = rng.choice(
                (
                    {"type": "user", "date": 1, "sender_user": rng.choice(self.people).user},
                    {"type": "hidden_user", "date": 1, "sender_user_name": self.name()},
                    {
                        "type": "channel",
                        "date": 1,
                        "chat": rng.choice(self.channels),
                        "message_id": rng.randint(1, 10**6),
                    },
                )
            )
        if state.chat.get("is_forum") and rng.random() < 0.7:
            message["message_thread_id"] = rng.choice((1, 7, 42))
            message["is_topic_message"] = True
        return message

    def replied(self, state) -> dict:
        """A message to reply to: one of the chat's (the bot's included), or one long gone."""
        rng = self.rng
        if state.messages and rng.random() < 0.8:
            raw = state.messages[rng.choice(list(state.messages))]
            return {k: v for k, v in raw.items() if k != "reply_to_message"}
        return {
            "message_id": rng.randint(1, 10**7),
            "from": rng.choice((self.sandbox.api._bot_from, rng.choice(self.people).user)),
            "chat": dict(state.chat),
            "date": 1,
            "text": rng.choice(WORDS),
        }

    def private_message(self) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.06:
            person = self.admin
        elif roll < 0.14:
            person = self.sandbox.citizen(first_name=self.name())  # never seen before
        else:
            person = rng.choice(self.citizens)
        if person.user_id in self.world.blocked:  # Telegram's "Restart" unblocks first
            self.my_chat_member_private(person, "kicked", "member")
        content = self.content()
        if person is self.admin:
            self.admin_texts.add(str(content.get("text") or content.get("caption") or ""))
        self.deliver("message", self.message(person.state, person.user, content))
        return "message/private"

    def live_group(self):
        groups = [g for g in self.groups if g.state.bot_status not in ("left", "kicked")]
        return self.rng.choice(groups) if groups else None

    def group_message(self) -> str:
        rng = self.rng
        group = self.live_group()
        if group is None:
            return self.private_message()
        state = group.state
        roll = rng.random()
        sender = rng.choice([p.user for p in self.people])
        extra: dict = {}
        if roll < 0.08:
            sender, extra = ANONYMOUS_ADMIN, {"sender_chat": dict(state.chat)}
        elif roll < 0.12:
            channel = rng.choice(self.channels)
            sender = TELEGRAM_SERVICE
            extra = {"sender_chat": channel, "is_automatic_forward": True}
        elif roll < 0.2:
            sender = self.world.new_user(self.name())  # never seen, writes at once
        elif roll < 0.3:
            sender = self.admin.user
        content = self.content()
        if rng.random() < 0.5 and "text" in content:  # privacy mode would hide most others
            text = "/" + rng.choice(COMMANDS) + rng.choice(("", "@" + BOT_USERNAME))
            text += " " + rng.choice(ARGUMENTS)
            content = {"text": text, "entities": self.entities(text)}
        message = self.message(state, sender, {**content, **extra})
        self.deliver("message", message)
        if rng.random() < 0.01 and group is not self.groups[0]:
            # Removed while the bot is still answering: its answers now meet 403.
            self.my_chat_member_group(group, rng.choice(("left", "kicked")))
        return "message/group"

    def edited(self) -> str:
        """An edit of an earlier message: its text, its caption or a live location moving."""
        rng = self.rng
        person = rng.choice(self.citizens)
        group = self.live_group()
        state = person.state if rng.random() < 0.7 or group is None else group.state
        editable = [
            m
            for m in state.messages.values()
            if m.get("from", {}).get("is_bot") is False
            and ("text" in m or "caption" in m or "photo" in m or "location" in m)
            and "venue" not in m
        ]
        if not editable or (state.is_private and person.user_id in self.world.blocked):
            return self.private_message()
        message = {k: v for k, v in rng.choice(editable).items()}
        if "location" in message:
            message["location"] = self.location()
        else:
            key = "text" if "text" in message else "caption"
            text = self.text()
            message[key] = text if key == "text" else text[:1024].strip() or "?"
            message.pop("caption_entities" if key == "caption" else "entities", None)
            entities = self.entities(message[key])
            if entities:
                message["caption_entities" if key == "caption" else "entities"] = entities
        message["edit_date"] = int(time.time())
        self.deliver("edited_message", message)
        return "edited_message"

    def channel_post(self, edited: bool) -> str:
        rng = self.rng
        channel = rng.choice(self.channels)
        state = self.world.chats.get(channel["id"])
        content = self.content()
        for key in ("contact", "venue"):
            content.pop(key, None)
        if not content:
            content = {"text": self.text()}
        post = {
            "message_id": state.take_message_id() if state else rng.randint(1, 1000),
            "sender_chat": channel,
            "chat": channel,
            "date": int(time.time()),
            **content,
        }
        if rng.random() < 0.3:
            post["author_signature"] = self.name()
        if edited:
            post["edit_date"] = int(time.time())
        kind = "edited_channel_post" if edited else "channel_post"
        self.deliver(kind, post)
        return kind

    # -- buttons ---------------------------------------------------------------------------

    def callback_data(self, keyboards: list) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.45 and keyboards:
            data = rng.choice(keyboards)
            if rng.random() < 0.3:  # a real button, one part swapped for garbage
                parts = data.split(":")
                parts[rng.randrange(len(parts))] = rng.choice(DATA_PARTS)
                data = ":".join(parts)
            return data[:64] or "x"
        if roll < 0.9:
            prefix = rng.choice(PREFIXES)
            parts = [rng.choice((*DATA_PARTS, *map(str, self.report_ids))) for _ in range(3)]
            return ":".join([prefix, *parts[: rng.randint(0, 3)]])[:64]
        return self.garbage(rng.randint(1, 30)).encode()[:64].decode(errors="ignore") or "?"

    def callback(self) -> str:
        rng = self.rng
        self.query_ids += 1
        query_id = str(9_100_000_000_000_000_000 + self.query_ids)
        chats = [
            c for c in self.world.chats.values() if c.bot_messages and c.bot_status != "kicked"
        ]
        keyboards = [
            data
            for chat in rng.sample(chats, min(len(chats), 20))
            for message in chat.bot_messages[-3:]
            for _, data in message.inline_buttons
            if data and "://" not in data
        ]
        if not chats or rng.random() < 0.05:  # an inline message (sent via the bot elsewhere)
            person = rng.choice(self.people)
            query = {
                "id": query_id,
                "from": person.user,
                "inline_message_id": self.garbage(20).strip() or "AAAA",
                "chat_instance": str(rng.randint(1, 10**18)),
                "data": self.callback_data(keyboards),
            }
            self.deliver("callback_query", query)
            return "callback_query/inline"
        state = rng.choice(chats)
        candidates = [m for m in state.bot_messages if not m.deleted]
        if not candidates:
            return self.private_message()
        if rng.random() < 0.5:
            candidates = [m for m in candidates if m.has_inline_keyboard] or candidates
        target = rng.choice(candidates[-8:])
        raw = state.messages.get(target.message_id, target.raw)
        if state.is_private:
            presser = self.world.users[state.chat_id]
            if state.chat_id in self.world.blocked:
                return self.private_message()
        else:
            presser = rng.choice([p.user for p in self.people])
        message = dict(raw)
        kind = "callback_query"
        if rng.random() < 0.05:  # older than 48 hours: Telegram sends an InaccessibleMessage
            message = {"chat": dict(state.chat), "message_id": target.message_id, "date": 0}
            kind = "callback_query/inaccessible"
        data = self.callback_data(keyboards)
        if rng.random() < 0.5 and target.inline_buttons and state.is_private:
            data = rng.choice(target.inline_buttons)[1] or data  # what a tap would send
        query = {
            "id": query_id,
            "from": presser,
            "message": message,
            "chat_instance": str(abs(state.chat_id) * 7919 % 10**18),
            "data": data,
        }
        self.deliver("callback_query", query)
        return kind

    # -- everything else -------------------------------------------------------------------

    def inline_query(self) -> str:
        rng = self.rng
        self.query_ids += 1
        query = {
            "id": str(8_100_000_000_000_000_000 + self.query_ids),
            "from": rng.choice(self.people).user,
            "query": self.text()[:256],
            "offset": rng.choice(("", "10", "x")),
        }
        if rng.random() < 0.7:
            query["chat_type"] = rng.choice(("sender", "private", "group", "supergroup", "channel"))
        if rng.random() < 0.2:
            query["location"] = self.location()
        self.deliver("inline_query", query)
        return "inline_query"

    def chosen_inline_result(self) -> str:
        rng = self.rng
        result = {
            "result_id": self.garbage(8),
            "from": rng.choice(self.people).user,
            "query": self.text()[:256],
        }
        if rng.random() < 0.5:
            result["inline_message_id"] = "BAAAA" + str(rng.randint(1, 10**9))
        self.deliver("chosen_inline_result", result)
        return "chosen_inline_result"

    def chat_member(self) -> str:
        rng = self.rng
        group = self.live_group()
        if group is None:
            return self.private_message()
        person = rng.choice(self.people)
        old = group.state.members.get(person.user_id, "left")
        new = rng.choice(("member", "administrator", "left", "kicked", "creator"))
        update = {
            "chat": dict(group.state.chat),
            "from": group.admin_user(),
            "date": int(time.time()),
            "old_chat_member": member_json(person.user, old),
            "new_chat_member": member_json(person.user, new),
        }
        if rng.random() < 0.2:
            update["via_join_request"] = True
        self.deliver("chat_member", update)
        return "chat_member"

    def my_chat_member(self) -> str:
        rng = self.rng
        if rng.random() < 0.4:
            person = rng.choice(self.citizens)
            if person.user_id in self.world.blocked:
                self.my_chat_member_private(person, "kicked", "member")
            else:
                self.my_chat_member_private(person, "member", "kicked")
            return "my_chat_member/private"
        group = rng.choice(self.groups[1:])
        if group.state.bot_status in ("left", "kicked"):
            self.my_chat_member_group(group, "member")  # added back
        else:
            self.my_chat_member_group(group, rng.choice(("administrator", "member", "left")))
        return "my_chat_member/group"

    def my_chat_member_private(self, person, old: str, new: str) -> None:
        bot = self.sandbox.api._bot_from
        self.deliver(
            "my_chat_member",
            {
                "chat": dict(person.state.chat),
                "from": person.user,
                "date": int(time.time()),
                "old_chat_member": member_json(bot, old),
                "new_chat_member": member_json(bot, new),
            },
        )

    def my_chat_member_group(self, group, new: str) -> None:
        bot = self.sandbox.api._bot_from
        old = group.state.bot_status
        self.deliver(
            "my_chat_member",
            {
                "chat": dict(group.state.chat),
                "from": group.admin_user(),
                "date": int(time.time()),
                "old_chat_member": member_json(bot, old if old != new else "left"),
                "new_chat_member": member_json(bot, new),
            },
        )

    def reaction(self) -> str:
        rng = self.rng
        group = self.live_group()
        if group is None or not group.state.messages:
            return self.private_message()
        update = {
            "chat": dict(group.state.chat),
            "message_id": rng.choice(list(group.state.messages)),
            "user": rng.choice(self.people).user,
            "date": int(time.time()),
            "old_reaction": [],
            "new_reaction": [{"type": "emoji", "emoji": "👍"}],
        }
        self.deliver("message_reaction", update)
        return "message_reaction"

    def join_request(self) -> str:
        group = self.live_group()
        if group is None:
            return self.private_message()
        person = self.rng.choice(self.citizens)
        update = {
            "chat": dict(group.state.chat),
            "from": person.user,
            "user_chat_id": person.user_id,
            "date": int(time.time()),
            "bio": self.garbage(40),
        }
        self.deliver("chat_join_request", update)
        return "chat_join_request"

    # -- driving ---------------------------------------------------------------------------

    def deliver(self, kind: str, payload: dict) -> None:
        if self.sandbox.deliver_raw(kind, payload) is not None:
            self.delivered += 1

    def one(self) -> None:
        rng = self.rng
        roll = rng.random()
        if roll < 0.40:
            kind = self.private_message()
        elif roll < 0.58:
            kind = self.group_message()
        elif roll < 0.80:
            kind = self.callback()
        elif roll < 0.86:
            kind = self.edited()
        elif roll < 0.89:
            kind = self.channel_post(edited=False)
        elif roll < 0.905:
            kind = self.channel_post(edited=True)
        elif roll < 0.935:
            kind = self.inline_query()
        elif roll < 0.945:
            kind = self.chosen_inline_result()
        elif roll < 0.96:
            kind = self.chat_member()
        elif roll < 0.98:
            kind = self.my_chat_member()
        elif roll < 0.99:
            kind = self.reaction()
        else:
            kind = self.join_request()
        self.kinds[kind] += 1


class ErrorRecords(logging.Handler):
    """Every ERROR record any logger emits: the error handler's "update failed", PTB's own,
    asyncio's "exception was never retrieved"."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def first(self) -> str:
        if not self.records:
            return ""
        record = self.records[0]
        return logging.Formatter("%(name)s: %(message)s").format(record)


@pytest.fixture
def error_records():
    handler = ErrorRecords()
    root = logging.getLogger()
    root.addHandler(handler)
    yield handler
    root.removeHandler(handler)


@pytest.fixture
async def fuzz_bot(bot_settings):
    """The real bot, with the global send pace lifted (as bench/rate_bot.py does): the fuzz
    is about what the bot does with each update, and at Telegram's 30 messages/s two thousand
    answers alone would take over a minute. Per-group pacing (20/min) stays."""
    running = RunningBot(replace(bot_settings, broadcast_rate=10_000.0))
    await running.start()
    yield running
    await running.stop()


def in_flight(running: RunningBot) -> int:
    """Updates fetched by the bot and not finished yet."""
    app = running.app
    return app.update_queue.qsize() + app.update_processor.current_concurrent_updates


async def until_behind(sandbox, running: RunningBot, ahead: int, seconds: float) -> bool:
    """Wait until at most ``ahead`` updates are queued or in progress."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if len(sandbox.world.undelivered()) + in_flight(running) <= ahead:
            return True
        await asyncio.sleep(0.02)
    return False


async def until_idle(sandbox, running: RunningBot, quiet: float, seconds: float) -> bool:
    """Wait until every update was fetched and confirmed and none is being processed, for
    ``quiet`` seconds in a row; False if that did not happen within ``seconds``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    calm_since = None
    world = sandbox.world
    while loop.time() < deadline:
        unconfirmed = any(u["update_id"] in world.delivered_at for u in world.pending)
        idle = not unconfirmed and not world.undelivered() and in_flight(running) == 0
        if not idle:
            calm_since = None
        elif calm_since is None:
            calm_since = loop.time()
        elif loop.time() - calm_since >= quiet:
            return True
        await asyncio.sleep(0.05)
    return False


def bad_requests(sandbox, admin_texts: set[str]) -> list:
    """400 answers caused by what the bot built. An admin's broadcast preview is the one send
    whose HTML is the admin's own and is judged by Telegram on purpose (handlers/broadcast.py)."""
    found = []
    for call in sandbox.calls:
        if call.status != 400 or any(b in (call.error or "") for b in BENIGN_400):
            continue
        sent = call.params.get("text", call.params.get("caption"))
        if "can't parse entities" in (call.error or "") and sent in admin_texts:
            continue
        found.append(call)
    return found


async def test_thousands_of_random_updates_leave_the_bot_answering(
    sandbox, fuzz_bot, admin, admins_group, error_records
):
    print(f"fuzz seed: {SEED} (replay with FUZZ_SEED={SEED})")
    started = time.monotonic()
    store = fuzz_bot.services.store
    reporter = sandbox.citizen(first_name="Pelapor")
    first = await file_report(reporter)  # real ids, an alert card and its buttons to forge
    fuzzer = Fuzzer(random.Random(SEED), sandbox, admin, admins_group, [first, first + 1])

    while fuzzer.delivered < UPDATES:
        target = min(UPDATES, fuzzer.delivered + BATCH)
        while fuzzer.delivered < target:
            fuzzer.one()
        await until_behind(sandbox, fuzz_bot, AHEAD, seconds=30)  # batches, a bounded way ahead
    fed = time.monotonic()
    idle = await until_idle(sandbox, fuzz_bot, quiet=0.5, seconds=40)
    done = time.monotonic()
    print(
        f"fuzz: {fuzzer.delivered} updates fed in {fed - started:.1f}s, idle after "
        f"{done - started:.1f}s; kinds: {dict(sorted(fuzzer.kinds.items()))}"
    )
    where = f"seed {SEED}"
    assert idle, f"{where}: the bot did not finish the fuzz updates ({in_flight(fuzz_bot)} left)"
    assert fuzzer.delivered >= 2000, where
    assert sum(fuzzer.kinds[k] for k in fuzzer.kinds if k.startswith("callback")) > 300, where

    assert not error_records.records, (
        f"{where}: {len(error_records.records)} error(s) logged; the first:\n"
        + error_records.first()
    )
    answers = Counter(f"{c.status} {c.error or ''}"[:70] for c in sandbox.calls if not c.ok)
    print(f"fuzz: {len(sandbox.calls)} calls by the bot; not 2xx: {dict(answers)}")
    refused = bad_requests(sandbox, fuzzer.admin_texts)
    assert not refused, f"{where}: {len(refused)} call(s) answered 400, e.g.:\n" + "\n".join(
        f"{c.method} chat={c.chat_id}: {c.error} params={str(c.params)[:300]}" for c in refused[:8]
    )

    # The bot still answers a newcomer, and a normal report still goes through and is stored.
    newcomer = sandbox.citizen(first_name="Baru")
    await newcomer.send("/start")
    assert "Baru" in (await newcomer.next_message()).plain_text
    ref = await file_report(newcomer, where=BUNDARAN_HI)
    report = await store.reports.get(ref)
    assert report is not None and report.citizen_id == newcomer.user_id
    assert report.category_key == "flood" and report.status == "new"
    assert report.description == DESCRIPTION
    assert not error_records.records, f"{where}: " + error_records.first()
    print(f"fuzz: whole test {time.monotonic() - started:.1f}s")


def double_tap(sandbox, person, message, data: str) -> list[str]:
    """Two presses of one button, both queued before the bot answers the first."""
    ids = []
    for _ in range(2):
        sandbox.api._callback_ids += 1
        ids.append(f"{7_700_000 + sandbox.api._callback_ids}")
        press = {"id": ids[-1], "from": person.user, "message": message.raw, "chat_instance": "1"}
        sandbox.deliver_raw("callback_query", {**press, "data": data})
    return ids


async def answered(sandbox, ids: list[str]) -> bool:
    world = sandbox.world
    return bool(await world.wait_for(lambda: all(world.callbacks[i].answered for i in ids), 10))


def inaccessible(message) -> dict:
    """How Telegram shows a pressed message the bot can no longer see (deleted or too old)."""
    return {"chat": message.raw["chat"], "message_id": message.message_id, "date": 0}


async def test_what_the_fuzz_found_is_answered_not_logged(
    sandbox, bot, store, admin, error_records
):
    """Forged ids, presses without a message or outside the private chat, double taps, and a
    citizen who blocks the bot while it answers: each gets a reply or a popup, none an error."""
    warga = sandbox.citizen()
    await warga.send("/start")
    menu = await warga.next_message()
    for data in ("vw:²", "vw:99999999999999999999", "sv:²:yes", "rt:99999999999999999999:5"):
        answer = await warga.press(menu, data)
        assert answer is not None and "tidak berlaku" in (answer.text or ""), data
    group = sandbox.group()
    group.add_member(warga)
    await group.send(warga, "/start")
    hint = await group.next_message()
    for data in ("m:report", "st:99999999999999999999:ack", "st:²:ack", "lang:en", "my:0"):
        answer = await group.press(warga, hint, data)
        assert answer is not None and "tidak berlaku" in (answer.text or ""), data
    assert await store.drafts.get(warga.user_id) is None  # no report started in the group
    assert not hint.edits  # a private chat's button cannot rewrite a group's message
    await admin.send("/start")
    answer = await admin.press(await admin.next_message(), "lk:kel:3173080003")
    assert answer is not None and "tidak berlaku" in (answer.text or "")
    assert not await store.groups.links_of(admin.user_id)  # a private chat is not an area group

    sandbox.deliver_raw(
        "callback_query",
        {
            "id": "77001",
            "from": warga.user,
            "inline_message_id": "AgAAAFxyz",
            "chat_instance": "1",
            "data": "m:mine",
        },
    )
    assert await sandbox.world.wait_for(lambda: sandbox.world.callbacks["77001"].answered, 5)

    await warga.send("/language")
    choice = await warga.next_message()
    sandbox.deliver_raw(
        "callback_query",
        {
            "id": "77002",
            "from": warga.user,
            "message": inaccessible(choice),
            "chat_instance": "1",
            "data": "lang:en",
        },
    )
    assert await sandbox.world.wait_for(lambda: sandbox.world.callbacks["77002"].answered, 5)

    await warga.send("/language")
    choice = await warga.next_message()
    assert await answered(sandbox, double_tap(sandbox, warga, choice, "lang:id"))
    pelapor = sandbox.citizen()
    await until_summary(pelapor)
    await pelapor.send("/report")  # midway: continue or start over (inline buttons)
    busy = await pelapor.next_message()
    go_on = next(data for _, data in busy.inline_buttons if callbacks.DRAFT_CONTINUE.parse(data))
    assert await answered(sandbox, double_tap(sandbox, pelapor, busy, go_on))
    assert "▶️ Lanjutkan" not in busy.buttons  # the first press took the buttons away

    await warga.send("/help")
    warga.block_bot()  # while the bot is answering
    assert await sandbox.world.wait_for(
        lambda: any(c.status == 403 for c in sandbox.calls_to("sendMessage")), 5
    )
    await asyncio.sleep(0.3)
    assert not error_records.records, error_records.first()
