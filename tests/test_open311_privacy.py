"""What the public Open311 API shows of a report, and how fast anyone may read it.

Without a key: points rounded to about 110 m, sensitive categories (security and order) not
there at all, phone numbers hidden in every form, and a rate per client address. With a key for
the area: the exact point and the sensitive reports of its kelurahan.
"""

from __future__ import annotations

import httpx
import pytest

from bot.config import ConfigError, load_settings
from bot.domain.categories import load_categories
from bot.domain.intake import AgencyReport, submit_agency_report
from bot.http.server import build_app
from storage.apikeys import ApiKeyRepository
from tests.conftest import TOKEN
from tests.helpers import KOTA_TUA, MONAS
from tests.test_logging import NOT_PHONES, PHONE_FORMS
from tests.test_open311 import BASE, GAMBIR_CODE, PINANGSIA_CODE, assert_error, new_key

THREAT = "Ada orang mabuk membawa senjata tajam di gang belakang rumah saya"
ADDRESS = "Jl. Kebon Sirih Gg. 5 No. 12"


def client(bot, address: str = "1.2.3.4") -> httpx.AsyncClient:
    app = build_app(bot.services, polling=lambda: True)
    transport = httpx.ASGITransport(app=app, client=(address, 123))
    return httpx.AsyncClient(transport=transport, base_url="http://api.test")


async def seed(bot, category="flood", where=MONAS, description="Genangan air 40 cm di halte"):
    return await submit_agency_report(
        bot.services, AgencyReport("Seeder", category, *where, description, ADDRESS)
    )


async def listed(api, **headers: str) -> list[str]:
    answer = await api.get(f"{BASE}/requests.json", headers=headers)
    assert answer.status_code == 200, answer.text
    return [request["service_request_id"] for request in answer.json()]


# -- points ------------------------------------------------------------------------------------


async def test_public_points_are_rounded_and_a_key_for_the_area_sees_them_exact(bot):
    flood = await seed(bot, where=(-6.175449, 106.827151))
    gambir = await new_key(bot, "Kel. Gambir", [GAMBIR_CODE])
    pinangsia = await new_key(bot, "Kel. Pinangsia", [PINANGSIA_CODE])
    async with client(bot) as api:
        [public] = (await api.get(f"{BASE}/requests/{flood}.json")).json()
        [in_list] = (await api.get(f"{BASE}/requests.json")).json()
        [exact] = (
            await api.get(f"{BASE}/requests/{flood}.json", headers={"X-API-Key": gambir})
        ).json()
        [elsewhere] = (
            await api.get(f"{BASE}/requests.json", headers={"X-API-Key": pinangsia})
        ).json()
    assert (public["lat"], public["long"]) == (-6.175, 106.827)
    assert (in_list["lat"], in_list["long"]) == (-6.175, 106.827)
    assert public["address"] == ADDRESS  # not sensitive: the street stays
    assert (exact["lat"], exact["long"]) == (-6.175449, 106.827151)
    assert (elsewhere["lat"], elsewhere["long"]) == (-6.175, 106.827)  # not its area


# -- sensitive categories ----------------------------------------------------------------------


def test_security_is_the_sensitive_category(bot):
    sensitive = [c.key for c in bot.services.categories.values() if c.sensitive]
    assert sensitive == ["security"]


async def test_sensitive_reports_are_not_public_in_any_way(bot):
    flood = await seed(bot)
    threat = await seed(bot, "security", description=THREAT)
    async with client(bot) as api:
        everything = await listed(api)
        by_id = await api.get(f"{BASE}/requests/{threat}.json")
        missing = await api.get(f"{BASE}/requests/{threat + 100}.json")
        asked = await api.get(f"{BASE}/requests.json", params={"service_request_id": str(threat)})
        by_code = await api.get(f"{BASE}/requests.json", params={"service_code": "security"})
        page = await api.get(f"{BASE}/requests.json", params={"page_size": 1})
    assert everything == [str(flood)]
    assert_error(by_id, 404, f"no service request {threat}")
    assert by_id.json()[0]["description"].replace(str(threat), "N") == missing.json()[0][
        "description"
    ].replace(str(threat + 100), "N")
    assert asked.json() == [] and by_code.json() == []
    assert [r["service_request_id"] for r in page.json()] == [str(flood)]
    assert "link" not in page.headers  # the hidden report does not make a second page


