"""What of an update the inbox keeps: what replaying it needs, and no more.

Why: an update waits in the ``inbox`` table until handled (bot/telegram/inbox.py), and a copy of the
database should not carry a citizen's phone number, a forwarded stranger's name or the whole
text of a message being replied to. The handlers read the sender's id, names and language, the
chat's id, type and title, the message's own content (text, entities, caption, photo, document,
location, venue…), and of a replied-to message only its id and sender (an officer's reply to an
alert); everything else Telegram sends about people is dropped here before it is written.

A shared contact stays a contact message with the number and names blanked: the bot answers it
the same way without reading either. Once handled, the row's payload is emptied at once
(storage/inbox.py) and the row itself goes with the retention sweep (bot/domain/retention.py).
"""

from __future__ import annotations

from typing import Any

JSON = dict[str, Any]

USER_FIELDS = ("id", "is_bot", "first_name", "last_name", "username", "language_code")
CHAT_FIELDS = ("id", "type", "title")
#: Parts of a message naming or describing people other than the sender, read by no handler.
DROPPED = (
    "external_reply",
    "quote",
    "forward_origin",
    "forward_from",
    "forward_from_chat",
    "forward_sender_name",
    "users_shared",
    "chat_shared",
    "reply_to_story",
    "author_signature",
)
MESSAGE_KEYS = (
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_message",
    "edited_business_message",
)
MEMBER_KEYS = ("my_chat_member", "chat_member")


def _user(user: Any) -> Any:
    if not isinstance(user, dict):
        return user
    return {key: user[key] for key in USER_FIELDS if key in user}


def _chat(chat: Any) -> Any:
    if not isinstance(chat, dict):
        return chat
    return {key: chat[key] for key in CHAT_FIELDS if key in chat}


def _message(message: Any) -> Any:
    if not isinstance(message, dict):
        return message
    kept = {key: value for key, value in message.items() if key not in DROPPED}
    if "from" in kept:
        kept["from"] = _user(kept["from"])
    if "chat" in kept:
        kept["chat"] = _chat(kept["chat"])
    if "sender_chat" in kept:
        kept["sender_chat"] = _chat(kept["sender_chat"])
    if "contact" in kept:
        kept["contact"] = {"phone_number": "", "first_name": ""}
    if isinstance(kept.get("new_chat_members"), list):
        kept["new_chat_members"] = [_user(user) for user in kept["new_chat_members"]]
    if "left_chat_member" in kept:
        kept["left_chat_member"] = _user(kept["left_chat_member"])
    reply = kept.get("reply_to_message")
    if isinstance(reply, dict):
        kept["reply_to_message"] = {
            key: value
            for key, value in {
                "message_id": reply.get("message_id"),
                "date": reply.get("date"),
                "chat": _chat(reply.get("chat")),
                "from": _user(reply.get("from")),
            }.items()
            if value is not None
        }
    return kept


def for_replay(update: JSON) -> JSON:
    """A copy of ``update`` (Telegram's JSON) without the personal fields no handler reads."""
    kept = dict(update)
    for key in MESSAGE_KEYS:
        if key in kept:
            kept[key] = _message(kept[key])
    query = kept.get("callback_query")
    if isinstance(query, dict):
        kept["callback_query"] = {
            **query,
            "from": _user(query.get("from")),
            "message": _message(query.get("message")),
        }
        if query.get("message") is None:
            kept["callback_query"].pop("message")
    for key in MEMBER_KEYS:
        member = kept.get(key)
        if isinstance(member, dict):
            kept[key] = {
                **member,
                "chat": _chat(member.get("chat")),
                "from": _user(member.get("from")),
                **{
                    part: {**member[part], "user": _user(member[part].get("user"))}
                    for part in ("old_chat_member", "new_chat_member")
                    if isinstance(member.get(part), dict)
                },
            }
            member_copy = kept[key]
            member_copy.pop("invite_link", None)
    return kept
