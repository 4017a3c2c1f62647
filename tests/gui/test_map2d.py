"""The 2D map in the main window, with real clicks and pixels: symbols, scale bar, measuring, box
selection in both views, per-utility check boxes, zoom to layer, show in 3D."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QWheelEvent
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import near_colour, open_and_wait, pipes_project, screen_pos, vtk_widget
from viewers import styles
from viewers.map_overlays import MARGIN_PX

X0, Y0 = 500000.0, 3450000.0
CYAN = (0, 255, 255)           # JS water supply


@pytest.fixture
def map_project(tmp_path):
    """Three pipes (JS, RQ, DL) 10 m apart, a sewer far east, a manhole, a valve and a hydrant."""
    from shapely.geometry import LineString, Point

    segs = {
        "line_id": ["JS-A", "RQ-B", "DL-C", "PS-D"], "utility": ["JS", "RQ", "DL", "WS"],
        "diameter_mm": [300.0, 200.0, None, 600.0], "shape": [None, None, "rect", None],
        "width_mm": [None, None, 800.0, None], "height_mm": [None, None, 500.0, None],
        "geometry": [LineString([(X0, Y0, 2.5), (X0 + 40, Y0, 2.5)]),
                     LineString([(X0, Y0 + 10, 3.0), (X0 + 40, Y0 + 10, 3.0)]),
                     LineString([(X0, Y0 + 20, 3.0), (X0 + 40, Y0 + 20, 3.0)]),
                     LineString([(X0 + 60, Y0, 1.0), (X0 + 60, Y0 + 40, 1.0)])]}
    points = {
        "point_id": ["M1", "V1", "H1"], "utility": ["WS", "JS", "XS"],
        "appurtenance": ["检查井", "阀门", "消防栓"], "well_depth": [2.5, None, None],
        "geometry": [Point(X0 + 10, Y0 + 5, 4.0), Point(X0 + 30, Y0 - 3, 4.0), Point(X0 + 70, Y0 + 30, 4.0)]}
    return pipes_project(tmp_path / "map.gpkg", segs, points, 12, (X0 - 20, Y0 + 80))


@pytest.fixture
def opened(qtbot, window, map_project):
    """The window on map_project, ground hidden, pipe-point symbols ready."""
    open_and_wait(qtbot, window, map_project)
    window.act_ground[-1].trigger()
    qtbot.waitUntil(lambda: window.map2d.symbols.points is not None, timeout=20000)
    return window


def zoom_map(win, x0, y0, x1, y1):
    assert win.map2d.zoom_to(x0, y0, x1, y1)


def map_pos(win, x, y, z=4.0):
    return screen_pos(win.map2d, x, y, z)


def pixel(view, pos: QPoint) -> tuple[int, int, int]:
    return tuple(int(v) for v in view.grab_image()[pos.y(), pos.x()])


def click_tool(qtbot, win, act):
    button = win.map_tools.toolbar.widgetForAction(act)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_symbols_scale_bar_and_picking_a_valve(qtbot, opened):
    win = opened
    m = win.map2d
    zoom_map(win, X0 - 5, Y0 - 10, X0 + 75, Y0 + 35)
    img = m.grab_image()
    assert near_colour(img, CYAN) > 50
    valve = map_pos(win, X0 + 30, Y0 - 3)
    # the valve symbol (a bow tie) left and right of its point, in its utility's colour
    assert CYAN in {tuple(int(v) for v in img[valve.y(), valve.x() + dx]) for dx in (-5, -4, -3, 3, 4, 5)}
    # scale bar: a round length, as many pixels as the camera's parallel scale says
    w, h = m.render_window.GetSize()
    mpp = 2 * m.renderer.GetActiveCamera().GetParallelScale() / h
    deco = m.decorations
    cols = np.flatnonzero(np.all(img[h - 1 - MARGIN_PX] < 60, axis=-1))
    cols = cols[(cols >= MARGIN_PX) & (cols < w // 2)]
    assert len(cols) == pytest.approx(deco.bar_m / mpp, abs=1.0)
    # zoom in with the wheel: the bar follows
    before = deco.bar_m
    centre = QPointF(w / 2, h / 2)
    for _ in range(4):
        ev = QWheelEvent(centre, vtk_widget(m).mapToGlobal(centre), QPoint(), QPoint(0, 120),
                         Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
        QApplication.sendEvent(vtk_widget(m), ev)
    m.redraw()
    mpp = 2 * m.renderer.GetActiveCamera().GetParallelScale() / h
    assert deco.bar_m < before and deco.bar_m / mpp == pytest.approx(deco.bar_px[1] - deco.bar_px[0] + 1, abs=1.0)
    # click the valve: picked, highlighted in the map, attributes shown
    zoom_map(win, X0 + 20, Y0 - 10, X0 + 40, Y0 + 5)
    valve = map_pos(win, X0 + 30, Y0 - 3)
    with qtbot.waitSignal(m.picked, timeout=5000) as sig:
        qtbot.mouseClick(vtk_widget(m), Qt.MouseButton.LeftButton, pos=valve + QPoint(4, 0))
    assert sig.args == ["pipe_points", "V1"]
    assert win.attributes.value("point_id") == "V1"
    img = m.grab_image()
    assert styles.SELECTION_RGB in {tuple(int(v) for v in img[valve.y(), valve.x() + dx]) for dx in (-4, 4)}


def test_measuring_distance_and_area_with_clicks(qtbot, opened):
    win = opened
    m, tools = win.map2d, win.map_tools
    zoom_map(win, X0 - 5, Y0 - 10, X0 + 75, Y0 + 35)
    click_tool(qtbot, win, tools.act_tools["distance"])
    assert m.tool == "distance"
    w = vtk_widget(m)
    a, b = map_pos(win, X0, Y0 + 30), map_pos(win, X0 + 50, Y0 + 30)
    mpp = m.metres_per_pixel()
    # the exact metres between the two pixels clicked
    pa, pb = m._project_xy(a.x(), m.render_window.GetSize()[1] - 1 - a.y()), \
        m._project_xy(b.x(), m.render_window.GetSize()[1] - 1 - b.y())
    exact = float(np.hypot(pb[0] - pa[0], pb[1] - pa[1]))
    assert exact == pytest.approx(50.0, abs=mpp)
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton, pos=a)
    with qtbot.waitSignal(m.measured, timeout=5000) as sig:
        qtbot.mouseClick(w, Qt.MouseButton.LeftButton, pos=b)
        qtbot.mouseDClick(w, Qt.MouseButton.LeftButton, pos=b)
    kind, value = sig.args
    assert kind == "distance" and value == pytest.approx(50.0, abs=mpp) and value == pytest.approx(exact, abs=1e-6)
    assert len(m.measurement()[1]) == 2
    assert tools.result.text() == f"{value:,.2f} m"
    # drawn on the map in the measure colour
    from viewers.map_measure import MEASURE_RGB

    mid = map_pos(win, X0 + 25, Y0 + 30)
    crimson = tuple(int(round(c * 255)) for c in MEASURE_RGB)
    assert pixel(m, mid) == crimson
    qtbot.mouseClick(tools.copy_button, Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == tools.result.text()
    # area: a 20 m x 10 m rectangle, three clicks and a double click
    click_tool(qtbot, win, tools.act_tools["area"])
    corners = [(X0 + 5, Y0 + 25), (X0 + 25, Y0 + 25), (X0 + 25, Y0 + 35), (X0 + 5, Y0 + 35)]
    for x, y in corners[:3]:
        qtbot.mouseClick(w, Qt.MouseButton.LeftButton, pos=map_pos(win, x, y))
    with qtbot.waitSignal(m.measured, timeout=5000) as sig:
        qtbot.mouseDClick(w, Qt.MouseButton.LeftButton, pos=map_pos(win, *corners[3]))
    kind, value = sig.args
    assert kind == "area" and value == pytest.approx(200.0, abs=60 * mpp)     # one pixel along the perimeter
    assert tools.result_label.text() == "Area:" and tools.result.text().endswith("m²")
    # Backspace takes a vertex back, Esc drops the measurement
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton, pos=map_pos(win, *corners[0]))
    qtbot.mouseClick(w, Qt.MouseButton.LeftButton, pos=map_pos(win, *corners[1]))
    assert len(m.measurement()[1]) == 2
    qtbot.keyClick(w, Qt.Key.Key_Backspace)
    assert len(m.measurement()[1]) == 1
    qtbot.keyClick(w, Qt.Key.Key_Escape)
    assert m.measurement() is None


def test_box_selection_selects_exactly_the_features_inside_in_both_views(qtbot, opened):
    win = opened
    m, v3 = win.map2d, win.view3d
    zoom_map(win, X0 - 5, Y0 - 10, X0 + 75, Y0 + 35)
    click_tool(qtbot, win, win.map_tools.act_tools["select"])
    w = vtk_widget(m)
    start, end = map_pos(win, X0 + 5, Y0 + 13), map_pos(win, X0 + 35, Y0 - 5)
    qtbot.mousePress(w, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(w, (start + end) / 2)
    qtbot.mouseMove(w, end)
    qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, pos=end)
    expected = {"pipe_segments": ["JS-A", "RQ-B"], "pipe_points": ["M1", "V1"]}
    qtbot.waitUntil(lambda: m.selected_features() == expected, timeout=20000)
    # the 3D view draws the manhole but no valve: the same selection of what it draws
    assert v3.selected_features() == {"pipe_segments": ["JS-A", "RQ-B"], "pipe_points": ["M1"]}
    assert "4 features selected" in win.statusBar().currentMessage()
    assert pixel(m, map_pos(win, X0 + 20, Y0)) == styles.SELECTION_RGB
    assert pixel(m, map_pos(win, X0 + 20, Y0 + 10)) == styles.SELECTION_RGB
    assert pixel(m, map_pos(win, X0 + 20, Y0 + 20)) != styles.SELECTION_RGB      # DL-C: outside
    assert near_colour(v3.grab_image(), styles.SELECTION_RGB) > 100
    # zoom to the selection frames exactly the selected features
    qtbot.mouseClick(win.map_tools.toolbar.widgetForAction(win.map_tools.act_zoom_selection),
                     Qt.MouseButton.LeftButton)
    x0, y0, x1, y1 = m.extent()
    assert x0 <= X0 and x1 >= X0 + 40 and y0 <= Y0 - 3 and y1 >= Y0 + 10.2
    assert (x0 + x1) / 2 == pytest.approx(X0 + 20, abs=0.5)
    # a click on empty ground clears it in both views
    with qtbot.waitSignal(m.picked, timeout=5000):
        qtbot.mouseClick(w, Qt.MouseButton.LeftButton, pos=QPoint(w.width() // 2, 5))
    assert m.selected_features() == {} and v3.selected_features() == {}
    # navigating, Shift+drag selects too (and does not zoom)
    click_tool(qtbot, win, win.map_tools.act_tools["navigate"])
    scale = m.renderer.GetActiveCamera().GetParallelScale()
    start, end = map_pos(win, X0 + 15, Y0 + 12), map_pos(win, X0 + 35, Y0 + 8)
    shift = Qt.KeyboardModifier.ShiftModifier
    qtbot.mousePress(w, Qt.MouseButton.LeftButton, shift, pos=start)
    qtbot.mouseMove(w, end)
    qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, shift, pos=end)
    qtbot.waitUntil(lambda: m.selected_features() == {"pipe_segments": ["RQ-B"]}, timeout=20000)
    assert v3.selected_features() == {"pipe_segments": ["RQ-B"]}
    assert win.attributes.value("line_id") == "RQ-B"                # one feature: its attributes
    assert m.renderer.GetActiveCamera().GetParallelScale() == scale


def _toggle(qtbot, tree, kind: str, code: str) -> None:
    """Select an item of the layer tree and press Space (toggles its check box)."""
    tree.setFocus()
    tree.setCurrentItem(tree.item(kind, code))
    qtbot.keyClick(tree, Qt.Key.Key_Space)


def test_utility_check_boxes_hide_its_pixels_in_both_views(qtbot, opened):
    win = opened
    m, v3, tree = win.map2d, win.view3d, win.layer_tree
    zoom_map(win, X0 - 5, Y0 - 10, X0 + 75, Y0 + 35)
    along_pipe = [map_pos(win, X0 + x, Y0) for x in (2, 5, 15, 20, 38)]
    assert {pixel(m, p) for p in along_pipe} == {CYAN}
    assert near_colour(v3.grab_image(), CYAN) > 50
    _toggle(qtbot, tree, "utility", "JS")                   # water pipes off
    assert tree.hidden_utilities()["pipe_segments"] == {"JS"}
    img = m.grab_image()
    assert not {tuple(int(v) for v in img[p.y(), p.x()]) for p in along_pipe} & {CYAN}
    assert near_colour(img, CYAN) > 0                       # the water valve and hydrant symbols stay
    assert near_colour(v3.grab_image(), CYAN) == 0          # 3D: no water pipe
    _toggle(qtbot, tree, "point_utility", "JS")              # water points off too: no cyan anywhere
    assert near_colour(m.grab_image(), CYAN) == 0
    assert tree.is_visible("layer", "pipe_segments")         # the layer stays on, partly checked
    _toggle(qtbot, tree, "utility", "JS")
    _toggle(qtbot, tree, "point_utility", "JS")
    assert {pixel(m, p) for p in along_pipe} == {CYAN}
    assert near_colour(v3.grab_image(), CYAN) > 50


def test_zoom_to_layer_from_the_tree_and_show_in_3d(qtbot, opened):
    win = opened
    m, v3, tree = win.map2d, win.view3d, win.layer_tree
    item = tree.item("layer", "pipe_points")
    pos = tree.visualItemRect(item).center()
    QApplication.sendEvent(tree.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, pos,
                                                              tree.viewport().mapToGlobal(pos)))
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is not None, timeout=5000)
    menu = QApplication.activePopupWidget()
    action = next(a for a in menu.actions() if a.text() == "Zoom to layer")
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())
    # the points span x 9.5 (the manhole's 1 m well) .. 70, y -3..30: framed with 5% to spare
    x0, y0, x1, y1 = m.extent()
    assert (x0 + x1) / 2 == pytest.approx(X0 + 39.75, abs=0.05)
    assert (y0 + y1) / 2 == pytest.approx(Y0 + 13.5, abs=0.05)
    w, h = m.render_window.GetSize()
    assert x1 - x0 == pytest.approx(max(60.5, 33.0 * w / h) * 1.05, rel=1e-3)
    # show in 3D: the 3D camera looks at the map's centre
    zoom_map(win, X0 + 50, Y0 + 20, X0 + 70, Y0 + 40)
    before = np.array(v3.renderer.GetActiveCamera().GetDirectionOfProjection())
    qtbot.mouseClick(win.map_tools.toolbar.widgetForAction(win.map_tools.act_show_3d), Qt.MouseButton.LeftButton)
    cam3, cam2 = v3.renderer.GetActiveCamera(), m.renderer.GetActiveCamera()
    assert cam3.GetFocalPoint()[:2] == pytest.approx(cam2.GetFocalPoint()[:2], abs=1e-6)
    assert np.array(cam3.GetDirectionOfProjection()) == pytest.approx(before, abs=1e-9)
    # the map's centre is drawn at the 3D view's centre
    v3.redraw()
    centre = screen_pos(v3, X0 + 60, Y0 + 30, v3.stage.scene.to_project(*cam3.GetFocalPoint())[2])
    vw, vh = v3.render_window.GetSize()
    # (within a pixel and a half: an odd view height puts the centre between rows, flipped to Qt's top-left)
    assert abs(centre.x() - vw / 2) <= 1.5 and abs(centre.y() - vh / 2) <= 1.5
