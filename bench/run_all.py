"""Every benchmark, one after the other, and one table: benchmark, goal, figure, met.

Each benchmark's own output scrolls by first (its notes and details); the table comes last. A
benchmark that fails is listed as failed with its error and the others still run. ``--quick``
runs smaller sizes (fewer points, citizens, rounds) to check that everything works in about a
quarter of the time; the figures in bench/README.md come from a full run.

Run: python bench/run_all.py [--quick] [--only crowd,startup,...] [--markdown]
A full run takes about 25 minutes (the broadcast to 100,000 citizens alone 3 to 6), plus about a
minute the first time to build the nearby benchmark's database of 1,000,000 reports.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import Figure, load_note

#: Module names in bench/, in the order they run (quick and light first, the heavy ones last).
BENCHMARKS = (
    "geo_lookup",
    "nearby",
    "startup",
    "calls_per_report",
    "framework_floor",
    "crowd",
    "outbox_throughput",
    "followup_latency",
    "broadcast",
)


def run_one(name: str, quick: bool) -> tuple[list[Figure], float]:
    started = time.monotonic()
    print(f"\n=== {name} {'(quick)' if quick else ''}", flush=True)
    try:
        module = importlib.import_module(f"bench.{name}")
        rows = module.measure(quick=quick)
    except (Exception, SystemExit) as error:
        traceback.print_exc()
        rows = [Figure(name, "—", f"FAILED: {type(error).__name__}: {error}"[:300], False)]
    return rows, time.monotonic() - started


def verdict(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "NOT MET")


def table(rows: list[Figure], markdown: bool) -> str:
    header = ("benchmark", "goal", "figure", "met")
    cells = [(r.benchmark, r.goal, r.figure, verdict(r.met)) for r in rows]
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|---|---|---|---|"]
        lines += ["| " + " | ".join(cell) + " |" for cell in cells]
        return "\n".join(lines)
    widths = [max(len(c[i]) for c in [header, *cells]) for i in range(3)]
    widths = [min(w, limit) for w, limit in zip(widths, (60, 34, 10_000), strict=True)]
    lines = []
    for cell in [header, *cells]:
        lines.append(
            "  ".join(
                [cell[0].ljust(widths[0]), cell[1].ljust(widths[1]), cell[3].ljust(7), cell[2]]
            )
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes, a quick check")
    parser.add_argument("--only", help=f"comma-separated subset of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    chosen = BENCHMARKS if not args.only else tuple(args.only.split(","))
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    print(f"start: {load_note()}")
    rows: list[Figure] = []
    took = {}
    for name in chosen:
        figures, seconds = run_one(name, args.quick)
        rows += figures
        took[name] = seconds
    print(f"\n=== all benchmarks{' (quick)' if args.quick else ''}; end: {load_note()}")
    print("time per benchmark: " + ", ".join(f"{n} {s:.0f} s" for n, s in took.items()))
    print(table(rows, args.markdown))
    missed = sum(1 for r in rows if r.met is False)
    print(f"{len(rows)} figures, {missed} goal(s) not met")


if __name__ == "__main__":
    main()
