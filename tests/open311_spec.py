"""The GeoReport v2 field rules (open311.org, with mySociety's servicerequestupdates and Service
Discovery), as a small validator the tests run every answer through, in both formats.

Written from the specification's pages, not from the server's code: what each resource must
carry, which values a field may take (statuses, datatypes, booleans ``true``/``false``, W3C
datetimes with their offset), the XML shapes (root, one element per entry, plural wrappers for
nested lists) and the content types. ``read(response, shape)`` turns either format into the
same Python structure (XML read with defusedxml), so a test can also check that the two formats
say the same.
"""

from __future__ import annotations

import json
import re
from typing import Any

from defusedxml import ElementTree

W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:\d{2})$")
URL = re.compile(r"^https?://[^\s/]+\S*$")
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}
MYSOCIETY = {
    "OPEN",
    "INVESTIGATING",
    "IN_PROGRESS",
    "ACTION_SCHEDULED",
    "DUPLICATE",
    "FIXED",
    "CLOSED",
    "NOT_COUNCILS_RESPONSIBILITY",
    "NO_FURTHER_ACTION",
    "INTERNAL_REFERRAL",
}
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
UPDATE_FIELDS = [
    "update_id",
    "service_request_id",
    "status",
    "description",
    "updated_datetime",
    "media_url",
]
#: (root, entry) of each answer's XML; entry None: one object.
SHAPES = {
    "services": ("services", "service"),
    "definition": ("service_definition", None),
    "requests": ("service_requests", "request"),
    "created": ("service_requests", "request"),  # a POST's answer
    "updates": ("service_request_updates", "request_update"),
    "update_posted": ("service_request_updates", "request_update"),  # a POST's answer
    "discovery": ("discovery", None),
    "errors": ("errors", "error"),
}
NESTED = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


# -- reading either format ---------------------------------------------------------------------


def _element(element: Any) -> Any:
    children = list(element)
    if not children:
        return element.text or ""
    found: dict[str, Any] = {}
    for child in children:
        if child.tag in NESTED:
            found[child.tag] = [_element(item) for item in child if item.tag == NESTED[child.tag]]
            assert len(found[child.tag]) == len(child), f"<{child.tag}> holds other elements"
        else:
            assert child.tag not in found, f"<{child.tag}> twice"
            found[child.tag] = _element(child)
    return found


def read(response, kind: str) -> Any:
    """The answer as Python, checking its content type (and, for XML, its declaration and
    shape). XML values are text: the checks below read them as the format allows."""
    root, entry = SHAPES[kind]
    media = response.headers["content-type"]
    if media.startswith("text/xml"):
        assert media == "text/xml; charset=utf-8", media
        assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>'), (
            response.content[:60]
        )
        document = ElementTree.fromstring(response.content)
        assert document.tag == root, f"root <{document.tag}>, not <{root}>"
        if entry is None:
            return _element(document)
        assert all(child.tag == entry for child in document), [c.tag for c in document]
        return [_element(child) for child in document]
    assert media == "application/json; charset=utf-8", media
    return json.loads(response.content.decode("utf-8"))


# -- field rules ---------------------------------------------------------------------------------


def _bool(value: Any, name: str) -> bool:
    assert value in (True, False, "true", "false"), f"{name}={value!r} is not a boolean"
    return value in (True, "true")


def _number(value: Any, name: str) -> float:
    assert not isinstance(value, bool), f"{name} is a boolean"
    number = float(value)
    return number


def _text(value: Any, name: str, *, empty: bool = True) -> str:
    if value is None:
        assert empty, f"{name} is missing"
        return ""
    assert isinstance(value, str), f"{name}={value!r} is not text"
    assert empty or value.strip(), f"{name} is empty"
    return value


def _time(value: Any, name: str, *, empty: bool = False) -> None:
    if empty and value in (None, ""):
        return
    assert isinstance(value, str) and W3C.match(value), f"{name}={value!r} is no W3C datetime"


def _url(value: Any, name: str) -> None:
    if value in (None, ""):
        return
    assert isinstance(value, str) and URL.match(value), f"{name}={value!r} is no URL"


def check_services(services: list[dict]) -> None:
    assert services, "no services"
    for service in services:
        assert set(service) <= {
            "service_code",
            "service_name",
            "description",
            "metadata",
            "type",
            "keywords",
            "group",
        }, set(service)
        for name in ("service_code", "service_name", "description", "metadata", "type"):
            assert name in service, f"service without {name}"
        _text(service["service_code"], "service_code", empty=False)
        _text(service["service_name"], "service_name", empty=False)
        _text(service["description"], "description")
        _bool(service["metadata"], "metadata")
        assert service["type"] in ("realtime", "batch", "blackbox"), service["type"]
        _text(service.get("keywords"), "keywords")
        _text(service.get("group"), "group")


