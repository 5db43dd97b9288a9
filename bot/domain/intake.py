"""Reports filed by agency systems over the API, stored and alerted exactly like a citizen's.

Why through a ``Draft`` and ``ReportRepository.submit``: that one transaction stores the report,
its first event and its group alerts together, so an API report is routed (same kelurahan lookup,
same groups, the admins' chat when none covers it) and alerted (same outbox rows) the way a
Telegram report is, with nothing to keep in step. The draft is never saved; it only carries the
fields, with a fresh token so each call files a new report.

The reporter is the agency, represented by the stand-in citizen of :mod:`storage.agency`
(required by the reports table's foreign key); the agency follows nothing on Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import privacy
from bot.domain.alerts import alert_messages, recipients
from bot.domain.reporting import SUMMARY, new_token
from bot.services import Services
from storage.agency import AGENCY_CITIZEN_ID, ensure_agency_citizen, hand_to_agency
from storage.backend import Connection
from storage.drafts import Draft
from storage.request_details import RequestExtras, save_in

API_TOKEN_PREFIX = "api:"  # tells API reports apart in reports.draft_token


@dataclass(frozen=True)
class AgencyReport:
    """A request already checked by the caller (category known, coordinates and text valid)."""

    agency: str  # the API key's name: shown as who filed it
    category_key: str
    lat: float
    lon: float
    description: str
    address: str | None = None
    extras: RequestExtras | None = None  # an Open311 request's answers, contact, media link
    # (stored in the report's own transaction, so its alert card always has the answers)


async def submit_agency_report(services: Services, request: AgencyReport) -> int:
    """Store, route and alert the report; returns its reference."""
    store = services.store
    await ensure_agency_citizen(store.db)
    area = services.areas.locate(request.lat, request.lon)
    chats, reason = await recipients(
        store, area, services.settings.admin_chat_id, category=request.category_key
    )
    draft = Draft(
        user_id=AGENCY_CITIZEN_ID,
        chat_id=AGENCY_CITIZEN_ID,
        token=API_TOKEN_PREFIX + new_token(),
        step=SUMMARY,
        category_key=request.category_key,
        lat=request.lat,
        lon=request.lon,
        address=request.address,
        photos_done=True,
        nearby_done=True,
        description=request.description,
    )
    extras = request.extras

    async def keep_extras(conn: Connection, new_id: int) -> None:
        # Every agency report gets its source row (who filed it), with or without extras.
        await save_in(conn, new_id, request.agency, extras or RequestExtras())

    report_id = await store.reports.submit(
        draft,
        area_code=area.code if area else None,
        description=request.description,
        # An agency's own request stays readable to the agency's key (its FixMyStreet fetches
        # it back); a sensitive category's is still hidden from the public (public_view.py).
        # Only a citizen chooses anonymous or confidential.
        visibility=privacy.Visibility.PUBLIC.value,
        messages=lambda new_id: alert_messages(new_id, chats, photos=0, reason=reason),
        within=keep_extras,
    )
    # A second, tiny transaction (submit owns its own): until it commits the report has the
    # stand-in as follower, which at worst parks a follow-up as undeliverable.
    await hand_to_agency(store.db, report_id, request.agency)
    services.waker()
    return report_id
