"""Stage.set_marker: named point markers drawn at project coordinates, rendered off screen."""
from __future__ import annotations

import numpy as np
import pytest

from tests.test_scene_stage import scene, top_stage  # noqa: F401 - module fixture reused
from tests.tiny_projects import X0, Y0
from viewers.images import grab

MARKER_RGB = (255, 0, 128)


def _marker_pixels(window) -> np.ndarray:
    img = grab(window).astype(int)
    return np.argwhere((np.abs(img - np.array(MARKER_RGB)) <= 2).all(axis=2))


def test_marker_is_drawn_where_its_project_coordinates_are(scene):  # noqa: F811
    window, stage = top_stage(scene)
    assert len(_marker_pixels(window)) == 0
    assert stage.set_marker("gnss", (X0 + 10.0, Y0 - 5.0, 4.0), MARKER_RGB, size=9)
    window.Render()
    px = _marker_pixels(window)
    assert len(px) > 20
    h, w = grab(window).shape[:2]
    # 10 px per metre around (X0, Y0) at the image centre; rows count down from the top
    row, col = px.mean(axis=0)
    assert col == pytest.approx(w / 2 + 100, abs=3) and row == pytest.approx(h / 2 + 50, abs=3)
    # moved: drawn at the new place only
    stage.set_marker("gnss", [(X0 - 10.0, Y0 + 5.0, 4.0)], MARKER_RGB, size=9)
    window.Render()
    row, col = _marker_pixels(window).mean(axis=0)
    assert col == pytest.approx(w / 2 - 100, abs=3) and row == pytest.approx(h / 2 - 50, abs=3)
    assert list(stage.markers) == ["gnss"]


def test_markers_hide_with_their_layer_and_go_with_the_scene(scene):  # noqa: F811
    window, stage = top_stage(scene)
    pts = np.array([(X0 + dx, Y0, 4.0) for dx in (-15.0, 0.0, 15.0)])
    stage.set_marker("survey_points", pts, MARKER_RGB, size=7)
    window.Render()
    cols = np.unique(np.round(_marker_pixels(window)[:, 1] / 10.0))
    assert len(cols) == 3                                  # three separate markers
    stage.set_layer_visible("survey_points", False)
    window.Render()
    assert len(_marker_pixels(window)) == 0
    stage.set_layer_visible("survey_points", True)
    stage.set_exaggeration(3.0)                            # follows the Z scale like every actor
    assert stage.markers["survey_points"].GetScale() == pytest.approx((1.0, 1.0, 3.0))
    assert stage.set_marker("survey_points", None) is False
    window.Render()
    assert len(_marker_pixels(window)) == 0 and stage.markers == {}
    stage.set_marker("gnss", (X0, Y0, 4.0), MARKER_RGB)
    stage.clear()
    assert stage.markers == {} and stage.set_marker("gnss", (X0, Y0, 4.0), MARKER_RGB) is False


def test_markers_keep_their_exact_colour_in_the_shaded_3d_stage(scene):  # noqa: F811
    from viewers import camera
    from viewers.offscreen import offscreen_stage

    window, stage = offscreen_stage(scene, (300, 300), "shaded")
    camera.orbit(stage.renderer, stage.visible_bounds(), 210.0, 35.0)
    stage.set_marker("gnss", (X0, Y0 + 4.0, 5.0), MARKER_RGB, size=12)
    window.Render()
    assert len(_marker_pixels(window)) > 30          # unlit: ambient + diffuse do not tint it
