"""Timings behind the distance and geocoding choices (DESIGN.md section 7).

    /tmp/venv/bin/python bench/bench_distance_matrix.py [N]

Target: an N = 1120 haversine matrix in under 100 ms; one offline geocode well under 1 ms.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fieldservice.geo import (  # noqa: E402  (after the path fix-up above)
    geocode,
    geodesic_km,
    haversine_km,
    haversine_matrix_km,
    haversine_one_to_many_km,
    warm_up,
)


def best_of(runs: int, fn) -> float:
    """Fastest of several runs, in seconds: the least disturbed by the rest of the machine."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(n: int) -> None:
    rng = np.random.default_rng(42)
    # Points spread over eastern China, where the technicians are.
    lats, lons = rng.uniform(22.0, 40.0, n), rng.uniform(110.0, 122.0, n)

    haversine_matrix_km(lats, lons)  # warm the allocator
    seconds = best_of(10, lambda: haversine_matrix_km(lats, lons))
    print(f"haversine_matrix_km      {n}x{n}: {seconds * 1e3:7.1f} ms  ({seconds / n / n * 1e9:.0f} ns/pair)")
    seconds = best_of(10, lambda: haversine_one_to_many_km(lats[0], lons[0], lats, lons))
    print(f"haversine_one_to_many_km 1x{n}:  {seconds * 1e6:7.1f} µs")
    pairs = list(zip(lats[:1000], lons[:1000], lats[1:1001], lons[1:1001]))
    seconds = best_of(3, lambda: [haversine_km(*p) for p in pairs]) / len(pairs)
    print(f"haversine_km (scalar):          {seconds * 1e6:7.2f} µs/pair")
    seconds = best_of(3, lambda: [geodesic_km((a, b), (c, d)) for a, b, c, d in pairs[:200]]) / 200
    print(f"geodesic_km:                    {seconds * 1e6:7.2f} µs/pair")

    start = time.perf_counter()
    warm_up()
    print(f"gazetteer load (once):          {(time.perf_counter() - start) * 1e3:7.1f} ms")
    addresses = [
        "上海市浦东新区张江路100号",
        "江苏省苏州市工业园区星湖街328号",
        "南京市鼓楼区中山路1号",
        "Paris, France",
        "no such place 42",
    ]
    for address in addresses:
        seconds = best_of(3, lambda: [geocode(address) for _ in range(2000)]) / 2000
        print(f"geocode {address!r:40}: {seconds * 1e6:6.1f} µs")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1120)
