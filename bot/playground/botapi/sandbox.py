"""The running fake Telegram a test holds: start it, act as people, read the bot's calls.

``start_sandbox`` binds the HTTP server (server.py) to a free port; ``Sandbox`` makes citizens
and groups (people.py, groups.py) and can deliver any raw update, keeping the world consistent
with what Telegram would know afterwards.
"""

from __future__ import annotations

import copy
import time

from aiohttp import web

from .chatview import member_json
from .faults import FaultInjector, RateLimits
from .groups import GroupChat
from .people import Person
from .records import Call, CallbackRecord, ChatState, JSONDict
from .server import DEFAULT_TOKEN, BotApi
from .world import World

#: Update types whose body is a Message (``Sandbox.deliver_raw`` stores them in their chat).
_RAW_MESSAGE_KINDS = frozenset(
    {"message", "edited_message", "channel_post", "edited_channel_post", "business_message"}
)


class Sandbox:
    """A running fake Telegram: the HTTP server plus the helpers tests use to act as people."""

    def __init__(self, world: World, api: BotApi, runner: web.AppRunner, port: int) -> None:
        self.world = world
        self.api = api
        self.faults = api.faults
        self.limits = api.limits
        self._runner = runner
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}/bot"
        self.base_file_url = f"http://127.0.0.1:{port}/file/bot"
        #: How long a chat must stay quiet after the bot got an update before ``tap`` picks the
        #: last keyboard (so the tap sees the bot's answer to the previous step).
        self.settle_time = 0.15
        #: How long ``tap`` waits for a first reaction before deciding the bot answers nothing.
        self.idle_time = 0.6

    @property
    def token(self) -> str:
        """The bot token the sandbox accepts."""
        return self.world.token

    def change_token(self, token: str) -> None:
        """From now on only ``token`` is accepted, and file ids are issued per token: those
        the old token was given are unknown to the new one (see ``World.change_token``)."""
        self.world.change_token(token)

    @property
    def bot_user(self) -> JSONDict:
        """The bot's User JSON (getMe)."""
        return self.world.bot_user

    @property
    def calls(self) -> list[Call]:
        """Every request the bot made, oldest first."""
        return self.world.calls

    def calls_to(self, method: str) -> list[Call]:
        """Calls of one method (case-insensitive)."""
        return [c for c in self.world.calls if c.method.lower() == method.lower()]

    @property
    def count_429(self) -> int:
        """How many 429 answers were served (rate limits and injected faults)."""
        return sum(1 for c in self.world.calls if c.status == 429)

    def citizen(
        self,
        first_name: str = "Warga",
        language_code: str | None = "id",
        *,
        last_name: str | None = None,
        username: str | None = None,
        started: bool = False,
    ) -> Person:
        """A new person with their own private chat with the bot.

        Until the person writes or presses something, the bot cannot message them (403 "bot
        can't initiate conversation with a user"), as on Telegram; ``started=True`` skips that,
        for a citizen the test puts straight into the database.
        """
        user = self.world.new_user(
            first_name, last_name=last_name, username=username, language_code=language_code
        )
        if started:
            self.world.started.add(int(user["id"]))
        return Person(self, user)

    def group(self, title: str = "Kelurahan", type: str = "supergroup") -> GroupChat:
        """A new group chat; the bot is already a member (see ``add_bot_to_group``)."""
        return GroupChat(self, self.world.new_group(title, type))

    def add_bot_to_group(
        self, group: GroupChat, status: str = "member", by: Person | None = None
    ) -> JSONDict:
        """Send the bot a my_chat_member update saying it was added (or promoted) to ``group``."""
        state = group.state
        old = state.bot_status
        state.bot_status = status
        adder = by.user if by is not None else group.admin_user()
        bot = self.api._bot_from
        return self.world.enqueue(
            "my_chat_member",
            {
                "chat": dict(state.chat),
                "from": adder,
                "date": int(time.time()),
                "old_chat_member": member_json(bot, old if old != status else "left"),
                "new_chat_member": member_json(bot, status),
            },
            state.chat_id,
        )

    def deliver_raw(self, kind: str, payload: JSONDict) -> JSONDict | None:
        """Queue one update of any type from its Bot API JSON (``kind`` is its key, e.g.
        ``"channel_post"``, ``"inline_query"``, ``"chat_member"``); returns the update.

        For fuzzing and for update types the people helpers do not model. Shapes are not
        checked: send what Telegram sends. The sandbox keeps what Telegram would know, so the
        bot's answers meet the same world: a chat it has not seen is created from the payload
        (the bot is a member, as Telegram only sends updates of such chats); a message is stored
        in its chat, so the bot can reply to it or edit it; a person writing in a private chat
        has started the bot (and unblocked it); a callback query can be answered once; a
        ``my_chat_member`` or ``chat_member`` update changes the bot's or the member's standing
        in the chat. A group message that privacy mode hides from the bot is stored but not
        queued, and None is returned.
        """
        payload = copy.deepcopy(payload)
        message = payload.get("message") if kind == "callback_query" else payload
        chat = message.get("chat") if isinstance(message, dict) else None
        state: ChatState | None = None
        if isinstance(chat, dict):
            chat_id = int(chat["id"])
            state = self.world.chats.get(chat_id)
            if state is None:
                private = chat.get("type") == "private"
                state = ChatState(chat=dict(chat), user_id=chat_id if private else None)
                self.world.chats[chat_id] = state
        sender = payload.get("from")
        acts = kind in _RAW_MESSAGE_KINDS or kind == "callback_query"
        if state is not None and state.is_private and acts and isinstance(sender, dict):
            self.world.started.add(int(sender["id"]))
            self.world.blocked.discard(int(sender["id"]))
        if state is not None and kind in _RAW_MESSAGE_KINDS and "message_id" in payload:
            message_id = int(payload["message_id"])
            state.messages[message_id] = copy.deepcopy(payload)
            state.next_message_id = max(state.next_message_id, message_id + 1)
            in_group = state.chat["type"] in ("group", "supergroup")
            if kind == "message" and in_group and not GroupChat(self, state)._visible(payload):
                return None
        if kind == "callback_query" and str(payload.get("id")) not in self.world.callbacks:
            held = message if isinstance(message, dict) else {}
            self.world.callbacks[str(payload["id"])] = CallbackRecord(
                str(payload["id"]),
                state.chat_id if state is not None else 0,
                int(held.get("message_id", 0)),
                int(sender["id"]) if isinstance(sender, dict) else 0,
                payload.get("data"),
            )
        if kind in ("my_chat_member", "chat_member") and state is not None:
            self._apply_membership(kind, state, payload)
        return self.world.enqueue(kind, payload, state.chat_id if state is not None else None)

    def _apply_membership(self, kind: str, state: ChatState, payload: JSONDict) -> None:
        """What a member update means for later calls: blocked, removed, promoted..."""
        new = payload.get("new_chat_member") or {}
        status = str(new.get("status", "member"))
        user_id = int((new.get("user") or {}).get("id", 0))
        if kind == "my_chat_member" or user_id == self.world.bot_user["id"]:
            if state.is_private:
                if status == "kicked":
                    self.world.blocked.add(int(state.chat_id))
                else:
                    self.world.blocked.discard(int(state.chat_id))
            else:
                state.bot_status = status
        elif not state.is_private:
            state.members[user_id] = status

    async def close(self) -> None:
        """Stop serving; pending long polls return at once."""
        self.world.closing = True
        self.world.notify()
        await self._runner.cleanup()

    async def __aenter__(self) -> Sandbox:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


async def start_sandbox(
    token: str = DEFAULT_TOKEN,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    seed: int | None = None,
    bot_username: str = "wargalapor_test_bot",
) -> Sandbox:
    """Start the fake Bot API on ``host`` (a random free port by default) in the running loop."""
    world = World(token, bot_username)
    api = BotApi(world, FaultInjector(seed), RateLimits())
    app = web.Application(client_max_size=64 * 1024 * 1024)
    app.router.add_route("*", "/bot{token}/{method}", api.handle)
    app.router.add_get("/file/bot{token}/{file_path:.+}", api.download)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server
    assert server is not None and server.sockets, "sandbox did not bind"  # type: ignore[attr-defined]
    bound_port = int(server.sockets[0].getsockname()[1])  # type: ignore[attr-defined]
    return Sandbox(world, api, runner, bound_port)
