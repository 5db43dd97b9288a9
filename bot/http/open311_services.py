"""The services (our categories): ``GET services.{fmt}`` and ``GET services/{code}.{fmt}``.

A service has ``service_code`` (the category's key), ``service_name``, ``description`` (both
languages' names and the SLA), ``metadata`` (true when it has extra questions), ``type``
(``realtime``: a POST answers the request's id at once), ``keywords`` and ``group``, from
``bot/data/categories.toml``. A service definition lists its questions as ``attributes``:
``variable``, ``code``, ``datatype``, ``required``, ``datatype_description``, ``order``,
``description`` and, for the list types, ``values`` (``key``, ``name``). Texts are in
``DEFAULT_LANGUAGE``. Not rate-limited: the list is small and the same for everyone.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from bot.http.errors import ApiError
from bot.http.open311_common import Open311Kit
from bot.http.open311_format import SERVICE_DEFINITION, SERVICES, render
from bot.http.open311_requests import notice
from storage.attributes import LIST_TYPES, Attribute
from storage.categories import Category

#: What each datatype takes, for the definition's ``datatype_description``.
DATATYPE_DESCRIPTIONS = {
    "string": "One line of text.",
    "number": "A number, e.g. 40 or 12.5.",
    "datetime": "A W3C datetime with its time zone, e.g. 2026-11-03T08:00:00+07:00.",
    "text": "Text, which may have several lines.",
    "singlevaluelist": "One of the keys in values.",
    "multivaluelist": "Any of the keys in values: send attribute[CODE][]=key for each.",
}


class ServiceRoutes:
    def __init__(self, kit: Open311Kit) -> None:
        self.kit = kit
        self.services = kit.services

    @property
    def language(self) -> str:
        return self.services.settings.default_language

    def _categories(self) -> list[Category]:
        return sorted(
            (c for c in self.services.categories.values() if c.active), key=lambda c: c.position
        )

    def service(self, category: Category) -> dict[str, Any]:
        language = self.language
        other = "en" if language == "id" else "id"
        names = (category.name_id, category.name_en)
        return {
            "service_code": category.key,
            "service_name": category.name(language),
            "description": (
                f"{category.name(language)} / {category.name(other)}. {notice(category)}."
            ),
            "metadata": bool(category.attributes),
            "type": "realtime",
            "keywords": ",".join(
                dict.fromkeys([*(name.lower() for name in names), *category.keywords])
            ),
            "group": category.group(language) or "",
        }

    def attribute(self, attribute: Attribute) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "variable": attribute.variable,
            "code": attribute.code,
            "datatype": attribute.datatype,
            "required": attribute.required,
            "datatype_description": DATATYPE_DESCRIPTIONS[attribute.datatype],
            "order": attribute.order,
            "description": attribute.description(self.language),
        }
        if attribute.datatype in LIST_TYPES:
            fields["values"] = [
                {"key": value.key, "name": value.name(self.language)} for value in attribute.values
            ]
        return fields

    async def list_services(self, request: Request) -> Response:
        fmt = self.kit.fmt(request)
        self.kit.check_jurisdiction(request)
        return render(fmt, SERVICES, [self.service(category) for category in self._categories()])

    async def definition(self, request: Request) -> Response:
        fmt = self.kit.fmt(request)
        self.kit.check_jurisdiction(request)
        code = str(request.path_params["service_code"])
        category = self.services.categories.get(code)
        if category is None or not category.active:
            raise ApiError(404, f"unknown service_code {code[:40]!r}; see services.xml")
        definition = {
            "service_code": category.key,
            "attributes": [self.attribute(attribute) for attribute in category.attributes],
        }
        return render(fmt, SERVICE_DEFINITION, definition)
