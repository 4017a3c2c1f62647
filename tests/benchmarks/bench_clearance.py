"""Clearance audit at city scale against a geopandas baseline measured in the same run (TARGETS.md).

Each measurement runs in a fresh child process that reads the synthetic city
from a GeoParquet cache (read time reported, excluded from compute) and
reports compute time and peak RSS.  Sizes: BENCH_SIZE (default 1,000,000
segments), BASELINE_SIZE (default 300,000; extrapolated linearly to
BENCH_SIZE when smaller), CHECK_SIZE (default 20,000: findings compared with
the brute-force reference).  `python -m tests.benchmarks clearance`.
"""
from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CACHE = Path(tempfile.gettempdir()) / "subterra-bench"


def city_file(n: int) -> Path:
    """The cached synthetic city of about n segments (generated on first use)."""
    from tests.synthetic_city import city

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"city_{n}.parquet"
    if not path.exists():
        city(n, seed=1).to_parquet(path)
    return path


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def engine(path: str, threads: int = 2) -> dict:
    """Subterra: features + index + audit + findings table; compute timed without the read."""
    import geopandas as gpd

    from gis.analysis import clearance, features, findings, rules
    from gis.analysis.grid_index import GridIndex

    t = time.perf_counter()
    gdf = gpd.read_parquet(path)
    read_s = time.perf_counter() - t
    rss_read = _rss_mb()
    table = rules.load()
    t = time.perf_counter()
    fs = features.build({"pipe_segments": gdf}, table)
    build_s = time.perf_counter() - t
    res = clearance.audit(fs, table, threads=threads)
    df = findings.frame(res.findings, "clearance", findings.new_run_id("clearance"))
    compute_s = time.perf_counter() - t
    # index build alone (the same boxes the audit uses)
    p, ctx, index, _ = clearance.prepare(fs, table)
    t = time.perf_counter()
    GridIndex(index.xmin, index.ymin, index.xmax, index.ymax, index.cell)
    index_s = time.perf_counter() - t
    return {"segments": len(gdf), "read_s": read_s, "compute_s": compute_s, "features_s": build_s,
            "index_build_s": index_s, "index_entries": index.n_entries, "timings": res.timings,
            "candidate_pairs": res.counts["candidate_pairs"], "findings": len(df),
            "violations": int((df.deficit_m > 1e-6).sum()), "rss_after_read_mb": rss_read,
            "peak_rss_mb": _rss_mb()}


