"""The long-lived objects a handler needs, built once in ``post_init`` and shared."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from bot.geo import AreaIndex
from bot.reporting import ReportingService
from storage.categories import Category
from storage.store import Store


@dataclass
class Services:
    settings: Settings
    store: Store
    areas: AreaIndex
    categories: dict[str, Category]
    reporting: ReportingService
