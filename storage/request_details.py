"""What an agency's Open311 request brought beyond the report: answers and who it is about.

Why apart from the reports repository: only the Open311 side writes these and only it, the staff
pages and the case CLI read them; the citizen's report flow never sees them. The personal fields
(email, names, phone, device and account ids) are for staff: the public API reads the answers
and the client's own media link only (:meth:`RequestDetailsRepository.answers`,
:meth:`RequestDetailsRepository.media_urls`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields

from storage.backend import Backend, Connection
from storage.sqltext import placeholders

#: (code, values): one question's answer, its values in the order sent.
Answers = tuple[tuple[str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class Contact:
    """The person an agency filed for, as GeoReport v2 names the fields; all optional."""

    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    account_id: str | None = None
    device_id: str | None = None

    def __bool__(self) -> bool:
        return any(getattr(self, item.name) for item in fields(self))


@dataclass(frozen=True)
class RequestExtras:
    answers: Answers = ()
    media_url: str | None = None
    contact: Contact = field(default_factory=Contact)


@dataclass(frozen=True)
class RequestDetails:
    agency: str
    extras: RequestExtras


async def save_in(conn: Connection, report_id: int, agency: str, extras: RequestExtras) -> None:
    """Inside the caller's transaction (the one that hands the report to the agency)."""
    contact = extras.contact
    await conn.execute(
        "INSERT INTO request_sources (report_id, agency, media_url, account_id, device_id,"
        " email, first_name, last_name, phone) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(report_id) DO NOTHING",
        (
            report_id,
            agency,
            extras.media_url,
            contact.account_id,
            contact.device_id,
            contact.email,
            contact.first_name,
            contact.last_name,
            contact.phone,
        ),
    )
    await conn.executemany(
        "INSERT INTO request_answers (report_id, code, position, value) VALUES (?, ?, ?, ?)"
        " ON CONFLICT DO NOTHING",
        [
            (report_id, code, position, value)
            for code, values in extras.answers
            for position, value in enumerate(values)
        ],
    )


class RequestDetailsRepository:
    def __init__(self, db: Backend) -> None:
        self._db = db

    async def answers(self, report_id: int) -> Answers:
        rows = await self._db.fetchall(
            "SELECT code, value FROM request_answers WHERE report_id = ? ORDER BY code, position",
            (report_id,),
        )
        found: dict[str, list[str]] = {}
        for row in rows:
            found.setdefault(row["code"], []).append(row["value"])
        return tuple((code, tuple(values)) for code, values in found.items())

    async def media_urls(self, report_ids: Sequence[int]) -> dict[int, str]:
        """The clients' own photo links, for requests that have one."""
        if not report_ids:
            return {}
        rows = await self._db.fetchall(
            "SELECT report_id, media_url FROM request_sources"
            f" WHERE report_id IN ({placeholders(report_ids)}) AND media_url IS NOT NULL",
            list(report_ids),
        )
        return {int(row["report_id"]): row["media_url"] for row in rows}

    async def details(self, report_id: int) -> RequestDetails | None:
        """Everything, personal fields included: for staff only."""
        row = await self._db.fetchone(
            "SELECT * FROM request_sources WHERE report_id = ?", (report_id,)
        )
        if row is None:
            return None
        contact = Contact(**{item.name: row[item.name] for item in fields(Contact)})
        extras = RequestExtras(await self.answers(report_id), row["media_url"], contact)
        return RequestDetails(row["agency"], extras)
