"""Which engine a deployment uses: PostgreSQL when ``DATABASE_URL`` names one, else SQLite.

One place decides, so the bot, every CLI command and ``copy-db`` open the same database the same
way. PostgreSQL's driver is imported only when it is chosen.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from storage.backend import Backend

POSTGRES_SCHEMES = ("postgresql", "postgres")


def is_postgres_url(url: str | None) -> bool:
    return bool(url) and urlsplit(url or "").scheme in POSTGRES_SCHEMES


def backend_for(target: str | Path) -> Backend:
    """A closed database for ``target``: a ``postgresql://`` URL, or a SQLite file's path (also
    written ``sqlite:PATH``, as copy-db takes it)."""
    text = str(target)
    if is_postgres_url(text):
        from storage.postgres import PostgresDatabase

        return PostgresDatabase(text)
    from storage.db import Database

    if text.startswith("sqlite:"):
        text = text.removeprefix("sqlite:").removeprefix("//")
    return Database(Path(text))
