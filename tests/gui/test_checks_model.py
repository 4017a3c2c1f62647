"""The findings table model on a hand-made frame: sort orders, missing values, filter, marks, labels."""
from __future__ import annotations

import numpy as np
import pandas as pd
from PySide6.QtCore import Qt

from app.gui import i18n
from app.gui.findings_model import COLUMNS, FINDING_ROLE, FindingsModel

ROWS = [  # finding_id, severity, a_id, deficit, confidence
    ("f1", "info", "JS2", -0.20, "verified"),
    ("f2", "critical", None, 0.90, "unverified"),
    ("f3", "major", "JS1", np.nan, "disputed"),
    ("f4", "minor", "JS3", 0.05, None),
    ("f5", "critical", "JS0", 0.70, "verified"),
]


def frame() -> pd.DataFrame:
    df = pd.DataFrame(ROWS, columns=["finding_id", "severity", "a_id", "deficit_m", "confidence"])
    df["severity"] = pd.Categorical(df["severity"], categories=["critical", "major", "minor", "info"])
    df["kind"], df["b_id"], df["required_m"] = "horizontal", "WS9", 1.0
    df["actual_m"] = 1.0 - df["deficit_m"]
    df["uncertain"] = [True, False, False, True, False]
    for c in ("rule_id", "source", "owners", "note", "a_layer", "b_layer"):
        df[c] = None
    return df


def shown(model, name: str) -> list:
    col = COLUMNS.index(name)
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def ids(model) -> list[str]:
    return [model.data(model.index(r, 0), FINDING_ROLE) for r in range(model.rowCount())]


def test_sorting_keeps_missing_values_last_both_ways(qapp):
    model = FindingsModel()
    model.set_findings(frame())
    model.sort(COLUMNS.index("deficit_m"), Qt.SortOrder.AscendingOrder)
    assert ids(model) == ["f1", "f4", "f5", "f2", "f3"]
    model.sort(COLUMNS.index("deficit_m"), Qt.SortOrder.DescendingOrder)
    assert ids(model) == ["f2", "f5", "f4", "f1", "f3"]
    assert shown(model, "deficit_m") == ["0.90", "0.70", "0.05", "-0.20", ""]
    model.sort(COLUMNS.index("a_id"), Qt.SortOrder.DescendingOrder)
    assert ids(model) == ["f4", "f1", "f3", "f5", "f2"]
    model.sort(COLUMNS.index("severity"), Qt.SortOrder.AscendingOrder)
    assert ids(model) == ["f2", "f5", "f3", "f4", "f1"]        # stable among equal severities
    assert model.row_of("f4") == 3 and model.finding(3)["a_id"] == "JS3"


def test_filter_marks_and_labels(qapp):
    model = FindingsModel()
    model.set_findings(frame())
    model.set_severities(["critical", "minor"])
    assert sorted(ids(model)) == ["f2", "f4", "f5"] and model.row_of("f1") is None
    row = model.row_of("f2")
    conf = model.index(row, COLUMNS.index("confidence"))
    assert model.data(conf) == "⚠ unverified"
    assert model.data(conf, Qt.ItemDataRole.BackgroundRole).color().name() == "#fde0dd"
    assert model.data(model.index(model.row_of("f4"), COLUMNS.index("confidence"))) == ""
    sev = model.index(row, COLUMNS.index("severity"))
    assert model.data(sev, Qt.ItemDataRole.BackgroundRole).color().getRgb()[:3] == (215, 25, 28)
    assert model.headerData(COLUMNS.index("required_m"), Qt.Orientation.Horizontal) == "required (m)"
    try:
        i18n.set_language("zh_CN")
        assert model.headerData(COLUMNS.index("required_m"), Qt.Orientation.Horizontal) == "规定值 (m)"
        assert model.data(sev) == "严重" and model.data(conf) == "⚠ 未核实"
        assert model.data(model.index(row, COLUMNS.index("kind"))) == "水平净距"
    finally:
        i18n.set_language("en")