def check_definition(definition: dict, code: str) -> None:
    assert set(definition) == {"service_code", "attributes"}, set(definition)
    assert definition["service_code"] == code
    orders = []
    for attribute in definition["attributes"] or []:
        _bool(attribute["variable"], "variable")
        _text(attribute["code"], "code", empty=False)
        assert attribute["datatype"] in DATATYPES, attribute["datatype"]
        _bool(attribute["required"], "required")
        _text(attribute["datatype_description"], "datatype_description")
        orders.append(int(attribute["order"]))
        _text(attribute["description"], "description", empty=False)
        listed = attribute["datatype"] in ("singlevaluelist", "multivaluelist")
        assert ("values" in attribute) == listed, attribute
        for value in attribute.get("values", []):
            assert set(value) == {"key", "name"}, value
            _text(value["key"], "key", empty=False)
            _text(value["name"], "name", empty=False)
    assert orders == sorted(orders) and len(set(orders)) == len(orders), orders


def check_requests(requests: list[dict]) -> None:
    for request in requests:
        assert list(request) == REQUEST_FIELDS, list(request)
        _text(request["service_request_id"], "service_request_id", empty=False)
        assert request["status"] in ("open", "closed"), request["status"]
        for name in ("status_notes", "service_name", "service_code", "agency_responsible"):
            _text(request[name], name)
        for name in ("service_notice", "address", "address_id", "zipcode"):
            _text(request[name], name)
        assert len(_text(request["description"], "description")) <= 4000
        _time(request["requested_datetime"], "requested_datetime")
        _time(request["updated_datetime"], "updated_datetime", empty=True)
        _time(request["expected_datetime"], "expected_datetime", empty=True)
        assert -90 <= _number(request["lat"], "lat") <= 90
        assert -180 <= _number(request["long"], "long") <= 180
        _url(request["media_url"], "media_url")


def check_created(answer: list[dict]) -> str:
    """A POST's answer: one request with its id (or a token); the id."""
    assert len(answer) == 1, answer
    [created] = answer
    assert set(created) <= {"service_request_id", "token", "service_notice", "account_id"}
    assert created.get("service_request_id") or created.get("token"), created
    _text(created.get("service_notice"), "service_notice")
    return created["service_request_id"]


def check_updates(updates: list[dict]) -> None:
    for update in updates:
        assert list(update) == UPDATE_FIELDS, list(update)
        _text(update["update_id"], "update_id", empty=False)
        _text(update["service_request_id"], "service_request_id", empty=False)
        assert update["status"] in MYSOCIETY, update["status"]
        _text(update["description"], "description")
        _time(update["updated_datetime"], "updated_datetime")
        _url(update["media_url"], "media_url")


def check_update_posted(answer: list[dict]) -> None:
    assert len(answer) == 1 and set(answer[0]) <= {"update_id", "token"}, answer
    assert answer[0].get("update_id") or answer[0].get("token"), answer


def check_discovery(discovery: dict) -> None:
    assert set(discovery) == {"changeset", "contact", "key_service", "endpoints"}, set(discovery)
    _time(discovery["changeset"], "changeset")
    _text(discovery["contact"], "contact", empty=False)
    _text(discovery["key_service"], "key_service", empty=False)
    assert discovery["endpoints"], "no endpoint"
    for endpoint in discovery["endpoints"]:
        assert set(endpoint) == {"specification", "url", "changeset", "type", "formats"}
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        _url(endpoint["url"], "url")
        _time(endpoint["changeset"], "changeset")
        assert endpoint["type"] in ("production", "test")
        assert set(endpoint["formats"]) <= {"text/xml", "application/json"}
        assert "text/xml" in endpoint["formats"], "XML is the format every endpoint must offer"


def check_errors(errors: list[dict], status: int) -> str:
    """An error answer: ``[{code, description}]``, the code the HTTP status; its description."""
    assert errors and all(set(error) == {"code", "description"} for error in errors), errors
    assert {int(error["code"]) for error in errors} == {status}, errors
    return " ".join(_text(error["description"], "description", empty=False) for error in errors)


CHECKS = {
    "services": check_services,
    "requests": check_requests,
    "created": check_created,
    "updates": check_updates,
    "update_posted": check_update_posted,
    "discovery": check_discovery,
}


def valid(response, kind: str, status: int = 200) -> Any:
    """The answer read (either format) and checked against the rules of ``kind``."""
    assert response.status_code == status, response.text
    data = read(response, kind)
    if kind in CHECKS:
        CHECKS[kind](data)
    return data


def refused(response, status: int) -> str:
    """An error in the specification's shape, in the format the path asked for; its words."""
    assert response.status_code == status, response.text
    return check_errors(read(response, "errors"), status)


def same(json_data: Any, xml_data: Any) -> None:
    """The two formats say the same: XML's texts are JSON's values written out."""

    def written(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: written(item) for key, item in value.items()}
        if isinstance(value, list):
            return [written(item) for item in value]
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    assert written(json_data) == xml_data
