"""Excavation queries against a ~1M-segment city with the index built (TARGETS.md: p95 under 10 ms).

Baseline in the same run: the same query answered by a geopandas/shapely
STRtree (GeoSeries.sindex dwithin) over the segments plus the same
per-candidate geometry, so the ratio compares the index and candidate path.
BENCH_SIZE (default 1,000,000), QUERIES (default 300).
"""
from __future__ import annotations

import os
import time

import numpy as np


def main() -> None:
    import geopandas as gpd
    import shapely

    from gis.analysis import features, rules
    from gis.analysis.excavation import ExcavationIndex
    from tests.benchmarks.bench_clearance import city_file

    size = int(os.environ.get("BENCH_SIZE", 1_000_000))
    n_q = int(os.environ.get("QUERIES", 300))
    gdf = gpd.read_parquet(city_file(size))
    table = rules.load()
    t = time.perf_counter()
    fs = features.build({"pipe_segments": gdf}, table, bands={})
    index = ExcavationIndex(fs, {})
    build_s = time.perf_counter() - t
    rng = np.random.default_rng(3)
    xmin, ymin, xmax, ymax = gdf.total_bounds
    areas = []
    for _ in range(n_q):
        cx, cy = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        w, h = rng.uniform(10, 80, 2)
        areas.append(shapely.box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    times, hits = [], 0
    for a in areas:
        t = time.perf_counter()
        df = index.query(a, bottom_elev=-2.0, buffer=0.5)
        times.append(time.perf_counter() - t)
        hits += len(df)
    times = np.array(times) * 1000
    # baseline: geopandas sindex (STRtree) dwithin query + distance filter
    geoms = gdf.geometry.to_numpy()
    t = time.perf_counter()
    sidx = gdf.sindex
    sidx.query(areas[0])
    base_build = time.perf_counter() - t
    btimes = []
    for a in areas:
        t = time.perf_counter()
        cand = sidx.query(a, predicate="dwithin", distance=0.5 + fs.width.max() / 2)
        part = shapely.intersection(geoms[cand], shapely.buffer(a, 0.5 + fs.width.max() / 2))
        shapely.get_coordinates(part, include_z=True)
        btimes.append(time.perf_counter() - t)
    btimes = np.array(btimes) * 1000
    print(f"{len(gdf):,} segments; index build (features + grid) {build_s:.2f} s; STRtree build {base_build:.2f} s")
    print(f"Subterra excavation query ({n_q} random 10-80 m pits, bottom -2 m, buffer 0.5 m): "
          f"p50 {np.percentile(times, 50):.2f} ms, p95 {np.percentile(times, 95):.2f} ms, max {times.max():.1f} ms; "
          f"{hits} conflicts")
    print(f"geopandas sindex dwithin + clip baseline: p50 {np.percentile(btimes, 50):.2f} ms, "
          f"p95 {np.percentile(btimes, 95):.2f} ms -> p95 ratio {np.percentile(btimes, 95) / np.percentile(times, 95):.2f}x")


if __name__ == "__main__":
    main()
