"""The 3D tools in the main window, measured on real widgets, actors and pixels (run under xvfb-run).

Projects: tests.profile_fixtures.three_pipes (JS DN300 at x=-2, RQ DN400 at x=0, DL 800x600 at x=3,
north-south, ground 4.0 m) and sewer_run (W1 -> W2 -> W3, inverts 1.80 / 1.72-1.70 / 1.62).
"""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from gis.utilities import UTILITIES
from tests.gui.conftest import make_window, near_colour, open_and_wait, press, screen_pos, vtk_widget
from tests.profile_fixtures import GROUND, sewer_run, three_pipes
from tests.tiny_projects import X0, Y0
from viewers import colouring

ALT, CTRL_SHIFT = Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
CTRL_ALT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier
RED = UTILITIES["DL"].rgb


def open_3d(qtbot, qapp, path):
    """The main window on ``path`` with the 3D view alone (tabs) and its tools."""
    win = make_window(qtbot, qapp)
    open_and_wait(qtbot, win, path)
    win.set_view_mode("tabs")
    win.view_tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: win.view3d.isVisible() and win.view3d.render_window.GetSize()[0] > 600, timeout=5000)
    return win, win.view3d_tools, win.view3d


@pytest.fixture
def pipes(qtbot, qapp, tmp_path):
    three_pipes(tmp_path / "pipes.gpkg").close()
    return open_3d(qtbot, qapp, tmp_path / "pipes.gpkg")


def top_zoomed(qtbot, win, view, zoom: float = 6.0) -> None:
    """The "top" preset through its shortcut, then closer."""
    press(qtbot, win, Qt.Key.Key_1, ALT)
    view.renderer.GetActiveCamera().Zoom(zoom)
    view.renderer.ResetCameraClippingRange()


def pixel(view, x, y, z) -> np.ndarray:
    pos = screen_pos(view, x, y, z)
    return view.grab_image()[pos.y(), pos.x()].astype(int)


def redness(rgb) -> int:
    return int(rgb[0]) - int(max(rgb[1], rgb[2]))


def wait_idle(qtbot, tools, timeout=20000) -> None:
    qtbot.waitUntil(lambda: not tools.runner.busy and not tools._queue, timeout=timeout)


# ------------------------------------------------------------------ ground
def test_ground_slider_sets_the_ground_opacity_and_the_pixels_behind_it(qtbot, pipes):
    win, tools, view = pipes
    top_zoomed(qtbot, win, view)
    ground = view.stage.actors["terrain"]
    slider = tools.toolbar.ground_slider
    slider.setFocus()
    qtbot.keyClick(slider, Qt.Key.Key_End)                     # 100 %
    assert ground.GetProperty().GetOpacity() == 1.0 and ground.GetVisibility()
    assert tools.toolbar.ground_value.text() == "100%"
    opaque = pixel(view, X0 + 3, Y0, 3.0)                      # over the red DL duct bank
    qtbot.keyClick(slider, Qt.Key.Key_PageDown)                # 90 %
    assert ground.GetProperty().GetOpacity() == pytest.approx(0.9)
    slider.setValue(50)
    assert ground.GetProperty().GetOpacity() == pytest.approx(0.5)
    assert win.map2d.stage.ground_opacity == pytest.approx(0.5)
    half = pixel(view, X0 + 3, Y0, 3.0)
    qtbot.keyClick(slider, Qt.Key.Key_Home)                    # 0 %: the ground is not drawn
    assert not ground.GetVisibility()
    clear = pixel(view, X0 + 3, Y0, 3.0)
    assert redness(opaque) < 30 < redness(half) < redness(clear), (opaque, half, clear)
    # "Hide ground" (Ctrl+Shift+H) hides it whatever the slider says, and gives it back
    slider.setValue(80)
    press(qtbot, win, Qt.Key.Key_H, CTRL_SHIFT)
    assert tools.toolbar.act_ground_hide.isChecked() and not ground.GetVisibility()
    press(qtbot, win, Qt.Key.Key_H, CTRL_SHIFT)
    assert ground.GetVisibility() and ground.GetProperty().GetOpacity() == pytest.approx(0.8)
    # the View menu's presets move the slider; the value is remembered
    win.act_ground[1].trigger()
    assert slider.value() == 50 and ground.GetProperty().GetOpacity() == pytest.approx(0.5)
    assert int(win.settings.value("view3d/ground_percent")) == 50


