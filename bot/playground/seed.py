"""Who is in the playground when it starts, and what has already happened.

Why seeded: an empty bot shows nothing of the officers' side until someone files a report and an
admin links a group. A trainee should open the page and find a kelurahan group already linked, an
officer in it, an agency (Dinas SDA, for floods and blocked drains) with its own group and the
head of that group, and a few reports around Monas in different states, with their follow-ups
in the citizen's chat and their cards in both groups, exactly as the bot would have produced
them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.domain.agencies import create as create_agency
from bot.domain.cases import Actor
from bot.domain.privacy import Reporter
from bot.playground.botapi import GroupChat, Person, Sandbox
from bot.services import Services
from storage.drafts import Draft
from storage.groups import Scope
from storage.photos import PhotoRef

GAMBIR = Scope("kelurahan", "3173080003")
#: The playground's agency: what it handles, everywhere (a city's Dinas SDA).
AGENCY = "Dinas SDA"
AGENCY_CATEGORIES = ("flood", "blocked_drain")
SAMPLES = Path(__file__).resolve().parent / "static" / "samples"

#: (category, latitude, longitude, description, sample photo, statuses it went through)
SEED_REPORTS: tuple[tuple[str, float, float, str, str, tuple[str, ...]], ...] = (
    ("flood", -6.1762, 106.8268, "Genangan di depan pintu timur Monas sejak pagi", "banjir", ()),
    (
        "garbage",
        -6.1741,
        106.8251,
        "Sampah menumpuk di trotoar Jl. Medan Merdeka Utara",
        "sampah",
        ("acknowledged",),
    ),
    (
        "road_damage",
        -6.1776,
        106.8290,
        "Lubang besar di Jl. Medan Merdeka Timur, lajur kiri",
        "jalan",
        ("acknowledged", "in_progress"),
    ),
)


@dataclass
class Cast:
    """The people and chats of one playground run."""

    admin: Person
    officer: Person
    gambir: GroupChat
    admins_group: GroupChat
    #: The administrator of the agency's group: its officer, on the staff pages too.
    agency_head: Person
    agency_group: GroupChat
    citizens: list[Person] = field(default_factory=list)

    def people(self) -> list[tuple[str, Person]]:
        """(role, person), in the order the page lists them."""
        return [
            *(("citizen", person) for person in self.citizens),
            ("officer", self.officer),
            ("agency", self.agency_head),
            ("admin", self.admin),
        ]


def cast_people(sandbox: Sandbox) -> Cast:
    """The people and groups, before the bot starts (the admin's id goes into its settings)."""
    admin = sandbox.citizen(first_name="Admin", last_name="Kota", started=True)
    officer = sandbox.citizen(first_name="Rina", last_name="(Petugas Gambir)", started=True)
    citizen = sandbox.citizen(first_name="Siti", started=True)
    gambir = sandbox.group(title="Kelurahan Gambir")
    gambir.add_member(admin, status="administrator")
    gambir.add_member(officer, status="member")
    admins_group = sandbox.group(title="WargaLapor Admin")
    admins_group.add_member(admin, status="administrator")
    agency_head = sandbox.citizen(first_name="Budi", last_name="(Dinas SDA)", started=True)
    agency_group = sandbox.group(title=AGENCY)
    agency_group.add_member(admin, status="administrator")
    agency_group.add_member(agency_head, status="administrator")
    return Cast(
        admin=admin,
        officer=officer,
        gambir=gambir,
        admins_group=admins_group,
        agency_head=agency_head,
        agency_group=agency_group,
        citizens=[citizen],
    )


def sample_photo(name: str) -> bytes:
    return (SAMPLES / f"{name}.jpg").read_bytes()


async def seed_history(sandbox: Sandbox, services: Services, cast: Cast) -> list[int]:
    """Link the groups, make the officer and the agency, file the reports and move them along;
    returns refs."""
    store = services.store
    await store.groups.link(cast.gambir.chat_id, [GAMBIR], cast.gambir.title, cast.admin.user_id)
    await store.officers.add(cast.officer.user_id, GAMBIR, cast.admin.user_id)
    agency_id = await create_agency(store, AGENCY, list(AGENCY_CATEGORIES), [], cast.admin.user_id)
    await store.agencies.link(
        agency_id, cast.agency_group.chat_id, cast.agency_group.title, cast.admin.user_id
    )
    citizen = cast.citizens[0]
    await store.citizens.ensure(citizen.user_id, citizen.chat_id, "id")
    officer = Actor(kind="officer", id=cast.officer.user_id, name=cast.officer.first_name)
    refs = []
    for number, (category, lat, lon, text, photo, statuses) in enumerate(SEED_REPORTS):
        sizes = sandbox.api.make_photo(sample_photo(photo))
        largest = sizes[-1]
        draft = Draft(
            user_id=citizen.user_id,
            chat_id=citizen.chat_id,
            token=f"playground-seed-{number}",
            step="summary",
            category_key=category,
            lat=lat,
            lon=lon,
            photos=(PhotoRef(largest["file_id"], largest["file_unique_id"]),),
            photos_done=True,
            nearby_done=True,
            description=text,
        )
        # Through the use case, so the group gets its alert cards as for any report.
        reporter = Reporter(citizen.first_name, None)  # as a tap of send would keep her
        submitted = await services.reporting.submit(draft, reporter)
        if submitted.report_id is None:
            raise RuntimeError(f"seed report {number} was not filed: {submitted.kind}")
        ref = submitted.report_id
        for status in statuses:
            await services.cases.change_status(ref, status, officer)
        refs.append(ref)
    return refs
