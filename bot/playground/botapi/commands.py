"""The bot's profile: command menus per scope and language, descriptions and the menu button.

Set once at startup, but validated like Telegram (command names, scopes, language codes) so a bad
command list fails in the tests instead of at deploy time.
"""

from __future__ import annotations

import json
import re

from .base import ApiBase
from .protocol import Ctx, bad_request
from .records import JSONDict

_MENU_BUTTON_TYPES = frozenset({"default", "commands", "web_app"})
_COMMAND_SCOPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)


class CommandMethods(ApiBase):
    """setMyCommands and friends, the descriptions and the chat menu button."""

    @staticmethod
    def _commands_key(params: JSONDict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in _COMMAND_SCOPES:
            raise bad_request("can't parse BotCommandScope")
        needs_chat = scope["type"] in ("chat", "chat_administrators", "chat_member")
        if needs_chat and "chat_id" not in scope:
            raise bad_request("chat_id is empty")
        language = params.get("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", str(language)):
            raise bad_request("invalid language code specified")
        return json.dumps(scope, sort_keys=True), str(language)

    async def m_setMyCommands(self, ctx: Ctx) -> bool:
        """Store commands per (scope, language_code), validating names."""
        commands = ctx.params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad_request("too many commands")
        for command in commands:
            if not isinstance(command, dict):
                raise bad_request("can't parse BotCommand")
            name, description = command.get("command"), command.get("description")
            if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9_]{1,32}", name):
                raise bad_request("BOT_COMMAND_INVALID")
            if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(ctx.params)
        self.world.commands[key] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def m_getMyCommands(self, ctx: Ctx) -> list[JSONDict]:
        return list(self.world.commands.get(self._commands_key(ctx.params), []))

    async def m_deleteMyCommands(self, ctx: Ctx) -> bool:
        self.world.commands.pop(self._commands_key(ctx.params), None)
        return True

    async def m_setMyDescription(self, ctx: Ctx) -> bool:
        self.world.descriptions[("description", str(ctx.params.get("language_code") or ""))] = str(
            ctx.params.get("description") or ""
        )
        return True

    async def m_getMyDescription(self, ctx: Ctx) -> JSONDict:
        key = ("description", str(ctx.params.get("language_code") or ""))
        return {"description": self.world.descriptions.get(key, "")}

    async def m_setMyShortDescription(self, ctx: Ctx) -> bool:
        key = ("short_description", str(ctx.params.get("language_code") or ""))
        self.world.descriptions[key] = str(ctx.params.get("short_description") or "")
        return True

    async def m_getMyShortDescription(self, ctx: Ctx) -> JSONDict:
        key = ("short_description", str(ctx.params.get("language_code") or ""))
        return {"short_description": self.world.descriptions.get(key, "")}

    async def m_setChatMenuButton(self, ctx: Ctx) -> bool:
        chat_id = ctx.params.get("chat_id")
        if chat_id is not None:
            self._chat(ctx.params, writing=False)
        button = ctx.params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in _MENU_BUTTON_TYPES:
            raise bad_request("can't parse menu button")
        self.world.menu_buttons[chat_id if isinstance(chat_id, int) else None] = button
        return True

    async def m_getChatMenuButton(self, ctx: Ctx) -> JSONDict:
        chat_id = ctx.params.get("chat_id")
        key = chat_id if isinstance(chat_id, int) else None
        return (
            self.world.menu_buttons.get(key)
            or self.world.menu_buttons.get(None)
            or {"type": "commands"}
        )