def test_ground_cut_away_inside_the_clip_box(qtbot, pipes):
    win, tools, view = pipes
    top_zoomed(qtbot, win, view)
    tools.toolbar.ground_slider.setValue(100)
    assert redness(pixel(view, X0 + 3, Y0, 3.0)) < 30          # the duct bank is under opaque ground
    tools.toolbar.act_ground_hole.trigger()                    # nothing selected, no box: refused
    assert not tools.toolbar.act_ground_hole.isChecked() and view.stage.ground_hole is None
    press(qtbot, win, Qt.Key.Key_B, CTRL_ALT)                # clip box on
    assert view.clip_box.enabled
    tools.toolbar.act_ground_hole.trigger()
    hole = view.stage.ground_hole
    b = view.clip_box.bounds()
    origin = view.stage.scene.origin
    assert hole == pytest.approx((b[0] + origin[0], b[2] + origin[1], b[1] + origin[0], b[3] + origin[1]))
    # dragging the box over the duct bank drags the hole: the bank is seen through it
    rep = view.clip_box.rep
    bounds = list(rep.GetBounds())
    x3 = 3.0 + X0 - origin[0]
    rep.PlaceWidget([x3 - 2.0, x3 + 2.0] + bounds[2:])
    view.clip_box.widget.InvokeEvent("InteractionEvent")
    moved = view.stage.ground_hole
    assert (moved[0], moved[2]) == pytest.approx((X0 + 1.0, X0 + 5.0), abs=1e-3)
    assert moved[1:4:2] == pytest.approx(hole[1:4:2])
    assert redness(pixel(view, X0 + 3, Y0 + 3, 3.0)) > 100        # (the box's centre handle is at Y0)
    tools.toolbar.act_ground_hole.trigger()
    assert view.stage.ground_hole is None
    assert redness(pixel(view, X0 + 3, Y0 + 3, 3.0)) < 30
    # around the selection instead of the box
    press(qtbot, win, Qt.Key.Key_B, CTRL_ALT)
    view.select("pipe_segments", "C")
    tools.toolbar.act_ground_hole.trigger()
    x0, y0, x1, y1 = view.stage.ground_hole
    assert (x0, x1) == pytest.approx((X0 + 3 - 0.4 - 5.0, X0 + 3 + 0.4 + 5.0), abs=0.01)
    assert (y0, y1) == pytest.approx((Y0 - 25.0, Y0 + 25.0), abs=0.01)


# ------------------------------------------------------------ exaggeration
def test_exaggeration_applies_everywhere_and_is_shown(qtbot, pipes):
    win, tools, view = pipes
    badge_area = lambda: view.grab_image()[-40:, :90].astype(int)          # noqa: E731 - bottom-left corner
    before = badge_area()
    assert (before.max(axis=2) < 90).sum() > 20                           # "Z×1" is drawn
    spin = tools.toolbar.exag_spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "5")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert spin.value() == 5
    for v in win.views():
        assert v.stage.exaggeration == 5.0
        for actor in v.stage.actors.values():
            assert actor.GetScale() == (1.0, 1.0, 5.0)
    assert view.badge.GetInput() == "Z×5"
    after = badge_area()
    assert (after.max(axis=2) < 90).sum() > 20 and not np.array_equal(before, after)
    assert "Z×5" in tools.exag_status.text() and tools.exag_status.isVisible()
    win.act_exag[1].trigger()                                             # View > 2×
    assert spin.value() == 2 and view.stage.exaggeration == 2.0
    spin.setValue(10)
    assert view.badge.GetInput() == "Z×10" and spin.maximum() == 10


