"""What every staff page answer carries and every staff form must pass: refusals as pages, the
security headers (Content-Security-Policy among them), and the CSRF check.

Why one module: these are the rules a browser enforces for us, and each has one owner here.
The pages build HTML; this module decides what the browser may do with it.

The Content-Security-Policy lets a page run only the bot's own scripts and styles (served from
``/staff/static``): a citizen's text that slipped past :func:`bot.http.templates.esc` still
could not run, and no CDN can change what officers' browsers execute. Map tiles are images from
OpenStreetMap's tile server, the only foreign host allowed, for images only.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from bot.http.common import ApiError, read_body
from bot.http.templates import TILE_ORIGIN, message_page
from bot.i18n import LANGUAGES, plain
from bot.images import MAX_PHOTO_BYTES

log = logging.getLogger(__name__)

_CSRF_PURPOSE = b"wargalapor staff form"

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src 'self' data: {TILE_ORIGIN}",  # data: Leaflet's blank tile after an error
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
#: On every staff answer, static files included.
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # the sign-in token is in a URL
}
#: On pages and exports: they hold reports of the signed-in officer's areas.
PAGE_HEADERS = {**SECURITY_HEADERS, "Cache-Control": "no-store"}

Handler = Callable[[Request], Awaitable[Response]]


class PageError(Exception):
    """A request the pages refuse, shown as a page with ``web.<key>`` and this HTTP status.

    ``http_status`` and ``key`` are positional-only so that a text parameter may itself be
    called ``status`` (``web.not_allowed`` has one).
    """

    def __init__(self, http_status: int, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.http_status = http_status
        self.key = key
        self.params = params


#: The body reader's refusals (English, for API clients) as the staff pages' catalog texts.
_BODY_REFUSALS = {413: "too_large", 408: "too_slow"}


def query_language(request: Request, default: str) -> str:
    wanted = request.query_params.get("lang", "")
    return wanted if wanted in LANGUAGES else default


def guard(handler: Handler, default_language: str) -> Handler:
    """Refusals as readable pages (not the API's JSON), and the same headers everywhere."""

    async def guarded(request: Request) -> Response:
        try:
            response = await handler(request)
        except PageError as error:
            language = query_language(request, default_language)
            message = plain(language, f"web.{error.key}", **error.params)
            response = HTMLResponse(message_page(language, message), status_code=error.http_status)
        except ApiError as error:  # a body too large, too slow, or not a form at all
            language = query_language(request, default_language)
            key = _BODY_REFUSALS.get(error.status, "bad_form")
            if key == "too_large" and _multipart(request):
                key = "upload_too_large"  # a photo, most likely: say how large one may be
            message = plain(language, f"web.{key}", max=MAX_PHOTO_BYTES // (1024 * 1024))
            response = HTMLResponse(message_page(language, message), status_code=error.status)
            if error.close_connection:  # the rest of the body was left unread
                response.headers["Connection"] = "close"
        response.headers.update(PAGE_HEADERS)
        return response

    return guarded


def _multipart(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.split(";")[0].strip().lower() == "multipart/form-data"


def csrf_for(session_token: str) -> str:
    """The form token of a session: an HMAC of its secret, so it needs no storage of its own."""
    return hmac.new(session_token.encode("utf-8"), _CSRF_PURPOSE, hashlib.sha256).hexdigest()


async def read_form(request: Request, session_token: str, user_id: int) -> dict[str, str]:
    """A staff form's fields, once its CSRF token is right (403 otherwise) and every field is
    text SQLite and Telegram can take (400 otherwise)."""
    form = await read_body(request)
    check_form(request, form, session_token, user_id)
    return form


def check_form(request: Request, form: dict[str, str], session_token: str, user_id: int) -> None:
    """The CSRF token, then every field's text.

    The tokens are compared as bytes: ``hmac.compare_digest`` raises TypeError on a str with
    non-ASCII characters, and a forged field may hold anything, a lone surrogate from a JSON
    ``"\\ud800"`` included.
    """
    supplied = form.get("csrf", "")
    try:
        given = supplied.encode("ascii")
    except UnicodeEncodeError:
        given = b""
    if not given or not hmac.compare_digest(given, csrf_for(session_token).encode("ascii")):
        log.info(
            "staff form refused: CSRF token missing or wrong",
            extra={"path": request.url.path, "user_id": user_id},
        )
        raise PageError(403, "csrf")
    for name, value in form.items():
        try:
            (name + value).encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: not text anything downstream can store
            raise PageError(400, "bad_form") from None
