"""Cross-section, longitudinal profile and chart output on a synthetic street grid.

Street grid 2 km x 2 km, streets every 100 m, six utilities along every
street in 40 m segments (~12,600 segments, ~12,600 points), flat DEM.
Baselines, measured in the same run: the least any cut must do (read the
layer in the cut's bounding box and keep what intersects it, geopandas),
reading just the run's segments by id, and writing a blank image / PDF page.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from tests.benchmarks.common import machine, peak_rss_mb, timed

X0, Y0 = 500_000.0, 3_400_000.0
SIZE, STREET, SEG = 2000.0, 100.0, 40.0
UTILITIES = (("DL", -9.0, 0.8, "rect"), ("TX", -6.0, 1.0, "rect"), ("JS", -3.0, 1.4, "circle"),
             ("RQ", 3.0, 1.5, "circle"), ("PS", 6.0, 2.8, "circle"), ("RL", 9.0, 1.8, "circle"))


def build(path: Path):
    """The synthetic project (written through the store API)."""
    import geopandas as gpd
    from affine import Affine
    from shapely import LineString, Point

    from gis.store import Project

    seg_rows, pt_rows = [], []
    n = int(SIZE / SEG)
    for axis in ("ns", "ew"):
        for k in range(int(SIZE / STREET) + 1):
            c = k * STREET
            for util, off, depth, shape in UTILITIES:
                ids = [f"{util}{axis}{k}_{j}" for j in range(n + 1)]
                for j in range(n + 1):
                    t = j * SEG
                    x, y = (c + off, t) if axis == "ns" else (t, c + off)
                    pt_rows.append({"point_id": ids[j], "utility": util, "ground_elev": 4.0,
                                    "appurtenance": "检查井" if util == "PS" else None,
                                    "well_depth": 3.2 if util == "PS" else None,
                                    "geometry": Point(X0 + x, Y0 + y, 4.0)})
                for j in range(n):
                    t0, t1 = j * SEG, (j + 1) * SEG
                    z0, z1 = 4.0 - depth - 0.002 * t0, 4.0 - depth - 0.002 * t1
                    a = (c + off, t0) if axis == "ns" else (t0, c + off)
                    b = (c + off, t1) if axis == "ns" else (t1, c + off)
                    row = {"line_id": f"{ids[j]}-{ids[j + 1]}", "utility": util, "start_point": ids[j],
                           "end_point": ids[j + 1], "shape": shape,
                           "geometry": LineString([(X0 + a[0], Y0 + a[1], z0), (X0 + b[0], Y0 + b[1], z1)])}
                    if shape == "rect":
                        row.update(width_mm=800.0, height_mm=500.0)
                    else:
                        row.update(diameter_mm=600.0 if util == "PS" else 300.0)
                    seg_rows.append(row)
    proj = Project.create(path)
    with proj.transaction() as txn:
        txn.insert("pipe_points", gpd.GeoDataFrame(pt_rows, geometry="geometry", crs=proj.crs))
        txn.insert("pipe_segments", gpd.GeoDataFrame(seg_rows, geometry="geometry", crs=proj.crs))
    proj.set_terrain(np.full((210, 210), 4.0), Affine(10, 0, X0 - 50, 0, -10, Y0 + SIZE + 50), "bench")
    return proj, len(seg_rows)


def main() -> None:
    """Print timings with their baselines and ratios."""
    from shapely import LineString

    from gis.cuts import cross_section, find_run, longitudinal_profile
    from viewers.charts.export import export_chart
    from viewers.charts.output import ensure_app, save_pdf, save_png

    res: dict[str, float] = {}
    ensure_app()                     # Qt start-up is not part of any figure
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        with timed(res, "build"):
            proj, n = build(tmp / "grid.gpkg")
        cut = LineString([(X0 - 20, Y0 + 1050), (X0 + SIZE + 20, Y0 + 1050)])
        terrain = proj.terrain()
        with timed(res, "baseline_cut"):
            gdf = proj.read("pipe_segments", bbox=cut.bounds)
            hits = gdf[gdf.intersects(cut)]
        with timed(res, "section"):
            sec = cross_section(proj, cut, terrain=terrain)
        assert len(sec.items) == len(hits), (len(sec.items), len(hits))
        start, end = "PSew10_0", f"PSew10_{int(SIZE / SEG)}"
        run = find_run(proj, [start, end])
        with timed(res, "baseline_run_read"):
            proj.read("pipe_segments", where="line_id IN (" + ", ".join(f"'{i}'" for i in run.line_ids) + ")")
        with timed(res, "find_run"):
            find_run(proj, [start, end])
        with timed(res, "profile"):
            prof = longitudinal_profile(proj, run, terrain=terrain)
        with timed(res, "baseline_png"):
            save_png(lambda p, r: None, tmp / "blank.png", (1600, 1000))
        with timed(res, "section_png"):
            export_chart(sec, tmp / "s.png")
        with timed(res, "profile_png"):
            export_chart(prof, tmp / "p.png")
        with timed(res, "baseline_pdf"):
            save_pdf(lambda p, r: None, tmp / "blank.pdf")
        with timed(res, "profile_pdf"):
            export_chart(prof, tmp / "p.pdf")
        with timed(res, "profile_csv"):
            export_chart(prof, tmp / "p.csv")
        proj.close()
    print(f"machine: {machine()}")
    print(f"project: {n} segments, built in {res['build']:.1f} s")
    print(f"section across {SIZE + 40:.0f} m, {len(sec.items)} features, {len(sec.clearances)} clear distances: "
          f"{res['section']:.3f} s  (baseline read+intersects {res['baseline_cut']:.3f} s, "
          f"ratio {res['section'] / res['baseline_cut']:.2f})")
    print(f"run of {len(run.line_ids)} segments: find_run {res['find_run']:.3f} s, profile {res['profile']:.3f} s "
          f"with {len(prof.crossings)} crossings  (baseline read of the run {res['baseline_run_read']:.3f} s, "
          f"ratio {res['profile'] / res['baseline_run_read']:.2f})")
    print(f"PNG 1600x1000: section {res['section_png']:.3f} s, profile {res['profile_png']:.3f} s  "
          f"(blank {res['baseline_png']:.3f} s, ratio {res['profile_png'] / res['baseline_png']:.1f})")
    print(f"PDF A3: profile {res['profile_pdf']:.3f} s  (blank page {res['baseline_pdf']:.3f} s, "
          f"ratio {res['profile_pdf'] / res['baseline_pdf']:.1f}); CSV {res['profile_csv']:.3f} s")
    print(f"peak RSS {peak_rss_mb():.0f} MB")
