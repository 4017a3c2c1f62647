"""Lean scene data: chain thinning of centre lines, WKB coordinates without shapely objects."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tiny_projects import X0, Y0, make_project, pipe
from viewers.scene.chains import simplify
from viewers.scene.frames import CoordFrame, read_lean, wkb_coordinates


def _dist(x, a, b):
    d = b - a
    t = np.clip(np.einsum("ij,ij->i", x - a, d) / np.maximum(np.einsum("ij,ij->i", d, d), 1e-12), 0, 1)
    return np.linalg.norm(a + t[:, None] * d - x, axis=1)


def _check(a, b, group, s, tol):
    """Every piece is stood for once, within ``tol`` of its segment, in its own group."""
    seg = np.repeat(np.arange(len(s.a)), s.count)
    at = np.concatenate([np.arange(f, f + c) for f, c in zip(s.first, s.count)]) if len(seg) else seg
    pieces = s.order[at]
    assert sorted(pieces.tolist()) == list(range(len(a)))
    assert np.all(group[pieces] == s.group[seg])
    for end in (a, b):
        assert _dist(end[pieces].astype(float), s.a[seg].astype(float), s.b[seg].astype(float)).max() <= tol + 1e-4


def polyline_pieces(points):
    p = np.asarray(points, dtype=float)
    return p[:-1], p[1:]


def test_straight_run_becomes_one_segment_and_branches_start_chains():
    a, b = polyline_pieces([(x, 0.0, 1.0) for x in range(0, 101, 10)])
    la, lb = np.array([[50.0, 0.0, 1.0]]), np.array([[50.0, 8.0, 1.0]])     # a branch at x=50
    a, b = np.concatenate([a, la]), np.concatenate([b, lb])
    shuffle = np.random.default_rng(1).permutation(len(a))                    # storage order does not matter
    a, b = a[shuffle], b[shuffle]
    group = np.zeros(len(a), dtype=np.int64)
    s = simplify(a, b, group, 0.1)
    assert len(s.a) == 2                                                       # the run and the branch
    _check(a, b, group, s, 0.1)
    lengths = sorted(np.linalg.norm(s.b - s.a, axis=1).round(3).tolist())
    assert lengths == [8.0, 100.0]


def test_groups_and_bends_are_kept():
    a, b = polyline_pieces([(0, 0, 0), (10, 0, 0), (20, 0, 0), (20, 10, 0), (20, 20, 0)])
    group = np.array([0, 0, 0, 1])
    s = simplify(a, b, group, 0.5)
    assert len(s.a) == 3                 # 0-20 along x (group 0), the bend up to (20, 10), group 1 alone
    _check(a, b, group, s, 0.5)


def test_closed_ring_is_cut_and_tiny_chains_dropped():
    ring = [(np.cos(t) * 50, np.sin(t) * 50, 0.0) for t in np.linspace(0, 2 * np.pi, 41)]
    ring[-1] = ring[0]
    a, b = polyline_pieces(ring)
    a = np.concatenate([a, [[500.0, 0, 0]]])
    b = np.concatenate([b, [[500.5, 0, 0]]])                    # a 0.5 m stub
    group = np.zeros(len(a), dtype=np.int64)
    s = simplify(a, b, group, 1.0, min_extent=2.0)
    _check(a[:-1], b[:-1], group[:-1], s, 1.0)                   # the ring, thinned; the stub left out
    assert 8 <= len(s.a) < 40


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.floats(-50, 50), st.floats(-50, 50), st.floats(-3, 3)), min_size=2, max_size=40),
       st.floats(0.01, 5.0), st.integers(0, 3))
def test_thinning_stays_within_tolerance(points, tol, seed):
    pts = np.asarray(points)
    keep = np.concatenate([[True], np.any(pts[1:] != pts[:-1], axis=1)])
    pts = pts[keep]
    if len(pts) < 2:
        return
    a, b = polyline_pieces(pts)
    group = np.random.default_rng(seed).integers(0, 2, len(a))
    _check(a, b, group, simplify(a, b, group, tol), tol)


def test_wkb_coordinates_of_points_and_lines_and_refusals():
    lines = [shapely.LineString([(1, 2, 3), (4, 5, 6)]), shapely.LineString([(0, 0, 1), (1, 0, 1), (2, 1, 1)])]
    coords, offsets = wkb_coordinates(pa.array(shapely.to_wkb(lines, flavor="iso", output_dimension=3)))
    assert offsets.tolist() == [0, 2, 5]
    assert coords == pytest.approx(shapely.get_coordinates(lines, include_z=True))
    points = [shapely.Point(1, 2, 3), shapely.Point(-1, 0.5, 7)]
    coords, offsets = wkb_coordinates(pa.array(shapely.to_wkb(points, flavor="iso", output_dimension=3)))
    assert offsets.tolist() == [0, 1, 2] and coords.tolist() == [[1, 2, 3], [-1, 0.5, 7]]
    multi = shapely.MultiLineString([[(0, 0, 0), (1, 1, 1)]])
    assert wkb_coordinates(pa.array(shapely.to_wkb([multi], flavor="iso", output_dimension=3))) is None
    flat = shapely.LineString([(0, 0), (1, 1)])
    assert wkb_coordinates(pa.array(shapely.to_wkb([flat], flavor="iso"))) is None
    assert wkb_coordinates(pa.array([None], type=pa.binary())) is None


def test_lean_read_matches_the_store(tmp_path):
    proj = make_project(tmp_path / "p.gpkg", {"pipe_segments": [
        pipe("A", [(0, 0, 1), (10, 0, 1.2)], diameter_mm=300.0, material="PE"),
        pipe("B", [(0, 5, 1), (10, 5, 1), (10, 15, 0.8)], utility="RQ")]})
    lean = read_lean(proj, "pipe_segments", ["line_id", "utility", "diameter_mm", "material"])
    full = proj.read("pipe_segments", columns=["line_id", "utility", "diameter_mm", "material"])
    assert isinstance(lean, CoordFrame) and len(lean) == 2
    assert lean["line_id"].tolist() == ["A", "B"] and lean["line_id"].dtype == object
    assert lean.coords == pytest.approx(shapely.get_coordinates(full.geometry.values, include_z=True))
    assert lean.offsets.tolist() == [0, 2, 5]
    assert lean["utility"].dtype == "category" and lean["material"].isna().tolist() == [False, True]
    assert lean.coords[0] == pytest.approx([X0, Y0, 1.0])
    proj.close()


@pytest.mark.parametrize("lod_min", [None, 1])
def test_scene_counts_rows_per_utility_like_the_store(tmp_path, lod_min):
    from viewers.scene import build_project_scene

    proj = make_project(tmp_path / "p.gpkg", {"pipe_segments": [
        pipe("A", [(0, 0, 1), (10, 0, 1)], utility="JS"),
        pipe("B", [(0, 5, 1), (10, 5, 1)], utility="WS"),           # a sub-type of PS
        pipe("C", [(0, 9, 1), (10, 9, 1)], utility="PS"),
        pipe("D", [(0, 12, 1), (10, 12, 1)], utility="NOPE")]})      # no such code: not counted
    scene = build_project_scene(proj, lod_min=lod_min)
    assert ("pipe_segments" in scene.tiled) == (lod_min == 1)
    assert scene.utility_counts("pipe_segments") == {"JS": 1, "PS": 2}
    assert scene.utility_counts("pipe_points") is None                 # not in the scene
    boxed = build_project_scene(proj, bbox=(X0 - 1, Y0 - 1, X0 + 11, Y0 + 6), lod_min=lod_min)
    assert boxed.utility_counts("pipe_segments") is None               # a box holds only some rows
    proj.close()


def test_a_big_layer_read_in_two_halves_gives_the_scene_of_one_read(tmp_path, monkeypatch):
    from viewers.scene import build_project_scene, frames
    from viewers.scene import project_scene as ps

    proj = make_project(tmp_path / "p.gpkg", {"pipe_segments": [
        pipe(f"P{i}", [(0, 3 * i, 1), (10, 3 * i, 1 + i / 10), (12, 3 * i + 2, 1)], utility=u)
        for i, u in enumerate(["JS", "WS", "RQ", "DL", "JS"])]})
    whole = build_project_scene(proj, lod_min=None)
    calls = []
    real = frames.read_table
    monkeypatch.setattr(frames, "read_table", lambda *a, **k: calls.append(a[4]) or real(*a, **k))
    monkeypatch.setattr(ps, "SPLIT_ROWS", 2)
    split = build_project_scene(proj, lod_min=None)
    halves = sorted(c for c in calls if c and "rowid" in c)
    assert halves == ["rowid <= 2", "rowid > 2"]                        # pipe_segments, in two halves
    a, b = whole.layers["pipe_segments"], split.layers["pipe_segments"]
    assert b.ids.tolist() == a.ids.tolist() == [f"P{i}" for i in range(5)]
    assert np.array_equal(b.utility, a.utility) and np.array_equal(b.cell_rows, a.cell_rows)
    from vtkmodules.util.numpy_support import vtk_to_numpy

    assert np.array_equal(vtk_to_numpy(b.polydata.GetPoints().GetData()),
                          vtk_to_numpy(a.polydata.GetPoints().GetData()))
    assert np.array_equal(split.origin, whole.origin)
    proj.close()
