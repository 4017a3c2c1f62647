"""The Qt views (View3D, Map2D) under Xvfb: real clicks emit picked ids, pixels show utility colours."""
from __future__ import annotations

import os

import numpy as np
import pytest

pytestmark = pytest.mark.gui

if not os.environ.get("DISPLAY"):      # Qt would abort the whole run: say why instead
    pytest.fail("the Qt view tests need a display: run them under xvfb-run (make test)", pytrace=False)

from PySide6.QtCore import QPoint, Qt  # noqa: E402

from tests.tiny_projects import X0, Y0, make_project, pipe  # noqa: E402
from viewers import styles  # noqa: E402
from viewers.qt_map2d import Map2D  # noqa: E402
from viewers.qt_view3d import View3D  # noqa: E402
from viewers.scene import build_project_scene  # noqa: E402

SIZE = (480, 360)


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    from shapely import Point

    path = tmp_path_factory.mktemp("gui") / "g.gpkg"
    proj = make_project(path, {
        "pipe_segments": [
            pipe("JS-1", [(-20, 0, 1.5), (20, 0, 1.5)], diameter_mm=1000.0),
            pipe("RQ-1", [(-20, 8, 2.5), (20, 8, 2.5)], utility="RQ", diameter_mm=800.0),
            pipe("DL-1", [(-20, -8, 3.0), (20, -8, 3.0)], utility="DL", shape="rect", width_mm=1000.0,
                 height_mm=600.0)],
        "pipe_points": [{"point_id": "WS-M1", "utility": "WS", "appurtenance": "检查井", "well_depth": 3.0,
                         "geometry": Point(X0 + 12, Y0 + 4, 4.0)}]},
        ground=4.0, ground_extent=60.0)
    sc = build_project_scene(proj)
    proj.close()
    return sc


def shown(qtbot, cls, scene):
    view = cls()
    qtbot.addWidget(view)
    view.resize(*SIZE)
    with qtbot.waitExposed(view):
        view.show()
    view.set_ground_opacity(0.0)
    view.set_scene(scene)
    return view


def screen_pos(view, scene, x, y, z):
    """Qt widget position (top-left origin) of a project point as drawn now."""
    from vtkmodules.vtkRenderingCore import vtkCoordinate

    c = vtkCoordinate()
    c.SetCoordinateSystemToWorld()
    c.SetValue(*scene.to_local(x, y, z, exaggeration=view.stage.exaggeration))
    dx, dy = c.GetComputedDoubleDisplayValue(view.renderer)
    h = view.render_window.GetSize()[1]
    return QPoint(int(round(dx)), int(round(h - 1 - dy)))


def click(qtbot, view, pos):
    qtbot.mouseClick(view._vtk, Qt.MouseButton.LeftButton, pos=pos)


@pytest.mark.parametrize("cls", [View3D, Map2D])
def test_click_on_a_pipe_emits_its_id(qtbot, scene, cls):
    view = shown(qtbot, cls, scene)
    for fid, (x, y, z) in [("JS-1", (X0 + 5, Y0, 2.0)), ("RQ-1", (X0 - 6, Y0 + 8, 2.9)),
                           ("DL-1", (X0, Y0 - 8, 3.3))]:
        with qtbot.waitSignal(view.picked, timeout=3000) as sig:
            click(qtbot, view, screen_pos(view, scene, x, y, z))
        assert sig.args == ["pipe_segments", fid]
        assert view.stage.selection == ("pipe_segments", fid)
    with qtbot.waitSignal(view.picked, timeout=3000) as sig:
        click(qtbot, view, QPoint(3, 3))
    assert sig.args == ["", ""] and view.stage.selection is None


def test_3d_pixels_show_tubes_in_utility_colours(qtbot, scene):
    view = shown(qtbot, View3D, scene)
    px = view.grab_image().reshape(-1, 3).astype(int)
    assert px.shape[0] == SIZE[0] * SIZE[1]
    r, g, b = px.T
    cyan = (r < 40) & (g > 90) & (np.abs(g - b) < 10)
    magenta = (g < 40) & (r > 90) & (np.abs(r - b) < 10)
    red = (r > 90) & (g < 30) & (b < 30)
    assert cyan.sum() > 200 and magenta.sum() > 200 and red.sum() > 200
    view.set_layer_visible("pipe_segments", False)
    r, g, b = view.grab_image().reshape(-1, 3).astype(int).T
    assert not ((r < 40) & (g > 90) & (np.abs(g - b) < 10)).any()


