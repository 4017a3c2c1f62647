"""Helpers of the Analysis-menu GUI tests (tests/gui/test_checks_*.py)."""
from __future__ import annotations

from gis import demo
from gis.store import Project

COLUMN = {name: i for i, name in enumerate(("severity", "kind", "a_id", "b_id", "required_m", "actual_m",
                                            "deficit_m", "uncertain", "rule_id", "source", "confidence",
                                            "owners"))}


def planted(path) -> dict:
    """The demo's planted violations by code (V1 ...), with the ids involved."""
    with Project.open(path, readonly=True) as proj:
        return {v["code"]: v for v in demo.planted(proj)}


def run_clearance(qtbot, win):
    """Analysis > Clearance audit (whole project), waited for; the CheckResult shown."""
    before = win.checks.panel.result
    win.checks.act_clearance.trigger()
    assert win.runner.busy
    qtbot.waitUntil(lambda: not win.runner.busy and win.checks.panel.result is not before, timeout=90000)
    return win.checks.panel.result


def row_of(panel, pair: set[str], kind: str) -> int:
    """The table row of the finding of ``kind`` between the two ids of ``pair``."""
    frame = panel.model.frame()
    hits = [i for i, r in enumerate(frame.itertuples()) if {r.a_id, r.b_id} == pair and r.kind == kind]
    assert hits, f"no {kind} finding for {pair}"
    return hits[0]


def cell(panel, row: int, name: str) -> str:
    """What the table shows in one cell."""
    return panel.model.data(panel.model.index(row, COLUMN[name]))
