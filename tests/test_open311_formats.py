"""Open311 in both formats: discovery, services and their definitions, requests, and the
specification's errors, each checked against the field rules (tests/open311_spec.py) and the
two formats against each other."""

from __future__ import annotations

import httpx
import pytest

from bot.http.server import build_app
from tests.helpers import MONAS
from tests.open311_spec import check_definition, read, refused, same, valid
from tests.test_open311 import BASE, FLOOD, client, new_key, seed


async def both(api: httpx.AsyncClient, path: str, kind: str, **kwargs) -> object:
    """``path`` (without extension) as JSON and as XML, each valid, and the same."""
    as_json = valid(await api.get(f"{path}.json", **kwargs), kind)
    as_xml = valid(await api.get(f"{path}.xml", **kwargs), kind)
    same(as_json, as_xml)
    return as_json


async def test_discovery_names_the_endpoint_its_formats_and_whom_to_ask(make_bot):
    running = await make_bot(
        WEB_BASE_URL="https://lapor.example.go.id",
        OPEN311_CONTACT="Diskominfotik DKI, open311@example.go.id",
        OPEN311_ENDPOINT_TYPE="test",
    )
    async with client(running) as api:
        found = await both(api, f"{BASE}/discovery", "discovery")
    assert found["contact"] == "Diskominfotik DKI, open311@example.go.id"
    assert "apikey create" in found["key_service"]
    [endpoint] = found["endpoints"]
    assert endpoint["url"] == "https://lapor.example.go.id/open311/v2"
    assert endpoint["type"] == "test"
    assert endpoint["formats"] == ["text/xml", "application/json"]


async def test_services_and_definitions_in_both_formats(bot):
    async with client(bot) as api:
        services = await both(api, f"{BASE}/services", "services")
        definitions = {}
        for service in services:
            code = service["service_code"]
            definitions[code] = await both(api, f"{BASE}/services/{code}", "definition")
            check_definition(definitions[code], code)
            assert service["metadata"] is bool(definitions[code]["attributes"])
        xml = (await api.get(f"{BASE}/services/flood.xml")).text
    by_code = {service["service_code"]: service for service in services}
    assert by_code["road_damage"]["group"] == "Jalan & penerangan"
    assert "pothole" in by_code["road_damage"]["keywords"].split(",")
    depth, passable, since = definitions["flood"]["attributes"]
    assert (depth["code"], depth["datatype"], depth["required"]) == (
        "water_depth_cm",
        "number",
        False,
    )
    assert depth["description"] == "Kedalaman air (cm)" and depth["variable"] is True
    assert passable["datatype"] == "singlevaluelist" and passable["order"] == 2
    assert passable["description"] == "Apakah jalan bisa dilewati?"
    assert [v["key"] for v in passable["values"]] == ["yes", "large_vehicles", "no"]
    assert since["datatype"] == "datetime"
    [size] = definitions["road_damage"]["attributes"]
    assert size["required"] is True
    [kind] = definitions["garbage"]["attributes"]
    assert (
        kind["datatype"] == "multivaluelist"
        and "attribute[CODE][]" in (kind["datatype_description"])
    )
    # The specification's own XML shape, spelled out once.
    assert "<attributes><attribute><variable>true</variable><code>water_depth_cm</code>" in xml
    assert "<values><value><key>yes</key><name>Ya, semua kendaraan</name></value>" in xml


async def test_requests_in_both_formats_say_the_same(bot):
    refs = [await seed(bot), await seed(bot, "garbage", description="Sampah <menumpuk> & bau")]
    async with client(bot) as api:
        listed = await both(api, f"{BASE}/requests", "requests")
        one = await both(api, f"{BASE}/requests/{refs[1]}", "requests")
        xml = (await api.get(f"{BASE}/requests/{refs[1]}.xml")).content
    assert [r["service_request_id"] for r in listed] == [str(refs[1]), str(refs[0])]
    assert one[0]["description"] == "Sampah <menumpuk> & bau"
    assert b"<description>Sampah &lt;menumpuk&gt; &amp; bau</description>" in xml
    assert b"<address_id /><zipcode />" in xml  # empty fields are there, empty


async def test_text_xml_cannot_carry_is_replaced_not_a_broken_answer(bot):
    ref = await seed(bot, description="Banjir\x00 di\x0b jalan \ufffe dan \x1b[31m merah")
    async with client(bot) as api:
        [as_xml] = valid(await api.get(f"{BASE}/requests/{ref}.xml"), "requests")
        [as_json] = valid(await api.get(f"{BASE}/requests/{ref}.json"), "requests")
    assert as_xml["description"] == as_json["description"]
    assert as_json["description"] == "Banjir\ufffd di\ufffd jalan \ufffd dan \ufffd[31m merah"


