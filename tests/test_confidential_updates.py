"""A confidential report is missing to every API key not responsible for it (issue 18).

An agency's system may guess numbers: a 403 "not handled by this api_key's agency" would tell it
that a report exists which the citizen asked to keep unpublished. So on every update path (our
update API, mySociety's ``servicerequestupdates`` POST, and ``duplicate_of``) a confidential
report the key does not reach answers exactly as a number no report has. The responsible
agency's key (its category there, or a hand-off to it) and a key of its area still update it:
their systems are where the case is worked. A published report the key does not reach stays a
403, which the existing tests of agency keys check; here each 404 has that 403 as its twin.
"""

from __future__ import annotations

from tests.helpers import file_report, run_cli
from tests.test_agency_keys import UPDATE, agency_key
from tests.test_open311 import BASE, GAMBIR_CODE, PINANGSIA_CODE, assert_error, client, new_key
from tests.test_privacy import file_as

MYSOCIETY = f"{BASE}/servicerequestupdates.json"
NOWHERE = 987654  # a number no report has


def without(response, number: int) -> object:
    """The answer's body with the request number taken out, to compare two numbers' answers."""
    return response.json()[0]["description"].replace(str(number), "N"), response.status_code


async def test_a_confidential_report_is_missing_to_a_key_not_responsible_for_it(
    sandbox, bot, store, admin
):
    await store.agencies.create("Dinas SDA", ["flood"], [], admin.user_id)
    await store.agencies.create("PLN", ["street_light"], [], admin.user_id)
    warga = sandbox.citizen()
    secret = await file_as(warga, "🔒 Jadikan rahasia")  # a flood at Monas: Dinas SDA's, Gambir
    assert (await store.reports.get(secret)).visibility == "confidential"
    light = await file_report(sandbox.citizen(), category="Lampu jalan mati")  # published
    sda = {"X-API-Key": await agency_key(bot, "sda", "Dinas SDA")}
    pln_key = await agency_key(bot, "pln", "PLN")
    pln = {"X-API-Key": pln_key}
    pinangsia = {"X-API-Key": await new_key(bot, "Kel. Pinangsia", [PINANGSIA_CODE])}
    gambir = {"X-API-Key": await new_key(bot, "Kel. Gambir", [GAMBIR_CODE])}
    events = len(await store.reports.events(secret))

    async with client(bot) as api:
        for headers in (pln, pinangsia):
            for number in (secret, NOWHERE):
                asked = {"status": "acknowledged", "note": "Kami cek"}
                answer = await api.post(UPDATE.format(number), data=asked, headers=headers)
                assert_error(answer, 404, f"no service request {number}")
            hidden = await api.post(UPDATE.format(secret), data=asked, headers=headers)
            absent = await api.post(UPDATE.format(NOWHERE), data=asked, headers=headers)
            assert without(hidden, secret) == without(absent, NOWHERE)
            # The twin: a published report it does not reach is "not yours", not missing.
            if headers is pinangsia:
                assert_error(
                    await api.post(UPDATE.format(light), data=asked, headers=headers),
                    403,
                    "outside its areas",
                )

        def mysociety(number: int, key: str) -> dict[str, str]:
            return {"api_key": key, "service_request_id": str(number), "status": "INVESTIGATING"}

        hidden = await api.post(MYSOCIETY, data=mysociety(secret, pln_key))
        absent = await api.post(MYSOCIETY, data=mysociety(NOWHERE, pln_key))
        assert_error(hidden, 404, f"no service request {secret}")
        assert without(hidden, secret) == without(absent, NOWHERE)

        # duplicate_of a confidential report not the key's: as if it named no report at all.
        own = {"status": "duplicate"}
        as_dup = await api.post(
            UPDATE.format(light), data={**own, "duplicate_of": str(secret)}, headers=pln
        )
        no_dup = await api.post(
            UPDATE.format(light), data={**own, "duplicate_of": str(NOWHERE)}, headers=pln
        )
        assert_error(as_dup, 400, "duplicate_of must be another existing request")
        assert as_dup.json() == no_dup.json()
        assert (await store.reports.get(light)).status == "new"
        assert len(await store.reports.events(secret)) == events  # nobody touched it
        assert (await store.reports.get(secret)).status == "new"

        # Those responsible still work it: the area's key adds a note, the agency's moves it.
        noted = await api.post(UPDATE.format(secret), data={"note": "Lurah tahu"}, headers=gambir)
        assert noted.status_code == 200, noted.text
        await warga.next_message()  # the note reaches the reporter
        moved = await api.post(
            MYSOCIETY,
            data={"service_request_id": str(secret), "status": "INVESTIGATING"},
            headers=sda,
        )
        assert moved.status_code == 200, moved.text
        assert (await store.reports.get(secret)).status == "acknowledged"
        assert f"#{secret}" in (await warga.next_message()).plain_text

        # Handed to PLN, it is PLN's: now Dinas SDA's key gets the missing answer.
        handed = await run_handoff(bot, secret, "PLN")
        assert handed.returncode == 0, handed.stderr
        refused = await api.post(UPDATE.format(secret), data={"note": "Masih?"}, headers=sda)
        assert without(refused, secret) == without(
            await api.post(UPDATE.format(NOWHERE), data={"note": "Masih?"}, headers=sda),
            NOWHERE,
        )
        assert refused.status_code == 404
        taken = await api.post(UPDATE.format(secret), data={"note": "Tim PLN"}, headers=pln)
        assert taken.status_code == 200, taken.text
        assert (await store.reports.events(secret))[-1].note == "Tim PLN"
        # ... and PLN may now mark its street light a duplicate of it.
        dup = await api.post(
            UPDATE.format(light), data={**own, "duplicate_of": str(secret)}, headers=pln
        )
        assert dup.status_code == 200, dup.text
        assert (await store.reports.get(light)).status == "duplicate"


async def run_handoff(bot, number: int, agency: str):
    return await run_cli(
        bot, "case", "handoff", str(number), "--to-agency", agency, "--note", "Bukan wewenang"
    )
