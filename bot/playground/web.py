"""The playground's page and its small JSON API (``/api/…``), served beside the built-in Bot API.

Why long polling (``/api/wait``) rather than a socket: the built-in server already counts every
change (a message, an edit, an answer); the page asks "anything after version N?" and redraws.
Each browser tab acts as one person, named in every request, so a training room can share one
playground.
"""

from __future__ import annotations

import json
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import BodyPartReader, web

from bot.http.staff_signin import web_base_url
from bot.playground.actions import (
    ActionError,
    chats_of,
    press,
    send_location,
    send_photos,
    send_text,
    share_contact,
)
from bot.playground.botapi import Person, Sandbox
from bot.playground.runner import Playground
from bot.playground.seed import SAMPLES
from bot.playground.views import chat_json

JSONDict = dict[str, Any]

STATIC = Path(__file__).resolve().parent / "static"
LEAFLET = Path(__file__).resolve().parent.parent / "http" / "static" / "leaflet"
AREAS_FILE = Path(__file__).resolve().parent.parent / "data" / "jakarta_kelurahan.geojson"
CLOCK_STEPS = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(weeks=1)}
MAX_PHOTO_BYTES = 10 * 1024 * 1024
WAIT_SECONDS = 20.0

PLAYGROUND: web.AppKey[Playground] = web.AppKey("playground", Playground)


@cache
def _central_jakarta() -> bytes:
    """The base map when tiles are off: Jakarta Pusat's kelurahan (a small file, from the
    bundled boundaries), so nothing has to come from the internet."""
    areas = json.loads(AREAS_FILE.read_text(encoding="utf-8"))
    features = [f for f in areas["features"] if f["properties"].get("city") == "Jakarta Pusat"]
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _fail(status: int, text: str) -> web.HTTPException:
    body = json.dumps({"error": text})
    kinds: dict[int, type[web.HTTPException]] = {
        400: web.HTTPBadRequest,
        404: web.HTTPNotFound,
        503: web.HTTPServiceUnavailable,
    }
    return kinds[status](text=body, content_type="application/json")


def _running(request: web.Request) -> tuple[Playground, Sandbox]:
    playground = request.app[PLAYGROUND]
    if playground.sandbox is None:
        raise _fail(503, "the playground is starting again; try in a moment")
    return playground, playground.sandbox


def _int(value: Any, name: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _fail(400, f"{name} must be a number") from None


def _person(playground: Playground, value: Any) -> Person:
    person = playground.person(_int(value, "as"))
    if person is None:
        raise _fail(404, "no such person (the playground was reset?)")
    return person


async def _body(request: web.Request) -> JSONDict:
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise _fail(400, "send JSON") from None
    if not isinstance(body, dict):
        raise _fail(400, "send a JSON object")
    return body


async def index(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})


async def state(request: web.Request) -> web.Response:
    playground, sandbox = _running(request)
    assert playground.cast is not None
    people = [
        {
            "id": person.user_id,
            "name": " ".join(p for p in (person.first_name, person.user.get("last_name")) if p),
            "role": role,
            "chats": chats_of(sandbox, person),
        }
        for role, person in playground.cast.people()
    ]
    services = playground.services
    return web.json_response(
        {
            "generation": playground.generation,
            "version": sandbox.world._version,
            "people": people,
            "clock": {
                "now": services.clock.now().astimezone(services.settings.tz).isoformat(),
                "offset_hours": services.clock.offset.total_seconds() / 3600,
            },
            "tiles": playground.config.tiles,
            "samples": sorted(p.stem for p in SAMPLES.glob("*.jpg")),
        }
    )


async def wait(request: web.Request) -> web.Response:
    """Answers when the world changed after ``version`` (or after 20 s with the same one)."""
    playground, sandbox = _running(request)
    seen = _int(request.query.get("version", "0"), "version")
    generation = playground.generation
    if sandbox.world._version == seen:
        await sandbox.world.wait_change(WAIT_SECONDS)
    return web.json_response({"version": sandbox.world._version, "generation": generation})


async def chat(request: web.Request) -> web.Response:
    playground, sandbox = _running(request)
    person = _person(playground, request.query.get("as"))
    chat_id = _int(request.match_info["chat_id"], "chat")
    if chat_id not in {c["id"] for c in chats_of(sandbox, person)}:
        raise _fail(404, "not one of this person's chats")
    return web.json_response(chat_json(sandbox.world.chats[chat_id]))


async def file(request: web.Request) -> web.StreamResponse:
    _, sandbox = _running(request)
    record = sandbox.world.files.get(request.match_info["file_id"])
    if record is None:
        raise _fail(404, "no such file")
    return web.Response(body=record.data, content_type=record.mime_type or "image/jpeg")


