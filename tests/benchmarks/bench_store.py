"""Store: write and read 1,000,000 LineString Z segments vs plain pyogrio on the same data.

Goal (issue 2 / TARGETS.md): store overhead under 25 % against pyogrio.
Run: `python -m tests.benchmarks store` (N from SUBTERRA_BENCH_N, default 1,000,000).
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tests.benchmarks.common import machine, peak_rss_mb, timed


def main() -> None:
    import pyogrio

    from gis.store import Project
    from tests.store.helpers import segments

    from gis.layers import get

    n = int(os.environ.get("SUBTERRA_BENCH_N", "1000000"))
    gdf = segments(n, "EPSG:4549")
    # The baseline writes the same table the store holds: every registry field (NULL where unset).
    full = gdf.copy()
    for field in get("pipe_segments").fields:
        if field.name not in full:
            full[field.name] = None if field.type in ("str", "date", "datetime") else float("nan")
    res: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        plain, ours = Path(tmp) / "plain.gpkg", Path(tmp) / "ours.gpkg"
        with timed(res, "pyogrio_write"):
            pyogrio.write_dataframe(full, plain, layer="pipe_segments", use_arrow=True)
        proj = Project.create(ours)
        with timed(res, "store_write"):
            with proj.transaction() as txn:
                txn.insert("pipe_segments", gdf)
        with timed(res, "pyogrio_read"):
            a = pyogrio.read_dataframe(plain, layer="pipe_segments", use_arrow=True)
        with timed(res, "store_read"):
            b = proj.read("pipe_segments")
        assert len(a) == len(b) == n
        size_plain, size_ours = plain.stat().st_size, ours.stat().st_size
        proj.close()
    print(f"machine: {machine()}; {n:,} two-point LineString Z segments, 7 attributes set, "
          f"{len(full.columns) - 1} columns")
    for op in ("write", "read"):
        for clock, suffix in (("wall", ""), ("cpu", "_cpu")):
            base, mine = res[f"pyogrio_{op}{suffix}"], res[f"store_{op}{suffix}"]
            print(f"{op:5} {clock:4}: store {mine:6.2f} s   pyogrio {base:6.2f} s   ratio {mine / base:4.2f} "
                  f"(overhead {100 * (mine / base - 1):+.0f} %)")
    print(f"file size: store {size_ours / 1e6:.0f} MB, pyogrio {size_plain / 1e6:.0f} MB; "
          f"peak RSS {peak_rss_mb():.0f} MB")
