"""``case export``: a report's whole case file as one zip, for an agency's archive, a complaint to
the ombudsman (Ombudsman RI) or a court.

What the zip holds:

- ``case.json``: the report, its history (every status change and note, who and when), the
  reporter's additions, and every photo with its role, arrival, SHA-256 and file in the zip (or
  why it is not there: not downloaded yet, refused as too large);
- ``summary.txt``: the same for a person to read;
- ``photos/``: the photos as the bot kept them (bot/domain/evidence.py), the original bytes;
- ``manifest.sha256``: the SHA-256 of every other file, in ``sha256sum -c`` form, so whoever
  receives the zip can check nothing was changed. A kept photo whose file no longer matches
  its recorded checksum is left out and said so, never silently packed.

Why no phone numbers and no ids: the export leaves the bot's control (mailed, printed). The
reporter reads "citizen", never a Telegram id, and every text a person typed has its phone
numbers hidden (bot/phones.py); an Open311 request's contact (name, e-mail, phone) is left out.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli.case_read import clean, history_line, one_line
from bot.cli.usage import UsageError
from bot.domain.evidence import extension
from bot.phones import hide_phones
from storage.evidence import STORED, Evidence
from storage.files import FILE_MODE

if TYPE_CHECKING:
    from bot.services import Services
    from storage.reports import Report

FORMAT = "wargalapor-case-file/1"


@dataclass(frozen=True)
class ExportRequest:
    ref: int
    output: Path | None  # None: case-<ref>.zip in the current folder


def output_path(ref: int, given: Path | None) -> Path:
    """Where the zip goes; an existing file is never overwritten (a case file is evidence)."""
    path = given if given is not None else Path(f"case-{ref}.zip")
    if path.is_dir():
        path = path / f"case-{ref}.zip"
    if path.exists():
        raise UsageError(f"--output {path}: already exists; give another file name")
    if not path.parent.resolve().is_dir():
        raise UsageError(f"--output {path}: the folder {path.parent} does not exist")
    return path


def _text(value: str | None) -> str | None:
    return hide_phones(clean(value)) if value else value


async def export(services: Services, request: ExportRequest) -> None:
    report = await services.store.reports.get(request.ref)
    if report is None:
        raise UsageError(f"report #{request.ref} not found")
    target = output_path(report.id, request.output)
    files: dict[str, bytes] = {}
    photos = await _photos(services, report.id, files)
    by_file = {row["file_id"]: row["file"] for row in photos}
    case = await _case(services, report, photos, by_file)
    for row in photos:
        del row["file_id"]
    files["case.json"] = json.dumps(case, ensure_ascii=False, indent=2).encode()
    files["summary.txt"] = _summary(case).encode()
    manifest = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in files.items()
    )
    files["manifest.sha256"] = manifest.encode()
    _write_zip(target, files)
    kept = sum(1 for row in photos if row["file"])
    print(f"case file of #{report.id}: {target} ({kept} of {len(photos)} photos)")


async def _photos(services: Services, ref: int, files: dict[str, bytes]) -> list[dict[str, Any]]:
    """Every photo's record, its kept file added to ``files`` when it is whole."""
    rows: list[dict[str, Any]] = []
    evidence = {row.photo_id: row for row in await services.store.evidence.of_report(ref)}
    photos = await services.store.reports.photos(ref)
    for number, photo in enumerate(photos, start=1):
        kept: Evidence | None = next(
            (row for row in evidence.values() if row.file_unique_id == photo.file_unique_id),
            None,
        )
        entry: dict[str, Any] = {
            "role": photo.role,
            "file_id": photo.file_id,
            "file": None,
            "sha256": kept.sha256 if kept else None,
            "size": kept.size if kept else None,
            "mime": kept.mime if kept else None,
            "received_at": kept.received_at if kept else None,
            "state": kept.state if kept else "not recorded",
            "note": kept.last_error if kept and kept.state != STORED else None,
        }
        if kept is not None and kept.state == STORED and kept.sha256 and kept.mime:
            stored = await services.evidence.read(kept)
            if stored is None:
                entry["state"], entry["note"] = "missing", "the kept file is missing"
            elif hashlib.sha256(stored.data).hexdigest() != kept.sha256:
                entry["state"], entry["note"] = "damaged", "the kept file's checksum differs"
            else:
                name = f"photos/{number:02d}-{photo.role}-{kept.sha256[:12]}{extension(kept.mime)}"
                files[name] = stored.data
                entry["file"] = name
        rows.append(entry)
    return rows


