"""Map furniture and measures, off screen: scale bar length, north arrow, path length and area."""
from __future__ import annotations

import numpy as np
import pytest

from tests.test_scene_stage import scene, top_stage  # noqa: F401 - module fixture reused
from tests.tiny_projects import X0, Y0
from viewers import camera
from viewers.images import grab
from viewers.map_measure import AREA, DISTANCE, measure, value_text
from viewers.map_overlays import BAR_TARGET_PX, MARGIN_PX, MapDecorations, length_text, nice_length


@pytest.mark.parametrize("max_m, nice", [(1.0, 1.0), (1.9, 1.0), (2.0, 2.0), (4.99, 2.0), (5.0, 5.0), (9.9, 5.0),
                                          (10.0, 10.0), (123.0, 100.0), (0.37, 0.2), (2600.0, 2000.0)])
def test_nice_lengths_are_one_two_five(max_m, nice):
    assert nice_length(max_m) == pytest.approx(nice)
    with pytest.raises(ValueError):
        nice_length(0.0)


def test_length_labels():
    assert [length_text(v) for v in (0.5, 20.0, 500.0, 2000.0)] == ["0.5 m", "20 m", "500 m", "2 km"]


def _dark_columns(img: np.ndarray, row: int) -> np.ndarray:
    return np.flatnonzero(np.all(img[row] < 60, axis=-1))


@pytest.mark.parametrize("width_m", [40.0, 13.0, 250.0, 3700.0])
def test_scale_bar_spans_its_length_at_the_cameras_scale(scene, width_m):  # noqa: F811
    window, stage = top_stage(scene)
    deco = MapDecorations(stage.renderer)
    x0, y0, _ = scene.to_local(X0, Y0)
    w, h = window.GetSize()
    camera.top(stage.renderer, (x0, y0), width_m, (w, h), stage.visible_bounds())
    window.Render()
    mpp = 2.0 * stage.renderer.GetActiveCamera().GetParallelScale() / h      # metres per pixel
    assert mpp == pytest.approx(width_m / w)
    expected_px = deco.bar_m / mpp
    assert deco.bar_m == nice_length(mpp * BAR_TARGET_PX) and expected_px <= BAR_TARGET_PX + 1e-6
    # the bar's bottom row (black from end to end) in the rendered pixels
    img = grab(window)
    row = h - 1 - MARGIN_PX
    cols = _dark_columns(img, row)
    cols = cols[cols >= MARGIN_PX - 1]
    assert len(cols) and np.all(np.diff(cols) == 1)           # one unbroken run
    assert cols[0] == MARGIN_PX
    assert len(cols) == pytest.approx(expected_px, abs=1.0)
    assert deco.bar_px == (MARGIN_PX, int(round(MARGIN_PX + expected_px)) - 1)
    window.Finalize()


def test_scale_bar_follows_zoom_and_arrow_follows_the_camera(scene):  # noqa: F811
    window, stage = top_stage(scene)
    deco = MapDecorations(stage.renderer)
    window.Render()
    first = deco.bar_m
    cam = stage.renderer.GetActiveCamera()
    cam.SetParallelScale(cam.GetParallelScale() * 10)
    window.Render()
    assert deco.bar_m == pytest.approx(10 * first)
    w, h = window.GetSize()

    def arrow_box():
        img = grab(window)[: h // 3, 2 * w // 3:]
        ys, xs = np.nonzero(np.all(img < 60, axis=-1))
        return xs.max() - xs.min(), ys.max() - ys.min(), ys.min()

    wide, tall, top_row = arrow_box()
    assert tall > wide                           # north up: an upright arrow
    cam.SetViewUp(1.0, 0.0, 0.0)                 # east up: north points left
    window.Render()
    wide, tall, _ = arrow_box()
    assert wide > tall
    deco.set_visible(False)
    window.Render()
    assert not np.any(np.all(grab(window)[: h // 3, 2 * w // 3:] < 60, axis=-1))
    deco.remove()
    window.Finalize()


def test_measures_of_known_shapes():
    assert measure(DISTANCE, [(0, 0), (3, 4), (3, 10)]) == pytest.approx(11.0)
    assert measure(DISTANCE, [(5, 5)]) == 0.0
    square = [(500000.0, 3400000.0), (500010.0, 3400000.0), (500010.0, 3400010.0), (500000.0, 3400010.0)]
    assert measure(AREA, square) == pytest.approx(100.0, abs=1e-6)              # big coordinates, exact
    assert measure(AREA, square[::-1]) == pytest.approx(100.0, abs=1e-6)        # either winding
    assert measure(AREA, square[:2]) == 0.0
    assert value_text(DISTANCE, 1234.567) == "1,234.57 m" and value_text(AREA, 100.0) == "100.0 m²"
    with pytest.raises(ValueError):
        measure("volume", square)
