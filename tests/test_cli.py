"""The command line: clear one-line configuration errors (exit 2), check and migrate."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import TOKEN

ROOT = Path(__file__).resolve().parent.parent


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
    clean["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_missing_token_is_one_line_and_exit_code_2(tmp_path):
    result = run_cli("check", env={}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "TELEGRAM_BOT_TOKEN is missing" in lines[0] and "@BotFather" in lines[0]
    assert "Traceback" not in result.stderr


def test_invalid_value_from_dotenv_names_the_variable(tmp_path):
    (tmp_path / ".env").write_text(f"TELEGRAM_BOT_TOKEN={TOKEN}\nMAX_REPORTS_PER_HOUR=many\n")
    result = run_cli(env={}, cwd=tmp_path)  # plain `python -m bot` reads .env
    assert result.returncode == 2
    assert "MAX_REPORTS_PER_HOUR='many' is not a whole number" in result.stderr
    assert "Traceback" not in result.stderr


def test_migrate_then_check(tmp_path):
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "DATABASE_PATH": str(tmp_path / "db" / "w.sqlite3")}
    behind = run_cli("check", env=env, cwd=tmp_path)
    assert behind.returncode == 0, behind.stderr
    assert "behind" in behind.stdout and "python -m bot migrate" in behind.stdout
    migrated = run_cli("migrate", env=env, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert "0001_initial.sql, 0002_routing.sql" in migrated.stdout
    checked = run_cli("check", env=env, cwd=tmp_path)
    assert "categories: ok (10)" in checked.stdout
    assert "areas: ok (268 kelurahan)" in checked.stdout
    assert ", ok" in checked.stdout.splitlines()[-1]


def test_a_broken_areas_file_is_refused_naming_the_feature(tmp_path):
    areas = tmp_path / "areas.geojson"
    areas.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature",'
        ' "properties": {"code": "1", "name": "Gambir", "city": "Jakarta Pusat"},'
        ' "geometry": {"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]]]}}]}'
    )
    env = {"TELEGRAM_BOT_TOKEN": TOKEN, "AREAS_FILE": str(areas)}
    result = run_cli(env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "feature #1 (Gambir): property district is missing" in result.stderr
    assert "Traceback" not in result.stderr
    checked = run_cli("check", env=env, cwd=tmp_path)
    assert checked.returncode == 2 and "property district is missing" in checked.stderr
