"""Analysis menu network actions on the small demo: valve isolation, traces, clearance of a selection."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from gis.analysis.network import Network
from gis.store import Project
from tests.gui.checks_support import planted
from tests.gui.conftest import screen_pos, vtk_widget
from viewers import camera, styles


def click_segment(qtbot, win, line_id: str) -> None:
    """Zoom the 2D map onto a segment's middle and click it there."""
    geom = win.project.frames["pipe_segments"].loc[line_id].geometry
    mid = geom.interpolate(0.5, normalized=True)
    local = win.project.scene.to_local(mid.x, mid.y, mid.z)
    camera.centre_on(win.map2d.renderer, local[:2], 12.0)
    win.map2d.redraw()
    with qtbot.waitSignal(win.map2d.picked, timeout=5000) as sig:
        qtbot.mouseClick(vtk_widget(win.map2d), Qt.MouseButton.LeftButton,
                         pos=screen_pos(win.map2d, mid.x, mid.y, mid.z))
    assert sig.args == ["pipe_segments", line_id]


def water_segment(path) -> str:
    v2 = planted(path)["V2"]
    return next(i for i in (v2["a_id"], v2["b_id"]) if i.startswith("JS"))


def test_valve_isolation_highlights_the_valves_to_close(qtbot, checks_window, demo_copy):
    win = checks_window
    burst = water_segment(demo_copy)
    with Project.open(demo_copy, readonly=True) as proj:
        expected = Network.from_project(proj).isolate(burst)
    assert expected["valves_to_close"]
    click_segment(qtbot, win, burst)
    win.checks.act_isolate.trigger()
    tree = win.checks.panel.trace_tree
    qtbot.waitUntil(lambda: not win.runner.busy and tree.topLevelItemCount() > 0, timeout=30000)
    valves = {("pipe_points", v) for v in expected["valves_to_close"]}
    segments = {("pipe_segments", s) for s in expected["segments"]}
    for view in win.views():
        assert valves | segments <= set(view.stage.highlighted)
        assert view.stage.selection is None
    groups = {tree.topLevelItem(i).text(0): tree.topLevelItem(i) for i in range(tree.topLevelItemCount())}
    group = groups[f"Valves to close ({len(valves)})"]
    assert sorted(group.child(i).text(0) for i in range(group.childCount())) == expected["valves_to_close"]
    # every valve is a marker of the highlight, drawn where the valve is
    mesh = win.view3d.stage.overlay("highlight").GetMapper().GetInput()
    assert mesh.GetNumberOfVerts() >= len(valves)
    win.reset_views()
    pixels = win.map2d.grab_image()
    points = win.project.frames["pipe_points"]
    for _, vid in valves:
        p = points.loc[vid].geometry
        pos = screen_pos(win.map2d, p.x, p.y, p.z)
        box = pixels[max(pos.y() - 4, 0):pos.y() + 5, max(pos.x() - 4, 0):pos.x() + 5].reshape(-1, 3)
        assert (box == styles.SELECTION_RGB).all(axis=1).sum() >= 20, vid
    assert f"close {len(valves)} valves" in win.statusBar().currentMessage()
    # clicking a listed valve selects it and shows its attributes
    tree.itemClicked.emit(group.child(0), 0)
    assert win.attributes.value("point_id") == expected["valves_to_close"][0]


def test_trace_connected_and_clearance_of_the_traced_selection(qtbot, checks_window, demo_copy):
    win = checks_window
    start = water_segment(demo_copy)
    with Project.open(demo_copy, readonly=True) as proj:
        expected = Network.from_project(proj).trace(start, "connected")
    click_segment(qtbot, win, start)
    win.checks.act_trace["connected"].trigger()
    qtbot.waitUntil(lambda: not win.runner.busy and bool(win.view3d.stage.highlighted), timeout=30000)
    assert {fid for _, fid in win.view3d.stage.highlighted} == set(expected["segments"])
    # the traced segments are the selection of the next clearance audit
    win.checks.act_clearance_selection.trigger()
    qtbot.waitUntil(lambda: not win.runner.busy and win.checks.panel.result is not None, timeout=60000)
    result = win.checks.panel.result
    assert result.summary["selection"] == len(expected["segments"])
    traced = set(expected["segments"])
    assert len(result.findings) > 0
    assert all(a in traced or b in traced for a, b in zip(result.findings["a_id"], result.findings["b_id"]))
    assert "selection of" in win.checks.panel.summary.text()


def test_isolation_without_a_selection_says_what_to_do(qtbot, checks_window):
    win = checks_window
    win.checks.act_isolate.trigger()
    box = win.findChild(QMessageBox, "checkNoticeBox")
    qtbot.waitUntil(lambda: box is not None and box.isVisible(), timeout=5000)
    assert box.text() == "Select a pipe segment first (click it in a view)."
    assert not win.runner.busy
    box.accept()
    assert np.isfinite(win.view3d.renderer.GetActiveCamera().GetDistance())