async def _case(
    services: Services, report: Report, photos: list[dict[str, Any]], by_file: dict[str, Any]
) -> dict[str, Any]:
    area = services.areas.by_code.get(report.area_code or "")
    category = services.categories.get(report.category_key)
    history = [
        {
            "at": event.at,
            "by": "citizen" if event.actor_kind == "citizen" else event.actor_kind,
            "name": None if event.actor_kind == "citizen" else _text(event.actor_name),
            "from_status": event.old_status,
            "to_status": event.new_status,
            "note": _text(event.note),
            "photo": by_file.get(event.photo_file_id) if event.photo_file_id else None,
            "line": hide_phones(history_line(event)),
        }
        for event in await services.store.reports.events(report.id)
    ]
    additions = [
        {
            "at": update.created_at,
            "note": _text(update.note),
            "photo": by_file.get(update.photo_file_id) if update.photo_file_id else None,
        }
        for update in await services.store.citizen_updates.for_report(report.id)
    ]
    details = await services.store.request_details.details(report.id)
    return {
        "format": FORMAT,
        "report": {
            "id": report.id,
            "category": report.category_key,
            "category_name": category.name("en") if category else report.category_key,
            "status": report.status,
            "created_at": report.created_at,
            "updated_at": report.updated_at,
            "acknowledged_at": report.acknowledged_at,
            "resolved_at": report.resolved_at,
            "duplicate_of": report.duplicate_of,
            "supporters": report.supporters,
            "description": _text(report.description),
            "place": _text(", ".join(p for p in (report.place_name, report.address) if p)),
            "area": {
                "code": area.code,
                "kelurahan": area.name,
                "kecamatan": area.district,
                "kota": area.city,
            }
            if area
            else None,
            "lat": report.lat,
            "lon": report.lon,
            "filed_by": f"agency: {details.agency}" if details else "citizen (Telegram)",
        },
        "history": history,
        "additions": additions,
        "photos": photos,
    }


def _summary(case: dict[str, Any]) -> str:
    report = case["report"]
    area = report["area"]
    lines = [
        f"Case file of report #{report['id']} ({case['format']})",
        "",
        f"Category:     {report['category_name']}",
        f"Status:       {report['status']}",
        f"Filed:        {report['created_at']} by {report['filed_by']}",
        f"Place:        {area['kelurahan'] + ', ' + area['kecamatan'] if area else 'outside'}"
        f" ({report['lat']:.5f}, {report['lon']:.5f})",
        f"Description:  {one_line(report['description'] or '')}",
        "",
        "History (UTC):",
    ]
    lines += [f"  {event['at']}  {event['line']}" for event in case["history"]]
    lines += ["", "Added by the reporter:"]
    lines += [
        f"  {added['at']}  {one_line(added['note'] or '')} {added['photo'] or ''}".rstrip()
        for added in case["additions"]
    ] or ["  (nothing)"]
    lines += ["", "Photos (SHA-256 of the original bytes):"]
    for photo in case["photos"]:
        where = photo["file"] or f"not in this file: {photo['state']} ({photo['note'] or ''})"
        lines.append(f"  {photo['role']:<10} {photo['sha256'] or '-':<64}  {where}")
    lines += ["", "Check the files: sha256sum -c manifest.sha256", ""]
    return "\n".join(lines)


def _write_zip(target: Path, files: dict[str, bytes]) -> None:
    """Written whole to a hidden file first, owner-only, then put in place."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    temporary = target.with_name(f".{target.name}.part")
    fd = os.open(temporary, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, FILE_MODE)
    with os.fdopen(fd, "wb") as out:
        out.write(buffer.getvalue())
    os.replace(temporary, target)
