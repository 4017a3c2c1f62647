"""Clearance audit at city scale against a geopandas baseline measured in the same run (TARGETS.md).

Every case runs in a fresh child process, so the peak RSS printed is that
case's alone (the whole process: interpreter, libraries, the input as read
and the audit).  The input is the synthetic city (tests.synthetic_city) read
from a GeoParquet cache with only the columns the engine uses; the read is
timed apart and excluded from compute, and the frame is handed to the engine
the way ``features.load`` hands over a project read (not kept alongside).
Compute is reported as wall and CPU seconds (CPU of all threads) per phase,
because the machine may be shared: CPU shows the work, wall what a user waits.
A small audit runs first in each child, so library imports and first-call
set-up (as in a running app) are not counted.

Sizes: BENCH_SIZE (default 1,000,000 segments), BASELINE_SIZE (default
300,000; the baseline is extrapolated linearly to BENCH_SIZE when smaller,
and says so), CHECK_SIZE (default 20,000: findings compared with the
brute-force reference), RUNS (default 3).  DEMO_PROJECT=path.gpkg also audits
a project file read through the store; BENCH_DEMO=1 does so on ``gis.demo``'s
"city" project (built into the cache on first use).
`python -m tests.benchmarks clearance`.
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
PHASES = ("features", "index", "pairs", "judge", "rows", "frame")


def city_file(n: int) -> Path:
    """The cached synthetic city of about n segments (generated on first use)."""
    from tests.synthetic_city import city

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"city_{n}.parquet"
    if not path.exists():
        city(n, seed=1).to_parquet(path)
    return path


def demo_file() -> Path:
    """The demo city project (gis.demo "city", about 1M pipe segments), built on first use (minutes)."""
    import gis.demo

    path = CACHE / "demo_city.gpkg"
    if not path.exists():
        CACHE.mkdir(exist_ok=True)
        gis.demo.build(path, "city").close()
    return path


def read_city(path: str):
    """The city as the engine reads it: only the columns it uses."""
    import geopandas as gpd
    import pyarrow.parquet as pq

    from gis.analysis.features import SEGMENT_COLUMNS

    present = set(pq.read_schema(path).names)
    return gpd.read_parquet(path, columns=[c for c in SEGMENT_COLUMNS if c in present] + ["geometry"])


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _audit(frames: dict, table, threads: int) -> dict:
    """features + audit + findings frame, timed per phase (wall and CPU); ``frames`` is emptied."""
    from gis.analysis import clearance, features, findings

    clock = clearance.PhaseClock()
    fs = features.build(frames, table)
    clock.lap("features")
    frames.clear()                 # the read frames go, as in features.load (freeing them is not compute)
    features.release_memory()
    clock.lap("release")
    res = clearance.audit(fs, table, threads=threads)
    clock.timings.update(res.timings)
    clock.lap("audit")
    df = findings.frame(res.findings, "clearance", findings.new_run_id("clearance"))
    clock.lap("frame")
    t = clock.timings
    return {"segments": len(fs), "compute_s": sum(t[f"{p}_s"] for p in PHASES),
            "compute_cpu_s": sum(t[f"{p}_cpu_s"] for p in PHASES), "timings": t,
            "candidate_pairs": res.counts["candidate_pairs"], "findings": len(df),
            "violations": int((df.deficit_m > 1e-6).sum()), "peak_rss_mb": _rss_mb()}


def _warm_up(table) -> None:
    """One small audit first, so library imports and first-call set-up are not timed (a running app has them)."""
    from gis.analysis import clearance, features
    from tests.synthetic_city import city

    clearance.audit(features.build({"pipe_segments": city(2000, seed=2)}, table), table)


def engine(path: str, threads: int = 2) -> dict:
    """Subterra on the synthetic city: read (excluded), then features + index + audit + findings frame."""
    from gis.analysis import rules

    table = rules.load()
    _warm_up(table)
    t = time.perf_counter()
    frames = {"pipe_segments": read_city(path)}
    read_s, rss_read = time.perf_counter() - t, _rss_mb()
    out = _audit(frames, table, int(threads))
    return {**out, "read_s": read_s, "rss_after_read_mb": rss_read}


def demo(path: str, threads: int = 2) -> dict:
    """Subterra on a project file read through the store (features.read_frames, excluded from compute)."""
    from gis.analysis import features, rules
    from gis.store import Project

    with Project.open(path, readonly=True) as proj:
        table = rules.load_for_project(proj)
        _warm_up(table)
        t = time.perf_counter()
        frames = features.read_frames(proj)
        read_s, rss_read = time.perf_counter() - t, _rss_mb()
        out = _audit(frames, table, int(threads))
    return {**out, "read_s": read_s, "rss_after_read_mb": rss_read}


def index_build(path: str) -> dict:
    """The spatial index alone: GridIndex over the audit's grown piece boxes, and with the spatial ordering."""
    from gis.analysis import clearance, features, rules
    from gis.analysis.grid_index import GridIndex

    table = rules.load()
    fs = features.build({"pipe_segments": read_city(path)}, table)
    clock = clearance.PhaseClock()
    _, _, index = clearance.prepare(fs, table)
    clock.lap("prepare")
    rebuilt = GridIndex(index.xmin, index.ymin, index.xmax, index.ymax, index.cell)
    clock.lap("grid")
    return {"boxes": len(rebuilt), "entries": rebuilt.n_entries, **clock.timings}


