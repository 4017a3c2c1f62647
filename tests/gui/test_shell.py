"""The app shell: opening projects, picking, visibility, view mode, title and status bar."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.gui import settings as st
from tests.gui.conftest import make_window, open_and_wait


def test_open_project_shows_counts_title_and_status(qtbot, window, small_project):
    open_and_wait(qtbot, window, small_project)
    assert window.windowTitle().startswith("small — CGCS2000")
    assert window.crs_label.text() == "CGCS2000 / 3-degree Gauss-Kruger CM 120E"
    assert window.datum_label.text() == "Heights: 1985 National Height Datum"
    assert "(3)" in window.layer_tree.item("layer", "pipe_segments").text(0)
    assert "(1)" in window.layer_tree.item("utility", "PS").text(0)
    for view in window.views():
        assert view.calls[-1][0] == "set_scene" and "pipe_segments" in view.calls[-1][1]


def test_pick_in_one_view_selects_in_both_and_fills_panel(qtbot, window, small_project):
    open_and_wait(qtbot, window, small_project)
    window.view3d.picked.emit("pipe_segments", "WS1-WS2")
    for view in window.views():
        assert ("select", "pipe_segments", "WS1-WS2") in view.calls
    assert window.attributes.value("line_id") == "WS1-WS2"
    assert window.attributes.value("utility") == "PS drainage"
    assert window.attributes.value("diameter_mm") == "600"
    assert window.attributes.value("material") == "钢筋混凝土"
    labels = [window.attributes.table.item(r, 0).text() for r in range(window.attributes.table.rowCount())]
    assert "diameter (DN) (mm)" in labels and "material" in labels
    window.map2d.picked.emit("", "")
    assert window.attributes.value("line_id") is None
    assert window.view3d.calls[-1] == ("select", "", None)


def test_layer_and_utility_check_boxes_drive_both_views(qtbot, window, small_project):
    open_and_wait(qtbot, window, small_project)
    window.layer_tree.set_visible("layer", "pipe_points", False)
    window.layer_tree.set_visible("utility", "JS", False)
    for view in window.views():
        assert ("set_layer_visible", "pipe_points", False) in view.calls
        assert ("set_utility_visible", "JS", False) in view.calls
    fam = window.layer_tree.item("family", "metro")
    fam.setCheckState(0, Qt.CheckState.Unchecked)
    for view in window.views():
        assert ("set_layer_visible", "metro_tunnels", False) in view.calls
        assert ("set_layer_visible", "metro_stations", False) in view.calls


def test_cursor_coordinates_in_status_bar(qtbot, window):
    window.map2d.cursor_moved.emit(500012.3456, 3450001.5)
    assert window.coord_label.text() == "X 500,012.346  Y 3,450,001.500"


def test_view_mode_tabs_is_remembered(qtbot, qapp, window):
    assert window.view_mode() == "split"
    assert window._slots[0].isVisible() and window._slots[1].isVisible()
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.view_mode() == "tabs"
    assert window.view_tabs.isVisible()
    assert window._slots[0].isVisible() and not window._slots[1].isVisible()
    window.view_tabs.setCurrentIndex(1)
    assert not window._slots[0].isVisible() and window._slots[1].isVisible()
    window.close()
    again = make_window(qtbot, qapp)
    assert again.view_mode() == "tabs" and again.act_tabs.isChecked()
