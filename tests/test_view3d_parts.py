"""Headless parts of the 3D tools: label decluttering, colour schemes, per-feature colours on merged
and tiled layers, clip planes under exaggeration, the ground hole, tooltip and label texts, CJK VTK text."""
from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely import LineString
from vtkmodules.util.numpy_support import vtk_to_numpy

from tests.test_scene_lod import runs_frame, stage_on, top
from tests.tiny_projects import X0, Y0, two_pipe_scene
from viewers import colouring
from viewers.images import grab
from viewers.labels import declutter, feature_summary, overlaps, pipe_labels
from viewers.scene import build_project_scene
from viewers.scene.mesh import COLOUR
from viewers.scene.tiled import NEAR


# ----------------------------------------------------------------- labels
@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 400), st.floats(0, 300), st.integers(10, 120), st.integers(8, 30)),
                min_size=1, max_size=120))
def test_declutter_never_overlaps_and_stays_inside(anchors):
    xy = np.array([(a[0], a[1]) for a in anchors])
    sizes = np.array([(a[2], a[3]) for a in anchors])
    placed = declutter(xy, sizes, (400, 300))
    boxes = [box for _, box in placed]
    for i, a in enumerate(boxes):
        assert 0 <= a[0] and a[2] <= 400 and 0 <= a[1] and a[3] <= 300
        for b in boxes[i + 1:]:
            assert not overlaps(a, b)
    for k, box in placed:                   # each box touches its anchor's neighbourhood and has its size
        assert box[2] - box[0] == pytest.approx(sizes[k][0]) and box[3] - box[1] == pytest.approx(sizes[k][1])
        assert box[0] - 10 <= xy[k][0] + sizes[k][0] and xy[k][0] - sizes[k][0] - 10 <= box[2]


def test_declutter_keeps_priority_order_and_drops_the_crowd():
    xy = np.tile([[200.0, 150.0]], (30, 1))             # 30 labels on one spot: two fit
    placed = declutter(xy, np.tile([[60.0, 14.0]], (30, 1)), (400, 300))
    assert [k for k, _ in placed] == [0, 1]          # above and below; right and left would touch them
    assert placed[0][1][1] > 150.0                      # the first label sits above its anchor


def test_pipe_labels_and_tooltip_texts():
    frame = gpd.GeoDataFrame({"line_id": ["A", "B", "C"], "utility": ["PS", "JS", "DL"], "subtype": ["WS", None, None],
                              "diameter_mm": [400.0, None, None], "shape": [None, None, "rect"],
                              "width_mm": [None, None, 800.0], "height_mm": [None, None, 600.0],
                              "material": ["钢筋混凝土", None, "PVC"]},
                             geometry=[LineString([(0, 0, 1), (10, 0, 3)]), LineString([(0, 5, 2), (0, 15, 2)]),
                                       LineString([(5, 5, 1), (5, 9, 1)])])
    xyz, texts, ids = pipe_labels(frame)
    assert texts == ["WS DN400 钢筋混凝土", "JS", "DL 800x600 PVC"]
    assert xyz[0] == pytest.approx([5.0, 0.0, 2.0]) and list(ids) == ["A", "B", "C"]
    zh = feature_summary("pipe_segments", {"line_id": "A", "utility": "WS", "diameter_mm": 400.0,
                                           "start_depth": 1.2, "end_depth": 1.35, "material": "钢"}, "zh")
    assert zh == ["管线段  A", "管线类型: WS 污水", "管径: DN400", "埋深: 1.20–1.35 m", "材质: 钢"]
    en = feature_summary("pipe_points", {"point_id": "W1", "utility": "PS", "well_depth": 2.5}, "en")
    assert en == ["pipe points  W1", "utility: PS drainage", "well depth (m): 2.50 m"] or \
        en == ["pipe points  W1", "utility: PS drainage", "well depth: 2.50 m"]


def test_cjk_text_is_drawn_not_dropped():
    """VTK text on the Noto CJK file draws Chinese glyphs (the stock fonts draw nothing for them)."""
    from vtkmodules.vtkRenderingCore import vtkRenderer

    from viewers.offscreen import offscreen_window
    from viewers.vtk_text import text_actor, text_size

    window = offscreen_window(200, 60)
    ren = vtkRenderer()
    ren.SetBackground(1, 1, 1)
    window.AddRenderer(ren)
    actor = text_actor("钢筋混凝土", 24)
    actor.SetDisplayPosition(5, 10)
    ren.AddViewProp(actor)
    window.Render()
    dark = (grab(window) < 100).all(axis=2)
    assert dark.sum() > 150
    assert text_size(actor.GetTextProperty(), "钢筋混凝土")[0] > 4 * 20     # five glyphs about 24 px wide
    window.Finalize()