def baseline(path: str) -> dict:
    """geopandas: sjoin(dwithin) + vectorised shapely distances/crossings under the same rules."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from gis.analysis import coverage, features, findings, rules

    t = time.perf_counter()
    gdf = read_city(path)
    read_s = time.perf_counter() - t
    table = rules.load()
    t, c = time.perf_counter(), time.process_time()
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
    return {"segments": len(gdf), "read_s": read_s, "compute_s": time.perf_counter() - t,
            "compute_cpu_s": time.process_time() - c, "sjoin_s": sjoin_s, "crossing_s": crossing_s,
            "candidate_pairs": int(len(i)), "findings": n_find, "peak_rss_mb": _rss_mb()}


def check(n: int) -> dict:
    """Findings of the engine and the brute-force reference on a smaller city."""
    from gis.analysis import clearance, features, rules
    from tests.clearance_reference import reference

    table = rules.load()
    fs = features.build({"pipe_segments": read_city(city_file(int(n)))}, table)
    res = clearance.audit(fs, table)
    t = time.perf_counter()
    ref, counts = reference(fs, table)
    df = res.findings
    got = {(k,) + tuple(sorted((a, b))) for k, a, b in zip(df.kind, df.a_id, df.b_id)}
    return {"segments": len(fs), "engine_findings": len(got), "reference_findings": len(ref),
            "identical": got == set(ref) and counts["no_rule_pairs"] == res.counts["no_rule_pairs"],
            "reference_s": time.perf_counter() - t}


def _child(fn: str, *args) -> dict:
    code = f"import json,sys; from tests.benchmarks.bench_clearance import {fn}; print(json.dumps({fn}(*sys.argv[1:])))"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, env=env)
    if out.returncode:
        raise RuntimeError(f"{fn}{args} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _phases(r: dict) -> str:
    t = r["timings"]
    return ", ".join(f"{p} {t[f'{p}_s']:.2f}/{t[f'{p}_cpu_s']:.2f}" for p in PHASES)


def _engine_lines(title: str, runs: list[dict]) -> None:
    best = min(runs, key=lambda r: r["compute_s"])
    walls = ", ".join(f"{r['compute_s']:.2f}" for r in runs)
    cpus = ", ".join(f"{r['compute_cpu_s']:.2f}" for r in runs)
    print(f"{title}, {best['segments']:,} segments, 2 threads; best of {len(runs)} by wall "
          f"(all wall: {walls} s; CPU: {cpus} s)")
    print(f"  compute {best['compute_s']:.2f} s wall, {best['compute_cpu_s']:.2f} s CPU (all threads); "
          f"read {best['read_s']:.2f} s and freeing the read frame {best['timings']['release_s']:.2f} s excluded")
    print(f"  by phase, wall/CPU s: {_phases(best)}")
    print(f"  {best['candidate_pairs']:,} pairs kept; {best['findings']:,} findings, {best['violations']:,} violations")
    print(f"  peak RSS {best['peak_rss_mb']:.0f} MB, whole process (after reading the input: "
          f"{best['rss_after_read_mb']:.0f} MB)")


def main() -> None:
    size = int(os.environ.get("BENCH_SIZE", 1_000_000))
    base_size = int(os.environ.get("BASELINE_SIZE", 300_000))
    check_size = int(os.environ.get("CHECK_SIZE", 20_000))
    n_runs = int(os.environ.get("RUNS", 3))
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (shared: compare CPU seconds when it is busy); "
          f"synthetic city cache {CACHE}", flush=True)
    for n in {size, base_size, check_size}:
        city_file(n)
    runs = [_child("engine", city_file(size)) for _ in range(n_runs)]
    _engine_lines("Subterra engine", runs)
    best = min(runs, key=lambda r: r["compute_s"])
    ix = _child("index_build", city_file(size))
    print(f"  spatial index build: {ix['grid_s']:.2f} s wall / {ix['grid_cpu_s']:.2f} s CPU "
          f"({ix['boxes']:,} boxes -> {ix['entries']:,} grid entries); with the spatial ordering of the pieces "
          f"{ix['prepare_s']:.2f} s / {ix['prepare_cpu_s']:.2f} s", flush=True)
    eng_small = _child("engine", city_file(base_size)) if base_size != size else best
    base = _child("baseline", city_file(base_size))
    print(f"geopandas baseline, {base['segments']:,} segments: compute {base['compute_s']:.2f} s wall, "
          f"{base['compute_cpu_s']:.2f} s CPU (sindex dwithin {base['sjoin_s']:.2f}, crossings {base['crossing_s']:.2f}), "
          f"{base['candidate_pairs']:,} pairs, {base['findings']:,} findings, peak RSS {base['peak_rss_mb']:.0f} MB")
    print(f"  same size, Subterra: {eng_small['compute_s']:.2f} s wall, {eng_small['compute_cpu_s']:.2f} s CPU, "
          f"{eng_small['findings']:,} findings -> ratio {base['compute_s'] / eng_small['compute_s']:.1f}x wall, "
          f"{base['compute_cpu_s'] / eng_small['compute_cpu_s']:.1f}x CPU")
    if base["segments"] != best["segments"]:
        scale = best["segments"] / base["segments"]
        est, est_cpu = base["compute_s"] * scale, base["compute_cpu_s"] * scale
        print(f"  baseline extrapolated linearly to {best['segments']:,} (extrapolated, not measured): "
              f"~{est:.1f} s wall, ~{est_cpu:.1f} s CPU -> ratio ~{est / best['compute_s']:.1f}x wall, "
              f"~{est_cpu / best['compute_cpu_s']:.1f}x CPU")
    demo_path = os.environ.get("DEMO_PROJECT") or (str(demo_file()) if os.environ.get("BENCH_DEMO") else None)
    if demo_path:
        _engine_lines(f"Subterra engine on {demo_path} (store read)",
                      [_child("demo", demo_path) for _ in range(n_runs)])
    if check_size:
        c = _child("check", check_size)
        print(f"brute force at {c['segments']:,} segments: identical findings: {c['identical']} "
              f"({c['engine_findings']:,} vs {c['reference_findings']:,}; reference {c['reference_s']:.0f} s)")


if __name__ == "__main__":
    main()
