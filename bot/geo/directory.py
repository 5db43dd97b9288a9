"""Who is responsible for a place: the scopes (kelurahan, kecamatan, kota) of an area, name lookups
for ``/link`` and ``/invite``, and the group chats that must hear about a report.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from bot.geo.areas import Area, AreaIndex
from storage.groups import Scope

_PREFIXES = {
    "kelurahan": ("kelurahan", "kel.", "kel", "desa"),
    "kecamatan": ("kecamatan", "kec.", "kec"),
    "kota": ("kota administrasi", "kota adm.", "kota", "kabupaten", "kab.", "kab"),
}


def normalise_name(text: str) -> str:
    """Lower-case, no accents, punctuation and spaces folded: "Tanjung  Priuk" → "tanjung priuk"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


@dataclass(frozen=True)
class ScopeChoice:
    """A scope with what people call it, e.g. Kec. Gambir (Jakarta Pusat)."""

    scope: Scope
    name: str
    parent: str  # kecamatan of a kelurahan, kota of a kecamatan, "" for a kota
    size: int  # how many kelurahan it spans


def scopes_of(area: Area) -> list[Scope]:
    return [
        Scope("kelurahan", area.code),
        Scope("kecamatan", area.district),
        Scope("kota", area.city),
    ]


def codes_in(areas: Iterable[Area], scopes: Iterable[Scope]) -> list[str]:
    """The codes of ``areas`` under any of ``scopes``, in their order: a kecamatan or kota scope
    stands for every kelurahan in it, so "Gambir" the kecamatan covers all of its kelurahan."""
    wanted = set(scopes)
    return [area.code for area in areas if any(scope in wanted for scope in scopes_of(area))]


class AreaDirectory:
    """Names → scopes, and scopes → kelurahan, over one :class:`AreaIndex`."""

    def __init__(self, areas: AreaIndex) -> None:
        self.areas = areas
        self.choices: list[ScopeChoice] = []
        districts: dict[str, list[Area]] = {}
        cities: dict[str, list[Area]] = {}
        for area in areas.areas:
            self.choices.append(
                ScopeChoice(Scope("kelurahan", area.code), area.name, area.district, 1)
            )
            districts.setdefault(area.district, []).append(area)
            cities.setdefault(area.city, []).append(area)
        for district, members in districts.items():
            self.choices.append(
                ScopeChoice(Scope("kecamatan", district), district, members[0].city, len(members))
            )
        for city, members in cities.items():
            self.choices.append(ScopeChoice(Scope("kota", city), city, "", len(members)))
        self._by_scope = {choice.scope: choice for choice in self.choices}

    def choice(self, scope: Scope) -> ScopeChoice | None:
        return self._by_scope.get(scope)

    def resolve(self, query: str) -> list[ScopeChoice]:
        """Exact matches for a code or a name; an explicit "kec."/"kel."/"kota" narrows the kind.

        Several results mean the name is ambiguous (Gambir is a kelurahan and a kecamatan) and
        the caller should offer a picker; none means try :meth:`suggest`.
        """
        text = query.strip()
        if text.isdigit():
            area = self.areas.by_code.get(text)
            return [self._by_scope[Scope("kelurahan", area.code)]] if area else []
        kind, name = self._split_prefix(text)
        found = self._exact(kind, name)
        if not found and kind is not None:  # "Kota Bambu Utara" is a kelurahan, not a kota
            found = self._exact(None, text)
        return found

    def _exact(self, kind: str | None, name: str) -> list[ScopeChoice]:
        wanted = normalise_name(name)
        return [
            choice
            for choice in self.choices
            if (kind is None or choice.scope.kind == kind) and normalise_name(choice.name) == wanted
        ]

    def suggest(self, query: str, limit: int = 6) -> list[ScopeChoice]:
        kind, name = self._split_prefix(query.strip())
        wanted = normalise_name(name)
        if len(wanted) < 3:
            return []
        found = [
            choice
            for choice in self.choices
            if (kind is None or choice.scope.kind == kind) and wanted in normalise_name(choice.name)
        ]
        return found[:limit]

    @staticmethod
    def _split_prefix(text: str) -> tuple[str | None, str]:
        lowered = text.casefold()
        for kind, prefixes in _PREFIXES.items():
            for prefix in prefixes:
                if lowered.startswith(prefix + " ") or (
                    prefix.endswith(".") and lowered.startswith(prefix)
                ):
                    return kind, text[len(prefix) :].strip()
        return None, text