async def test_a_key_for_the_area_reads_its_sensitive_reports(bot):
    threat = await seed(bot, "security", description=THREAT)  # Monas: Kel. Gambir
    away = await seed(bot, "security", where=KOTA_TUA, description=THREAT)  # Pinangsia
    gambir = await new_key(bot, "Kel. Gambir", [GAMBIR_CODE])
    anywhere = await new_key(bot, "Polda Metro Jaya")
    async with client(bot) as api:
        theirs = await listed(api, **{"X-API-Key": gambir})
        [one] = (
            await api.get(f"{BASE}/requests/{threat}.json", headers={"api_key": gambir})
        ).json()
        not_theirs = await api.get(f"{BASE}/requests/{away}.json", headers={"X-API-Key": gambir})
        unscoped = await listed(api, **{"X-API-Key": anywhere})
    assert theirs == [str(threat)]
    assert one["address"] == ADDRESS and (one["lat"], one["long"]) == MONAS
    assert one["description"] == THREAT
    assert_error(not_theirs, 404, f"no service request {away}")
    assert unscoped == [str(away), str(threat)]


async def test_a_dead_key_on_a_read_is_refused(bot, store):
    key = await new_key(bot, "Dinas Lama")
    async with client(bot) as api:
        unknown = await api.get(f"{BASE}/requests.json", headers={"X-API-Key": "wl_nope"})
        assert (await api.get(f"{BASE}/requests.json", headers={"X-API-Key": key})).is_success
        await ApiKeyRepository(store.db).revoke("Dinas Lama")
        revoked = await api.get(f"{BASE}/requests.json", headers={"X-API-Key": key})
    # GeoReport v2 answers a bad key with 403, the same for an unknown and a revoked one.
    assert_error(unknown, 403, "not valid")
    assert_error(revoked, 403, "not valid")  # the same answer as an unknown key


def test_the_sensitive_flag_must_be_true_or_false(tmp_path):
    path = tmp_path / "categories.toml"
    entry = 'key = "x"\nemoji = "x"\nname_id = "x"\nname_en = "x"\nsla_hours = 1\n'
    path.write_text(f'[[category]]\n{entry}photo_required = false\nsensitive = "yes"\n')
    with pytest.raises(ValueError, match="sensitive must be true or false"):
        load_categories(path)
    path.write_text(f"[[category]]\n{entry}photo_required = false\n")
    assert load_categories(path)[0].sensitive is False


# -- phone numbers -----------------------------------------------------------------------------


@pytest.mark.parametrize("phone", PHONE_FORMS)
async def test_every_phone_form_is_hidden_in_public_text(bot, phone):
    ref = await seed(bot, description=f"Air masuk rumah, hubungi {phone} ya")
    async with client(bot) as api:
        [request] = (await api.get(f"{BASE}/requests/{ref}.json")).json()
    assert request["description"] == "Air masuk rumah, hubungi [phone] ya"


@pytest.mark.parametrize("text", NOT_PHONES)
async def test_numbers_that_are_no_phone_stay_in_public_text(bot, text):
    ref = await seed(bot, description=f"Air masuk rumah: {text} mohon dicek")
    async with client(bot) as api:
        [request] = (await api.get(f"{BASE}/requests/{ref}.json")).json()
    assert request["description"] == f"Air masuk rumah: {text} mohon dicek"


# -- rate per client address -------------------------------------------------------------------


