"""The app shell with the real views: open, click a pipe, linked selection, pixels, visibility."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt

from gis.utilities import UTILITIES
from tests.gui.conftest import make_window, near_colour, open_and_wait, press, screen_pos, vtk_widget

X0, Y0 = 500000.0, 3450000.0     # small_project: pipe i runs from (X0, Y0+10i) to (X0+100, Y0+10i)
PIPES = {"JS1-JS2": (0, "JS"), "WS1-WS2": (1, "PS"), "DL1-DL2": (2, "DL")}


def centre(line_id: str) -> tuple[float, float, float]:
    i, _ = PIPES[line_id]
    return X0 + 50.0, Y0 + 10.0 * i, 2.0 - i


def test_open_project_shows_counts_title_and_status(qtbot, window, small_project):
    open_and_wait(qtbot, window, small_project)
    assert window.windowTitle() == "small — CGCS2000 / 3-degree Gauss-Kruger CM 120E — Subterra"
    assert window.crs_label.text() == "CGCS2000 / 3-degree Gauss-Kruger CM 120E"
    assert window.datum_label.text() == "Heights: 1985 National Height Datum"
    assert window.layer_tree.item("layer", "pipe_segments").text(0) == "pipe segments  (3)"
    assert window.layer_tree.item("utility", "PS").text(0) == "PS drainage  (1)"
    assert window.layer_tree.item("utility", "RQ").text(0) == "RQ gas"
    for view in window.views():
        assert view.stage.scene is window.project.scene
        assert {"pipe_segments", "terrain"} <= set(view.stage.actors)
        # the one pipe point is a valve, not a well: the scene (built from the store) draws nothing of it
        assert "pipe_points" not in view.stage.actors and window.project.counts["pipe_points"] == 1


def test_click_on_a_pipe_in_3d_selects_in_both_views_and_fills_panel(qtbot, window, small_project):
    open_and_wait(qtbot, window, small_project)
    view = window.view3d
    for line_id in ("WS1-WS2", "JS1-JS2"):
        with qtbot.waitSignal(view.picked, timeout=5000) as sig:
            qtbot.mouseClick(vtk_widget(view), Qt.MouseButton.LeftButton, pos=screen_pos(view, *centre(line_id)))
        assert sig.args == ["pipe_segments", line_id]
        assert window.attributes.value("line_id") == line_id
        for v in window.views():
            assert v.stage.selection == ("pipe_segments", line_id)
    assert window.attributes.value("utility") == "JS water supply"
    assert window.attributes.value("diameter_mm") == "300"
    assert window.attributes.value("material") == "球墨铸铁"
    labels = [window.attributes.table.item(r, 0).text() for r in range(window.attributes.table.rowCount())]
    assert "diameter (DN) (mm)" in labels and "start depth (m)" in labels
    # A click on empty space in the 2D map clears both selections and the panel.
    with qtbot.waitSignal(window.map2d.picked, timeout=5000) as sig:
        qtbot.mouseClick(vtk_widget(window.map2d), Qt.MouseButton.LeftButton,
                         pos=screen_pos(window.map2d, X0 + 50, Y0 + 5, 0.0))
    assert sig.args == ["", ""]
    assert window.attributes.value("line_id") is None
    assert all(v.stage.selection is None for v in window.views())


def test_3d_pixels_show_utility_colours_and_check_boxes_hide_layers(qtbot, window, small_project):
    open_and_wait(qtbot, window, small_project)
    window.act_ground[-1].trigger()                # View > Ground surface > 0% opaque
    present = [UTILITIES[code].rgb for _, code in PIPES.values()]
    pixels = window.view3d.grab_image()
    counts = [near_colour(pixels, rgb) for rgb in present]
    assert min(counts) > 100, counts
    assert near_colour(pixels, UTILITIES["RQ"].rgb) == 0      # no gas pipe in this project
    # Really click the check box of "pipe segments" in the layer tree.
    tree = window.layer_tree
    item = tree.item("layer", "pipe_segments")
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.topLeft() + QPoint(10, rect.height() // 2))
    assert item.checkState(0) == Qt.CheckState.Unchecked
    assert tree.item("family", "pipelines").checkState(0) == Qt.CheckState.PartiallyChecked
    hidden = window.view3d.grab_image()
    assert max(near_colour(hidden, rgb) for rgb in present) < 0.05 * min(counts)
    assert not window.map2d.stage.actors["pipe_segments"].GetVisibility()
    tree.set_visible("layer", "pipe_segments", True)
    again = window.view3d.grab_image()
    assert min(near_colour(again, rgb) for rgb in present) > 0.8 * min(counts)


def test_cursor_coordinates_in_status_bar(qtbot, window, small_project):
    open_and_wait(qtbot, window, small_project)
    view = window.map2d
    with qtbot.waitSignal(view.cursor_moved, timeout=5000):
        qtbot.mouseMove(vtk_widget(view), screen_pos(view, X0 + 30, Y0 + 5, 0.0))
    text = window.coord_label.text()
    x, y = (float(part.replace(",", "")) for part in text.replace("X", "").split("Y"))
    assert abs(x - (X0 + 30)) < 0.5 and abs(y - (Y0 + 5)) < 0.5


def test_view_mode_tabs_is_remembered(qtbot, qapp, window, small_project):
    assert window.view_mode() == "split"
    assert window.map2d.isVisible() and window.view3d.isVisible()
    press(qtbot, window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.view_mode() == "tabs"
    assert window.view_tabs.isVisible()
    assert window.map2d.isVisible() and not window.view3d.isVisible()
    window.view_tabs.setCurrentIndex(1)
    assert not window.map2d.isVisible() and window.view3d.isVisible()
    window.close()
    again = make_window(qtbot, qapp)
    assert again.view_mode() == "tabs" and again.act_tabs.isChecked()
    open_and_wait(qtbot, again, small_project)      # a hidden view takes its scene too
    assert again.view3d.stage.scene is again.project.scene
    again.act_split.trigger()
    assert again.map2d.isVisible() and again.view3d.isVisible()
    assert np.asarray(again.view3d.grab_image()).std() > 0


def test_cancelling_an_open_keeps_the_current_project(qtbot, window, small_project, tmp_path):
    open_and_wait(qtbot, window, small_project)
    other = tmp_path / "other.gpkg"
    other.write_bytes(small_project.read_bytes())
    with qtbot.waitSignal(window.project_failed, timeout=30000) as sig:
        assert window.open_project(str(other))
        assert not window.open_project(str(other))        # one task at a time
        window.runner.cancel()                              # what the dialog's Cancel button does
    assert sig.args == ["Cancelled"]
    assert window.statusBar().currentMessage() == "Cancelled"
    assert window.project.path == str(small_project)
    assert window.windowTitle().startswith("small — ")


def test_close_project_empties_views_tree_and_title(qtbot, window, small_project):
    open_and_wait(qtbot, window, small_project)
    window.view3d.picked.emit("pipe_segments", "JS1-JS2")
    assert window.attributes.value("line_id") == "JS1-JS2"
    press(qtbot, window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert window.project is None and window.windowTitle() == "Subterra"
    assert all(v.stage.scene is None and not v.stage.actors for v in window.views())
    assert window.layer_tree.item("layer", "pipe_segments").text(0) == "pipe segments"
    assert window.attributes.value("line_id") is None
    assert window.crs_label.text() == "No project"


def test_view_settings_carry_over_to_the_next_project(qtbot, window, small_project):
    window.act_exag[-1].trigger()                                   # 5x
    window.act_ground[1].trigger()                                  # 50 %
    window.layer_tree.set_visible("layer", "pipe_segments", False)
    open_and_wait(qtbot, window, small_project)
    for view in window.views():
        assert view.stage.exaggeration == 5.0
        assert view.stage.actors["terrain"].GetProperty().GetOpacity() == 0.5
        assert not view.stage.actors["pipe_segments"].GetVisibility()
        assert view.stage.actors["terrain"].GetVisibility()
    assert [a.text() for a in window.menu_view.actions()][:1] == ["&Reset view"]


def test_no_two_actions_share_a_shortcut(window):
    """An ambiguous shortcut fires neither action in Qt: every key sequence belongs to one action."""
    from PySide6.QtGui import QAction

    owner: dict[str, str] = {}
    for action in window.findChildren(QAction):
        for seq in action.shortcuts():
            key = seq.toString()
            assert key not in owner, f"{key} is both {owner[key]!r} and {action.text()!r}"
            owner[key] = action.text()
    assert {"Ctrl+O", "Ctrl+Shift+A", "Ctrl+Shift+B", "Ctrl+Alt+B", "F9"} <= set(owner)
