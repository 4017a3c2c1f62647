"""The main window on the small demo district: click a pipe in 3D, utility colours in the 3D pixels."""
from __future__ import annotations

import numpy as np
import shapely
from PySide6.QtCore import Qt

from gis.utilities import UTILITIES
from tests.gui.conftest import near_colour, screen_pos, vtk_widget

COLOURED = ("JS", "RQ", "RL", "DL", "TX")     # saturated CJJ 61 colours, told apart by hue


def show_pipes_only(win) -> None:
    """Through the UI: hide context layers, pipe points and the ground."""
    win.layer_tree.set_visible("family", "context", False)
    win.layer_tree.set_visible("layer", "pipe_points", False)
    win.act_ground[-1].trigger()


def test_demo_opens_with_every_family_in_the_tree(demo_window):
    win = demo_window
    proj = win.project
    assert proj.counts["pipe_segments"] > 1000 and proj.counts["metro_tunnels"] > 0
    assert proj.counts["civil_defense_works"] > 0 and proj.counts["structures"] > 0
    assert proj.has_terrain
    assert win.windowTitle().endswith("— CGCS2000 / 3-degree Gauss-Kruger CM 120E — Subterra")
    tree = win.layer_tree
    assert [tree.topLevelItem(i).text(0) for i in range(tree.topLevelItemCount())] == [
        "Pipelines", "Metro", "Civil defense", "Structures", "Survey", "Analysis", "Context"]
    present = {code for code, n in proj.utility_counts.items() if n}
    assert set(COLOURED) <= present
    for view in win.views():
        assert {"pipe_segments", "metro_tunnels", "civil_defense_works", "terrain"} <= set(view.stage.actors)


def test_click_a_demo_pipe_in_3d_shows_its_line_id(qtbot, demo_window):
    win = demo_window
    show_pipes_only(win)
    view = win.view3d
    segs = win.project.frames["pipe_segments"]
    lengths = shapely.length(segs.geometry.to_numpy())
    mids = shapely.line_interpolate_point(segs.geometry.to_numpy(), 0.5, normalized=True)
    z = shapely.get_z(mids)
    w, h = view.render_window.GetSize()
    # Shallow, long pipes first; the first whose centre is in view and not hidden behind
    # another feature (the renderer's own picker says what lies under that pixel) is clicked.
    order = np.lexsort((-lengths, -np.round(z, 1)))
    clicked, target = None, None
    for i in order:
        pos = screen_pos(view, mids[i].x, mids[i].y, z[i])
        inside = 20 < pos.x() < w - 20 and 20 < pos.y() < h - 20
        if inside and view.stage.pick(pos.x(), h - 1 - pos.y()) == ("pipe_segments", segs["line_id"].iloc[i]):
            target = segs["line_id"].iloc[i]
            break
    assert target is not None, "no pipe centre is visible"
    with qtbot.waitSignal(view.picked, timeout=5000) as sig:
        qtbot.mouseClick(vtk_widget(view), Qt.MouseButton.LeftButton, pos=pos)
    clicked = sig.args[1]
    assert sig.args == ["pipe_segments", target]
    assert win.attributes.value("line_id") == clicked
    assert win.map2d.stage.selection == ("pipe_segments", clicked)
    row = segs.loc[clicked]
    assert win.attributes.value("utility").startswith(row["utility"] + " ")
    assert win.attributes.title.text() == f"<b>pipe segments</b>  {clicked}"


def test_3d_pixels_show_tubes_in_utility_colours(qtbot, demo_window):
    win = demo_window
    show_pipes_only(win)
    pixels = win.view3d.grab_image()
    assert pixels.shape[2] == 3 and pixels.shape[0] > 300
    counts = {code: near_colour(pixels, UTILITIES[code].rgb) for code in COLOURED}
    assert min(counts.values()) > 50, counts
    win.layer_tree.set_visible("layer", "pipe_segments", False)
    gone = win.view3d.grab_image()
    for code in COLOURED:
        assert near_colour(gone, UTILITIES[code].rgb) < 0.05 * counts[code], code
    assert not np.array_equal(gone, pixels)
