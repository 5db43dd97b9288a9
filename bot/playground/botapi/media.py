"""Files and media: uploads, file_ids and URLs, photos in three sizes, documents, albums and
getFile.

Apart from plain messages because files carry their own rules: the same bytes are the same file
(so duplicate detection by file_unique_id can be tested), a file_id of one type cannot be sent as
another, and an album is several messages sharing a media_group_id.
"""

from __future__ import annotations

import copy
import hashlib
import re
import struct

from .base import ApiBase
from .protocol import Ctx, Upload, bad_request
from .records import FileRecord, JSONDict


def _image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a JPEG or PNG, so PhotoSize entries look plausible."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        pos = 2
        while pos + 9 < len(data):
            if data[pos] != 0xFF:
                pos += 1
                continue
            marker = data[pos + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                pos += 2
                continue
            length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
                return int(width), int(height)
            pos += 2 + length
    return None


class MediaMethods(ApiBase):
    """sendPhoto, sendDocument, sendMediaGroup and getFile, and the file store behind them."""

    def _file_param(self, ctx: Ctx, key: str, folder: str) -> tuple[FileRecord | None, str]:
        """Resolve a file parameter: an upload, ``attach://name``, a known file_id or a URL."""
        value = ctx.params.get(key)
        upload = ctx.files.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            upload = ctx.files.get(value[len("attach://") :])
            if upload is None:
                raise bad_request(f"file {value} not found in the request")
        if upload is not None:
            return None, "upload"
        if not isinstance(value, str) or not value:
            raise bad_request(f"there is no {key} in the request")
        record = self.world.file_for_bot(value)
        if record is not None:
            have = record.file_path.split("/", 1)[0]
            if have != folder:
                have_type, want_type = have.rstrip("s").title(), folder.rstrip("s").title()
                raise bad_request(f"can't use file of type {have_type} as {want_type}")
            return record, "file_id"
        if re.match(r"^https?://", value):
            return None, "url"
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _upload_of(self, ctx: Ctx, key: str) -> Upload:
        value = ctx.params.get(key)
        if isinstance(value, str) and value.startswith("attach://"):
            return ctx.files[value[len("attach://") :]]
        return ctx.files[key]

    def make_photo(self, data: bytes) -> list[JSONDict]:
        """Store a photo and return its PhotoSize list (three sizes, smallest first).

        The same bytes give the same file (same file_ids and file_unique_ids), as when a person
        sends the same picture again, so duplicate detection by file_unique_id can be tested.
        """
        # Known per token: the same picture sent to a new token gets file ids of its own.
        digest = hashlib.sha256(self.world.token.encode() + b"\0" + data).hexdigest()
        if data and digest in self._known_uploads:
            return copy.deepcopy(self.photo_sizes[self._known_uploads[digest]])
        width, height = _image_size(data) or (1280, 960)
        family = f"AQAD{hashlib.sha256(data).hexdigest()[:10]}"  # the same for every token
        sizes: list[JSONDict] = []
        for letter, side in (("s", 90), ("m", 320), ("x", 1280)):
            scale = min(1.0, side / max(width, height, 1))
            record = self.world.new_file(
                data,
                folder="photos",
                extension="jpg",
                prefix="AgACAgUAAxkBAAI",
                unique_id=f"{family}{letter}",
                mime_type="image/jpeg",
            )
            sizes.append(
                {
                    "file_id": record.file_id,
                    "file_unique_id": record.file_unique_id,
                    "file_size": record.file_size,
                    "width": max(1, round(width * scale)),
                    "height": max(1, round(height * scale)),
                }
            )
        for size in sizes:
            self.photo_sizes[size["file_id"]] = sizes
        if data:
            self._known_uploads[digest] = sizes[-1]["file_id"]
        return copy.deepcopy(sizes)

    def make_document(self, data: bytes, file_name: str | None, mime_type: str | None) -> JSONDict:
        """Store a document and return its Document JSON (same bytes and name: same file)."""
        named = data + b"\0" + (file_name or "").encode()
        unique = hashlib.sha256(named).hexdigest()
        digest = hashlib.sha256(self.world.token.encode() + b"\0" + named).hexdigest()
        if data and digest in self._known_uploads:
            return self.document_json(self.world.files[self._known_uploads[digest]])
        extension = (file_name or "file.bin").rsplit(".", 1)[-1] or "bin"
        record = self.world.new_file(
            data,
            folder="documents",
            extension=extension,
            prefix="BQACAgUAAxkBAAI",
            mime_type=mime_type or "application/octet-stream",
            file_name=file_name,
            unique_id=f"AgAD{unique[:10]}",
        )
        if data:
            self._known_uploads[digest] = record.file_id
        return self.document_json(record)

    @staticmethod
    def document_json(record: FileRecord) -> JSONDict:
        """Document JSON of a stored file."""
        document: JSONDict = {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.file_size,
        }
        if record.file_name:
            document["file_name"] = record.file_name
        if record.mime_type:
            document["mime_type"] = record.mime_type
        return document

    def _photo_from(self, ctx: Ctx, key: str) -> list[JSONDict]:
        record, how = self._file_param(ctx, key, "photos")
        if how == "upload":
            return self.make_photo(self._upload_of(ctx, key).data)
        if how == "url":
            return self.make_photo(b"")
        assert record is not None
        return copy.deepcopy(self.photo_sizes[record.file_id])

    def _document_from(self, ctx: Ctx, key: str) -> JSONDict:
        record, how = self._file_param(ctx, key, "documents")
        if how == "upload":
            upload = self._upload_of(ctx, key)
            return self.make_document(upload.data, upload.filename, upload.content_type)
        if how == "url":
            url = str(ctx.params[key])
            return self.make_document(b"", url.rsplit("/", 1)[-1] or None, None)
        assert record is not None
        return self.document_json(record)

    async def m_sendPhoto(self, ctx: Ctx) -> JSONDict:
        """Photo by upload, file_id or URL; the answer carries three PhotoSize entries."""
        params = ctx.params
        state = self._chat(params)
        markup = self._markup(params.get("reply_markup"))
        sizes = self._photo_from(ctx, "photo")
        message = self._new_message(state, params, markup)
        message["photo"] = sizes
        text = self._caption(message, params)
        if params.get("has_spoiler"):
            message["has_media_spoiler"] = True
        self._store(state, message, params, "photo", text, markup, photo=sizes[-1]["file_id"])
        return message

    async def m_sendDocument(self, ctx: Ctx) -> JSONDict:
        """Document by upload, file_id or URL."""
        params = ctx.params
        state = self._chat(params)
        markup = self._markup(params.get("reply_markup"))
        document = self._document_from(ctx, "document")
        message = self._new_message(state, params, markup)
        message["document"] = document
        text = self._caption(message, params)
        self._store(state, message, params, "document", text, markup, document=document["file_id"])
        return message

    async def m_sendMediaGroup(self, ctx: Ctx) -> list[JSONDict]:
        """An album: one message per item, sharing a media_group_id."""
        params = ctx.params
        state = self._chat(params)
        media = params.get("media")
        if not isinstance(media, list):
            raise bad_request("media must be an array of InputMedia")
        if not 2 <= len(media) <= 10:
            raise bad_request("wrong number of media in the group: 2-10 items are allowed")
        types = {item.get("type") for item in media if isinstance(item, dict)}
        if not types <= {"photo", "video"} and len(types) > 1:
            raise bad_request("documents and audio can't be mixed with other media types")
        self._media_groups += 1
        group_id = f"13{self._media_groups:015d}"
        reply = self._reply_target(state, params)
        results: list[JSONDict] = []
        prepared: list[tuple[JSONDict, str, str | None, JSONDict]] = []
        for item in media:
            if not isinstance(item, dict) or item.get("type") not in ("photo", "document"):
                raise bad_request("the sandbox supports photo and document media")
            item_params = {"caption": item.get("caption"), "parse_mode": item.get("parse_mode")}
            item_params["caption_entities"] = item.get("caption_entities")
            sub = Ctx({"media": item.get("media")}, ctx.files, ctx.request)
            body: JSONDict = {}
            if item["type"] == "photo":
                body["photo"] = self._photo_from(sub, "media")
            else:
                body["document"] = self._document_from(sub, "media")
            text = self._caption(body, item_params)
            prepared.append((body, item["type"], text, item_params))
        for body, media_type, text, item_params in prepared:
            message = self._new_message(state, {}, None)
            if reply is not None:
                message["reply_to_message"] = {
                    k: v for k, v in reply.items() if k != "reply_to_message"
                }
            message["media_group_id"] = group_id
            message.update(body)
            extra: JSONDict = {"media_group_id": group_id}
            if media_type == "photo":
                extra["photo"] = body["photo"][-1]["file_id"]
            else:
                extra["document"] = body["document"]["file_id"]
            self._store(state, message, item_params, "media_group", text, None, **extra)
            results.append(message)
        return results

    async def m_getFile(self, ctx: Ctx) -> JSONDict:
        """File path for the download route (files over 20 MB are refused)."""
        record = self.world.file_for_bot(str(ctx.params.get("file_id")))
        if record is None:
            raise bad_request("invalid file_id")
        if record.file_size > 20 * 1024 * 1024:
            raise bad_request("file is too big")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.file_size,
            "file_path": record.file_path,
        }
