"""The callback-data codec: one object per kind of button builds, matches and parses its data.

Why a codec of its own: Telegram hands back whatever string a button carried (at most 64 bytes),
and anyone can send any string. A kind of button is a template such as
``"status:{report}:{status}"`` over a small ``NamedTuple`` of typed fields; the same object builds
the data (checked against the 64-byte limit), gives its ``CallbackQueryHandler`` the pattern, and
parses a press back into fields (``None`` when it is not one of its presses). As aiogram's
``CallbackData`` or PTB's ``examples/inlinekeyboard2.py``: the button and its pattern never drift.
This module is that machinery and knows no button of WargaLapor's; every kind is declared once,
in bot/telegram/callbacks.py, which re-exports what is here.

Old buttons: buttons sit in chats for days (alert cards in groups, surveys in private chats),
so after a deploy they still carry the terse data of earlier versions (``st:42:ack``,
``r:<token>:ok``).
A kind keeps that format as its ``legacy`` template, with the old codes of a field mapped to
the new names, and parses it to the same fields; only the readable format is ever built.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Generic, TypeVar, get_type_hints

from bot.ids import parse_id

MAX_BYTES = 64  # Telegram's limit on callback_data

_FIELD = re.compile(r"\{(\w+)\}")


class Shown(enum.Enum):
    """Where the bot shows a kind of button, so where a press of it can be genuine."""

    PRIVATE = "private"
    GROUP = "group"
    ANYWHERE = "anywhere"


P = TypeVar("P", bound=tuple[Any, ...])


class _Template:
    """One format of a kind's data: its literal words, its fields in order, its regex."""

    def __init__(self, template: str) -> None:
        self.text = template
        self.fields = _FIELD.findall(template)
        pieces = _FIELD.split(template)
        regex = "".join("([^:]*)" if i % 2 else re.escape(piece) for i, piece in enumerate(pieces))
        self.regex = regex
        self.pattern = re.compile(f"^{regex}$")
        self.prefix = template.split(":", 1)[0]


class ButtonKind(Generic[P]):
    """One kind of button: builds its data, gives its pattern, parses its presses."""

    def __init__(
        self,
        fields: Callable[..., P],
        template: str,
        *,
        legacy: str | None = None,
        legacy_values: Mapping[str, Mapping[str, str]] | None = None,
        shown: Shown = Shown.ANYWHERE,
        replaces_text: bool = False,
    ) -> None:
        self._make = fields
        #: The NamedTuple of typed fields a press parses into.
        self.fields_type = fields
        self._types: dict[str, Any] = get_type_hints(fields)
        self.template = _Template(template)
        self.legacy = _Template(legacy) if legacy else None
        self._legacy_values = legacy_values or {}
        self.shown = shown
        self.replaces_text = replaces_text
        names = list(self._types)
        if self.template.fields != names or (self.legacy and set(self.legacy.fields) != set(names)):
            raise ValueError(f"{template}: fields must be {names}")
        regexes = [self.template.regex] + ([self.legacy.regex] if self.legacy else [])
        #: For ``CallbackQueryHandler(pattern=…)``: the new format or the old one, whole.
        self.pattern = re.compile("^(?:" + "|".join(f"(?:{r})" for r in regexes) + ")$")
        KINDS.append(self)

    @property
    def prefixes(self) -> tuple[str, ...]:
        """The first words of its data, new and old: what ForeignPress looks at."""
        return (self.template.prefix,) + ((self.legacy.prefix,) if self.legacy else ())

    def data(self, fields: P) -> str:
        """The callback data for a button carrying ``fields``, in the readable format."""
        values = dict(zip(self._types, fields, strict=True))
        for name, value in values.items():
            if ":" in str(value):
                raise ValueError(f"{name}={value!r}: ':' separates fields")
        data = self.template.text.format(**values)
        if len(data.encode()) > MAX_BYTES:
            raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
        return data

    def parse(self, data: str | None) -> P | None:
        """A press's fields, from the new format or the legacy one; None when it is not one."""
        for template, is_legacy in self._formats():
            match = template.pattern.match(data or "")
            if match is not None:
                return self._fields(
                    dict(zip(template.fields, match.groups(), strict=True)), is_legacy
                )
        return None

    def _formats(self) -> Iterator[tuple[_Template, bool]]:
        yield self.template, False
        if self.legacy is not None:
            yield self.legacy, True

    def _fields(self, raw: dict[str, str], is_legacy: bool) -> P | None:
        values: list[object] = []
        for name, kind in self._types.items():
            text = raw[name]
            if is_legacy:
                text = self._legacy_values.get(name, {}).get(text, text)
            if kind is int:
                number = parse_id(text)
                if number is None:
                    return None
                values.append(number)
            else:
                values.append(text)
        return self._make(*values)


KINDS: list[ButtonKind[Any]] = []


def prefix_table(kinds: list[ButtonKind[Any]]) -> dict[str, ButtonKind[Any]]:
    """First word → a kind, checking that kinds sharing a first word are shown alike."""
    table: dict[str, ButtonKind[Any]] = {}
    for kind in kinds:
        for prefix in kind.prefixes:
            other = table.setdefault(prefix, kind)
            if (other.shown, other.replaces_text) != (kind.shown, kind.replaces_text):
                raise ValueError(f"buttons starting {prefix!r} are shown differently")
    return table
