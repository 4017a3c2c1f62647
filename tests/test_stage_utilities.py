"""Stage: per-utility visibility at every level of detail, multi-feature selection, layer bounds (off screen)."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from tests.test_scene_lod import levels, stage_on, top
from tests.tiny_projects import X0, Y0
from viewers import styles
from viewers.images import grab
from viewers.scene import build_project_scene
from viewers.scene.tiled import BLOCK, FAR, MID, NEAR

PIECES, STEP, GAP = 60, 20.0, 20.0     # runs of 60 pieces of 20 m (1.2 km), 20 m apart
SIZE = (400, 300)
CYAN, MAGENTA = (0, 255, 255), (255, 0, 255)
# run 0 water (cyan), run 1 gas (magenta), run 2 alternates industrial and "other" (both black)
# every 5 pieces, end to end: thinned lines must not join them
GY_QT_BLOCK = 5


def _frame():
    import geopandas as gpd

    rows = []
    for run, utility in enumerate(("JS", "RQ", None)):
        for k in range(PIECES):
            code = utility or ("GY" if (k // GY_QT_BLOCK) % 2 == 0 else "QT")
            x, y = X0 + k * STEP, Y0 + run * GAP
            rows.append({"line_id": f"R{run}-{k}", "utility": code, "diameter_mm": 400.0,
                         "geometry": shapely.LineString([(x, y, 2.0), (x + STEP, y, 2.0)])})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4549")


@pytest.fixture(scope="module")
def frame():
    return _frame()


@pytest.fixture(scope="module")
def scene(frame):
    return build_project_scene({"pipe_segments": frame}, with_ground=False, lod_min=0)


def _count(window, rgb) -> int:
    return int(np.all(grab(window) == rgb, axis=-1).sum())


def _utilities(frame, rows) -> set[str]:
    return set(frame["utility"].to_numpy()[np.unique(rows)])


# metres across the 400 px view -> the level it shows (tests/test_scene_lod.py)
@pytest.mark.parametrize("width_m, level", [(3000.0, BLOCK), (1600.0, FAR), (400.0, MID), (40.0, NEAR)])
def test_hidden_utility_draws_no_cell_at_any_level(scene, frame, width_m, level):
    window, stage = stage_on(scene)
    top(stage, scene, X0 + 600 if width_m > 100 else X0 + 300, Y0 + GAP / 2, width_m)
    stage.settle()
    window.Render()
    assert level in levels(stage)
    assert _utilities(frame, stage.drawn_rows("pipe_segments")) == {"JS", "RQ", "GY", "QT"}
    assert _count(window, CYAN) > 20 and _count(window, MAGENTA) > 20
    stage.set_utility_visible("JS", False)
    stage.settle()
    window.Render()
    assert _utilities(frame, stage.drawn_rows("pipe_segments")) == {"RQ", "GY", "QT"}
    assert _count(window, CYAN) == 0 and _count(window, MAGENTA) > 20
    stage.set_utility_visible("JS", True)
    window.Render()
    assert _count(window, CYAN) > 20
    assert stage.hidden_utilities("pipe_segments") == set()
    window.Finalize()


@pytest.mark.parametrize("width_m", [3000.0, 1600.0])
def test_thinned_lines_keep_same_coloured_utilities_apart(scene, frame, width_m):
    window, stage = stage_on(scene)
    top(stage, scene, X0 + 600, Y0 + GAP, width_m)
    stage.settle()
    stage.set_utility_visible("GY", False)
    stage.settle()
    window.Render()
    assert levels(stage) & {BLOCK, FAR}
    assert _utilities(frame, stage.drawn_rows("pipe_segments")) == {"JS", "RQ", "QT"}
    # black pixels along run 2 lie over the "other" pieces only
    img = grab(window)
    black = np.argwhere(np.all(img == (0, 0, 0), axis=-1))
    assert len(black) > 20
    from vtkmodules.vtkRenderingCore import vtkCoordinate

    def column_of(x):
        c = vtkCoordinate()
        c.SetCoordinateSystemToWorld()
        c.SetValue(*scene.to_local(x, Y0 + 2 * GAP, 2.0))
        return c.GetComputedDoubleDisplayValue(stage.renderer)[0]

    block_m = GY_QT_BLOCK * STEP
    for col in black[:, 1]:
        x = X0 + (col - column_of(X0)) / (column_of(X0 + 1.0) - column_of(X0))
        k = int(np.clip(x - X0, 0, PIECES * STEP - 1) // block_m)
        near_edge = abs((x - X0) - round((x - X0) / block_m) * block_m) < 2 * width_m / SIZE[0]
        assert k % 2 == 1 or near_edge, x              # an odd block: QT
    window.Finalize()


def test_picks_skip_hidden_utilities(scene):
    window, stage = stage_on(scene)
    top(stage, scene, X0 + 310, Y0, 40.0)
    stage.settle()
    window.Render()
    assert stage.pick(200, 150) == ("pipe_segments", "R0-15")
    stage.set_utility_visible("JS", False, "pipe_segments")
    stage.settle()
    window.Render()
    assert stage.pick(200, 150) is None
    stage.set_utility_visible("JS", False, "pipe_points")       # another layer: its own set
    assert stage.hidden_utilities("pipe_points") == {"JS"} and stage.hidden_utilities("pipe_segments") == {"JS"}
    stage.set_utility_visible("JS", True)                       # every layer
    assert stage.hidden_utilities("pipe_points") == set() == stage.hidden_utilities("pipe_segments")
    window.Render()
    assert stage.pick(200, 150) == ("pipe_segments", "R0-15")
    window.Finalize()


def test_hidden_utilities_stay_hidden_in_the_next_scene(scene, frame):
    window, stage = stage_on(scene)
    stage.set_utility_visible("RQ", False)
    whole = build_project_scene({"pipe_segments": frame}, with_ground=False)       # one merged mesh
    stage.set_scene(whole)
    top(stage, whole, X0 + 600, Y0 + GAP / 2, 1300.0)
    window.Render()
    assert "pipe_segments" in stage.actors
    assert _utilities(frame, stage.drawn_rows("pipe_segments")) == {"JS", "GY", "QT"}
    assert _count(window, MAGENTA) == 0 and _count(window, CYAN) > 20
    window.Finalize()


@pytest.mark.parametrize("lod_min", [None, 0])
def test_select_many_highlights_every_feature_and_frames_them(frame, lod_min):
    sc = build_project_scene({"pipe_segments": frame}, with_ground=False, lod_min=lod_min)
    window, stage = stage_on(sc)
    top(stage, sc, X0 + 600, Y0 + GAP, 1300.0)
    stage.settle()
    n = stage.select_many({"pipe_segments": ["R0-3", "R1-40", "R1-40", "nope"], "metro_tunnels": ["T1"]})
    assert n == 2 and stage.selected == {"pipe_segments": ["R0-3", "R1-40"]}
    assert stage.selection is None                           # more than one: no single selection
    window.Render()
    assert _count(window, styles.SELECTION_RGB) > 20
    b = np.array(stage.selection_bounds())
    b[:4] += np.repeat(sc.origin[:2], 2)
    assert b[0] == pytest.approx(X0 + 3 * STEP, abs=0.3) and b[1] == pytest.approx(X0 + 41 * STEP, abs=0.3)
    assert b[2] == pytest.approx(Y0, abs=0.3) and b[3] == pytest.approx(Y0 + GAP, abs=0.3)
    assert stage.select("pipe_segments", "R1-40") and stage.selection == ("pipe_segments", "R1-40")
    assert stage.select_many({}) == 0 and stage.selected == {} and stage.selection_bounds() is None
    window.Render()
    assert _count(window, styles.SELECTION_RGB) == 0
    lb = np.array(stage.layer_bounds("pipe_segments"))
    lb[:4] += np.repeat(sc.origin[:2], 2)
    assert lb[0] == pytest.approx(X0, abs=0.3) and lb[1] == pytest.approx(X0 + PIECES * STEP, abs=0.3)
    assert stage.layer_bounds("metro_tunnels") is None
    window.Finalize()