@pytest.mark.parametrize("fmt", ["xml", "json"])
async def test_every_refusal_is_the_specifications_error_in_the_asked_format(make_bot, fmt):
    running = await make_bot(OPEN311_PUBLIC_RATE_PER_MINUTE="5")
    key = await new_key(running)
    ref = await seed(running)
    app = build_app(running.services, polling=lambda: True)
    transport = httpx.ASGITransport(app=app, client=("10.1.1.1", 123))
    form = {"service_code": "flood", "lat": str(MONAS[0]), "long": str(MONAS[1])}
    async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as api:
        answers = {
            "no such request": (await api.get(f"{BASE}/requests/99999.{fmt}"), 404),
            "no such service": (await api.get(f"{BASE}/services/volcano.{fmt}"), 404),
            "no such resource": (await api.get(f"{BASE}/nothing.{fmt}"), 404),
            "not served here": (
                await api.get(f"{BASE}/services.{fmt}", params={"jurisdiction_id": "nyc.gov"}),
                404,
            ),
            "no key": (await api.post(f"{BASE}/requests.{fmt}", data=form), 403),
            "bad key": (
                await api.post(f"{BASE}/requests.{fmt}", data={**form, "api_key": "wl_x"}),
                403,
            ),
            "bad read key": (
                await api.get(f"{BASE}/services.{fmt}", headers={"X-API-Key": "wl_x"}),
                200,  # the service list reads no key at all
            ),
            "no service_code": (
                await api.post(f"{BASE}/requests.{fmt}", data={"api_key": key}),
                400,
            ),
            "over the body limit": (
                await api.post(f"{BASE}/requests.{fmt}", content=b"x" * 70_000),
                413,
            ),
            "no token": (await api.get(f"{BASE}/tokens/abc.{fmt}"), 404),
            "method": (await api.delete(f"{BASE}/requests.{fmt}"), 405),
            "key in URL": (
                await api.post(f"{BASE}/requests.{fmt}", params={"api_key": key}, data=form),
                400,
            ),
        }
        for what, (answer, status) in answers.items():
            if status == 200:
                assert answer.status_code == 200, what
                continue
            expected = "text/xml" if fmt == "xml" else "application/json"
            assert answer.headers["content-type"].startswith(expected), what
            assert refused(answer, status), what
        other = await api.get(f"{BASE}/services.yaml")
        for _ in range(10):  # the anonymous reads' tokens run out (5 a minute)
            limited = await api.get(f"{BASE}/requests/{ref}.{fmt}")
            if limited.status_code != 200:
                break
    assert "too many requests" in refused(limited, 429)
    assert int(limited.headers["retry-after"]) >= 1
    assert ".xml or .json" in refused(other, 404)
    assert "jurisdiction_id" in refused(answers["not served here"][0], 404)


async def test_our_jurisdiction_id_is_accepted_everywhere(make_bot):
    running = await make_bot(OPEN311_JURISDICTION_ID="jakarta.go.id")
    key = await new_key(running)
    ref = await seed(running)
    ours = {"jurisdiction_id": "jakarta.go.id"}
    async with client(running) as api:
        for path in (
            f"{BASE}/services.xml",
            f"{BASE}/services/flood.xml",
            f"{BASE}/requests.xml",
            f"{BASE}/requests/{ref}.xml",
            f"{BASE}/servicerequestupdates.xml",
        ):
            assert (await api.get(path, params=ours)).status_code == 200, path
            assert refused(await api.get(path, params={"jurisdiction_id": "x"}), 404), path
        created = await api.post(
            f"{BASE}/requests.xml",
            data={
                **ours,
                "api_key": key,
                "service_code": "flood",
                "lat": str(MONAS[0]),
                "long": str(MONAS[1]),
                "description": FLOOD,
            },
        )
        wrong = await api.post(
            f"{BASE}/requests.xml", data={"jurisdiction_id": "wargalapor", "api_key": key}
        )
    assert created.status_code == 201, created.text
    assert "not served here" in refused(wrong, 404)
    assert read(created, "created")[0]["service_request_id"].isdigit()


async def test_an_unexpected_error_on_an_xml_path_is_a_500_in_xml(bot, monkeypatch):
    from storage.apikeys import ApiKeyRepository

    async def broken(self, key: str) -> None:
        raise OSError("disk I/O error")

    monkeypatch.setattr(ApiKeyRepository, "by_key", broken)
    async with client(bot) as api:
        answer = await api.post(f"{BASE}/requests.xml", data={"api_key": "wl_x"})
    assert "internal error" in refused(answer, 500)
    assert answer.headers["content-type"] == "text/xml; charset=utf-8"
    assert "disk I/O" not in answer.text


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ('category = "volcano"\ncode = "x"\ndatatype = "text"', "not defined above"),
        ('category = "x"\ncode = "9lives"\ndatatype = "text"', "code '9lives'"),
        ('category = "x"\ncode = "depth"\ndatatype = "float"', "datatype must be one of"),
        ('category = "x"\ncode = "depth"\ndatatype = "number"\nrequired = "yes"', "true or false"),
        ('category = "x"\ncode = "kind"\ndatatype = "singlevaluelist"', "values go with"),
        (
            'category = "x"\ncode = "n"\ndatatype = "number"\nvalues = [{key="a", name_id="A",'
            ' name_en="A"}]',
            "values go with",
        ),
        (
            'category = "x"\ncode = "kind"\ndatatype = "multivaluelist"\nvalues = [{key="a",'
            ' name_id="A", name_en="A"}, {key="a", name_id="B", name_en="B"}]',
            "repeated",
        ),
    ],
)
def test_a_malformed_question_stops_the_bot_at_start(tmp_path, question, words):
    from bot.domain.categories import load_categories

    category = (
        '[[category]]\nkey = "x"\nemoji = "x"\nname_id = "x"\nname_en = "x"\nsla_hours = 1\n'
        "photo_required = false\n"
    )
    texts = 'description_id = "Q"\ndescription_en = "Q"\n'
    path = tmp_path / "categories.toml"
    path.write_text(f"{category}\n[[attribute]]\n{question}\n{texts}")
    with pytest.raises(ValueError, match=words):
        load_categories(path)
    path.write_text(
        f'{category}\n[[attribute]]\ncategory = "x"\ncode = "n"\ndatatype = "number"\n{texts}'
    )
    [loaded] = load_categories(path)
    assert [a.code for a in loaded.attributes] == ["n"] and not loaded.attributes[0].required
