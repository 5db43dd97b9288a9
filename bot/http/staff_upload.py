"""Staff forms that may carry a photo: ``multipart/form-data`` read within bounds, the photo
checked and cleaned, and kept beside the database as the case CLI keeps its photos.

Why a reader of our own: Starlette's needs another package (python-multipart) and reads the
request stream itself, past :func:`bot.http.body.read_limited`'s limit and deadline. Here the
body is read by that function first (at most :data:`MAX_FORM_BYTES`, within
:data:`UPLOAD_SECONDS`: a 10 MB photo from a phone on a slow uplink), by signed-in staff only
(the pages ask for the session before the body), at most :data:`UPLOADS_AT_ONCE` at a time.

Why the photo is written again: a phone's JPEG carries EXIF (often the GPS position to the
metre, the phone's make and serial). It must be a JPEG, PNG or WebP by its bytes
(:func:`bot.images.sniff`), and it is decoded and saved as a plain JPEG of at most 1600 px a
side with no metadata (:func:`bot.http.open311_media.clean_jpeg`, the public photos' cleaner),
so what the citizen and the public receive holds the picture only. The file goes to
``uploads/`` beside the database (owner-only), named ``local:<path>`` like the CLI's: the
citizen's follow-up uploads it to Telegram and Telegram's file id replaces the path
(:mod:`bot.outbox.citizen_senders`).
"""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import dataclass
from email.message import Message
from pathlib import Path

from starlette.requests import Request

from bot.http.body import read_limited
from bot.http.common import MAX_BODY_BYTES, MAX_FIELDS, read_body
from bot.http.errors import ApiError
from bot.http.open311_media import NotAnImage, clean_jpeg
from bot.http.staff_guard import check_form
from bot.images import HEAD_BYTES, MAX_PHOTO_BYTES, sniff
from bot.outbox.citizen_senders import LOCAL_PHOTO_PREFIX
from storage.files import FILE_MODE, private_dir
from storage.photos import PhotoRef

#: One photo of Telegram's size and the form's text fields.
MAX_FORM_BYTES = MAX_PHOTO_BYTES + MAX_BODY_BYTES
UPLOAD_SECONDS = 120.0
UPLOADS_AT_ONCE = 3  # bodies in memory at once: 30 MB at most
CLEANING_AT_ONCE = 1  # photos decoded at once: CPU and memory the bot shares
MAX_BOUNDARY = 200  # RFC 2046 allows 70; browsers send about 40


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


@dataclass(frozen=True)
class Submitted:
    """A form's text fields and its files; a file input left empty is not among the files."""

    fields: dict[str, str]
    files: dict[str, Upload]


class PhotoRefused(ValueError):
    """An uploaded file the pages will not keep; ``key``: the ``web.`` text that says why."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def is_multipart(request: Request) -> bool:
    content_type = request.headers.get("content-type", "")
    return content_type.split(";")[0].strip().lower() == "multipart/form-data"


async def read_upload_form(
    request: Request, session_token: str, user_id: int, uploads: Uploads
) -> Submitted:
    """A staff form that may carry a photo (``multipart/form-data``, as a browser sends a form
    with a file input) or a plain one (no files), checked as
    :func:`bot.http.staff_guard.read_form` checks: the CSRF token, then the fields' text."""
    if is_multipart(request):
        submitted = await uploads.read(request)
    else:
        submitted = Submitted(await read_body(request), {})
    check_form(request, submitted.fields, session_token, user_id)
    return submitted


def _header_params(value: str) -> Message:
    """A header's parameters (``name="…"; filename="…"``), read by the standard library."""
    message = Message()
    message["content-type"] = value
    return message


