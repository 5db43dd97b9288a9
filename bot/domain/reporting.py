"""The citizen's report draft as a small state machine, and its submission.

Why a drafts table instead of PTB's ConversationHandler state: PTB writes conversation state to
persistence on a timer, so a crash can forget the last steps a citizen already saw acknowledged.
Here every step is saved before the bot answers, and the step a citizen is on is simply the first
thing the draft still lacks, so a restart (or a crash) resumes exactly where they were.
"""

from __future__ import annotations

import enum
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from geopy.distance import distance

from bot.domain import statuses
from bot.domain.alerts import alert_messages, recipients
from bot.geo.areas import AreaIndex
from bot.geo.geocoding import Geocoder, OfflineGeocoder
from storage.categories import Category
from storage.db import utc_now
from storage.drafts import Draft
from storage.photos import PhotoRef
from storage.reports import Report
from storage.store import Store

CATEGORY, LOCATION, NEARBY, PHOTOS, DESCRIPTION, SUMMARY, OFFER = (
    "category",
    "location",
    "nearby",
    "photos",
    "description",
    "summary",
    "offer",
)
STEP_ORDER = (CATEGORY, LOCATION, PHOTOS, DESCRIPTION, SUMMARY)  # NEARBY is never gone back to
MAX_PHOTOS = 3
MIN_DESCRIPTION = 10
MAX_DESCRIPTION = 1000
DOUBLE_SUBMISSION_WINDOW = timedelta(minutes=10)
DOUBLE_SUBMISSION_RADIUS_M = 100
RESTORABLE_FOR = timedelta(hours=24)
NEARBY_RADIUS_M = 250
NEARBY_SHOWN = 3
METERS_PER_DEGREE = 111_320


def new_token() -> str:
    """A short random id for one draft; buttons carry it so stale ones can be recognised."""
    return secrets.token_urlsafe(6)


def next_step(draft: Draft, category: Category | None) -> str:
    """The first thing the draft still lacks, or the summary when it lacks nothing."""
    if category is None:
        return CATEGORY
    if not draft.has_location:
        return LOCATION
    if not draft.nearby_done:
        return NEARBY
    if not draft.photos_done or (category.photo_required and not draft.photos):
        return PHOTOS
    if draft.description is None:
        return DESCRIPTION
    return SUMMARY


def previous_step(step: str) -> str | None:
    if step == NEARBY:
        return LOCATION
    if step not in STEP_ORDER or step == CATEGORY:
        return None
    return STEP_ORDER[STEP_ORDER.index(step) - 1]


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


class PhotoOutcome(enum.Enum):
    ADDED = "added"
    DUPLICATE = "duplicate"
    FULL = "full"


class DescriptionProblem(enum.Enum):
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"


class SubmitKind(enum.Enum):
    CREATED = "created"
    ALREADY = "already"  # this very draft was already submitted
    RATE_LIMITED = "rate_limited"
    DOUBLE = "double"  # the same report was submitted minutes ago
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Nearby:
    report: Report
    meters: int


@dataclass(frozen=True)
class SubmitResult:
    kind: SubmitKind
    report_id: int | None = None
    retry_after: datetime | None = None


