"""Levels of detail of tiled layers: choice by camera, tiles on demand, picking, exact near geometry."""
from __future__ import annotations

import threading

import numpy as np
import pytest
import shapely
from vtkmodules.util.numpy_support import vtk_to_numpy

from tests.tiny_projects import X0, Y0
from viewers import camera
from viewers.images import grab
from viewers.offscreen import offscreen_stage
from viewers.scene import build_project_scene
from viewers.scene.mesh import COLOUR, FEATURE_INDEX
from viewers.scene.tiled import BLOCK, FAR, MAX_MPP, MID, NEAR, OVERVIEW

RUNS, PIECES, STEP, GAP = 8, 100, 20.0, 60.0      # 8 runs of 100 pieces of 20 m, 60 m apart: 2 km x 420 m
SIZE = (400, 300)


def runs_frame():
    """Straight runs along x of two-point pipes, ids R<run>-<piece>, DN by run, gently sloping."""
    import geopandas as gpd

    j, k = np.meshgrid(np.arange(RUNS), np.arange(PIECES), indexing="ij")
    j, k = j.ravel(), k.ravel()
    x0 = X0 + k * STEP
    y = Y0 + j * GAP
    z0 = 2.0 - 0.001 * k * STEP
    lines = shapely.linestrings(np.stack([np.column_stack([x0, y, z0]),
                                          np.column_stack([x0 + STEP, y, z0 - 0.001 * STEP])], axis=1))
    utilities = np.array(["JS", "RQ", "DL", "PS"])[j % 4]
    return gpd.GeoDataFrame({"line_id": [f"R{a}-{b}" for a, b in zip(j, k)], "utility": utilities,
                             "diameter_mm": 200.0 + 100.0 * j}, geometry=lines, crs="EPSG:4549")


@pytest.fixture(scope="module")
def frame():
    return runs_frame()


@pytest.fixture(scope="module")
def tiled_scene(frame):
    return build_project_scene({"pipe_segments": frame}, with_ground=False, lod_min=0)


def stage_on(scene, size=SIZE, shading="map"):
    return offscreen_stage(scene, size, shading)


def top(stage, scene, x, y, width_m, size=SIZE):
    cx, cy, _ = scene.to_local(x, y)
    camera.top(stage.renderer, (cx, cy), width_m, size, stage.visible_bounds())


def display(stage, scene, x, y, z):
    from vtkmodules.vtkRenderingCore import vtkCoordinate

    c = vtkCoordinate()
    c.SetCoordinateSystemToWorld()
    c.SetValue(*scene.to_local(x, y, z, exaggeration=stage.exaggeration))
    return c.GetComputedDoubleDisplayValue(stage.renderer)


def levels(stage):
    return {key[1] for key in stage.shown_tiles()}


def test_big_layers_are_tiled_small_ones_stay_whole(frame, tiled_scene):
    whole = build_project_scene({"pipe_segments": frame}, with_ground=False)
    assert "pipe_segments" in whole.layers and not whole.tiled          # 800 pipes: one mesh
    tl = tiled_scene.tiled["pipe_segments"]
    assert tiled_scene.layer_names() == ["pipe_segments"] and tl.n_parts == RUNS * PIECES
    assert tl.coarse.grid.count > 1 and tl.fine.grid.count > tl.coarse.grid.count
    # every piece sits in exactly one coarse and one fine tile
    assert sorted(tl.coarse.order) == list(range(tl.n_parts)) == sorted(tl.fine.order)


def test_memory_lean_arrays(tiled_scene):
    tl = tiled_scene.tiled["pipe_segments"]
    p = tl.parts
    assert p.a.dtype == p.b.dtype == np.float32 and p.row.dtype == np.int32
    assert p.half_w.dtype == p.half_h.dtype == np.float32 and p.rect.dtype == bool
    assert tl.colours.dtype == np.uint8 and tl.coarse.order.dtype == np.int32
    for level, t in ((NEAR, int(np.flatnonzero(tl.fine.counts())[0])), (MID, 0), (FAR, 0), (BLOCK, 0)):
        pd = tl.mesh(level, t).polydata
        assert vtk_to_numpy(pd.GetPoints().GetData()).dtype == np.float32, level
        assert vtk_to_numpy(pd.GetCellData().GetArray(FEATURE_INDEX)).dtype == np.int32
        assert vtk_to_numpy(pd.GetPointData().GetArray(COLOUR)).dtype == np.uint8