def test_map_pixels_selection_and_cursor(qtbot, scene, tmp_path):
    view = shown(qtbot, Map2D, scene)
    px = view.grab_image()
    for rgb in [(0, 255, 255), (255, 0, 255), (255, 0, 0), (76, 57, 38)]:
        assert np.all(px == rgb, axis=-1).sum() > 20, rgb
    pos = screen_pos(view, scene, X0 + 5, Y0, 2.0)
    view.select("pipe_segments", "JS-1")
    assert tuple(view.grab_image()[pos.y(), pos.x()]) == styles.SELECTION_RGB
    view.select("pipe_segments", None)
    assert tuple(view.grab_image()[pos.y(), pos.x()]) == (0, 255, 255)
    with qtbot.waitSignal(view.cursor_moved, timeout=3000) as sig:
        qtbot.mouseMove(view._vtk, pos)
    x, y = sig.args
    assert x == pytest.approx(X0 + 5, abs=0.3) and y == pytest.approx(Y0, abs=0.3)
    view.save_image(tmp_path / "map.png")
    assert (tmp_path / "map.png").read_bytes()[:4] == b"\x89PNG"


def test_map_rubber_band_zooms_and_views_share_one_interface(qtbot, scene):
    view = shown(qtbot, Map2D, scene)
    cam = view.renderer.GetActiveCamera()
    before = cam.GetParallelScale()
    w = view._vtk
    qtbot.mousePress(w, Qt.MouseButton.LeftButton, pos=QPoint(200, 150))
    qtbot.mouseMove(w, QPoint(260, 200))
    qtbot.mouseRelease(w, Qt.MouseButton.LeftButton, pos=QPoint(260, 200))
    assert cam.GetParallelScale() < 0.5 * before
    view.reset_camera()
    assert cam.GetParallelScale() == pytest.approx(before)
    from vtkmodules.vtkInteractionStyle import vtkInteractorStyleTrackballCamera

    v3 = shown(qtbot, View3D, scene)
    assert isinstance(v3.interactor.GetInteractorStyle(), vtkInteractorStyleTrackballCamera)
    for name in ("set_scene", "clear", "select", "set_layer_visible", "set_ground_opacity", "set_exaggeration",
                 "reset_camera", "grab_image", "save_image", "picked", "cursor_moved"):
        assert hasattr(view, name) and hasattr(v3, name)
    v3.set_exaggeration(3.0)
    assert v3.renderer.GetActors().GetItemAsObject(0).GetScale() == (1.0, 1.0, 3.0)
    v3.clear()
    assert v3.renderer.GetActors().GetNumberOfItems() == 0


def test_3d_view_swaps_in_tiles_built_off_the_gui_thread(qtbot):
    from tests.test_scene_lod import GAP, STEP, runs_frame
    from viewers.scene.tiled import BLOCK, NEAR

    scene = build_project_scene({"pipe_segments": runs_frame()}, with_ground=False, lod_min=0)
    view = shown(qtbot, View3D, scene)
    assert {k[1] for k in view.stage.shown_tiles()} == {BLOCK}      # whole extent in view: the overview
    cam = view.renderer.GetActiveCamera()
    x, y = X0 + 10.5 * STEP, Y0 + 2 * GAP
    focal = np.array(scene.to_local(x, y, 1.9))
    cam.SetFocalPoint(*focal)
    cam.SetPosition(*(focal + [0.0, -12.0, 16.0]))
    cam.SetViewUp(0, 0, 1)
    view.renderer.ResetCameraClippingRange()
    view.redraw()                                           # queues the near tiles on the worker
    qtbot.waitUntil(lambda: NEAR in {k[1] for k in view.stage.shown_tiles()}, timeout=20000)
    qtbot.waitUntil(lambda: not view.stage._pending, timeout=20000)       # every wanted tile came in
    with qtbot.waitSignal(view.picked, timeout=3000) as sig:
        click(qtbot, view, screen_pos(view, scene, x, y, 1.9))
    assert sig.args == ["pipe_segments", "R2-10"]
    view.close()


def test_held_redraws_come_to_one_render_showing_every_change(qtbot, scene):
    view = shown(qtbot, View3D, scene)
    renders = []
    view.render_window.AddObserver("EndEvent", lambda *_: renders.append(1))
    with view.redraws_held():
        view.set_layer_visible("pipe_segments", False)
        view.set_ground_opacity(0.5)
        with view.redraws_held():                        # nested: still held
            view.set_ground_opacity(0.0)
        assert renders == []
    assert renders == [1]
    r, g, b = view.grab_image().reshape(-1, 3).astype(int).T
    assert not ((r < 40) & (g > 90) & (np.abs(g - b) < 10)).any()     # the held change is drawn
    with view.redraws_held():                            # nothing asked: nothing rendered
        pass
    assert len(renders) == 2                             # (the grab above rendered once)