# ---------------------------------------------------------------- colours
def test_schemes_colour_by_attribute_with_legends():
    segs = pd.DataFrame({"line_id": ["a", "b", "c", "d"], "material": ["钢", "PVC", None, "钢"],
                         "build_year": [1975, 1995, None, 2015], "quality_level": ["QL-A", "QL-D", None, "QL-B"]})
    points = pd.DataFrame({"point_id": ["p"], "quality_level": ["QL-C"]})
    findings = pd.DataFrame({"a_layer": ["pipe_segments", "pipe_segments", "pipe_points"], "a_id": ["a", "b", "p"],
                             "b_layer": ["pipe_segments", None, None], "b_id": ["a", None, None],
                             "severity": ["minor", "critical", "info"]})
    mat = colouring.scheme_colours("material", {"pipe_segments": segs}, "zh")
    ids, rgb = mat.layers["pipe_segments"]
    assert tuple(rgb[0]) == tuple(rgb[3]) != tuple(rgb[1]) and tuple(rgb[2]) == colouring.NO_DATA_RGB
    assert [label for label, _ in mat.legend] == ["PVC", "钢", "无数据"]
    age = colouring.scheme_colours("age", {"pipe_segments": segs}, "en").layers["pipe_segments"][1]
    assert [tuple(c) for c in age] == [colouring.AGE_BINS[0][2], colouring.AGE_BINS[2][2], colouring.NO_DATA_RGB,
                                       colouring.AGE_BINS[4][2]]
    ql = colouring.scheme_colours("quality", {"pipe_segments": segs, "pipe_points": points}, "en")
    assert tuple(ql.layers["pipe_segments"][1][1]) == colouring.QUALITY_RGB["QL-D"]
    assert tuple(ql.layers["pipe_points"][1][0]) == colouring.QUALITY_RGB["QL-C"]
    sev = colouring.scheme_colours("findings", {"pipe_segments": segs[["line_id"]], "pipe_points": points[["point_id"]],
                                                "findings": findings}, "en")
    assert [tuple(c) for c in sev.layers["pipe_segments"][1]] == [
        colouring.SEVERITY_RGB["minor"], colouring.SEVERITY_RGB["critical"], colouring.NO_DATA_RGB,
        colouring.NO_DATA_RGB]
    assert tuple(sev.layers["pipe_points"][1][0]) == colouring.SEVERITY_RGB["info"]
    util = colouring.scheme_colours("utility", {"pipe_segments": pd.DataFrame({"utility": ["WS", "JS"]})}, "en")
    assert not util.layers and [label for label, _ in util.legend] == ["JS water supply", "PS drainage"]
    # aligned with a scene's rows whatever their order; unknown ids get the no-data colour
    rows = colouring.row_colours(mat, "pipe_segments", np.array(["d", "zz", "b"], dtype=object))
    assert [tuple(c) for c in rows] == [tuple(rgb[3]), colouring.NO_DATA_RGB, tuple(rgb[1])]
    assert colouring.row_colours(mat, "metro_tunnels", np.array(["x"], dtype=object)) is None


@pytest.fixture(scope="module")
def small_scene(tmp_path_factory):
    return two_pipe_scene(tmp_path_factory.mktemp("v3d") / "s.gpkg")


def point_colours(polydata) -> np.ndarray:
    return vtk_to_numpy(polydata.GetPointData().GetArray(COLOUR))


def test_set_colours_recolours_a_merged_layer_without_touching_the_scene(small_scene):
    window, stage = stage_on(small_scene)
    mesh = small_scene.layers["pipe_segments"]
    before = point_colours(mesh.polydata).copy()
    colours = np.array([[10, 20, 30], [200, 100, 0]], dtype=np.uint8)        # per row: JS-1, RQ-1
    assert stage.set_colours("pipe_segments", colours)
    drawn = stage.actors["pipe_segments"].GetMapper().GetInput()
    rows = mesh.cell_rows
    got = point_colours(drawn)
    assert drawn.GetNumberOfPoints() == mesh.polydata.GetNumberOfPoints()
    assert {tuple(c) for c in got} == {(10, 20, 30), (200, 100, 0)}
    first_cell_point = drawn.GetCell(0).GetPointId(0)
    assert tuple(got[first_cell_point]) == tuple(colours[rows[0]])
    assert np.array_equal(point_colours(mesh.polydata), before)              # the scene is unchanged
    assert stage.set_colours("pipe_segments", None)
    assert stage.actors["pipe_segments"].GetMapper().GetInput() is mesh.polydata
    assert not stage.set_colours("metro_tunnels", colours)
    window.Finalize()


def test_set_colours_reaches_tiles_built_before_and_after():
    scene = build_project_scene({"pipe_segments": runs_frame()}, with_ground=False, lod_min=0)
    window, stage = stage_on(scene)
    tl = scene.tiled["pipe_segments"]
    top(stage, scene, X0 + 1000, Y0 + 210, 2400 * 1.25)      # the overview (blocks, built with the scene)
    stage.settle()
    colours = np.zeros((len(tl.ids), 3), dtype=np.uint8)
    colours[:, 0] = 255                                      # everything red
    stage.set_colours("pipe_segments", colours)
    window.Render()
    for key, actor in stage._tile_actors.items():
        assert np.all(point_colours(actor.GetMapper().GetInput()) == [255, 0, 0]), key
    top(stage, scene, X0 + 100, Y0 + 60, 40.0)              # near tiles, built after the colours were set
    stage.settle()
    assert NEAR in {k[1] for k in stage.shown_tiles()}
    for key in stage.shown_tiles():
        assert np.all(point_colours(stage._tile_actors[key].GetMapper().GetInput()) == [255, 0, 0]), key
    px = grab(window).reshape(-1, 3).astype(int)
    assert ((px[:, 0] > 150) & (px[:, 1] < 60) & (px[:, 2] < 60)).sum() > 100
    window.Finalize()


