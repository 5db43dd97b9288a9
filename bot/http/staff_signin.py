"""Signing in to the staff pages: the one-time ``/weblogin`` link, the session cookie, logout,
and who a request's cookie belongs to.

Why no password: ``/weblogin`` in a private chat sends a one-time link (``/staff/login?token=…``,
valid :data:`LOGIN_VALID_FOR`) that opens a session cookie valid :data:`SESSION_VALID_FOR`
(HttpOnly, SameSite=Lax, Secure when ``WEB_BASE_URL`` is https). Sessions are stored hashed
(:mod:`storage.web_sessions`).

What a session may see is worked out on every request, not stored with it: admins everything,
officers the kelurahan of their scopes (read from the ``officers`` table, so a removed officer
loses access at once), and the administrators of an agency's linked group the reports that
agency handles (asked of Telegram through the running bot, remembered two minutes: a demoted
admin loses them as soon as in the group; bot/domain/permissions.py). Administrators of an area
group are not recognised here: the officers of an area are named in the ``officers`` table,
while an agency's are its groups' administrators.
"""

from __future__ import annotations

from datetime import timedelta

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from telegram import Bot
from telegram.error import NetworkError

from bot.config import Settings
from bot.domain.permissions import agencies_administered
from bot.geo.directory import codes_in
from bot.http.staff_guard import PageError, query_language, read_form
from bot.http.staff_views import Staff
from bot.http.templates import message_page
from bot.i18n import plain
from bot.services import Services
from storage.agencies import Agency

LOGIN_VALID_FOR = timedelta(minutes=10)
SESSION_VALID_FOR = timedelta(hours=12)
COOKIE = "wl_staff"


def web_base_url(settings: Settings) -> str | None:
    """``WEB_BASE_URL``, else the HTTP server's own address; None when the server is off."""
    if settings.web_base_url:
        return settings.web_base_url
    if settings.http_port is None:
        return None
    host = settings.http_host
    host = f"[{host}]" if ":" in host else host
    return f"http://{host}:{settings.http_port}"


class StaffSignIn:
    def __init__(self, services: Services, bot: Bot | None = None) -> None:
        """``bot``: the running application's, to ask who administers an agency's group
        (without it nobody is recognised as an agency's officer)."""
        self.services = services
        self.sessions = services.store.web_sessions
        self.bot = bot

    async def _agencies(self, user_id: int) -> tuple[Agency, ...]:
        """The agencies whose linked groups ``user_id`` administers; 503 when Telegram does
        not answer (neither a yes nor a no to act on)."""
        if self.bot is None:
            return ()
        asking = self.services.chat_admins.asking(self.bot)
        try:
            return tuple(await agencies_administered(self.services.store, asking, user_id))
        except NetworkError:
            raise PageError(503, "telegram_unavailable") from None

    async def staff(self, request: Request) -> Staff:
        """Who is asking: 401 without a live session, 403 for someone no longer staff."""
        token = request.cookies.get(COOKIE, "")
        session = await self.sessions.session(token, self.services.clock.now()) if token else None
        if session is None:
            raise PageError(401, "no_session")
        language = query_language(request, "")  # ?lang= first, else what they chose in the bot
        if not language:
            citizen = await self.services.store.citizens.get(session.user_id)
            language = citizen.language if citizen else self.services.settings.default_language
        admin = session.user_id in self.services.settings.admin_user_ids
        codes: tuple[str, ...] | None = None
        agencies: tuple[Agency, ...] = ()
        if not admin:
            scopes = set(await self.services.store.officers.scopes_of(session.user_id))
            agencies = await self._agencies(session.user_id)
            if not scopes and not agencies:
                raise PageError(403, "not_staff")
            codes = tuple(codes_in(self.services.areas.areas, scopes))
        name = session.user_name or str(session.user_id)
        by_code = self.services.areas.by_code
        return Staff(session.user_id, name, admin, codes, language, token, agencies, by_code)

    async def login(self, request: Request) -> Response:
        token = request.query_params.get("token", "").strip()
        if not token or len(token) > 200:
            raise PageError(400, "login_missing")
        outcome, session = await self.sessions.redeem_login(
            token, self.services.clock.now(), SESSION_VALID_FOR
        )
        if outcome == "unknown":
            raise PageError(400, "login_missing")
        if outcome in ("used", "expired") and await self._signed_in(request):
            # The link again (a second tap in Telegram, a tab restored) while its session
            # lives: the list, not an error about a link the person no longer needs.
            return RedirectResponse("/staff", status_code=303)
        if outcome != "ok" or session is None:
            raise PageError(401, f"login_{outcome}")
        response = RedirectResponse("/staff", status_code=303)
        base = web_base_url(self.services.settings) or ""
        response.set_cookie(
            COOKIE,
            session,
            max_age=int(SESSION_VALID_FOR.total_seconds()),
            path="/staff",
            httponly=True,
            samesite="lax",
            secure=base.startswith("https://"),
        )
        return response

    async def _signed_in(self, request: Request) -> bool:
        token = request.cookies.get(COOKIE, "")
        if not token:
            return False
        return await self.sessions.session(token, self.services.clock.now()) is not None

    async def logout(self, request: Request) -> Response:
        staff = await self.staff(request)
        await read_form(request, staff.session_token, staff.user_id)
        await self.sessions.end_session(staff.session_token)
        page = message_page(staff.language, plain(staff.language, "web.logged_out"), error=False)
        response = HTMLResponse(page)
        response.delete_cookie(COOKIE, path="/staff")
        return response
