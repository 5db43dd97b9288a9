"""A category's extra questions (Open311 "attributes"), as ``bot/data/categories.toml`` defines
them: the service definition an agency's system reads before filing a request.

Why here, beside :class:`storage.categories.Category`, and not in the domain: a category carries
its questions, and storage may not import ``bot``. These are plain definitions; the answers a
request gave are kept by :mod:`storage.request_details`.
"""

from __future__ import annotations

from dataclasses import dataclass

#: GeoReport v2's datatypes, in the specification's order.
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_TYPES = ("singlevaluelist", "multivaluelist")


@dataclass(frozen=True)
class AttributeValue:
    """One choice of a list question: ``key`` is what a client sends, the names what people read."""

    key: str
    name_id: str
    name_en: str

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_id


@dataclass(frozen=True)
class Attribute:
    """One question. ``variable`` False: the server sets it, a client sends nothing (none of ours
    today). ``order`` is its place among the category's questions, from 1."""

    code: str
    datatype: str
    required: bool
    description_id: str
    description_en: str
    order: int
    values: tuple[AttributeValue, ...] = ()
    variable: bool = True

    def description(self, language: str) -> str:
        return self.description_en if language == "en" else self.description_id

    def value(self, key: str) -> AttributeValue | None:
        return next((value for value in self.values if value.key == key), None)