def parse_multipart(body: bytes, content_type: str) -> Submitted:
    """RFC 7578 ``multipart/form-data``: the parts between ``--boundary`` lines, each with a
    Content-Disposition naming its field (and its file name, for a file). Text fields must be
    UTF-8; anything malformed is a 400."""
    boundary = _header_params(content_type).get_param("boundary")
    if not isinstance(boundary, str) or not 0 < len(boundary) <= MAX_BOUNDARY:
        raise ApiError(400, "a multipart form without a usable boundary")
    delimiter = b"--" + boundary.encode("latin-1", "replace")
    chunks = body.split(b"\r\n" + delimiter)
    first = chunks[0]
    if not first.startswith(delimiter):  # the body starts with the first delimiter line
        raise ApiError(400, "the multipart form does not start with its boundary")
    chunks[0] = first[len(delimiter) :]
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    closed = False
    for chunk in chunks:
        if chunk.startswith(b"--"):  # the close delimiter; what follows is an epilogue
            closed = True
            break
        if not chunk.startswith(b"\r\n"):
            raise ApiError(400, "a multipart part does not start on its own line")
        head, separator, content = chunk[2:].partition(b"\r\n\r\n")
        if not separator:
            raise ApiError(400, "a multipart part without its blank line")
        name, filename = _disposition(head)
        if filename is not None:
            if content:
                files[name] = Upload(filename, content)
        else:
            try:
                fields[name] = content.decode("utf-8")
            except UnicodeDecodeError:
                raise ApiError(400, f"field {name!r} is not UTF-8") from None
        if len(fields) + len(files) > MAX_FIELDS:
            raise ApiError(400, f"the form has over {MAX_FIELDS} fields")
    if not closed:
        raise ApiError(400, "the multipart form ends before its closing boundary")
    return Submitted(fields, files)


def _disposition(head: bytes) -> tuple[str, str | None]:
    """The field's name and, for a file, its name (maybe empty) from the part's headers."""
    try:
        lines = head.decode("utf-8").split("\r\n")
    except UnicodeDecodeError:
        raise ApiError(400, "a multipart part's headers are not UTF-8") from None
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip().lower() != "content-disposition":
            continue
        if value.split(";")[0].strip().lower() != "form-data":
            break
        params = _header_params(value.strip())
        name = params.get_param("name")
        filename = params.get_param("filename")
        if not isinstance(name, str) or not name:
            break
        return name, filename if isinstance(filename, str) else None
    raise ApiError(400, "a multipart part without a form-data Content-Disposition")


class Uploads:
    """The bounds shared by every upload of one app (its semaphores belong to its event loop),
    and where the photos go."""

    def __init__(self, database_path: Path) -> None:
        self.folder = database_path.resolve().parent / "uploads"
        self._reading = asyncio.Semaphore(UPLOADS_AT_ONCE)
        self._cleaning = asyncio.Semaphore(CLEANING_AT_ONCE)

    async def read(self, request: Request) -> Submitted:
        """A multipart form's body within the bounds above (413, 408, 400 as ApiError)."""
        async with self._reading:
            body = await read_limited(request, MAX_FORM_BYTES, seconds=UPLOAD_SECONDS)
            return parse_multipart(body, request.headers.get("content-type", ""))

    async def cleaned(self, upload: Upload) -> bytes:
        """The upload as a metadata-free JPEG; :class:`PhotoRefused` when it is not a JPEG,
        PNG or WebP photo, or is larger than Telegram takes."""
        if len(upload.data) > MAX_PHOTO_BYTES:
            raise PhotoRefused("upload_too_large")
        if sniff(upload.data[:HEAD_BYTES]) is None:
            raise PhotoRefused("not_a_photo")
        async with self._cleaning:
            try:
                return await asyncio.to_thread(clean_jpeg, upload.data)
            except NotAnImage:
                raise PhotoRefused("not_a_photo") from None

    async def keep(self, jpeg: bytes) -> tuple[Path, PhotoRef]:
        """Write ``jpeg`` to ``uploads/``, owner-only: the file, and the PhotoRef that points at
        it until its first upload to Telegram."""
        return await asyncio.to_thread(self._write, jpeg)

    def _write(self, jpeg: bytes) -> tuple[Path, PhotoRef]:
        private_dir(self.folder)
        name = uuid.uuid4().hex
        target = self.folder / f"{name}.jpg"
        fd = os.open(target, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE)
        with os.fdopen(fd, "wb") as out:
            out.write(jpeg)
        return target, PhotoRef(f"{LOCAL_PHOTO_PREFIX}{target}", f"{LOCAL_PHOTO_PREFIX}{name}")
