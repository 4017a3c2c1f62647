"""Findings dock and markers at scale: what the GUI thread spends on a large run.

A synthetic run of N findings (deterministic): building the severity
markers (viewers.scene.findings), loading the table model, sorting by
deficit and by feature id, filtering by severity, finding a row by id.
Baseline, measured in the same run: the standard Qt way of making a table
sortable, QSortFilterProxyModel over the same model (it sorts by reading
every cell's display text through data()).
"""
from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

N = int(os.environ.get("SUBTERRA_BENCH_FINDINGS", "50000"))


def synthetic(n: int) -> pd.DataFrame:
    """n findings shaped like a clearance run's."""
    from gis.analysis.findings import COLUMNS, SEVERITY_ORDER

    rng = np.random.default_rng(0)
    deficit = rng.normal(-0.1, 0.3, n)
    df = pd.DataFrame({c: pd.Series([None] * n, dtype=object) for c in COLUMNS})
    df["finding_id"] = [f"20260101T000000000000Z-clearance-{i + 1}" for i in range(n)]
    df["kind"] = "horizontal"
    df["a_id"] = [f"JS{i:06d}-JS{i + 1:06d}" for i in rng.permutation(n)]
    df["b_id"] = [f"WS{i:06d}-WS{i + 1:06d}" for i in rng.permutation(n)]
    df["required_m"], df["actual_m"], df["deficit_m"] = 1.0, 1.0 - deficit, deficit
    df["severity"] = pd.Categorical(rng.choice(list(SEVERITY_ORDER), n), categories=list(SEVERITY_ORDER))
    df["uncertain"] = rng.random(n) < 0.5
    df["confidence"] = pd.Categorical(rng.choice(["verified", "unverified"], n))
    df["x"], df["y"], df["z"] = rng.uniform(0, 20000, n), rng.uniform(0, 20000, n), rng.uniform(-6, 2, n)
    return df


def _time(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def main() -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSortFilterProxyModel, Qt
    from PySide6.QtWidgets import QApplication

    from app.gui.findings_model import COLUMNS, FindingsModel
    from viewers.scene.findings import findings_markers

    QApplication.instance() or QApplication([])
    df = synthetic(N)
    print(f"findings: {N:,} (SUBTERRA_BENCH_FINDINGS), machine: {os.cpu_count()} cores")
    findings_markers(df.head(10), np.zeros(3))          # imports (VTK, report palette) outside the timing
    model = FindingsModel()
    deficit, a_id = COLUMNS.index("deficit_m"), COLUMNS.index("a_id")
    ours = {
        "markers (one actor)": _time(lambda: findings_markers(df, np.array([10000.0, 10000.0, 0.0]))),
        "load table model": _time(lambda: model.set_findings(df)),
        "sort by deficit": _time(lambda: model.sort(deficit, Qt.SortOrder.DescendingOrder)),
        "sort by feature A": _time(lambda: model.sort(a_id, Qt.SortOrder.AscendingOrder)),
        "filter severity": _time(lambda: model.set_severities(["critical", "major"])),
        "find row by id": _time(lambda: model.row_of(df["finding_id"].iloc[N // 2])),
    }
    for name, seconds in ours.items():
        print(f"  {name:<22} {seconds * 1000:9.1f} ms")
    model.set_severities(["critical", "major", "minor", "info"])
    base = FindingsModel()
    base.set_findings(df)
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(base)
    baseline = _time(lambda: proxy.sort(deficit, Qt.SortOrder.DescendingOrder))
    model.sort(a_id, Qt.SortOrder.AscendingOrder)
    ours_sort = _time(lambda: model.sort(deficit, Qt.SortOrder.DescendingOrder))
    print(f"sort by deficit: Subterra model {ours_sort * 1000:.1f} ms, baseline QSortFilterProxyModel "
          f"{baseline * 1000:.1f} ms, ratio {baseline / max(ours_sort, 1e-9):.1f}x faster")
