"""What the page shows of a chat: the built-in server's messages as JSON a browser can draw.

Why the server renders the formatting: the bot sends Telegram HTML, which the built-in server has
already checked and turned into plain text plus entities, as Telegram does. Drawing from the
entities (escaping everything else) means the page shows exactly what a Telegram client would,
and nothing a citizen typed can ever become markup on the page.
"""

from __future__ import annotations

import html
from typing import Any

from bot.playground.botapi.records import BotMessage, ChatState

JSONDict = dict[str, Any]

_TAGS = {
    "bold": ("<b>", "</b>"),
    "italic": ("<i>", "</i>"),
    "underline": ("<u>", "</u>"),
    "strikethrough": ("<s>", "</s>"),
    "code": ("<code>", "</code>"),
    "pre": ("<pre>", "</pre>"),
    "spoiler": ('<span class="spoiler">', "</span>"),
    "blockquote": ("<blockquote>", "</blockquote>"),
    "expandable_blockquote": ("<blockquote>", "</blockquote>"),
    "bot_command": ('<span class="command">', "</span>"),
    "hashtag": ('<span class="hashtag">', "</span>"),
    "mention": ('<span class="mention">', "</span>"),
}


def _link(entity: JSONDict, inner: str) -> tuple[str, str]:
    url = str(entity.get("url") or inner)
    if not url.startswith(("http://", "https://", "tg://")):
        return "", ""
    return f'<a href="{html.escape(url)}" target="_blank" rel="noopener">', "</a>"


def entities_to_html(text: str, entities: list[JSONDict] | None) -> str:
    """``text`` escaped, with each entity (UTF-16 offsets, properly nested) as its tag."""
    units = text.encode("utf-16-le")

    def piece(start: int, end: int) -> str:
        return units[start * 2 : end * 2].decode("utf-16-le", errors="replace")

    ordered = sorted(entities or [], key=lambda e: (int(e["offset"]), -int(e["length"])))
    out: list[str] = []
    stack: list[tuple[int, str]] = []  # (end, closing tag)
    position = 0
    for entity in ordered:
        start, end = int(entity["offset"]), int(entity["offset"]) + int(entity["length"])
        while stack and stack[-1][0] <= start:
            close_at, closing = stack.pop()
            out.append(html.escape(piece(position, close_at)))
            out.append(closing)
            position = close_at
        out.append(html.escape(piece(position, start)))
        position = start
        kind = str(entity.get("type"))
        if kind in ("text_link", "url"):
            opening, closing = _link(entity, piece(start, end))
        else:
            opening, closing = _TAGS.get(kind, ("", ""))
        out.append(opening)
        stack.append((end, closing))
    while stack:
        close_at, closing = stack.pop()
        out.append(html.escape(piece(position, close_at)))
        out.append(closing)
        position = close_at
    out.append(html.escape(piece(position, len(units) // 2)))
    return "".join(out)


def _snippet(raw: JSONDict) -> str:
    text = str(raw.get("text") or raw.get("caption") or "")
    if not text:
        for key, label in (("photo", "📷"), ("location", "📍"), ("document", "📄")):
            if key in raw:
                return label
    return text[:80]


def _kind(raw: JSONDict) -> str:
    for key in ("photo", "venue", "location", "document", "sticker", "voice", "video", "contact"):
        if key in raw:
            return key
    return "text"


def message_json(raw: JSONDict, bot_message: BotMessage | None) -> JSONDict:
    sender = raw.get("from") or {}
    name = " ".join(str(p) for p in (sender.get("first_name"), sender.get("last_name")) if p)
    text = raw.get("text")
    entities = raw.get("entities")
    if text is None:
        text, entities = raw.get("caption"), raw.get("caption_entities")
    view: JSONDict = {
        "id": raw["message_id"],
        "from": {"id": sender.get("id"), "name": name, "is_bot": bool(sender.get("is_bot"))},
        "date": raw.get("date"),
        "kind": _kind(raw),
        "html": entities_to_html(str(text), entities) if text else "",
        "edited": "edit_date" in raw,
        "media_group_id": raw.get("media_group_id"),
    }
    if "photo" in raw:
        view["photo"] = f"/api/file/{raw['photo'][-1]['file_id']}"
    location = raw.get("location") or (raw.get("venue") or {}).get("location")
    if location:
        view["location"] = {"lat": location["latitude"], "lon": location["longitude"]}
    if "venue" in raw:
        view["venue"] = str(raw["venue"].get("title", ""))
    if "document" in raw:
        view["document"] = str(raw["document"].get("file_name") or "document")
    reply = raw.get("reply_to_message")
    if reply:
        view["reply_to"] = {"id": reply["message_id"], "snippet": _snippet(reply)}
    markup = bot_message.reply_markup if bot_message is not None else raw.get("reply_markup")
    if markup and markup.get("inline_keyboard"):
        view["inline_keyboard"] = [
            [
                {"text": b.get("text", ""), "data": b.get("callback_data"), "url": b.get("url")}
                for b in row
            ]
            for row in markup["inline_keyboard"]
        ]
    if markup and markup.get("force_reply"):
        view["force_reply"] = True
    return view


def reply_keyboard(state: ChatState) -> JSONDict | None:
    """The reply keyboard a person sees under this chat now, if any (the bot's last one that no
    later message removed)."""
    for message in reversed([m for m in state.bot_messages if not m.deleted]):
        if message.removes_keyboard:
            return None
        markup = message.reply_markup or {}
        if markup.get("keyboard"):
            rows = [
                [
                    {
                        "text": str(b.get("text", "")) if isinstance(b, dict) else str(b),
                        "location": bool(isinstance(b, dict) and b.get("request_location")),
                        "contact": bool(isinstance(b, dict) and b.get("request_contact")),
                    }
                    for b in row
                ]
                for row in markup["keyboard"]
            ]
            return {"rows": rows, "placeholder": markup.get("input_field_placeholder")}
    return None


def chat_json(state: ChatState) -> JSONDict:
    """Every message in the chat, oldest first, plus its reply keyboard."""
    bot_messages = {m.message_id: m for m in state.bot_messages if not m.deleted}
    messages = [
        message_json(raw, bot_messages.get(message_id))
        for message_id, raw in sorted(state.messages.items())
    ]
    return {"chat_id": state.chat_id, "messages": messages, "keyboard": reply_keyboard(state)}