# --------------------------------------------------------- cameras, clipping
def test_camera_presets_and_clipping_tools(qtbot, pipes):
    win, tools, view = pipes
    cam = view.renderer.GetActiveCamera()
    ground_z = 0.0                                     # the reference level: the flat ground
    press(qtbot, win, Qt.Key.Key_2, ALT)               # from below (仰视)
    assert cam.GetPosition()[2] < ground_z - 5 and cam.GetDirectionOfProjection()[2] > 0.3
    press(qtbot, win, Qt.Key.Key_1, ALT)               # top (俯视)
    assert cam.GetDirectionOfProjection() == pytest.approx((0, 0, -1), abs=1e-6)
    press(qtbot, win, Qt.Key.Key_P, CTRL_SHIFT)        # section plane on
    assert view.section_plane.enabled and len(view.stage.clip_planes) == 1
    view.section_plane.set_plane((0.5, 0.0, -1.0), (1.0, 0.0, 0.0))
    view.section_plane.widget.InvokeEvent("InteractionEvent")
    assert view.stage.clip_planes[0][1] == pytest.approx((1.0, 0.0, 0.0))
    press(qtbot, win, Qt.Key.Key_3, ALT)               # along the section (剖面)
    assert cam.GetDirectionOfProjection() == pytest.approx((1.0, 0.0, 0.0), abs=1e-6)
    # the cut: west of x = +0.5 (local) is gone: the JS main at x = -2 no longer shows, the DL bank does
    press(qtbot, win, Qt.Key.Key_1, ALT)
    cam.Zoom(6.0)
    tools.toolbar.ground_slider.setValue(0)
    img = view.grab_image()
    assert near_colour(img, UTILITIES["JS"].rgb) < 5 and near_colour(img, RED) > 100
    mapper = view.stage.actors["pipe_segments"].GetMapper()
    assert mapper.GetClippingPlanes().GetNumberOfItems() == 1
    press(qtbot, win, Qt.Key.Key_B, CTRL_ALT)        # clip box too: five planes of the box + the plane
    assert mapper.GetClippingPlanes().GetNumberOfItems() == 6
    press(qtbot, win, Qt.Key.Key_P, CTRL_SHIFT)
    press(qtbot, win, Qt.Key.Key_B, CTRL_ALT)
    assert view.stage.clip_planes == [] and near_colour(view.grab_image(), UTILITIES["JS"].rgb) > 100
    press(qtbot, win, Qt.Key.Key_F5)                   # reset to data
    assert cam.GetDirectionOfProjection()[2] < -0.3


# ------------------------------------------------------------ cross-section
def test_cross_section_from_two_clicks_lists_the_pipes_with_their_depths(qtbot, pipes, tmp_path, monkeypatch):
    win, tools, view = pipes
    top_zoomed(qtbot, win, view, 3.0)
    tools.toolbar.ground_slider.setValue(100)
    press(qtbot, win, Qt.Key.Key_X, CTRL_SHIFT)        # the cut-line tool
    assert tools.toolbar.act_cut_line.isChecked()
    widget = vtk_widget(view)
    for x in (-8.0, 8.0):
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=screen_pos(view, X0 + x, Y0 + 1.0, GROUND))
    wait_idle(qtbot, tools)
    panel = tools.section_panel
    assert tools.section_dock.isVisible() and panel.result is not None
    rows = panel.item_rows()
    assert [r["id"] for r in rows] == ["A", "B", "C"]
    assert [r["utility"] for r in rows] == ["JS", "RQ", "DL"]
    assert [r["size"] for r in rows] == ["DN300", "DN400", "800x600"]
    cover = {r["id"]: r["cover_m"] for r in rows}
    assert cover["A"] == pytest.approx(4.4 - (2.5 + 0.157), abs=0.01)    # surveyed ground 4.3 -> 4.5 along A
    assert cover["B"] == pytest.approx(GROUND - 2.2, abs=1e-6)
    assert cover["C"] == pytest.approx(GROUND - 3.3, abs=1e-6)
    assert panel.items.rowCount() == 3 and panel.items.item(2, 3).text() == "0.70"
    assert panel.clearances.rowCount() >= 2                             # A-B and B-C side by side
    assert not tools.toolbar.act_cut_line.isChecked() and view.stage.markers.keys() >= {"cut_line", "cut_points"}
    assert view.section_normal == pytest.approx((0.0, 1.0, 0.0), abs=0.02)
    # clicking a row selects the feature in both views and shows it
    with qtbot.waitSignal(view.picked, timeout=3000):
        panel.items.cellClicked.emit(1, 0)
    assert view.stage.selection == ("pipe_segments", "B") == win.map2d.stage.selection
    assert win.attributes.value("line_id") == "B"
    # the chart draws the items where it can pick them
    panel.chart.repaint()
    (x0, y0, x1, y1), layer, fid = next(shape for shape in panel.chart.drawn.shapes if shape[2] == "C")
    with qtbot.waitSignal(panel.feature_selected, timeout=3000) as sig:
        qtbot.mouseClick(panel.chart, Qt.MouseButton.LeftButton, pos=_point((x0 + x1) / 2, (y0 + y1) / 2))
    assert sig.args == [layer, fid] == ["pipe_segments", "C"]
    # export: PNG, PDF, CSV (UTF-8 with BOM) through the buttons
    for suffix, magic in ((".png", b"\x89PNG"), (".pdf", b"%PDF"), (".csv", b"\xef\xbb\xbf")):
        target = tmp_path / f"cut{suffix}"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, t=target, **k: (str(t), ""))
        with qtbot.waitSignal(panel.export.exported, timeout=10000):
            qtbot.mouseClick(panel.export.buttons[suffix], Qt.MouseButton.LeftButton)
        assert target.read_bytes()[:len(magic)] == magic
    text = (tmp_path / "cut.csv").read_text(encoding="utf-8-sig")
    assert text.count("\nitem,") == 3 and ",A," in text


