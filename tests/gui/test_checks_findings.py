"""Analysis menu on the small demo: clearance audit on the worker, findings table, markers, highlight, flight."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QProgressDialog, QPushButton

from gis.store import Project
from tests.gui.checks_support import COLUMN, cell, planted, row_of, run_clearance
from tests.gui.conftest import open_and_wait, screen_pos, vtk_widget


def test_clearance_from_the_menu_lists_the_planted_violations(qtbot, checks_window, demo_copy):
    win = checks_window
    v = planted(demo_copy)
    menu_texts = [a.text() for a in win.checks.menu.actions()]
    assert "&Clearance audit (whole project)" in menu_texts and win.checks.menu.title() == "&Analysis"
    result = run_clearance(qtbot, win)
    panel = win.checks.panel
    assert panel.model.rowCount() == len(result.findings) > 0
    for code, kind in (("V1", "horizontal"), ("V2", "vertical")):
        row = row_of(panel, {v[code]["a_id"], v[code]["b_id"]}, kind)
        assert {cell(panel, row, "a_id"), cell(panel, row, "b_id")} == {v[code]["a_id"], v[code]["b_id"]}
        assert float(cell(panel, row, "required_m")) == pytest.approx(v[code]["required_m"])
        assert float(cell(panel, row, "actual_m")) == pytest.approx(v[code]["actual_m"], abs=0.01)
        assert cell(panel, row, "severity") == "major"
    # the summary line counts severities, violations, uncertain findings and pairs with no rule
    s = result.summary
    text = panel.summary.text()
    assert f"major {s['by_severity']['major']}" in text and f"{s['no_rule_pairs']} pairs with no rule" in text
    assert f"{s['uncertain']:,} uncertain" in text
    # unverified-rule findings are marked
    frame = panel.model.frame()
    unverified = int((frame["confidence"].astype(str) == "unverified").sum())
    assert unverified > 0
    row = int(np.flatnonzero(frame["confidence"].astype(str).to_numpy() == "unverified")[0])
    assert cell(panel, row, "confidence").startswith("⚠")
    # the run is in the selector and in the findings layer
    assert panel.current_run() == result.run_id
    with Project.open(demo_copy, readonly=True) as proj:
        assert proj.count("findings") == len(result.findings)


def test_sorting_by_deficit_from_the_header(qtbot, checks_window):
    win = checks_window
    run_clearance(qtbot, win)
    table = win.checks.panel.table
    header = table.horizontalHeader()
    col = COLUMN["deficit_m"]

    def click_header():
        pos = QPoint(header.sectionViewportPosition(col) + header.sectionSize(col) // 2, header.height() // 2)
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=pos)

    def deficits() -> np.ndarray:
        model = table.model()
        return np.array([float(model.data(model.index(r, col)) or "nan") for r in range(model.rowCount())])

    click_header()
    first = deficits()
    click_header()
    second = deficits()
    assert header.sortIndicatorSection() == col
    for values in (first, second):
        known = values[~np.isnan(values)]
        assert len(known) > 10
        assert np.isnan(values[len(known):]).all()          # missing values last
    asc = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    up, down = (first, second) if asc else (second, first)
    assert np.all(np.diff(up[~np.isnan(up)]) >= 0) and np.all(np.diff(down[~np.isnan(down)]) <= 0)
    assert down[0] == pytest.approx(0.6) and down[0] > up[0]


def test_clicking_a_finding_highlights_both_features_and_flies_there(qtbot, checks_window, demo_copy):
    from viewers import styles
    from viewers.scene.findings import severity_rgb

    win = checks_window
    win.act_ground[-1].trigger()                # ground 0% opaque: the pipes show unobstructed
    v1 = planted(demo_copy)["V1"]
    run_clearance(qtbot, win)
    panel = win.checks.panel
    # findings are drawn in both views as one marker actor, in severity colours
    for view in win.views():
        actor = view.stage.overlay("findings")
        assert actor is not None and actor.GetMapper().GetInput().GetNumberOfVerts() == panel.model.rowCount()
    map_pixels = win.map2d.grab_image().reshape(-1, 3)
    palette = severity_rgb()
    assert (map_pixels == palette["major"]).all(axis=1).sum() > 20
    assert (map_pixels == palette["info"]).all(axis=1).sum() > 20
    before = (win.view3d.grab_image().reshape(-1, 3) == styles.SELECTION_RGB).all(axis=1).sum()

    row = row_of(panel, {v1["a_id"], v1["b_id"]}, "horizontal")
    panel.table.scrollTo(panel.model.index(row, 0))
    rect = panel.table.visualRect(panel.model.index(row, COLUMN["a_id"]))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    finding = panel.model.finding(row)
    expected = {("pipe_segments", v1["a_id"]), ("pipe_segments", v1["b_id"])}
    for view in win.views():
        assert set(view.stage.highlighted) == expected
    qtbot.waitUntil(lambda: not win.checks.overlay.flying, timeout=10000)
    target = np.array(win.project.scene.to_local(finding["x"], finding["y"], finding["z"],
                                                 exaggeration=win.view3d.stage.exaggeration))
    cam = win.view3d.renderer.GetActiveCamera()
    assert np.linalg.norm(np.array(cam.GetFocalPoint()) - target) < 0.01
    assert np.linalg.norm(np.array(cam.GetPosition()) - target) < 31.0
    map_focal = np.array(win.map2d.renderer.GetActiveCamera().GetFocalPoint())
    assert np.linalg.norm(map_focal[:2] - target[:2]) < 0.01
    after = (win.view3d.grab_image().reshape(-1, 3) == styles.SELECTION_RGB).all(axis=1).sum()
    assert after > before + 500
    # the attribute panel shows feature a
    assert win.attributes.value("line_id") == finding["a_id"]


def test_clicking_a_marker_in_the_map_selects_its_row(qtbot, checks_window, demo_copy):
    win = checks_window
    v2 = planted(demo_copy)["V2"]
    run_clearance(qtbot, win)
    panel = win.checks.panel
    row = row_of(panel, {v2["a_id"], v2["b_id"]}, "vertical")
    finding = panel.model.finding(row)
    win.checks.overlay.fly_to(finding["x"], finding["y"], finding["z"])     # the map centres on it
    qtbot.mouseClick(vtk_widget(win.map2d), Qt.MouseButton.LeftButton,
                     pos=screen_pos(win.map2d, finding["x"], finding["y"], finding["z"]))
    current = panel.table.currentIndex()
    assert current.isValid() and panel.model.finding(current.row())["finding_id"] == finding["finding_id"]
    assert set(win.view3d.stage.highlighted) == {("pipe_segments", v2["a_id"]), ("pipe_segments", v2["b_id"])}
    # in Chinese: menu, dock, registry labels of the columns, severity and kind values
    win.act_lang["zh_CN"].trigger()
    assert win.checks.menu.title() == "分析(&A)" and win.checks.dock.windowTitle() == "分析结果"
    col = COLUMN["required_m"]
    assert panel.model.headerData(col, Qt.Orientation.Horizontal) == "规定值 (m)"
    assert cell(panel, row, "severity") == "较重" and cell(panel, row, "kind") == "垂直净距"
    assert panel.summary.text().startswith("净距分析：")


def test_cancel_leaves_no_new_run(qtbot, checks_window, demo_copy):
    win = checks_window
    win.checks.act_clearance.trigger()
    dialog = win.findChild(QProgressDialog)
    assert dialog is not None
    dialog.findChild(QPushButton).click()                  # the dialog's Cancel button
    qtbot.waitUntil(lambda: not win.runner.busy, timeout=60000)
    assert win.statusBar().currentMessage() == "Cancelled"
    assert win.checks.panel.result is None and win.checks.panel.run_combo.count() == 0
    with Project.open(demo_copy, readonly=True) as proj:
        assert proj.count("findings") == 0


def test_past_runs_come_back_from_the_findings_layer(qtbot, qapp, checks_window, demo_copy):
    win = checks_window
    first = run_clearance(qtbot, win)
    win.checks.act_topology.trigger()
    qtbot.waitUntil(lambda: not win.runner.busy and win.checks.panel.result.check == "topology", timeout=60000)
    # reopen: the selector lists both runs, newest first; choosing one shows its findings
    open_and_wait(qtbot, win, demo_copy)
    panel = win.checks.panel
    qtbot.waitUntil(lambda: panel.run_combo.count() == 2 and not win.runner.busy, timeout=30000)
    assert panel.run_combo.itemData(1) == first.run_id
    panel.run_combo.setCurrentIndex(1)
    panel.run_combo.activated.emit(1)
    qtbot.waitUntil(lambda: panel.result is not None and panel.result.run_id == first.run_id, timeout=30000)
    assert panel.model.rowCount() == len(first.findings)
    assert "pairs with no rule: not stored with past runs" in panel.summary.text()
    # the severity filter narrows table and markers
    panel.severity_buttons["info"].setChecked(False)
    assert 0 < panel.model.rowCount() == first.summary["violations"]
    assert win.map2d.stage.overlay("findings").GetMapper().GetInput().GetNumberOfVerts() == panel.model.rowCount()
