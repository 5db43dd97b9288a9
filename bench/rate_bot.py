"""The real bot with BROADCAST_RATE raised past Telegram's 30/s, for the benchmarks only.

The configuration refuses such a rate on purpose; a benchmark against the local sandbox is the
one place where it makes sense, so this wrapper sets it after validation instead. The global
limiter follows the rate (``bot.telegram.jobs.pace``: a burst of 2 then 26 messages/s in
production), so the same wrapper also takes that limiter out of the way when a benchmark
measures the bot's own cost (framework_floor.py, crowd.py) rather than Telegram's flood limits.
Everything else is what ``python -m bot`` runs, through the same entry (``bot.cli.main._run``):
on SQLite the database's instance lock, on PostgreSQL the shared work (one process polls, every
process takes its share), which bench/engines.py's two processes rely on.
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.cli.main import _run
from bot.config import load_settings


def main() -> None:
    settings = replace(load_settings(), broadcast_rate=float(os.environ["BENCH_BROADCAST_RATE"]))
    raise SystemExit(_run(settings))


if __name__ == "__main__":
    main()