def baseline(path: str) -> dict:
    """geopandas: sjoin(dwithin) + vectorised shapely distances/crossings under the same rules."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from gis.analysis import coverage, features, findings, rules

    t = time.perf_counter()
    gdf = gpd.read_parquet(path)
    read_s = time.perf_counter() - t
    table = rules.load()
    t = time.perf_counter()
    fs = features.build({"pipe_segments": gdf}, table)          # attributes, runs (same as the engine)
    H, HR = table.pair_matrix("horizontal", fs.profiles)
    V, VR = table.pair_matrix("vertical", fs.profiles)
    rmax = float(np.nanmax(H))
    geom = shapely.force_2d(gdf.geometry.to_numpy())
    g2 = gpd.GeoDataFrame(geometry=geom, crs=gdf.crs)
    reach = rmax + fs.width.max() + 2 * fs.band.max()
    t1 = time.perf_counter()
    left, right = g2.sindex.query(geom, predicate="dwithin", distance=reach)
    sjoin_s = time.perf_counter() - t1
    k = left < right
    i, j = left[k], right[k]
    keep = fs.run[i] != fs.run[j]
    e = fs.ends
    keep &= ~(((e[i, 0] >= 0) & ((e[i, 0] == e[j, 0]) | (e[i, 0] == e[j, 1])))
              | ((e[i, 1] >= 0) & ((e[i, 1] == e[j, 0]) | (e[i, 1] == e[j, 1]))))
    i, j = i[keep], j[keep]
    gi, gj = geom[i], geom[j]
    t1 = time.perf_counter()
    cross = shapely.intersects(gi, gj)
    ci, cj = i[cross], j[cross]
    pts = shapely.get_point(shapely.intersection(geom[ci], geom[cj]), 0)
    pts = np.where(shapely.is_empty(pts) | shapely.is_missing(pts), shapely.intersection(geom[ci], geom[cj]), pts)
    us = shapely.line_locate_point(geom[ci], pts, normalized=True)
    ut = shapely.line_locate_point(geom[cj], pts, normalized=True)
    crossing_s = time.perf_counter() - t1
    z = lambda f, u: fs.z0[f] + u * (fs.z1[f] - fs.z0[f])   # noqa: E731 - two-point segments
    clear_v = np.abs(z(ci, us) - z(cj, ut)) - (fs.height[ci] + fs.height[cj]) / 2
    vreq = V[fs.profile[ci], fs.profile[cj]]
    vflag = findings.judge(clear_v, vreq, fs.band[ci] + fs.band[cj])[2] & ~np.isnan(vreq)
    hi, hj = i[~cross], j[~cross]
    dist = shapely.distance(geom[hi], geom[hj])
    clear_h = dist - (fs.width[hi] + fs.width[hj]) / 2
    hreq = H[fs.profile[hi], fs.profile[hj]]
    hflag = findings.judge(clear_h, hreq, fs.band[hi] + fs.band[hj])[2] & ~np.isnan(hreq)
    fi, fj = hi[hflag], hj[hflag]
    line = shapely.shortest_line(geom[fi], geom[fj])
    ua = shapely.line_locate_point(geom[fi], shapely.get_point(line, 0), normalized=True)
    ub = shapely.line_locate_point(geom[fj], shapely.get_point(line, 1), normalized=True)
    length = np.hypot(fs.x1 - fs.x0, fs.y1 - fs.y0)
    sin = np.abs((fs.x1[ci] - fs.x0[ci]) * (fs.y1[cj] - fs.y0[cj]) - (fs.y1[ci] - fs.y0[ci]) * (fs.x1[cj] - fs.x0[cj])) \
        / (length[ci] * length[cj])
    nan = np.full(len(fi), np.nan)
    cov = coverage.covered(coverage.PieceGraph(fs.n0, fs.n1, length, fs.run, fs.n_nodes), ci, cj, us, ut, sin,
                           fi, fj, ua, ub, nan, nan, hreq[hflag] + (fs.width[fi] + fs.width[fj]) / 2)
    n_find = int(vflag.sum() + (~cov).sum())
    return {"segments": len(gdf), "read_s": read_s, "compute_s": time.perf_counter() - t, "sjoin_s": sjoin_s,
            "crossing_s": crossing_s, "candidate_pairs": int(len(i)), "findings": n_find, "peak_rss_mb": _rss_mb()}


def check(n: int) -> dict:
    """Findings of the engine and the brute-force reference on a smaller city."""
    import geopandas as gpd

    from gis.analysis import clearance, features, rules
    from tests.clearance_reference import reference

    gdf = gpd.read_parquet(city_file(n))
    table = rules.load()
    fs = features.build({"pipe_segments": gdf}, table)
    res = clearance.audit(fs, table)
    t = time.perf_counter()
    ref, counts = reference(fs, table)
    df = res.findings
    got = {(k,) + tuple(sorted((a, b))) for k, a, b in zip(df.kind, df.a_id, df.b_id)}
    return {"segments": len(gdf), "engine_findings": len(got), "reference_findings": len(ref),
            "identical": got == set(ref) and counts["no_rule_pairs"] == res.counts["no_rule_pairs"],
            "reference_s": time.perf_counter() - t}


def _child(fn: str, *args) -> dict:
    code = f"import json,sys; from tests.benchmarks.bench_clearance import {fn}; print(json.dumps({fn}(*sys.argv[1:])))"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, env=env,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    size = int(os.environ.get("BENCH_SIZE", 1_000_000))
    base_size = int(os.environ.get("BASELINE_SIZE", 300_000))
    check_size = int(os.environ.get("CHECK_SIZE", 20_000))
    print(f"machine: {os.cpu_count()} cores; synthetic city cache {CACHE}", flush=True)
    for n in {size, base_size, check_size}:
        city_file(n)
    eng = [_child("engine", city_file(size)) for _ in range(3)]
    best = min(eng, key=lambda r: r["compute_s"])
    runs = ", ".join(f"{r['compute_s']:.2f}" for r in eng)
    print(f"Subterra engine, {best['segments']:,} segments, 2 threads (best of 3; all: {runs} s)")
    print(f"  compute {best['compute_s']:.2f} s (features {best['features_s']:.2f}, "
          f"{', '.join(f'{k} {v:.2f}' for k, v in best['timings'].items())}); read {best['read_s']:.2f} s excluded")
    print(f"  index build {best['index_build_s']:.2f} s ({best['index_entries']:,} entries); "
          f"{best['candidate_pairs']:,} pairs kept; {best['findings']:,} findings, {best['violations']:,} violations")
    print(f"  peak RSS {best['peak_rss_mb']:.0f} MB (after reading the input: {best['rss_after_read_mb']:.0f} MB)")
    eng_small = _child("engine", city_file(base_size)) if base_size != size else best
    base = _child("baseline", city_file(base_size))
    scale = size / base["segments"] * (best["segments"] / size)
    print(f"geopandas baseline, {base['segments']:,} segments: compute {base['compute_s']:.2f} s "
          f"(sindex dwithin {base['sjoin_s']:.2f}, crossings {base['crossing_s']:.2f}), "
          f"{base['candidate_pairs']:,} pairs, {base['findings']:,} findings, peak RSS {base['peak_rss_mb']:.0f} MB")
    print(f"  same size, Subterra: {eng_small['compute_s']:.2f} s, {eng_small['findings']:,} findings -> "
          f"ratio {base['compute_s'] / eng_small['compute_s']:.1f}x")
    if base["segments"] != best["segments"]:
        est = base["compute_s"] * scale
        print(f"  baseline extrapolated linearly to {best['segments']:,}: ~{est:.1f} s -> ratio "
              f"~{est / best['compute_s']:.1f}x (extrapolated, not measured)")
    if check_size:
        c = _child("check", check_size)
        print(f"brute force at {c['segments']:,} segments: identical findings: {c['identical']} "
              f"({c['engine_findings']:,} vs {c['reference_findings']:,}; reference {c['reference_s']:.0f} s)")


if __name__ == "__main__":
    main()