def test_level_follows_the_scale(tiled_scene):
    window, stage = stage_on(tiled_scene)
    top(stage, tiled_scene, X0 + 1000, Y0 + 210, 2400 * 1.25)      # 7.5 m a pixel: the overview
    stage.settle()
    assert levels(stage) == {BLOCK}
    top(stage, tiled_scene, X0 + 1000, Y0 + 210, 400 * 4.0)        # 4 m a pixel: thinned far lines
    stage.settle()
    assert FAR in levels(stage) and not levels(stage) & {MID, NEAR}
    top(stage, tiled_scene, X0 + 1000, Y0 + 210, 400.0)            # 1 m a pixel: exact lines, no tubes yet
    stage.settle()
    assert MID in levels(stage) and NEAR not in levels(stage)
    top(stage, tiled_scene, X0 + 1000, Y0 + 210, 40.0)             # 0.1 m a pixel: exact tubes
    stage.settle()
    assert NEAR in levels(stage)
    window.Finalize()


def test_perspective_near_tiles_close_coarse_far_away(tiled_scene):
    window, stage = stage_on(tiled_scene, shading="shaded")
    cam = stage.renderer.GetActiveCamera()
    eye = np.array(tiled_scene.to_local(X0 - 5, Y0 + 210, 8.0))
    cam.SetPosition(*eye)
    cam.SetFocalPoint(*(eye + [50.0, 0.0, -3.0]))
    cam.SetViewUp(0, 0, 1)
    stage.renderer.ResetCameraClippingRange()
    stage.settle()
    tl = tiled_scene.tiled["pipe_segments"]
    shown = stage.shown_tiles()
    coarse_level = {t: lv for (_, lv, t) in shown if lv != NEAR}
    x_first = tl.coarse.grid.index(np.array([[5.0 - 1000, 0.0]]))[0]   # local x of the first and last tiles
    x_last = tl.coarse.grid.index(np.array([[1995.0 - 1000, 0.0]]))[0]
    order = [MID, FAR, OVERVIEW, BLOCK]
    assert coarse_level[x_first] == MID
    assert order.index(coarse_level.get(x_last, BLOCK)) > order.index(MID)
    near = [t for (_, lv, t) in shown if lv == NEAR]
    assert near and all(tl.fine.bounds[t, 0] < -1000 + 400 for t in near)   # only close to the camera
    window.Finalize()


def test_near_tiles_cover_the_view(tiled_scene, frame):
    size = (300, 600)
    window, stage = stage_on(tiled_scene, size)
    cx, cy, width = X0 + 500, Y0 + 210, 42.0              # 0.14 m a pixel, across a fine tile border at x 499.9
    top(stage, tiled_scene, cx, cy, width, size)
    stage.settle()
    tl = tiled_scene.tiled["pipe_segments"]
    near = {t for (_, lv, t) in stage.shown_tiles() if lv == NEAR}
    assert len(near) >= 2
    height = width * size[1] / size[0]
    mid = shapely.get_coordinates(shapely.centroid(frame.geometry.values))
    in_view = np.flatnonzero((np.abs(mid[:, 0] - cx) < width / 2) & (np.abs(mid[:, 1] - cy) < height / 2))
    assert len(in_view) >= 4
    covered = set(np.concatenate([tl.fine.items(t) for t in near]).tolist())
    missing = [frame.line_id.iloc[p] for p in in_view if p not in covered]
    assert not missing, f"pieces in view without a near tile: {missing}"
    window.Finalize()


def test_near_geometry_is_exact(frame, tiled_scene):
    whole = build_project_scene({"pipe_segments": frame}, with_ground=False)
    window, stage = stage_on(tiled_scene)
    top(stage, tiled_scene, X0 + 300, Y0 + 120, 30.0)
    stage.settle()
    window.Render()
    tiled_px = grab(window)
    w2, s2 = stage_on(whole)
    top(s2, whole, X0 + 300, Y0 + 120, 30.0)
    w2.Render()
    whole_px = grab(w2)
    assert (tiled_px != whole_px).any(axis=-1).mean() < 0.002
    assert (tiled_px != 255).any(axis=-1).mean() > 0.01              # the DN400 band is there
    # the DN400 tube of run 2 is exactly its outside diameter wide
    tl = tiled_scene.tiled["pipe_segments"]
    row = int(np.flatnonzero(frame.line_id.to_numpy() == "R2-15")[0])
    tile = int(tl.fine.grid.index(tl.parts.a[tl.parts.row == row][:, :2])[0])
    mesh = tl.mesh(NEAR, tile)
    pts = vtk_to_numpy(mesh.polydata.GetPoints().GetData())
    cells = np.flatnonzero(mesh.cell_rows == row)
    ids = np.unique(np.concatenate([[mesh.polydata.GetCell(c).GetPointId(i) for i in range(
        mesh.polydata.GetCell(c).GetNumberOfPoints())] for c in cells]))
    y = pts[ids, 1] + tiled_scene.origin[1] - (Y0 + 2 * GAP)
    assert y.max() - y.min() == pytest.approx(0.4, abs=1e-4)
    w2.Finalize()
    window.Finalize()