def _point(x: float, y: float):
    from PySide6.QtCore import QPoint

    return QPoint(int(round(x)), int(round(y)))


def test_cross_section_along_the_section_plane(qtbot, pipes):
    win, tools, view = pipes
    press(qtbot, win, Qt.Key.Key_P, CTRL_SHIFT)
    view.section_plane.set_plane((0.0, 5.0, -1.5), (0.0, 1.0, 0.0))      # square to the pipes at y = +5
    tools.toolbar.act_plane_section.trigger()
    wait_idle(qtbot, tools)
    sec = tools.section_panel.result
    assert [i.id for i in sec.items] == ["A", "B", "C"]
    assert sec.cut.xy[:, 1] == pytest.approx([Y0 + 5.0, Y0 + 5.0])
    assert sec.cut.xy[0, 0] < X0 - 2 and sec.cut.xy[-1, 0] > X0 + 3


# --------------------------------------------------------------- profile
@pytest.fixture
def sewer(qtbot, qapp, tmp_path):
    sewer_run(tmp_path / "sewer.gpkg").close()
    return open_3d(qtbot, qapp, tmp_path / "sewer.gpkg")


def test_profile_of_a_run_lists_its_manholes_in_order_with_inverts(qtbot, sewer):
    win, tools, view = sewer
    panel = tools.profile_panel
    qtbot.keyClicks(panel.start, "W1")
    qtbot.keyClicks(panel.end, "W3")
    qtbot.keyClick(panel.end, Qt.Key.Key_Return)
    wait_idle(qtbot, tools)
    rows = panel.station_rows()
    assert [r["point_id"] for r in rows] == ["W1", "W2", "W3"]
    assert rows[0]["invert_in"] is None and rows[0]["invert_out"] == pytest.approx(1.80)
    assert (rows[1]["invert_in"], rows[1]["invert_out"]) == (pytest.approx(1.72), pytest.approx(1.70))
    assert rows[2]["invert_in"] == pytest.approx(1.62) and rows[2]["invert_out"] is None
    assert [r["s"] for r in rows] == pytest.approx([0.0, 40.0, 80.0])
    assert [panel.stations.item(r, 0).text() for r in range(3)] == ["W1", "W2", "W3"]
    assert panel.stations.item(1, 3).text() == "1.720" and panel.stations.item(1, 4).text() == "1.700"
    assert [c.item.id for c in panel.result.crossings] == ["X1"]
    assert tools.profile_dock.isVisible()


def test_profile_from_two_picks_in_3d(qtbot, sewer):
    win, tools, view = sewer
    tools.toolbar.ground_slider.setValue(0)
    top_zoomed(qtbot, win, view, 2.0)
    press(qtbot, win, Qt.Key.Key_R, CTRL_SHIFT)          # the profile pick tool
    widget = vtk_widget(view)
    for x, z in ((10.0, 1.98), (70.0, 1.84)):            # on S1, then on S2
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=screen_pos(view, X0 + x, Y0, z))
    wait_idle(qtbot, tools)
    panel = tools.profile_panel
    assert panel.waypoints() == ["S1", "S2"]
    assert [r["point_id"] for r in panel.station_rows()] == ["W1", "W2", "W3"]
    assert not tools.toolbar.act_profile_pick.isChecked()
    # "profile from selection": the selected segment alone, then on to a second selection
    panel.set_ends("", "")
    view.select("pipe_segments", "S3")
    tools.toolbar.act_profile_selection.trigger()
    wait_idle(qtbot, tools)
    assert [r["point_id"] for r in panel.station_rows()] == ["W4", "W3"]
    view.select("pipe_segments", "S1")
    tools.toolbar.act_profile_selection.trigger()
    wait_idle(qtbot, tools)
    assert [r["point_id"] for r in panel.station_rows()] == ["W4", "W3", "W2", "W1"]