class ReportingService:
    """Every change to a draft goes through here; handlers only parse and render."""

    def __init__(
        self,
        store: Store,
        areas: AreaIndex,
        categories: list[Category],
        *,
        max_reports_per_hour: int,
        admin_chat_id: int | None = None,
        wake: Callable[[], None] = lambda: None,
        geocoder: Geocoder | None = None,
    ) -> None:
        self.store = store
        self.areas = areas
        self.categories = {category.key: category for category in categories}
        self.max_reports_per_hour = max_reports_per_hour
        self.admin_chat_id = admin_chat_id
        self.wake = wake
        self.geocoder = geocoder or OfflineGeocoder(areas)

    def category_of(self, draft: Draft) -> Category | None:
        return self.categories.get(draft.category_key or "")

    async def active_draft(self, user_id: int) -> Draft | None:
        draft = await self.store.drafts.get(user_id)
        return draft if draft and draft.is_active else None

    async def restorable_draft(self, user_id: int) -> Draft | None:
        """A draft the citizen cancelled recently and might want back."""
        draft = await self.store.drafts.get(user_id)
        if draft is None or draft.is_active or draft.cancelled_at is None:
            return None
        cancelled = datetime.fromisoformat(draft.cancelled_at)
        if datetime.now(UTC) - cancelled > RESTORABLE_FOR or draft.category_key is None:
            return None
        return draft

    async def start(self, user_id: int, chat_id: int) -> Draft:
        draft = Draft(user_id=user_id, chat_id=chat_id, token=new_token(), step=CATEGORY)
        return await self.store.drafts.save(draft)

    async def start_with(
        self,
        user_id: int,
        chat_id: int,
        *,
        photo: PhotoRef | None = None,
        location: tuple[float, float] | None = None,
        place_name: str | None = None,
        address: str | None = None,
    ) -> Draft:
        """A quick report: a photo or location sent outside a report becomes a draft's start."""
        draft = Draft(
            user_id=user_id,
            chat_id=chat_id,
            token=new_token(),
            step=OFFER,
            photos=(photo,) if photo else (),
            photos_done=photo is not None,
            lat=location[0] if location else None,
            lon=location[1] if location else None,
            place_name=place_name,
            address=address,
        )
        return await self.store.drafts.save(draft)

    async def advance(self, draft: Draft) -> Draft:
        """Save the draft positioned on the first step it still lacks."""
        return await self.store.drafts.save(
            replace(draft, step=next_step(draft, self.category_of(draft)))
        )

    async def go_to(self, draft: Draft, step: str) -> Draft:
        """Revisit a step (Back or Edit); the photo step asks again whether the photos are done."""
        photos_done = False if step == PHOTOS else draft.photos_done
        return await self.store.drafts.save(replace(draft, step=step, photos_done=photos_done))

    async def restore(self, draft: Draft) -> Draft:
        return await self.advance(replace(draft, cancelled_at=None))

    async def cancel(self, draft: Draft) -> Draft:
        return await self.store.drafts.save(replace(draft, cancelled_at=utc_now()))

    async def discard(self, user_id: int) -> None:
        await self.store.drafts.delete(user_id)

    async def set_category(self, draft: Draft, key: str) -> Draft:
        changed = replace(draft, category_key=key)
        return await self.advance(await self._with_nearby_check(changed))

    async def set_location(
        self,
        draft: Draft,
        lat: float,
        lon: float,
        *,
        place_name: str | None = None,
        address: str | None = None,
    ) -> Draft:
        """A shared point (with a street address looked up) or a venue (with its own address)."""
        if address is None and place_name is None:
            address = await self.geocoder.reverse(lat, lon)
        changed = replace(
            draft, lat=lat, lon=lon, place_name=place_name, address=address, candidate=None
        )
        return await self.advance(await self._with_nearby_check(changed))

    async def find_address(self, draft: Draft, text: str) -> Draft | None:
        """A typed address: keep what the geocoder found as a candidate for the citizen's yes."""
        place = await self.geocoder.search(text)
        if place is None:
            return None
        candidate = {
            "lat": place.lat,
            "lon": place.lon,
            "label": place.label,
            "address": place.address,
        }
        return await self.store.drafts.save(replace(draft, candidate=candidate))

    async def accept_candidate(self, draft: Draft) -> Draft | None:
        found = draft.candidate
        if not found:
            return None
        return await self.set_location(
            draft, found["lat"], found["lon"], address=found.get("address") or found["label"]
        )

    async def nearby(self, draft: Draft) -> list[Nearby]:
        """Open reports of the same category within 250 m, nearest first, the citizen's own
        excluded: the candidates for "same problem — follow it"."""
        if draft.lat is None or draft.lon is None or draft.category_key is None:
            return []
        lat, lon = draft.lat, draft.lon
        dlat = NEARBY_RADIUS_M / METERS_PER_DEGREE
        dlon = NEARBY_RADIUS_M / (METERS_PER_DEGREE * max(0.01, math.cos(math.radians(lat))))
        candidates = await self.store.reports.nearby_candidates(
            min_lat=lat - dlat,
            max_lat=lat + dlat,
            min_lon=lon - dlon,
            max_lon=lon + dlon,
            category_key=draft.category_key,
            statuses=statuses.OPEN,
        )
        found = []
        for report in candidates:
            if report.citizen_id == draft.user_id:
                continue
            meters = distance((lat, lon), (report.lat, report.lon)).meters
            if meters <= NEARBY_RADIUS_M:
                found.append(Nearby(report, round(meters)))
        found.sort(key=lambda item: item.meters)
        return found[:NEARBY_SHOWN]

    async def _with_nearby_check(self, draft: Draft) -> Draft:
        """The nearby step is needed only when there is something nearby to show."""
        if draft.category_key is None or not draft.has_location:
            return replace(draft, nearby_done=False)
        return replace(draft, nearby_done=not await self.nearby(draft))

    async def mine_is_different(self, draft: Draft) -> Draft:
        return await self.advance(replace(draft, nearby_done=True))

    async def add_photo(self, draft: Draft, photo: PhotoRef) -> tuple[Draft, PhotoOutcome]:
        """Keep up to three photos; the third one ends the photo step by itself."""
        if any(p.file_unique_id == photo.file_unique_id for p in draft.photos):
            return draft, PhotoOutcome.DUPLICATE
        if len(draft.photos) >= MAX_PHOTOS:
            return draft, PhotoOutcome.FULL
        photos = (*draft.photos, photo)
        updated = replace(draft, photos=photos)
        if draft.step == OFFER:
            return await self.store.drafts.save(updated), PhotoOutcome.ADDED
        if len(photos) >= MAX_PHOTOS:
            return await self.advance(replace(updated, photos_done=True)), PhotoOutcome.ADDED
        return await self.store.drafts.save(updated), PhotoOutcome.ADDED

    async def remove_photos(self, draft: Draft) -> Draft:
        return await self.store.drafts.save(replace(draft, photos=(), photos_done=False))

    async def finish_photos(self, draft: Draft) -> Draft | None:
        """Done with photos; None when the category needs one and there is none yet."""
        category = self.category_of(draft)
        if category is not None and category.photo_required and not draft.photos:
            return None
        return await self.advance(replace(draft, photos_done=True))

    @staticmethod
    def check_description(text: str) -> DescriptionProblem | None:
        length = len(text.strip())
        if length < MIN_DESCRIPTION:
            return DescriptionProblem.TOO_SHORT
        if length > MAX_DESCRIPTION:
            return DescriptionProblem.TOO_LONG
        return None

    async def set_description(self, draft: Draft, text: str) -> Draft:
        return await self.advance(replace(draft, description=text.strip()))

    async def submit(self, draft: Draft) -> SubmitResult:
        """Turn the draft into a report, unless that would flood or repeat an earlier one."""
        existing = await self.store.reports.id_for_draft(draft.token)
        if existing is not None:
            return SubmitResult(SubmitKind.ALREADY, existing)
        category = self.category_of(draft)
        if next_step(draft, category) != SUMMARY or draft.description is None:
            return SubmitResult(SubmitKind.INCOMPLETE)
        assert draft.lat is not None and draft.lon is not None
        now = datetime.now(UTC)
        hour_ago = (now - timedelta(hours=1)).isoformat(timespec="seconds")
        recent = await self.store.reports.by_citizen_since(draft.user_id, hour_ago)
        window_start = now - DOUBLE_SUBMISSION_WINDOW
        for report in recent:
            if (
                datetime.fromisoformat(report.created_at) >= window_start
                and report.category_key == draft.category_key
                and normalise(report.description) == normalise(draft.description)
                and distance((report.lat, report.lon), (draft.lat, draft.lon)).meters
                <= DOUBLE_SUBMISSION_RADIUS_M
            ):
                await self.discard(draft.user_id)
                return SubmitResult(SubmitKind.DOUBLE, report.id)
        if len(recent) >= self.max_reports_per_hour:
            oldest = min(datetime.fromisoformat(r.created_at) for r in recent)
            return SubmitResult(SubmitKind.RATE_LIMITED, retry_after=oldest + timedelta(hours=1))
        area = self.areas.locate(draft.lat, draft.lon)
        chats, reason = await recipients(self.store, area, self.admin_chat_id)
        report_id = await self.store.reports.submit(
            draft,
            area_code=area.code if area else None,
            description=draft.description,
            messages=lambda new_id: alert_messages(
                new_id, chats, photos=len(draft.photos), reason=reason
            ),
        )
        self.wake()
        return SubmitResult(SubmitKind.CREATED, report_id)