async def act(request: web.Request) -> web.Response:
    """``{"as", "chat", "action": text|location|press|contact, …}``."""
    playground, sandbox = _running(request)
    body = await _body(request)
    person = _person(playground, body.get("as"))
    chat_id = _int(body.get("chat"), "chat")
    action = body.get("action")
    reply_to = _int(body["reply_to"], "reply_to") if body.get("reply_to") else None
    answer: JSONDict | None = None
    try:
        if action == "text":
            text = str(body.get("text") or "")
            if not text.strip():
                raise _fail(400, "type something first")
            await send_text(sandbox, person, chat_id, text, reply_to)
        elif action == "location":
            lat, lon = float(body.get("lat")), float(body.get("lon"))  # type: ignore[arg-type]
            await send_location(sandbox, person, chat_id, lat, lon)
        elif action == "press":
            message_id = _int(body.get("message_id"), "message_id")
            got = await press(sandbox, person, chat_id, message_id, str(body.get("data")))
            answer = None if got is None else {"text": got.text, "alert": got.show_alert}
        elif action == "contact":
            await share_contact(sandbox, person, chat_id)
        else:
            raise _fail(400, "unknown action")
    except (ActionError, AssertionError, TypeError, ValueError) as error:
        raise _fail(400, str(error).splitlines()[0]) from None
    return web.json_response({"ok": True, "answer": answer})


async def photo(request: web.Request) -> web.Response:
    """Multipart: ``as``, ``chat``, ``caption``, ``reply_to``, ``sample`` names and ``photo``
    files; two or more photos go as one album."""
    playground, sandbox = _running(request)
    fields: dict[str, str] = {}
    photos: list[bytes] = []
    reader = await request.multipart()
    async for part in reader:
        if not isinstance(part, BodyPartReader) or part.name is None:
            continue
        if part.name == "photo":
            data = await part.read()
            if len(data) > MAX_PHOTO_BYTES:
                raise _fail(400, "a photo is at most 10 MB")
            if data:
                photos.append(bytes(data))
        elif part.name == "sample":
            name = (await part.text()).strip()
            path = SAMPLES / f"{name}.jpg"
            if path.parent != SAMPLES or not path.is_file():
                raise _fail(400, "no such sample photo")
            photos.append(path.read_bytes())
        else:
            fields[part.name] = await part.text()
    person = _person(playground, fields.get("as"))
    chat_id = _int(fields.get("chat"), "chat")
    reply_to = _int(fields["reply_to"], "reply_to") if fields.get("reply_to") else None
    caption = fields.get("caption") or None
    try:
        await send_photos(sandbox, person, chat_id, photos, caption, reply_to)
    except (ActionError, AssertionError, ValueError) as error:
        raise _fail(400, str(error).splitlines()[0]) from None
    return web.json_response({"ok": True})


async def citizen(request: web.Request) -> web.Response:
    playground, _ = _running(request)
    person = playground.add_citizen()
    return web.json_response({"id": person.user_id})


async def reset(request: web.Request) -> web.Response:
    playground = request.app[PLAYGROUND]
    await playground.reset()
    return web.json_response({"ok": True, "generation": playground.generation})


async def clock(request: web.Request) -> web.Response:
    """Move the bot's clock (the one the sweeps and services read) by an hour, a day or a week."""
    playground, sandbox = _running(request)
    body = await _body(request)
    step = CLOCK_STEPS.get(str(body.get("step")))
    if step is None:
        raise _fail(400, "step is hour, day or week")
    await playground.advance_clock(step)
    sandbox.world.notify()
    return web.json_response({"ok": True})


async def staff_link(request: web.Request) -> web.Response:
    """A one-time sign-in to the staff pages for the admin, an officer or an agency group's
    administrator, asked as /weblogin asks (the group's administrators, from the built-in
    server, through the running bot)."""
    playground, _ = _running(request)
    body = await _body(request)
    person = _person(playground, body.get("as"))
    services = playground.services
    assert playground.app is not None
    is_group_admin = services.chat_admins.asking(playground.app.bot)
    if not await services.staff_login.may_sign_in(person.user_id, is_group_admin):
        raise _fail(400, f"{person.first_name} is not staff: only officers and admins sign in")
    token = await services.staff_login.issue(
        person.user_id, person.first_name, timedelta(minutes=10)
    )
    base = web_base_url(services.settings)
    return web.json_response({"url": f"{base}/staff/login?token={token}"})


async def areas(request: web.Request) -> web.Response:
    return web.Response(body=_central_jakarta(), content_type="application/json")


def build_web(playground: Playground) -> web.Application:
    app = web.Application(client_max_size=12 * MAX_PHOTO_BYTES)
    app[PLAYGROUND] = playground
    app.router.add_get("/", index)
    app.router.add_get("/api/state", state)
    app.router.add_get("/api/wait", wait)
    app.router.add_get("/api/chat/{chat_id}", chat)
    app.router.add_get("/api/file/{file_id}", file)
    app.router.add_get("/api/areas", areas)
    app.router.add_post("/api/act", act)
    app.router.add_post("/api/photo", photo)
    app.router.add_post("/api/citizen", citizen)
    app.router.add_post("/api/reset", reset)
    app.router.add_post("/api/clock", clock)
    app.router.add_post("/api/staff-link", staff_link)
    app.router.add_static("/static/", STATIC)
    app.router.add_static("/leaflet/", LEAFLET)
    return app