def test_profile_error_is_one_line_in_a_dialog(qtbot, sewer):
    from PySide6.QtWidgets import QApplication, QMessageBox

    win, tools, view = sewer
    tools.compute_profile(["W1", "NOPE"])
    qtbot.waitUntil(lambda: win.findChild(QMessageBox, "view3dError") is not None, timeout=10000)
    box = win.findChild(QMessageBox, "view3dError")
    assert "NOPE" in box.text() and "Traceback" not in box.text() and "\n" not in box.text()
    box.close()
    assert tools.profile_panel.result is None
    QApplication.processEvents()


# ------------------------------------------------------------ hover, labels
def test_hover_shows_a_tooltip_with_layer_id_utility_size_depth(qtbot, pipes):
    win, tools, view = pipes
    top_zoomed(qtbot, win, view)
    tools.toolbar.ground_slider.setValue(0)
    pos = screen_pos(view, X0 + 3, Y0 + 2, 3.0)
    qtbot.mouseMove(vtk_widget(view), pos)
    qtbot.waitUntil(lambda: "C" in tools.tooltip_text, timeout=5000)
    lines = tools.tooltip_text.split("\n")
    assert lines[0] == "pipe segments  C"
    assert "utility: DL power" in lines and "diameter (DN): 800x600" in lines
    qtbot.mouseMove(vtk_widget(view), screen_pos(view, X0 + 8, Y0 + 6, GROUND))
    qtbot.waitUntil(lambda: tools.tooltip_text == "", timeout=5000)


def test_labels_are_decluttered_and_drawn_in_the_cjk_font(qtbot, pipes):
    win, tools, view = pipes
    top_zoomed(qtbot, win, view, 3.0)
    tools.toolbar.ground_slider.setValue(0)
    blank = view.grab_image()
    press(qtbot, win, Qt.Key.Key_L, CTRL_ALT)
    wait_idle(qtbot, tools)
    img = view.grab_image()
    placed = view.labels.placed
    assert len(placed) >= 2 and {p[0] for p in placed} <= {"A", "B", "C"}
    assert {p[1] for p in placed} <= {"JS DN300 钢", "RQ DN400", "DL 800x600"}
    boxes = [p[2] for p in placed]
    from viewers.labels import overlaps

    assert not any(overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    h = img.shape[0]
    for x0, y0, x1, y1 in boxes:                     # dark text where each label is, not before
        rows = slice(int(h - y1), int(h - y0))
        cols = slice(int(x0), int(x1))
        assert (img[rows, cols].max(axis=2) < 90).sum() > 20
        assert (blank[rows, cols].max(axis=2) < 90).sum() < (img[rows, cols].max(axis=2) < 90).sum()
    font = view.labels._actors[0].GetTextProperty().GetFontFile()
    assert font and "CJK" in font
    # more labels than room: zoomed far out they thin out instead of piling up
    view.renderer.GetActiveCamera().Zoom(0.05)
    view.redraw()
    assert len(view.labels.placed) < len(placed) + 1
    boxes = [p[2] for p in view.labels.placed]
    assert not any(overlaps(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    press(qtbot, win, Qt.Key.Key_L, CTRL_ALT)
    assert view.labels.placed == [] and not any(a.GetVisibility() for a in view.labels._actors)


# ---------------------------------------------------------------- colours
def test_colour_by_material_with_a_legend_in_both_views(qtbot, pipes):
    win, tools, view = pipes
    top_zoomed(qtbot, win, view)
    tools.toolbar.ground_slider.setValue(0)
    cyan = UTILITIES["JS"].rgb
    assert near_colour(view.grab_image(), cyan) > 50
    combo = tools.toolbar.colour_combo
    combo.setCurrentIndex(combo.findData("material"))
    wait_idle(qtbot, tools)
    steel = dict(tools.colouring.legend)["钢"]
    img = view.grab_image()
    assert near_colour(img, cyan) < 5                       # the JS main is coloured by its material now
    assert near_colour(img, steel) > 50 and near_colour(img, colouring.NO_DATA_RGB, 100) > 50
    x0, y0, x1, y1 = view.legend.box                        # the legend, drawn in the view
    h = img.shape[0]
    legend_px = img[int(h - y1):int(h - y0), int(x0):int(x1)]
    assert near_colour(legend_px, steel) > 50 and view.legend.title == "by material"
    assert win.map2d.stage.set_colours("pipe_segments", None) is True   # the 2D map had them too
    combo.setCurrentIndex(combo.findData("utility"))
    wait_idle(qtbot, tools)
    img = view.grab_image()
    assert near_colour(img, cyan) > 50 and near_colour(img, steel) < 5 and not view.legend.shown