@pytest.mark.parametrize("width_m", [2400 * 1.25, 400 * 4.0, 400.0, 40.0])
def test_pick_returns_the_feature_at_every_level(tiled_scene, frame, width_m):
    window, stage = stage_on(tiled_scene)
    tl = tiled_scene.tiled["pipe_segments"]
    if width_m > 2000:      # the overview really is thinned: far fewer cells than pieces
        top(stage, tiled_scene, X0 + 1000, Y0 + 210, width_m)
        stage.settle()
        assert sum(m.n_cells for m in stage.shown_tiles().values()) < tl.n_parts / 10
    for fid in ("R3-49", "R4-50", "R5-51", "R0-0"):
        run, piece = map(int, fid[1:].split("-"))
        x, y = X0 + (piece + 0.5) * STEP, Y0 + run * GAP
        top(stage, tiled_scene, x, y + 7.0, width_m)
        stage.settle()
        window.Render()
        assert stage.pick(*display(stage, tiled_scene, x, y, 1.9)) == ("pipe_segments", fid), (width_m, fid)
    window.Finalize()


def test_selection_overlay_is_the_exact_feature(tiled_scene):
    window, stage = stage_on(tiled_scene)
    top(stage, tiled_scene, X0 + 1000, Y0 + 210, 3000.0)
    stage.settle()
    assert stage.select("pipe_segments", "R7-10")
    b = np.array(stage.selection_bounds())
    b[:4] += np.repeat(tiled_scene.origin[:2], 2)
    assert b[0] == pytest.approx(X0 + 200, abs=0.01) and b[1] == pytest.approx(X0 + 220, abs=0.01)
    assert b[3] - b[2] == pytest.approx(0.9, abs=1e-4)                # DN900 tube
    assert not stage.select("pipe_segments", "nope")
    window.Finalize()


def test_tiles_are_built_on_the_worker_and_swapped_in(tiled_scene):
    window, stage = stage_on(tiled_scene)
    ready = threading.Event()
    stage.on_lod_ready = ready.set
    top(stage, tiled_scene, X0 + 1000, Y0 + 210, 2400 * 1.25)
    window.Render()                                  # the render hook updates the levels
    assert levels(stage) == {BLOCK}
    top(stage, tiled_scene, X0 + 1000, Y0 + 210, 40.0)
    window.Render()
    assert NEAR not in levels(stage) and stage._pending      # queued, the blocks stand in meanwhile
    assert ready.wait(30)
    for future in list(stage._pending.values()):
        future.result(timeout=30)
    window.Render()
    assert NEAR in levels(stage) and MID in levels(stage)
    stage.close()
    window.Finalize()


def test_hidden_layer_shows_no_tiles_and_exaggeration_reaches_tiles(tiled_scene):
    window, stage = stage_on(tiled_scene)
    top(stage, tiled_scene, X0 + 1000, Y0 + 210, 40.0)
    stage.settle()
    stage.set_exaggeration(3.0)
    assert {a.GetScale() for a in stage._tile_actors.values()} == {(1.0, 1.0, 3.0)}
    stage.set_layer_visible("pipe_segments", False)
    stage.settle()
    assert not any(a.GetVisibility() for a in stage._tile_actors.values())
    window.Finalize()


def test_max_mpp_levels_are_ordered():
    assert MAX_MPP[NEAR] < MAX_MPP[MID] < MAX_MPP[FAR] < MAX_MPP[OVERVIEW]


def test_while_interacting_nothing_new_is_built(tiled_scene):
    window, stage = stage_on(tiled_scene)
    top(stage, tiled_scene, X0 + 1000, Y0 + 210, 40.0)
    stage.set_interacting(True)
    window.Render()
    assert not stage._pending and levels(stage) == {BLOCK}       # stand-ins only while the camera moves
    stage.set_interacting(False)
    window.Render()
    assert stage._pending                                        # released: the exact tiles are queued
    stage.close()
    window.Finalize()
