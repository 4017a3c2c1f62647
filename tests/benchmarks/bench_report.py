"""Check reports at scale: a run of 1,000,000 findings on a synthetic city (issue 5 "Output").

Builds a project of BENCH_REPORT_SEGMENTS segments (default 100,000) through
the store, runs the real clearance audit, and repeats its findings (new ids,
same features) up to BENCH_REPORT_FINDINGS (default 1,000,000).  Measured in
the same run: the report (content with map extract, HTML + companion CSV,
PDF of the capped table) against the baseline the CLI already has for a
run this size, `--out findings.csv` (gis.analysis.findings.export).
`python -m tests.benchmarks report`.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from tests.benchmarks.common import machine, peak_rss_mb, timed


def _project(folder: Path, n: int):
    import geopandas as gpd

    from gis import layers
    from gis.store import Project
    from tests.synthetic_city import city

    gdf = city(n, seed=1)
    keep = [c for c in gdf.columns if c in layers.get("pipe_segments").field_names] + ["geometry"]
    proj = Project.create(folder / "city.gpkg")
    with proj.transaction() as txn:
        txn.insert("pipe_segments", gpd.GeoDataFrame(gdf[keep], geometry="geometry", crs=proj.crs))
    return proj


def _scale(result, n: int):
    """The run's findings repeated to ``n`` rows with fresh finding ids."""
    from gis.analysis import findings as fnd

    df = result.findings
    big = df.iloc[np.resize(np.arange(len(df)), n)].reset_index(drop=True)
    big["finding_id"] = [f"{result.run_id}-{i}" for i in range(1, n + 1)]
    return fnd.CheckResult(result.run_id, result.check, dict(result.summary, findings=n), big)


def main() -> None:
    from gis.analysis import clearance, findings as fnd
    from gis.report import ReportOptions, build_report, write_html
    from viewers.qt_print import write_pdf
    from viewers.report_output import render_map

    segments = int(os.environ.get("BENCH_REPORT_SEGMENTS", 100_000))
    n = int(os.environ.get("BENCH_REPORT_FINDINGS", 1_000_000))
    t: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with timed(t, "project"):
            proj = _project(folder, segments)
        with timed(t, "audit"):
            run = clearance.run(proj, clearance.ClearanceOptions(write=False))
        result = _scale(run, n)
        with timed(t, "baseline_csv"):
            fnd.export(result, folder / "out.csv")
        with timed(t, "build"):
            report = build_report(result, proj, ReportOptions(), render_map=render_map)
        with timed(t, "html"):
            html = write_html(report, folder / "report.html")
        with timed(t, "pdf"):
            write_pdf(report, folder / "report.pdf")
        sizes = {k: os.path.getsize(folder / f) / 1e6 for k, f in
                 (("csv", "out.csv"), ("html", "report.html"), ("pdf", "report.pdf"),
                  ("companion", Path(html["csv"]).name))}
        proj.close()
    print(f"machine: {machine()}")
    print(f"project: {segments:,} segments built in {t['project']:.1f} s; audit {len(run.findings):,} findings "
          f"in {t['audit']:.1f} s, repeated to {n:,}")
    print(f"baseline (--out findings.csv, same run): {t['baseline_csv']:.2f} s, {sizes['csv']:.0f} MB")
    print(f"report content (sort, sensitive policy, owners, map extract): {t['build']:.2f} s "
          f"({t['build'] / t['baseline_csv']:.2f} x baseline)")
    print(f"HTML + companion CSV: {t['html']:.2f} s ({t['html'] / t['baseline_csv']:.2f} x baseline); "
          f"HTML {sizes['html']:.1f} MB with {html['rows']:,} rows, CSV {sizes['companion']:.0f} MB")
    print(f"PDF + companion CSV: {t['pdf']:.2f} s ({t['pdf'] / t['baseline_csv']:.2f} x baseline); "
          f"{sizes['pdf']:.1f} MB")
    print(f"owners: {len(report.owners)}; peak RSS {peak_rss_mb():.0f} MB")
    print(pd.Series(report.summary["by_severity"]).to_string())
