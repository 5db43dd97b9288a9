"""The body of ``POST requests``, as GeoReport v2 clients send it, read into one checked request.

The form (``application/x-www-form-urlencoded``; a JSON object is accepted too, with a list for a
multivaluelist) carries: ``api_key``, ``jurisdiction_id``, ``service_code``; the place as ``lat``
and ``long`` or ``address_string`` (geocoded as a citizen's typed place is) — ``address_id``
names a place in an agency's own address database, which this server does not have, so it is
refused with the way out; ``description`` (up to 4,000 characters, optional: without it the
report reads the service's name); ``media_url`` (http or https, the client's own link: the bot
fetches nothing); the person it is about, ``email``, ``first_name``, ``last_name``, ``phone``,
``account_id``, ``device_id`` (kept for staff, never shown publicly); and the answers to the
service's questions, ``attribute[CODE]=value`` and, for each choice of a multivaluelist,
``attribute[CODE][]=value`` (FixMyStreet repeats ``attribute[CODE]=`` instead: both work).

Other fields are ignored, as clients add their own. Everything is bounded: the body (64 KB), its
fields (200), the questions answered (:data:`MAX_ATTRIBUTES`), every text.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.attributes import AnswerError, check_answers
from bot.http.errors import ApiError
from storage.categories import Category
from storage.request_details import Contact, RequestExtras

MAX_DESCRIPTION = 4000  # the specification's limit
MAX_ADDRESS = 200
MAX_URL = 500
MAX_ATTRIBUTES = 50
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]*)\](\[\])?$")
_URL = re.compile(r"^https?://[^\s/]+\S*$", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[0-9+()./ -]{3,40}$")
#: The personal fields and their longest value.
_CONTACT = {
    "email": 254,
    "first_name": 100,
    "last_name": 100,
    "phone": 40,
    "account_id": 100,
    "device_id": 100,
}


@dataclass(frozen=True)
class ServiceRequest:
    """A request ready to file: ``lat``/``lon`` None when the place is ``address`` to geocode."""

    category: Category
    lat: float | None
    lon: float | None
    address: str | None
    description: str
    extras: RequestExtras


def split(pairs: Sequence[tuple[str, str]]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Plain fields (the last value of each) and ``attribute[…]`` answers (code → values)."""
    fields: dict[str, str] = {}
    answers: dict[str, list[str]] = {}
    for name, value in pairs:
        if not name.startswith("attribute"):
            fields[name] = value
            continue
        match = _ATTRIBUTE.match(name)
        if match is None or not match.group(1).strip():
            raise ApiError(400, f"{name[:60]!r}: attributes are sent as attribute[CODE]=value")
        answers.setdefault(match.group(1).strip(), []).append(value)
        if len(answers) > MAX_ATTRIBUTES:
            raise ApiError(400, f"at most {MAX_ATTRIBUTES} attributes in one request")
    return fields, answers


def _coordinate(raw: str, name: str, limit: float) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise ApiError(400, f"{name} {raw[:40]!r} is not a number") from None
    if not math.isfinite(value) or not -limit <= value <= limit:
        raise ApiError(400, f"{name} {raw[:40]} is outside -{limit:g}..{limit:g}")
    return value


def _place(fields: dict[str, str]) -> tuple[float | None, float | None, str | None]:
    lat_raw = (fields.get("lat") or "").strip()
    lon_raw = (fields.get("long") or "").strip()
    address = " ".join((fields.get("address_string") or "").split()) or None
    if address is not None and len(address) > MAX_ADDRESS:
        raise ApiError(400, f"address_string is over {MAX_ADDRESS} characters")
    if lat_raw or lon_raw:
        for name, raw in (("lat", lat_raw), ("long", lon_raw)):
            if not raw:
                raise ApiError(400, f"{name} is required with the other coordinate (WGS 84)")
        return _coordinate(lat_raw, "lat", 90), _coordinate(lon_raw, "long", 180), address
    if address is not None:
        return None, None, address
    if (fields.get("address_id") or "").strip():
        raise ApiError(400, "address_id is not known here (no address database): send lat and long")
    raise ApiError(400, "lat and long (or address_string) are required: where the problem is")


def _contact(fields: dict[str, str]) -> Contact:
    values: dict[str, str | None] = {}
    for name, longest in _CONTACT.items():
        value = " ".join((fields.get(name) or "").split()) or None
        if value is not None and len(value) > longest:
            raise ApiError(400, f"{name} is over {longest} characters")
        values[name] = value
    # The personal values themselves are never quoted back: refusals are logged.
    if values["email"] is not None and not _EMAIL.match(values["email"]):
        raise ApiError(400, "email is not an e-mail address")
    if values["phone"] is not None and not _PHONE.match(values["phone"]):
        raise ApiError(400, "phone may hold digits, spaces and + ( ) - . only")
    return Contact(**values)


def _media_url(pairs: Sequence[tuple[str, str]]) -> str | None:
    """The first ``media_url`` (a client with several photos sends several)."""
    urls = [value.strip() for name, value in pairs if name == "media_url" and value.strip()]
    for url in urls:
        if len(url) > MAX_URL or not _URL.match(url):
            raise ApiError(400, f"media_url must be an http(s) URL of at most {MAX_URL} characters")
    return urls[0] if urls else None


def read_request(
    pairs: Sequence[tuple[str, str]], categories: dict[str, Category], language: str
) -> ServiceRequest:
    fields, given = split(pairs)
    code = (fields.get("service_code") or "").strip()
    if not code:
        raise ApiError(400, "service_code is required; see services.xml")
    category = categories.get(code)
    if category is None or not category.active:
        raise ApiError(400, f"unknown service_code {code[:40]!r}; see services.xml")
    lat, lon, address = _place(fields)
    description = (fields.get("description") or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise ApiError(
            400,
            f"description must be at most {MAX_DESCRIPTION} characters (got {len(description)})",
        )
    try:
        answers = check_answers(category.attributes, given)
    except AnswerError as refused:
        raise ApiError(400, str(refused)) from None
    extras = RequestExtras(
        answers=tuple((answer.code, answer.values) for answer in answers),
        media_url=_media_url(pairs),
        contact=_contact(fields),
    )
    return ServiceRequest(
        category, lat, lon, address, description or category.name(language), extras
    )
