"""Point-to-kelurahan lookup over the bundled 268 polygons: microseconds per lookup.

Run: python bench/geo_lookup.py [--points 20000]
Goal (issue 3): <= 50 us per lookup on the project's 2-core machine.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.geo.areas import AreaIndex


def run(args: argparse.Namespace) -> dict:
    started = time.perf_counter()
    areas = AreaIndex.load()
    load_ms = (time.perf_counter() - started) * 1000
    rng = random.Random(args.seed)
    # Mainland Jakarta's box: most points land in a kelurahan, some in the sea or outside.
    points = [(rng.uniform(-6.37, -6.08), rng.uniform(106.68, 106.98)) for _ in range(args.points)]
    timings = []
    inside = 0
    for lat, lon in points:
        start = time.perf_counter_ns()
        found = areas.locate(lat, lon)
        timings.append((time.perf_counter_ns() - start) / 1000)
        inside += found is not None
    timings.sort()
    print(f"areas loaded: {len(areas.areas)} in {load_ms:.0f} ms")
    print(f"lookups: {len(points)} random points, {inside} inside an area")
    p50, p99 = timings[len(timings) // 2], timings[int(len(timings) * 0.99)]
    mean = statistics.fmean(timings)
    print(f"us per lookup: mean {mean:.1f}, p50 {p50:.1f}, p99 {p99:.1f}, max {timings[-1]:.1f}")
    return {"points": len(points), "mean": mean, "p50": p50, "p99": p99, "max": timings[-1]}


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    return parser


def measure(quick: bool = False) -> list:
    """For run_all.py: the figure against the goal."""
    from bench.harness import Figure

    result = run(parser().parse_args(["--points", "5000"] if quick else []))
    return [
        Figure(
            "point → kelurahan lookup over the 268 polygons",
            "≤ 50 µs per lookup",
            f"mean {result['mean']:.1f} µs, p50 {result['p50']:.1f} µs,"
            f" p99 {result['p99']:.1f} µs ({result['points']:,} points)",
            result["mean"] <= 50,
        )
    ]


def main() -> None:
    run(parser().parse_args())


if __name__ == "__main__":
    main()