async def test_anonymous_reads_are_limited_per_address(make_bot):
    bot = await make_bot(OPEN311_PUBLIC_RATE_PER_MINUTE="3")
    ref = await seed(bot)
    key = await new_key(bot)
    app = build_app(bot.services, polling=lambda: True)

    def from_(address: str) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=(address, 123))
        return httpx.AsyncClient(transport=transport, base_url="http://api.test")

    async with from_("1.2.3.4") as api, from_("5.6.7.8") as other:
        allowed = [
            await api.get(f"{BASE}/requests.json"),
            await api.get(f"{BASE}/requests/{ref}.json"),
            await api.get(f"{BASE}/requests.json"),
        ]
        refused = await api.get(f"{BASE}/requests/{ref}.json")
        elsewhere = await other.get(f"{BASE}/requests.json")
        with_key = await api.get(f"{BASE}/requests.json", headers={"X-API-Key": key})
        services = await api.get(f"{BASE}/services.json")
    assert [answer.status_code for answer in allowed] == [200, 200, 200]
    assert_error(refused, 429, "too many requests")
    assert 1 <= int(refused.headers["retry-after"]) <= 20  # a token every 20 s at 3 a minute
    assert elsewhere.status_code == 200
    assert with_key.status_code == 200
    assert services.status_code == 200  # the category list is not limited


async def test_forwarded_for_is_believed_only_from_trusted_proxies(make_bot):
    async def answers(bot, forwarded: list[str]) -> list[int]:
        app = build_app(bot.services, polling=lambda: True)
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 123))
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as api:
            return [
                (
                    await api.get(f"{BASE}/requests.json", headers={"X-Forwarded-For": address})
                ).status_code
                for address in forwarded
            ]

    spoofing = ["9.9.9.1", "9.9.9.2", "9.9.9.3"]  # one client claiming to be three
    untrusted = await make_bot(OPEN311_PUBLIC_RATE_PER_MINUTE="2")
    assert await answers(untrusted, spoofing) == [200, 200, 429]
    await untrusted.stop()
    behind_proxy = await make_bot(OPEN311_PUBLIC_RATE_PER_MINUTE="2", TRUSTED_PROXIES="127.0.0.1")
    assert await answers(behind_proxy, spoofing) == [200, 200, 200]
    same = ["8.8.8.8", "6.6.6.6, 8.8.8.8", "8.8.8.8"]  # the hop before the proxy counts
    assert await answers(behind_proxy, same) == [200, 200, 429]


def test_tracked_clients_are_bounded_and_the_oldest_forgotten():
    from bot.http.throttle import TokenBuckets  # here: the one test of the class itself

    now = [0.0]
    buckets = TokenBuckets(1, max_clients=3, clock=lambda: now[0])
    assert [buckets.take(address) for address in ("a", "b", "c", "d")] == [None] * 4
    assert len(buckets) == 3
    assert buckets.take("d") == pytest.approx(60.0)  # its token is spent: one a minute
    assert buckets.take("a") is None  # forgotten, so a full bucket again
    now[0] = 30.0
    assert buckets.take("d") == pytest.approx(30.0)


@pytest.mark.parametrize(
    ("env", "mentions"),
    [
        ({"OPEN311_PUBLIC_RATE_PER_MINUTE": "0"}, "OPEN311_PUBLIC_RATE_PER_MINUTE"),
        ({"OPEN311_PUBLIC_RATE_PER_MINUTE": "many"}, "OPEN311_PUBLIC_RATE_PER_MINUTE"),
        ({"TRUSTED_PROXIES": "127.0.0.1,proxy.local"}, "TRUSTED_PROXIES"),
        ({"LOG_LEVEL_LIBRARIES": "LOUD"}, "LOG_LEVEL_LIBRARIES"),
    ],
)
def test_bad_privacy_settings_are_one_line_naming_the_variable(env, mentions):
    with pytest.raises(ConfigError, match=mentions):
        load_settings({"TELEGRAM_BOT_TOKEN": TOKEN, **env})


def test_privacy_settings_defaults():
    settings = load_settings({"TELEGRAM_BOT_TOKEN": TOKEN})
    assert settings.open311_public_rate_per_minute == 60
    assert settings.trusted_proxies == () and settings.log_level_libraries is None
    chosen = load_settings(
        {"TELEGRAM_BOT_TOKEN": TOKEN, "TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}
    )
    assert chosen.trusted_proxies == ("127.0.0.1/32", "10.0.0.0/8")