def test_clip_planes_follow_the_exaggeration(small_scene):
    window, stage = stage_on(small_scene)
    stage.set_clip_planes([((0.0, 0.0, -2.0), (0.0, 0.6, 0.8))])
    mapper = stage.actors["pipe_segments"].GetMapper()
    plane = mapper.GetClippingPlanes().GetItem(0)
    assert plane.GetOrigin() == pytest.approx((0, 0, -2.0))
    stage.set_exaggeration(4.0)
    plane = mapper.GetClippingPlanes().GetItem(0)
    assert plane.GetOrigin() == pytest.approx((0, 0, -8.0))
    n = np.array([0.0, 0.6, 0.8 / 4.0])
    assert plane.GetNormal() == pytest.approx(tuple(n / np.linalg.norm(n)))
    # a world point on the unexaggerated plane stays on it once exaggerated
    p = np.array([3.0, 1.0, -2.0 - 0.6 / 0.8])
    assert np.dot(np.array(plane.GetNormal()), p * [1, 1, 4] - np.array(plane.GetOrigin())) == pytest.approx(0, abs=1e-9)
    assert stage.clip_planes == [((0.0, 0.0, -2.0), (0.0, 0.6, 0.8))]
    stage.set_clip_planes(None)
    assert mapper.GetClippingPlanes() is None or mapper.GetClippingPlanes().GetNumberOfItems() == 0
    window.Finalize()


def plan_area(polydata) -> float:
    """Plan area of a polydata's polygons (shoelace)."""
    pts = vtk_to_numpy(polydata.GetPoints().GetData())
    offsets = vtk_to_numpy(polydata.GetPolys().GetOffsetsArray())
    conn = vtk_to_numpy(polydata.GetPolys().GetConnectivityArray())
    total = 0.0
    for a, b in zip(offsets[:-1], offsets[1:]):
        xy = pts[conn[a:b], :2]
        total += 0.5 * abs(np.dot(xy[:, 0], np.roll(xy[:, 1], -1)) - np.dot(xy[:, 1], np.roll(xy[:, 0], -1)))
    return total


def test_ground_hole_removes_the_ground_inside_the_box_only(small_scene):
    window, stage = stage_on(small_scene)
    stage.set_ground_opacity(1.0)
    ground = small_scene.ground.polydata
    assert stage.set_ground_hole((X0 - 10, Y0 - 5, X0 + 10, Y0 + 5))
    cut = stage.actors["terrain"].GetMapper().GetInput()
    x0, y0, _ = small_scene.to_local(X0 - 10, Y0 - 5)
    x1, y1, _ = small_scene.to_local(X0 + 10, Y0 + 5)
    pts = vtk_to_numpy(cut.GetPoints().GetData())
    used = np.unique(vtk_to_numpy(cut.GetPolys().GetConnectivityArray()))
    p = pts[used]
    eps = 1e-4
    assert not ((p[:, 0] > x0 + eps) & (p[:, 0] < x1 - eps) & (p[:, 1] > y0 + eps) & (p[:, 1] < y1 - eps)).any()
    assert plan_area(cut) == pytest.approx(plan_area(ground) - 20 * 10, rel=1e-6)   # exactly the box is gone
    b = ground.GetBounds()
    assert cut.GetBounds() == pytest.approx(b)                # the rest of the ground is all there
    assert stage.ground_hole == (X0 - 10, Y0 - 5, X0 + 10, Y0 + 5)
    stage.set_ground_hole(None)
    assert stage.actors["terrain"].GetMapper().GetInput() is ground
    window.Finalize()


def test_path_marker_and_selection_bounds(small_scene):
    window, stage = stage_on(small_scene)
    assert stage.set_path("cut", [(X0, Y0 - 10, 4.0), (X0, Y0 + 10, 4.0)])
    b = stage.markers["cut"].GetBounds()
    assert b[2:4] == pytest.approx(small_scene.to_local(X0, Y0 - 10)[1:2] + small_scene.to_local(X0, Y0 + 10)[1:2])
    assert not stage.set_path("cut", None) and "cut" not in stage.markers
    stage.select("pipe_segments", "JS-1")
    b = stage.selection_bounds()           # world (scene-local) bounds: back to project plan coordinates
    x0, y0, _ = small_scene.to_project(b[0], b[2], 0.0)
    x1, y1, _ = small_scene.to_project(b[1], b[3], 0.0)
    assert (x0, x1) == pytest.approx((X0 - 20, X0 + 20), abs=0.01)
    assert (y0 + y1) / 2 == pytest.approx(Y0, abs=1e-3)
    window.Finalize()
