"""Survey-table import: 1,000,000 rows (points + lines CSV) end to end vs plain pandas + pyogrio.

Ours: `importers.plan_import` (read, map, validate every row, derive Z) +
`importers.commit` (one store transaction).  Baseline, same rows, no
validation: `pandas.read_csv` of both tables, point geometries from X/Y, line
geometries by joining end coordinates, `pyogrio.write_dataframe` of both
layers into a fresh GeoPackage.  Each side runs in its own process so its
peak RSS is its own.  Goal (TARGETS.md): >= 200k rows/s, within 2x of the
baseline.  Rows from SUBTERRA_BENCH_N (default 1,000,000; half points, half lines).

Run: `python -m tests.benchmarks import`
"""
from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

UTILS = ("JS", "PS", "RQ", "DL")


def write_survey(folder: Path, n_points: int, seed: int = 7) -> tuple[Path, Path]:
    """A mixed-utility point table and line table (UTF-8 CSV, Chinese headers); lines chain the points."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pacsv

    rng = np.random.default_rng(seed)
    run = 50                                                 # points per straight run
    k = np.arange(n_points)
    util = np.array(UTILS)[(k // run) % len(UTILS)]
    ids = np.char.add(util.astype("U2"), k.astype("U9"))
    north = 3_440_000 + (k // run) % 500 * 40.0 + rng.normal(0, 0.01, n_points)
    east = 520_000 + (k // (run * 500)) * 2_000.0 + (k % run) * 35.0 + rng.normal(0, 0.01, n_points)
    ground = 4.0 + rng.random(n_points)
    feature = np.array(["直线点", "三通", "弯头", "变径"])[rng.integers(0, 4, n_points)]
    points = pa.table({
        "物探点号": ids, "管线类型": util, "特征": feature, "X": np.round(north, 3), "Y": np.round(east, 3),
        "地面高程": np.round(ground, 3), "埋深": np.round(1.0 + rng.random(n_points), 2),
    })
    start = k[(k % run) != run - 1]
    lines = pa.table({
        "管线类型": util[start], "起点点号": ids[start], "终点点号": ids[start + 1],
        "起点埋深": np.round(1.0 + rng.random(len(start)), 2), "终点埋深": np.round(1.0 + rng.random(len(start)), 2),
        "材质": np.array(["球墨铸铁", "PE", "钢", "铸铁"])[rng.integers(0, 4, len(start))],
        "管径": np.array(["DN100", "DN200", "DN300", "DN500", "800x600"])[rng.integers(0, 5, len(start))],
        "权属单位": np.array(["水务集团", "燃气公司", "供电公司"])[rng.integers(0, 3, len(start))],
    })
    p_path, l_path = folder / "points.csv", folder / "lines.csv"
    pacsv.write_csv(points, p_path)
    pacsv.write_csv(lines, l_path)
    return p_path, l_path


def _ours(folder: Path) -> dict:
    import importers
    from gis.store import Project

    proj = Project.create(folder / "ours.gpkg")
    t0 = time.perf_counter()
    plan = importers.plan_import(proj, [folder / "points.csv", folder / "lines.csv"])
    t1 = time.perf_counter()
    result = importers.commit(proj, plan)
    t2 = time.perf_counter()
    assert not plan.problems, plan.problems[:3]
    return {"plan_s": t1 - t0, "commit_s": t2 - t1, "total_s": t2 - t0, "rows": sum(result.accepted.values())}


def _baseline(folder: Path) -> dict:
    import geopandas as gpd
    import numpy as np
    import pandas as pd
    import pyogrio
    import shapely

    t0 = time.perf_counter()
    pts = pd.read_csv(folder / "points.csv")
    lines = pd.read_csv(folder / "lines.csv")
    gp = gpd.GeoDataFrame(pts, geometry=shapely.points(pts["Y"], pts["X"], pts["地面高程"]), crs="EPSG:4549")
    xy = pts.set_index("物探点号")[["Y", "X", "地面高程"]]
    a = xy.reindex(lines["起点点号"]).to_numpy()
    b = xy.reindex(lines["终点点号"]).to_numpy()
    gl = gpd.GeoDataFrame(lines, geometry=shapely.linestrings(np.stack([a, b], axis=1)), crs="EPSG:4549")
    out = folder / "plain.gpkg"
    pyogrio.write_dataframe(gp, out, layer="pipe_points", use_arrow=True)
    pyogrio.write_dataframe(gl, out, layer="pipe_segments", use_arrow=True)
    return {"total_s": time.perf_counter() - t0, "rows": len(gp) + len(gl)}


def _xlsx(folder: Path) -> dict:
    """Plan (read + validate) a workbook vs reading its cells with openpyxl alone."""
    import openpyxl
    import pyarrow.csv as pacsv
    from python_calamine import CalamineWorkbook

    import importers
    from gis.store import Project

    book = openpyxl.Workbook(write_only=True)
    for name in ("points", "lines"):
        table = pacsv.read_csv(folder / f"{name}.csv")
        sheet = book.create_sheet(name)
        sheet.append(table.column_names)
        for row in zip(*(c.to_pylist() for c in table.columns)):
            sheet.append(row)
    path = folder / "survey.xlsx"
    book.save(path)
    t0 = time.perf_counter()
    read = openpyxl.load_workbook(path, read_only=True)
    cells = sum(1 for ws in read.worksheets for _ in ws.iter_rows(values_only=True))
    read.close()
    t1 = time.perf_counter()
    cal = CalamineWorkbook.from_path(str(path))
    cal_rows = sum(len(cal.get_sheet_by_name(n).to_python()) for n in cal.sheet_names)
    t_cal = time.perf_counter()
    proj = Project.create(folder / "xlsx.gpkg")
    t2 = time.perf_counter()
    plan = importers.plan_import(proj, [path])
    t3 = time.perf_counter()
    assert not plan.problems and cells == cal_rows, plan.problems[:3]
    return {"openpyxl_s": t1 - t0, "calamine_s": t_cal - t1, "plan_s": t3 - t2, "rows": sum(plan.accepted.values())}


def _child(side: str, folder: str) -> None:
    res = {"ours": _ours, "baseline": _baseline, "xlsx": _xlsx}[side](Path(folder))
    res["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(res))


def _run(side: str, folder: Path) -> dict:
    root = Path(__file__).resolve().parents[2]
    env = dict(os.environ, PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-m", "tests.benchmarks.bench_import", side, str(folder)],
                         cwd=root, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    n = int(os.environ.get("SUBTERRA_BENCH_N", "1000000"))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_survey(folder, n // 2)
        ours = _run("ours", folder)
        base = _run("baseline", folder)
        n_xlsx = int(os.environ.get("SUBTERRA_BENCH_XLSX_N", "100000"))
        small = folder / "xlsx"
        small.mkdir()
        write_survey(small, n_xlsx // 2)
        xlsx = _run("xlsx", small)
    rows = ours["rows"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"{rows:,} survey rows ({n // 2:,} points + lines), UTF-8 CSV")
    print(f"subterra import: {ours['total_s']:6.2f} s  = {rows / ours['total_s']:9,.0f} rows/s  "
          f"(plan/validate {ours['plan_s']:.2f} s = {rows / ours['plan_s']:,.0f} rows/s, "
          f"store commit {ours['commit_s']:.2f} s)  peak RSS {ours['peak_rss_mb']:.0f} MB")
    print(f"plain pandas + pyogrio: {base['total_s']:6.2f} s  = {base['rows'] / base['total_s']:9,.0f} rows/s  "
          f"peak RSS {base['peak_rss_mb']:.0f} MB")
    print(f"ratio subterra / plain: {ours['total_s'] / base['total_s']:.2f} (goal <= 2.0); "
          f"rows/s goal 200,000: {'met' if rows / ours['total_s'] >= 200_000 else 'NOT met'}")
    print(f".xlsx, {xlsx['rows']:,} rows: plan/validate {xlsx['plan_s']:.2f} s = "
          f"{xlsx['rows'] / xlsx['plan_s']:,.0f} rows/s (reads with python-calamine); bare reads of the same "
          f"cells: calamine {xlsx['calamine_s']:.2f} s, openpyxl read-only {xlsx['openpyxl_s']:.2f} s "
          f"(plan / openpyxl {xlsx['plan_s'] / xlsx['openpyxl_s']:.2f})")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        _child(sys.argv[1], sys.argv[2])
    else:
        main()
