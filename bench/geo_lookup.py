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

from bot.geo import AreaIndex


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
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
    print(
        f"us per lookup: mean {statistics.fmean(timings):.1f}, p50 {p50:.1f},"
        f" p99 {p99:.1f}, max {timings[-1]:.1f}"
    )


if __name__ == "__main__":
    main()
