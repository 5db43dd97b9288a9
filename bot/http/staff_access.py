"""Which reports a signed-in person may see and move, and the list's filters as a query.

Why one module: the list, the exports, a report's page and its photos must all answer "may this
person see that?" the same way. Officers see the kelurahan of their scopes, the administrators of
an agency's linked group the reports that agency handles, admins every report
(:meth:`bot.http.staff_views.Staff.may_act_on`, the group buttons' rule); a report outside them
is a 403 page, a report that does not exist a 404.
"""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request

from bot.domain.statuses import STATUSES, WAITING
from bot.http.staff_guard import PageError
from bot.http.staff_views import Filters, Staff
from bot.ids import parse_id
from bot.services import Services
from storage.report_query import ReportQuery
from storage.reports import Report


class StaffAccess:
    def __init__(self, services: Services) -> None:
        self.services = services

    async def report_for(self, staff: Staff, raw: str) -> Report:
        """The report ``raw`` names, if it exists (404) and ``staff`` may act on it (403)."""
        number = parse_id(raw)
        report = await self.services.store.reports.get(number) if number is not None else None
        if report is None:
            raise PageError(404, "not_found")
        if not staff.may_act_on(report):
            raise PageError(403, "forbidden")
        return report

    def filters(self, request: Request) -> Filters:
        """The list's filters from the query string; 400 on an unknown value."""
        query = request.query_params
        status = query.get("status") or None
        if status is not None and status not in STATUSES:
            raise PageError(400, "bad_filter", name="status")
        category = query.get("category") or None
        if category is not None and category not in self.services.categories:
            raise PageError(400, "bad_filter", name="category")
        area = (query.get("area") or "").strip() or None
        if area is not None and area not in self.services.areas.by_code:
            raise PageError(400, "bad_filter", name="area")
        return Filters(status, category, area, query.get("overdue") in ("1", "on", "true"))

    def query(self, staff: Staff, filters: Filters) -> ReportQuery:
        """The filters within what ``staff`` may see: an area outside their own matches nothing."""
        overdue = None
        if filters.overdue:
            now = self.services.clock.now()
            overdue = {
                key: (now - timedelta(hours=category.sla_hours)).isoformat(timespec="seconds")
                for key, category in self.services.categories.items()
            }
        return ReportQuery(
            area_codes=staff.area_codes,
            agencies=staff.reaches(),
            area_code=filters.area,
            statuses=None if filters.status is None else (filters.status,),
            category_key=filters.category,
            overdue_before=overdue,
            waiting=WAITING,
        )
