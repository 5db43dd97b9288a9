"""FixMyStreet's Open311 client (mySociety, ``perllib/Open311.pm``), as far as a council's
endpoint sees it: what it sends and how it reads the answers, written again in Python for the
tests, over real HTTP.

Faithful to the Perl: every call is to ``{endpoint}{path}`` with ``jurisdiction_id`` added when
one is configured; a POST is ``application/x-www-form-urlencoded`` (HTTP::Request::Common) with
``api_key`` added, and a list value becomes the same name repeated (``attribute[kind]=a&
attribute[kind]=b``); ``servicerequestupdates`` is read with ``api_key`` in the query string
(empty when there is none) and ``start_date``/``end_date`` only as a pair. Answers are parsed as
XML::Simple does with FixMyStreet's options: the group tags (``service``, ``attribute``,
``value``, ``request``, ``error``, ``request_update``) always lists, empty elements None, and a
request's id read as ``$obj->{request}->[0]->{service_request_id}``. A failed call is "request
failed" with the ``<errors>`` read as ``code: description`` lines (``_process_error``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

import httpx
from defusedxml import ElementTree

GROUP_TAGS = {"service", "attribute", "value", "request", "error", "request_update"}


class Open311Failed(Exception):
    """``_request`` returned nothing: the status line and the errors, as FixMyStreet warns."""


def xml_simple(content: bytes) -> Any:
    """XML::Simple's ``parse_string`` with ForceArray on the group tags, KeyAttr {},
    SuppressEmpty undef, and the root dropped (KeepRoot off)."""

    def value(element: Any) -> Any:
        children = list(element)
        if not children:
            return element.text if element.text not in (None, "") else None
        found: dict[str, Any] = {}
        for child in children:
            item = value(child)
            if child.tag in GROUP_TAGS:
                found.setdefault(child.tag, []).append(item)
            elif child.tag in found:
                previous = found[child.tag]
                found[child.tag] = (
                    [*previous, item]
                    if isinstance(previous, list)
                    else [
                        previous,
                        item,
                    ]
                )
            else:
                found[child.tag] = item
        return found

    root = ElementTree.fromstring(content)
    parsed = value(root)
    return parsed if parsed is not None else {}


def split_name(name: str) -> tuple[str, str]:
    """``split_name``: ``(\\w+)(?:\\.?\\s+(.+))?``."""
    match = re.match(r"(\w+)(?:\.?\s+(.+))?", name or "")
    return (match.group(1) or "", match.group(2) or "") if match else ("", "")


def truncate_coordinate(value: float) -> str:
    """``Utils::truncate_coordinate``: six decimals, trailing zeros dropped."""
    return re.sub(r"\.?0+$", "", f"{value:.6f}")


def w3c(moment: datetime) -> str:
    """DateTime::Format::W3CDTF: seconds, and the offset (``Z`` for UTC)."""
    text = moment.replace(microsecond=0).isoformat()
    return text.replace("+00:00", "Z")


@dataclass
class Problem:
    """The parts of a FixMyStreet report that ``send_service_request`` reads."""

    title: str
    detail: str
    latitude: float
    longitude: float
    name: str
    email: str | None = None
    phone: str | None = None
    url: str = "https://fixmystreet.example/report/1"
    image_url: str | None = None
    extra: dict[str, str | list[str]] = field(default_factory=dict)


@dataclass
class Open311:
    endpoint: str  # ends with "/", as FixMyStreet's body configuration has it
    api_key: str
    jurisdiction: str | None = None
    client: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=30))
    sent: list[httpx.Request] = field(default_factory=list)

    async def _request(self, method: str, path: str, params: dict[str, Any]) -> Any:
        if self.jurisdiction:
            params["jurisdiction_id"] = self.jurisdiction
        if method == "POST" and self.api_key:
            params["api_key"] = self.api_key
        pairs = [
            (name, item)
            for name, value in params.items()
            for item in (value if isinstance(value, list) else [value])
        ]
        url = f"{self.endpoint}{path}"
        if method == "GET":
            request = self.client.build_request("GET", url, params=pairs)
        else:
            request = self.client.build_request(
                "POST",
                url,
                content=urlencode(pairs).encode("ascii"),
                headers={"content-type": "application/x-www-form-urlencoded"},
            )
        self.sent.append(request)
        response = await self.client.send(request)
        if response.is_success:
            return response.content
        errors = self._process_error(response.content)
        raise Open311Failed(f"request failed: {response.status_code}\nerror: {errors}")

    @staticmethod
    def _process_error(content: bytes) -> str:
        try:
            parsed = xml_simple(content)
        except ElementTree.ParseError:
            return "unknown error"
        lines = [
            f"{error.get('code') or '???'}: {error.get('description') or 'unknown error'}"
            for error in parsed.get("error", [])
        ]
        return "\n".join(lines) or "unknown error"

    async def get_service_list(self) -> Any:
        return xml_simple(await self._request("GET", "services.xml", {}))

    async def get_service_meta_info(self, service_code: str) -> Any:
        return xml_simple(await self._request("GET", f"services/{service_code}.xml", {}))

    async def send_service_request(self, problem: Problem, service_code: str) -> str | None:
        first, last = split_name(problem.name)
        params: dict[str, Any] = {
            "description": f"{problem.title}\n\n{problem.detail}\n\n{problem.url}\n",
            "service_code": service_code,
            "first_name": first,
            "last_name": last,
            "lat": truncate_coordinate(problem.latitude),
            "long": truncate_coordinate(problem.longitude),
        }
        if problem.phone:
            params["phone"] = problem.phone
        if problem.email:
            params["email"] = problem.email
        if problem.image_url:
            params["media_url"] = problem.image_url
        for name, value in problem.extra.items():
            params[f"attribute[{name.removeprefix('fms_extra_')}]"] = value
        parsed = xml_simple(await self._request("POST", "requests.xml", params))
        request = (parsed.get("request") or [{}])[0]
        return request.get("service_request_id") or None

    async def get_service_request_updates(
        self, start: datetime | None = None, end: datetime | None = None
    ) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"api_key": self.api_key or ""}
        if start or end:
            assert start and end, "FixMyStreet sends both dates or neither"
            params["start_date"] = w3c(start)
            params["end_date"] = w3c(end)
        parsed = xml_simple(await self._request("GET", "servicerequestupdates.xml", params))
        return parsed.get("request_update", [])

    async def post_service_request_update(
        self,
        *,
        service_request_id: str,
        status: str,
        text: str,
        name: str,
        update_id: int,
        confirmed: datetime,
        email: str | None = None,
    ) -> str | None:
        first, last = split_name(name)
        params: dict[str, Any] = {
            "updated_datetime": w3c(confirmed),
            "service_request_id": service_request_id,
            "status": status,
            "description": text,
            "last_name": last or "-",
            "first_name": first,
            "update_id": str(update_id),
        }
        if email:
            params["email"] = email
        parsed = xml_simple(await self._request("POST", "servicerequestupdates.xml", params))
        update = (parsed.get("request_update") or [{}])[0]
        return update.get("update_id") or None

    async def close(self) -> None:
        await self.client.aclose()
