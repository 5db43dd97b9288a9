"""The citizen's report draft as a small state machine, and its submission.

Why a drafts table instead of PTB's ConversationHandler state: PTB writes conversation state to
persistence on a timer, so a crash can forget the last steps a citizen already saw acknowledged.
Here every step is saved before the bot answers, and the step a citizen is on is simply the first
thing the draft still lacks, so a restart (or a crash) resumes exactly where they were.

Why the step is "what it still lacks" rather than a fixed order: people send what they have. A
photo may come first (its caption is the description), a location before the category, a photo
during the nearby question; each is kept, and the draft asks only for what is still missing. The
first photo ends the photo step (more may follow, up to three, until the report is sent), and a
typed description ends it for a category that can do without one.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from geopy.distance import distance

from bot.domain import descriptions, privacy
from bot.domain.alerts import alert_messages, recipients
from bot.domain.captions import CaptionUse as CaptionUse  # for the handlers
from bot.domain.captions import with_caption
from bot.domain.descriptions import MAX_DESCRIPTION as MAX_DESCRIPTION  # for bot/http/open311.py
from bot.domain.descriptions import MIN_DESCRIPTION as MIN_DESCRIPTION
from bot.domain.descriptions import Cut, normalise
from bot.domain.nearby import Nearby as Nearby  # for the handlers
from bot.domain.nearby import nearby_reports
from bot.geo.areas import AreaIndex
from bot.geo.geocoding import Geocoder, OfflineGeocoder
from storage.categories import Category
from storage.drafts import Draft
from storage.photos import PhotoRef
from storage.sqltext import utc_now
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
DOUBLE_SUBMISSION_WINDOW = timedelta(minutes=10)
DOUBLE_SUBMISSION_RADIUS_M = 100
RESTORABLE_FOR = timedelta(hours=24)


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


class PhotoOutcome(enum.Enum):
    ADDED = "added"
    DUPLICATE = "duplicate"
    FULL = "full"


DescriptionProblem = descriptions.Problem


class SubmitKind(enum.Enum):
    CREATED = "created"
    ALREADY = "already"  # this very draft was already submitted
    RATE_LIMITED = "rate_limited"
    DOUBLE = "double"  # the same report was submitted minutes ago
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class PhotoResult:
    draft: Draft
    outcome: PhotoOutcome
    caption: CaptionUse | None = None  # None: no caption, or one the description already has


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

    @property
    def knows_streets(self) -> bool:
        """Whether typed street addresses can be found (not only area names)."""
        return not isinstance(self.geocoder, OfflineGeocoder)

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
        caption: str | None = None,
        location: tuple[float, float] | None = None,
        place_name: str | None = None,
        address: str | None = None,
    ) -> PhotoResult:
        """A quick report: a photo (its caption the description) or a location sent outside a
        report is the draft's start, which then asks for the category."""
        draft = await self.start(user_id, chat_id)
        if location is not None:
            lat, lon = location
            draft = await self.set_location(draft, lat, lon, place_name=place_name, address=address)
        if photo is None:
            return PhotoResult(draft, PhotoOutcome.ADDED)
        return await self.add_photo(draft, photo, caption)

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
        approximate: bool = False,
    ) -> Draft:
        """A shared point (with a street address looked up) or a venue (with its own address);
        ``approximate`` for the middle of an area whose name was typed."""
        if address is None and place_name is None and not approximate:
            address = await self.geocoder.reverse(lat, lon)
        changed = replace(
            draft,
            lat=lat,
            lon=lon,
            place_name=place_name,
            address=address,
            candidate=None,
            approximate=approximate,
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
            "approximate": place.approximate,
        }
        return await self.store.drafts.save(replace(draft, candidate=candidate))

    async def accept_candidate(self, draft: Draft) -> Draft | None:
        """The found place is right. An area's name found offline has no street: its label is
        the area line itself, kept as no address (else every place line showed it twice), and
        the point, the middle of the area, is marked approximate."""
        found = draft.candidate
        if not found:
            return None
        approximate = bool(found.get("approximate", found.get("address") is None))
        address = found.get("address") or (None if approximate else found["label"])
        return await self.set_location(
            draft, found["lat"], found["lon"], address=address, approximate=approximate
        )

    async def nearby(self, draft: Draft) -> list[Nearby]:
        """Open reports of the same category within 250 m, nearest first, the citizen's own
        excluded: the candidates for "same problem — follow it"."""
        return await nearby_reports(self.store, draft)

    async def _with_nearby_check(self, draft: Draft) -> Draft:
        """The nearby step is needed only when there is something nearby to show."""
        if draft.category_key is None or not draft.has_location:
            return replace(draft, nearby_done=False)
        return replace(draft, nearby_done=not await self.nearby(draft))

    async def mine_is_different(self, draft: Draft) -> Draft:
        return await self.advance(replace(draft, nearby_done=True))

    async def add_photo(
        self, draft: Draft, photo: PhotoRef, caption: str | None = None
    ) -> PhotoResult:
        """Keep up to three photos, at any step; the first ends the photo step. A caption is the
        description when there is none yet, and is added to it otherwise; it is kept even when
        the photo is one too many."""
        if any(p.file_unique_id == photo.file_unique_id for p in draft.photos):
            return PhotoResult(draft, PhotoOutcome.DUPLICATE)
        outcome = PhotoOutcome.FULL if len(draft.photos) >= MAX_PHOTOS else PhotoOutcome.ADDED
        updated = draft
        if outcome is PhotoOutcome.ADDED:
            updated = replace(draft, photos=(*draft.photos, photo), photos_done=True)
        updated, use = with_caption(updated, caption)
        if outcome is PhotoOutcome.FULL and use is None:
            return PhotoResult(draft, outcome)
        if draft.step == OFFER:  # a draft from before the quick report asked for the category
            return PhotoResult(await self.store.drafts.save(updated), outcome, use)
        return PhotoResult(await self.advance(updated), outcome, use)

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
        return descriptions.problem(text)

    async def set_description(self, draft: Draft, text: str) -> Draft:
        """The description. Typed at the photo step of a category that can do without a photo,
        it also ends that step: the citizen has no photo to give."""
        category = self.category_of(draft)
        photos_done = draft.photos_done or (
            draft.step == PHOTOS and category is not None and not category.photo_required
        )
        return await self.advance(
            replace(draft, description=text.strip(), long_description=None, photos_done=photos_done)
        )

    async def keep_long_description(self, draft: Draft, text: str) -> Draft:
        """A description over the limit, kept while the citizen decides whether to cut it."""
        return await self.store.drafts.save(replace(draft, long_description=text.strip()))

    @staticmethod
    def cut_of(draft: Draft) -> Cut | None:
        """What cutting the kept over-long description would keep and lose."""
        if draft.long_description is None:
            return None
        return descriptions.cut(draft.long_description)

    async def cut_long_description(self, draft: Draft) -> Draft | None:
        """Cut the kept over-long description to the limit and take it; None when none is kept."""
        cut = self.cut_of(draft)
        if cut is None:
            return None
        return await self.set_description(draft, cut.kept)

    async def drop_long_description(self, draft: Draft) -> Draft:
        return await self.store.drafts.save(replace(draft, long_description=None))

    async def submit(self, draft: Draft, reporter: privacy.Reporter | None = None) -> SubmitResult:
        """Turn the draft into a report, unless that would flood or repeat an earlier one.
        ``reporter``: who is filing, as Telegram names them; kept only where the report's mode
        shows the reporter (bot/domain/privacy.py)."""
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
        chats, reason = await recipients(
            self.store, area, self.admin_chat_id, category=draft.category_key
        )
        visibility = await privacy.of_draft(self.store, draft, category)
        kept = (reporter or privacy.Reporter(None, None)).kept(visibility)
        report_id = await self.store.reports.submit(
            draft,
            area_code=area.code if area else None,
            description=draft.description,
            visibility=visibility.value,
            reporter_name=kept.name,
            reporter_username=kept.username,
            messages=lambda new_id: alert_messages(
                new_id, chats, photos=len(draft.photos), reason=reason
            ),
        )
        self.wake()
        return SubmitResult(SubmitKind.CREATED, report_id)
