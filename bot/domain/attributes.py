"""A category's extra questions: read from ``categories.toml``, and answers checked against them.

Why in the domain and not in the HTTP layer: what a valid answer is (a number for "water depth",
one of the listed keys for "is the road passable?", every required question answered) is a rule
of the category, whoever asks; the Open311 form parser only finds the answers in a request.

The file lists questions in ``[[attribute]]`` tables after the categories, each naming its
``category``: apart from the category blocks, so a key added to a category never lands inside a
question by accident.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from storage.attributes import DATATYPES, LIST_TYPES, Attribute, AttributeValue

_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,40}$")
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
#: Bounds on what one request may answer: a question's text, and a list question's choices.
MAX_ANSWER = 1_000
MAX_CHOICES = 20
MAX_VALUES = 50  # choices one list question may define


class AnswerError(ValueError):
    """An answer the category's questions refuse; the message says which and why."""


@dataclass(frozen=True)
class Answer:
    """What a request answered to one question: one value, or several for a multivaluelist."""

    code: str
    values: tuple[str, ...]


def _text(entry: Mapping[str, object], name: str, where: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {name} must be a non-empty text")
    return value.strip()


def _values(entry: Mapping[str, object], datatype: str, where: str) -> tuple[AttributeValue, ...]:
    raw = entry.get("values", [])
    if not isinstance(raw, list):
        raise ValueError(f"{where}: values must be a list of {{key, name_id, name_en}}")
    if (datatype in LIST_TYPES) != bool(raw):
        raise ValueError(f"{where}: values go with {' and '.join(LIST_TYPES)}, and only there")
    if len(raw) > MAX_VALUES:
        raise ValueError(f"{where}: at most {MAX_VALUES} values")
    values: list[AttributeValue] = []
    for item in raw:
        if not isinstance(item, dict):
            raise ValueError(f"{where}: each value is a table {{key, name_id, name_en}}")
        key = str(item.get("key", ""))
        if not _KEY.match(key) or any(value.key == key for value in values):
            raise ValueError(f"{where}: value key {key!r} is missing, malformed or repeated")
        values.append(
            AttributeValue(key, _text(item, "name_id", where), _text(item, "name_en", where))
        )
    return tuple(values)


def parse_attributes(
    entries: Sequence[Mapping[str, object]], category_keys: Sequence[str]
) -> dict[str, tuple[Attribute, ...]]:
    """The ``[[attribute]]`` tables by category key, in the file's order; a malformed one is a
    ValueError naming it, so the bot refuses to start rather than mis-serve a form."""
    found: dict[str, list[Attribute]] = {}
    for index, entry in enumerate(entries, start=1):
        category = str(entry.get("category", ""))
        code = str(entry.get("code", ""))
        where = f"attribute #{index} ({category}/{code})"
        if category not in category_keys:
            raise ValueError(f"{where}: category {category!r} is not defined above")
        if not _CODE.match(code) or any(a.code == code for a in found.get(category, [])):
            raise ValueError(f"{where}: code {code!r} is missing, malformed or repeated")
        datatype = str(entry.get("datatype", ""))
        if datatype not in DATATYPES:
            raise ValueError(f"{where}: datatype must be one of {', '.join(DATATYPES)}")
        required = entry.get("required", False)
        if not isinstance(required, bool):
            raise ValueError(f"{where}: required must be true or false")
        siblings = found.setdefault(category, [])
        siblings.append(
            Attribute(
                code=code,
                datatype=datatype,
                required=required,
                description_id=_text(entry, "description_id", where),
                description_en=_text(entry, "description_en", where),
                order=len(siblings) + 1,
                values=_values(entry, datatype, where),
            )
        )
    return {key: tuple(attributes) for key, attributes in found.items()}


def check_answers(
    attributes: Sequence[Attribute], given: Mapping[str, Sequence[str]]
) -> list[Answer]:
    """The answers to ``attributes`` found in ``given`` (code → the values sent), checked:
    required ones present, each of its datatype. Codes no question has are left out (clients
    send extras of their own); blank values count as not answered."""
    answers = []
    for attribute in attributes:
        sent = [value.strip() for value in given.get(attribute.code, ()) if value.strip()]
        if not sent:
            if attribute.required and attribute.variable:
                raise AnswerError(
                    f"attribute[{attribute.code}] is required: {attribute.description_en}"
                )
            continue
        answers.append(Answer(attribute.code, _checked(attribute, sent)))
    return answers


def _checked(attribute: Attribute, sent: list[str]) -> tuple[str, ...]:
    name = f"attribute[{attribute.code}]"
    if attribute.datatype != "multivaluelist" and len(sent) > 1:
        raise AnswerError(f"{name} takes one value ({attribute.datatype}), got {len(sent)}")
    if len(sent) > MAX_CHOICES:
        raise AnswerError(f"{name}: at most {MAX_CHOICES} values")
    if any(len(value) > MAX_ANSWER for value in sent):
        raise AnswerError(f"{name} is over {MAX_ANSWER} characters")
    if attribute.datatype in LIST_TYPES:
        unknown = [value for value in sent if attribute.value(value) is None]
        if unknown:
            keys = ", ".join(value.key for value in attribute.values)
            raise AnswerError(f"{name}: {unknown[0][:40]!r} is not one of its keys ({keys})")
        return tuple(dict.fromkeys(sent))
    value = sent[0]
    if attribute.datatype == "number":
        try:
            number = float(value)
        except ValueError:
            raise AnswerError(f"{name} must be a number, e.g. 40 or 12.5") from None
        if not math.isfinite(number):
            raise AnswerError(f"{name} must be a finite number")
    elif attribute.datatype == "datetime":
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise AnswerError(
                f"{name} must be a W3C datetime, e.g. 2026-11-03T08:00:00+07:00"
            ) from None
        if moment.tzinfo is None:
            raise AnswerError(f"{name} needs a time zone, e.g. 2026-11-03T08:00:00+07:00")
    elif attribute.datatype == "string" and ("\n" in value or "\r" in value):
        raise AnswerError(f"{name} is one line of text (datatype string); text takes lines")
    return (value,)


def answer_label(attribute: Attribute, answer: Answer, language: str) -> str:
    """An answer as people read it: list keys by their names."""
    if attribute.datatype in LIST_TYPES:
        names = []
        for key in answer.values:
            value = attribute.value(key)
            names.append(value.name(language) if value else key)
        return ", ".join(names)
    return answer.values[0] if answer.values else ""


def answered(
    attributes: Sequence[Attribute], stored: Sequence[tuple[str, Sequence[str]]], language: str
) -> list[tuple[str, str]]:
    """(question, answer) as people read them, in the questions' order, for the answers a
    request gave (``stored``: code → values, as :mod:`storage.request_details` keeps them)."""
    given = dict(stored)
    return [
        (attribute.description(language), answer_label(attribute, answer, language))
        for attribute in attributes
        for answer in [Answer(attribute.code, tuple(given.get(attribute.code, ())))]
        if answer.values
    ]
