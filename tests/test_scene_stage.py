"""The Stage (actors of a scene): exaggeration, visibility, selection and picking, rendered off screen."""
from __future__ import annotations

import numpy as np
import pytest

from tests.tiny_projects import X0, Y0, two_pipe_scene
from viewers import camera, styles
from viewers.images import grab
from viewers.offscreen import offscreen_stage
from viewers.stage import Stage


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    return two_pipe_scene(tmp_path_factory.mktemp("stage") / "s.gpkg")


def top_stage(scene, size=(400, 300)):
    window, stage = offscreen_stage(scene, size, "map", ground_opacity=0.0)
    x0, y0, _ = scene.to_local(X0, Y0)
    camera.top(stage.renderer, (x0, y0), 40.0, size, stage.visible_bounds())     # 10 px per metre
    window.Render()
    return window, stage


def test_exaggeration_scales_z_only_about_the_reference(scene):
    from vtkmodules.vtkRenderingCore import vtkRenderer

    stage = Stage(vtkRenderer())
    stage.set_scene(scene)
    pipes, ground = stage.actors["pipe_segments"], stage.actors["terrain"]
    stage.set_ground_opacity(1.0)
    b1, g1 = np.array(pipes.GetBounds()), np.array(ground.GetBounds())
    stage.set_exaggeration(4.0)
    b4, g4 = np.array(pipes.GetBounds()), np.array(ground.GetBounds())
    assert b4[:4] == pytest.approx(b1[:4])
    assert b4[4:] == pytest.approx(4.0 * b1[4:])
    assert g4 == pytest.approx(g1)                     # the ground is the reference level (4.0 m)
    assert scene.origin[2] == pytest.approx(4.0)
    # the drawn top of the gas main (DN600 at 2.5 m) maps back to its true elevation
    assert scene.to_project(0.0, 0.0, b4[5], exaggeration=4.0)[2] == pytest.approx(2.8, abs=1e-5)
    assert scene.exaggeration == 1.0
    with pytest.raises(ValueError):
        stage.set_exaggeration(0.0)


def test_visibility_and_ground_opacity(scene):
    window, stage = top_stage(scene)
    px = grab(window)
    assert np.all(px[150, 200] == (0, 255, 255))
    stage.set_layer_visible("pipe_segments", False)
    window.Render()
    assert np.all(grab(window) == styles.BACKGROUND_RGB["map"])
    stage.set_layer_visible("pipe_segments", True)
    stage.set_ground_opacity(1.0)
    window.Render()
    assert np.all(grab(window)[150, 200] == styles.GROUND_RGB)
    window.Finalize()


def test_pick_select_and_cursor_point(scene):
    window, stage = top_stage(scene)
    # VTK display coordinates run from the bottom-left; y=0 m is row 150, y=8 m is 80 px higher
    assert stage.pick(200, 150) == ("pipe_segments", "JS-1")
    assert stage.pick(100, 230) == ("pipe_segments", "RQ-1")
    assert stage.pick(200, 50) is None
    x, y, _ = stage.world_point(260, 150)
    assert x == pytest.approx(X0 + 6.05, abs=0.06) and y == pytest.approx(Y0 + 0.05, abs=0.06)
    assert stage.select("pipe_segments", "RQ-1")
    window.Render()
    px = grab(window)
    assert np.all(px[300 - 1 - 230, 100] == styles.SELECTION_RGB)
    assert np.all(px[149, 200] == (0, 255, 255))              # the other pipe keeps its colour
    assert stage.selection == ("pipe_segments", "RQ-1")
    assert not stage.select("pipe_segments", "missing") and stage.selection is None
    window.Render()
    assert np.all(grab(window)[300 - 1 - 230, 100] == (255, 0, 255))
    window.Finalize()
