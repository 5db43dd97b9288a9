"""A throwaway PostgreSQL server for the suite's second pass (and the benchmarks).

Why our own and not a fixture library's: the suite runs as root in CI and on these machines,
and ``initdb``/``postgres`` refuse root; the cluster is made and run as the ``postgres`` user
(``runuser``), in a temporary folder, listening only on a Unix socket in that folder. Durability
is switched off (``fsync=off``…): it is thrown away at the end.

``WARGALAPOR_TEST_POSTGRES`` (a ``postgresql://`` URL of a server the suite may create
databases on) skips all this; ``.ci/run`` starts its cluster that way.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

ENV_URL = "WARGALAPOR_TEST_POSTGRES"
TEMPLATE = "wargalapor_template"


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _as_postgres(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@dataclass
class Cluster:
    folder: Path
    bin: Path

    @property
    def url(self) -> str:
        return f"postgresql://postgres@/postgres?host={self.folder}"

    def stop(self) -> None:
        subprocess.run(
            _as_postgres(
                [
                    str(self.bin / "pg_ctl"),
                    "-D",
                    str(self.folder / "data"),
                    "-m",
                    "immediate",
                    "stop",
                ]
            ),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.folder, ignore_errors=True)


def start_cluster() -> Cluster | None:
    """A new server, or None where PostgreSQL's binaries are not installed."""
    binaries = _binaries()
    if binaries is None:
        return None
    folder = Path(tempfile.mkdtemp(prefix="wargalapor-pg-"))
    os.chmod(folder, 0o755)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    subprocess.run(
        _as_postgres(
            [
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ]
        ),
        capture_output=True,
        check=True,
    )
    options = (
        f"-k {folder} -c listen_addresses='' -c fsync=off -c synchronous_commit=off"
        " -c full_page_writes=off -c max_connections=400 -c shared_buffers=64MB"
    )
    subprocess.run(
        _as_postgres(
            [
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(folder / "server.log"),
                "-w",
                "-t",
                "60",
                "start",
            ]
        ),
        capture_output=True,
        check=True,
    )
    return Cluster(folder, binaries)


def database_url(server: str, name: str) -> str:
    """``server``'s URL pointing at database ``name`` instead."""
    head, sep, query = server.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{name}{sep}{query}"


def admin_command(server: str, sql: str) -> None:
    """One statement as the server's admin (CREATE/DROP DATABASE run outside transactions)."""
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql)


def make_template(server: str) -> None:
    """A database migrated to the bundled schema, copied for each test (a copy takes
    milliseconds; migrating takes a second)."""
    import asyncio

    from storage.postgres import PostgresDatabase

    admin_command(server, f"DROP DATABASE IF EXISTS {TEMPLATE}")
    admin_command(server, f"CREATE DATABASE {TEMPLATE}")

    async def migrate() -> None:
        db = PostgresDatabase(database_url(server, TEMPLATE), pool_size=1)
        await db.open()
        await db.close()

    asyncio.run(migrate())


def new_database(server: str) -> tuple[str, str]:
    """A fresh migrated database for one test: (name, URL)."""
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin_command(server, f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    return name, database_url(server, name)


def drop_database(server: str, name: str) -> None:
    admin_command(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
