"""Excavation queries against a ~1M-segment city with the index built (TARGETS.md: p95 under 10 ms).

Baseline in the same run: the same query answered by a geopandas/shapely
STRtree (GeoSeries.sindex dwithin) over the segments plus the same
per-candidate geometry, so the ratio compares the index and candidate path.
Latencies are given in wall and CPU milliseconds (the machine may be shared).
BENCH_SIZE (default 1,000,000), QUERIES (default 300).
"""
from __future__ import annotations

import os
import time

import numpy as np


def _percentiles(ms: np.ndarray) -> str:
    return f"p50 {np.percentile(ms, 50):.2f} ms, p95 {np.percentile(ms, 95):.2f} ms, max {ms.max():.1f} ms"


def main() -> None:
    import shapely

    from gis.analysis import features, rules
    from gis.analysis.excavation import ExcavationIndex
    from tests.benchmarks.bench_clearance import city_file, read_city

    size = int(os.environ.get("BENCH_SIZE", 1_000_000))
    n_q = int(os.environ.get("QUERIES", 300))
    gdf = read_city(city_file(size))
    table = rules.load()
    t, c = time.perf_counter(), time.process_time()
    fs = features.build({"pipe_segments": gdf}, table, bands={})
    t1, c1 = time.perf_counter(), time.process_time()
    index = ExcavationIndex(fs, {})
    build = (time.perf_counter() - t, time.process_time() - c)
    grid = (time.perf_counter() - t1, time.process_time() - c1)
    rng = np.random.default_rng(3)
    xmin, ymin, xmax, ymax = gdf.total_bounds
    areas = []
    for _ in range(n_q):
        cx, cy = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        w, h = rng.uniform(10, 80, 2)
        areas.append(shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    index.query(areas[0], bottom_elev=-2.0, buffer=0.5)                 # warm-up
    wall, cpu, hits = [], [], 0
    for a in areas:
        t, c = time.perf_counter(), time.process_time()
        df = index.query(a, bottom_elev=-2.0, buffer=0.5)
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        hits += len(df)
    wall, cpu = np.array(wall) * 1000, np.array(cpu) * 1000
    # baseline: geopandas sindex (STRtree) dwithin query + the same clip of each candidate
    geoms = gdf.geometry.to_numpy()
    t = time.perf_counter()
    sidx = gdf.sindex
    sidx.query(areas[0])
    base_build = time.perf_counter() - t
    reach = 0.5 + fs.width.max() / 2
    bwall = []
    for a in areas:
        t = time.perf_counter()
        cand = sidx.query(a, predicate="dwithin", distance=reach)
        part = shapely.intersection(geoms[cand], shapely.buffer(a, reach))
        shapely.get_coordinates(part, include_z=True)
        bwall.append(time.perf_counter() - t)
    bwall = np.array(bwall) * 1000
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load}")
    print(f"{len(gdf):,} segments; index build {build[0]:.2f} s wall / {build[1]:.2f} s CPU with the feature arrays, "
          f"grid alone {grid[0]:.2f} s / {grid[1]:.2f} s; STRtree build {base_build:.2f} s")
    print(f"Subterra excavation query ({n_q} random 10-80 m pits, bottom -2 m, buffer 0.5 m, index built once): "
          f"wall {_percentiles(wall)}; CPU {_percentiles(cpu)}; {hits} conflicts")
    print(f"geopandas sindex dwithin + clip baseline: wall {_percentiles(bwall)} -> p95 ratio "
          f"{np.percentile(bwall, 95) / np.percentile(wall, 95):.2f}x")


if __name__ == "__main__":
    main()
