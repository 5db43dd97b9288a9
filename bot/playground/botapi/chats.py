"""Chats and members: getChat, getChatMember, getChatAdministrators and leaveChat.

Member statuses come from the group's member table (``GroupChat.add_member``) and the bot's own
status, so permission checks the bot makes against Telegram meet what the test set up.
"""

from __future__ import annotations

import time
from typing import Any

from .base import ApiBase
from .chatview import member_json
from .protocol import ApiError, Ctx, bad_request
from .records import JSONDict


class ChatMethods(ApiBase):
    """The chat and member methods."""

    async def m_getChat(self, ctx: Ctx) -> JSONDict:
        state = self._chat(ctx.params, writing=False)
        info = dict(state.chat)
        info.update(
            {
                "accent_color_id": 0,
                "max_reaction_count": 11,
                "accepted_gift_types": {
                    "unlimited_gifts": False,
                    "limited_gifts": False,
                    "unique_gifts": False,
                    "premium_subscription": False,
                    "gifts_from_channels": False,
                },
            }
        )
        return info

    def _user(self, user_id: Any) -> JSONDict:
        if user_id == self.world.bot_user["id"]:
            return self._bot_from
        user = self.world.users.get(user_id) if isinstance(user_id, int) else None
        if user is None:
            raise bad_request("user not found")
        return user

    async def m_getChatMember(self, ctx: Ctx) -> JSONDict:
        """Status from the group's member table (``GroupChat.add_member``)."""
        state = self._chat(ctx.params, writing=False)
        user_id = ctx.params.get("user_id")
        user = self._user(user_id)
        if state.is_private:
            status = "member" if user_id in (state.user_id, self.world.bot_user["id"]) else "left"
        elif user_id == self.world.bot_user["id"]:
            status = state.bot_status
        else:
            status = state.members.get(int(user_id or 0), "left")
        return member_json(user, status)

    async def m_getChatAdministrators(self, ctx: Ctx) -> list[JSONDict]:
        state = self._chat(ctx.params, writing=False)
        if state.is_private:
            raise bad_request("there are no administrators in the private chat")
        admins = [
            member_json(self.world.users[user_id], status)
            for user_id, status in state.members.items()
            if status in ("creator", "administrator")
        ]
        if state.bot_status == "administrator":
            admins.append(member_json(self._bot_from, "administrator"))
        return admins

    async def m_leaveChat(self, ctx: Ctx) -> bool:
        """The bot leaves a group and receives the my_chat_member update."""
        state = self._chat(ctx.params, writing=False)
        if state.is_private:
            raise bad_request("chat member status can't be changed in private chats")
        if state.bot_status in ("left", "kicked"):
            raise ApiError(403, f"Forbidden: bot is not a member of the {state.chat['type']} chat")
        old = state.bot_status
        state.bot_status = "left"
        self.world.enqueue(
            "my_chat_member",
            {
                "chat": dict(state.chat),
                "from": self._bot_from,
                "date": int(time.time()),
                "old_chat_member": member_json(self._bot_from, old),
                "new_chat_member": member_json(self._bot_from, "left"),
            },
            state.chat_id,
        )
        return True
