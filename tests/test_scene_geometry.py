"""Exact geometry of the scene builders (headless: polydata only, no window)."""
from __future__ import annotations

import numpy as np
import pytest
import shapely
from vtkmodules.util.numpy_support import vtk_to_numpy

from gis.sections import centre_elevation, outside_size
from tests.tiny_projects import X0, Y0, make_project, pipe
from viewers import styles
from viewers.scene import build_project_scene, build_section_scene


def project_bounds(scene, layer):
    """Bounds of a layer mesh in project coordinates (xmin, xmax, ymin, ymax, zmin, zmax)."""
    b = np.array(scene.layers[layer].polydata.GetBounds())
    return b + np.repeat(scene.origin, 2)


def cell_points(mesh, cell_id):
    pts = mesh.polydata.GetCell(cell_id).GetPoints()
    return np.array([pts.GetPoint(i) for i in range(pts.GetNumberOfPoints())])


def test_dn600_pipe_tube_bounds_exact(tmp_path):
    ground, cover = 4.0, 2.0
    w_out, h_out, h_in, _ = outside_size("circle", 600.0, np.nan, np.nan, np.nan)
    zc = float(centre_elevation(ground, cover, "top", h_in, h_out)[0])
    assert zc == pytest.approx(1.7)
    proj = make_project(tmp_path / "p.gpkg", {"pipe_segments": [
        pipe("W1", [(-20, 3, zc), (20, 3, zc)], diameter_mm=600.0, start_depth=cover, end_depth=cover)]},
        ground=ground)
    scene = build_project_scene(proj)
    b = project_bounds(scene, "pipe_segments")
    assert b == pytest.approx([X0 - 20, X0 + 20, Y0 + 3 - 0.3, Y0 + 3 + 0.3, 1.4, 2.0], abs=1e-4)
    # the top of the tube is exactly the surveyed cover below ground
    assert ground - b[5] == pytest.approx(cover, abs=1e-5)


def test_wall_from_material_widens_the_tube(tmp_path):
    proj = make_project(tmp_path / "p.gpkg", {"pipe_segments": [
        pipe("S1", [(0, 0, 1.0), (10, 0, 1.0)], diameter_mm=600.0, material="钢")]})
    b = project_bounds(build_project_scene(proj), "pipe_segments")
    r = (600 + 2 * (4 + 6)) / 2000        # steel: 4 mm + 1% of DN each side
    assert (b[3] - b[2]) / 2 == pytest.approx(r, abs=1e-5)
    assert (b[5] - b[4]) / 2 == pytest.approx(r, abs=1e-5)


def test_duct_bank_is_a_box_of_its_size(tmp_path):
    proj = make_project(tmp_path / "p.gpkg", {"pipe_segments": [
        pipe("D1", [(0, -10, 2.0), (0, 10, 2.0)], utility="DL", shape="rect", width_mm=800.0, height_mm=600.0)]})
    scene = build_project_scene(proj)
    mesh = scene.layers["pipe_segments"]
    b = project_bounds(scene, "pipe_segments")
    assert b == pytest.approx([X0 - 0.4, X0 + 0.4, Y0 - 10, Y0 + 10, 1.7, 2.3], abs=1e-4)
    quads = [c for c in range(mesh.n_cells) if mesh.polydata.GetCellType(c) == 9]   # VTK_QUAD
    assert len(quads) == 4
    pts = vtk_to_numpy(mesh.polydata.GetPoints().GetData()) + scene.origin
    corners = {(round(float(x - X0), 4), round(float(z), 4)) for x, _, z in pts}
    expected = {(0.4 * sx, round(2.0 + 0.3 * sz, 4)) for sx in (-1, 1) for sz in (-1, 1)}
    # every vertex is a box corner, except the two ends of the centre line
    assert corners == expected | {(0.0, 2.0)}


def test_sloping_pipe_follows_its_centre_line_z(tmp_path):
    proj = make_project(tmp_path / "p.gpkg", {"pipe_segments": [
        pipe("G1", [(0, 0, 2.0), (30, 0, 1.94)], utility="WS", diameter_mm=400.0)]})
    scene = build_project_scene(proj)
    mesh = scene.layers["pipe_segments"]
    lines = mesh.polydata.GetLines()
    assert lines.GetNumberOfCells() == 1
    line_cell = [c for c in range(mesh.n_cells) if mesh.polydata.GetCellType(c) == 3][0]  # VTK_LINE
    ends = cell_points(mesh, line_cell) + scene.origin
    assert ends == pytest.approx(np.array([[X0, Y0, 2.0], [X0 + 30, Y0, 1.94]]), abs=1e-4)
    b = project_bounds(scene, "pipe_segments")
    slope = np.arctan2(0.06, 30)
    assert b[5] == pytest.approx(2.0 + 0.2 * np.cos(slope), abs=1e-4)
    assert b[4] == pytest.approx(1.94 - 0.2 * np.cos(slope), abs=1e-4)


def test_wells_volumes_tunnels(tmp_path):
    from shapely import Point, Polygon

    station = Polygon([(X0, Y0, -3), (X0 + 20, Y0, -3), (X0 + 20, Y0 + 8, -3), (X0, Y0 + 8, -3)],
                      [[(X0 + 2, Y0 + 2, -3), (X0 + 4, Y0 + 2, -3), (X0 + 4, Y0 + 4, -3), (X0 + 2, Y0 + 4, -3)]])
    proj = make_project(tmp_path / "p.gpkg", {
        "pipe_points": [
            {"point_id": "M1", "utility": "WS", "appurtenance": "检查井", "well_depth": 3.5,
             "well_diameter_mm": 1200.0, "geometry": Point(X0 + 5, Y0 + 5, 4.2)},
            {"point_id": "T1", "utility": "WS", "feature": "三通", "geometry": Point(X0 + 6, Y0 + 5, 4.2)}],
        "metro_stations": [{"feature_id": "ST1", "name": "站", "bottom_elev": -18.0, "geometry": station}],
        "metro_tunnels": [{"feature_id": "L1", "line_name": "1", "outer_diameter_m": 6.2,
                           "geometry": shapely.LineString([(X0, Y0 - 20, -12), (X0 + 50, Y0 - 20, -12)])}],
    })
    scene = build_project_scene(proj)
    assert project_bounds(scene, "pipe_points") == pytest.approx(
        [X0 + 4.4, X0 + 5.6, Y0 + 4.4, Y0 + 5.6, 0.7, 4.2], abs=1e-4)
    assert set(scene.layers["pipe_points"].ids[np.unique(scene.layers["pipe_points"].cell_rows)]) == {"M1"}
    assert project_bounds(scene, "metro_stations") == pytest.approx(
        [X0, X0 + 20, Y0, Y0 + 8, -18, -3], abs=1e-4)
    assert project_bounds(scene, "metro_tunnels")[4:] == pytest.approx([-15.1, -8.9], abs=1e-4)
    # the station's lid (triangles at the top) covers exactly the polygon, hole left open
    mesh = scene.layers["metro_stations"]
    area = 0.0
    for c in range(mesh.n_cells):
        p = cell_points(mesh, c)
        if len(p) == 3 and np.allclose(p[:, 2] + scene.origin[2], -3):
            area += 0.5 * abs(np.cross(p[1] - p[0], p[2] - p[0])[2])
    assert area == pytest.approx(station.area, abs=1e-3)


def test_cells_map_to_their_feature_ids(tmp_path):
    proj = make_project(tmp_path / "p.gpkg", {"pipe_segments": [
        pipe("A", [(0, 0, 1), (10, 0, 1)], diameter_mm=300.0),
        pipe("B", [(0, 5, 1), (10, 5, 1), (10, 15, 1)], utility="RQ", diameter_mm=200.0),
        pipe("C", [(0, 30, 1), (10, 30, 1)], utility="DL", shape="rect", width_mm=600.0, height_mm=400.0)]})
    scene = build_project_scene(proj)
    mesh = scene.layers["pipe_segments"]
    centre_y = {"A": 0.0, "B": None, "C": 30.0}
    seen = set()
    for c in range(mesh.n_cells):
        fid = mesh.feature_id(c)
        seen.add(fid)
        pts = cell_points(mesh, c) + scene.origin
        if centre_y[fid] is not None:
            assert np.all(np.abs(pts[:, 1] - Y0 - centre_y[fid]) <= 0.31)
        else:
            assert np.all((pts[:, 1] - Y0 >= 5 - 0.11) & (pts[:, 1] - Y0 <= 15 + 0.11))
    assert seen == {"A", "B", "C"}
    cells_b = mesh.cells_of("B")
    sides = styles.style("pipe_segments").sides
    assert len(cells_b) == 2 * sides + 2    # two segments of ``sides`` facets, two centre-line pieces
    assert {mesh.feature_id(c) for c in cells_b} == {"B"}
    assert len(mesh.cells_of("nope")) == 0
    colours = vtk_to_numpy(mesh.polydata.GetPointData().GetArray("colour"))
    for fid, rgb in (("A", (0, 255, 255)), ("B", (255, 0, 255)), ("C", (255, 0, 0))):
        for c in mesh.cells_of(fid):
            ids = mesh.polydata.GetCell(c).GetPointIds()
            assert {tuple(colours[ids.GetId(i)]) for i in range(ids.GetNumberOfIds())} == {rgb}


def test_bbox_limits_what_is_read(tmp_path):
    proj = make_project(tmp_path / "p.gpkg", {"pipe_segments": [
        pipe("IN", [(0, 0, 1), (10, 0, 1)], diameter_mm=300.0),
        pipe("OUT", [(500, 500, 1), (510, 500, 1)], diameter_mm=300.0)]})
    scene = build_project_scene(proj, bbox=(X0 - 5, Y0 - 5, X0 + 20, Y0 + 5))
    assert set(scene.layers["pipe_segments"].ids) == {"IN"}


def test_ground_surface_and_nodata_holes(tmp_path):
    elev = np.full((20, 20), 4.0)
    elev[:, :10] += np.linspace(0, 1, 10)       # a ramp, west half
    elev[15:, 15:] = np.nan                      # nodata corner
    proj = make_project(tmp_path / "p.gpkg", {}, ground=elev, ground_extent=20.0)
    scene = build_project_scene(proj)
    g = scene.ground
    assert g is not None and scene.layers == {}
    assert g.n_cells == 19 * 19 - 5 * 5      # a quad needs all four corners valid
    z = vtk_to_numpy(g.polydata.GetPoints().GetData())[:, 2] + scene.origin[2]
    assert np.nanmin(z) == pytest.approx(4.0) and np.nanmax(z) == pytest.approx(5.0)
    assert scene.origin[2] == pytest.approx(float(np.nanmedian(elev)), abs=0.01)


def test_section_outlines_are_exact(tmp_path):
    r = 0.5
    proj = make_project(tmp_path / "p.gpkg", {"pipe_segments": [
        pipe("N", [(0, -10, 1.0), (0, 10, 1.0)], diameter_mm=1000.0),          # crosses at 90 degrees
        pipe("O", [(5, -5, 1.0), (15, 5, 1.0)], diameter_mm=1000.0),           # crosses at 45 degrees
        pipe("D", [(20, -10, 2.0), (20, 10, 2.0)], utility="DL", shape="rect", width_mm=800.0,
             height_mm=600.0)]}, ground=4.0)
    cut = shapely.LineString([(X0 - 5, Y0), (X0 + 25, Y0)])
    scene = build_section_scene(proj, cut)
    assert scene.kind == "section" and scene.length == pytest.approx(30.0)
    mesh = scene.layers["pipe_segments"]
    by_id = {}
    for c in range(mesh.n_cells):
        by_id.setdefault(mesh.feature_id(c), []).append(cell_points(mesh, c))
    n = by_id["N"][0]
    assert n[:, 0].min() == pytest.approx(5 - r, abs=1e-4) and n[:, 0].max() == pytest.approx(5 + r, abs=1e-4)
    assert n[:, 2].max() - n[:, 2].min() == pytest.approx(2 * r, abs=1e-4)
    o = by_id["O"][0]
    assert o[:, 0].max() - o[:, 0].min() == pytest.approx(2 * r / np.sin(np.pi / 4), abs=1e-4)
    d = by_id["D"][0]
    assert d[:, 0].max() - d[:, 0].min() == pytest.approx(0.8, abs=1e-4)
    assert d[:, 2].max() - d[:, 2].min() == pytest.approx(0.6, abs=1e-4)
    assert d[:, 2].max() + scene.origin[2] == pytest.approx(2.3, abs=1e-4)
    assert np.allclose(d[:, 1], 0.0)
    gb = scene.ground.polydata.GetBounds()
    assert gb[5] + scene.origin[2] == pytest.approx(4.0)
    assert gb[0] == pytest.approx(0.0) and gb[1] == pytest.approx(30.0)


def test_prism_lids_alone_are_the_lids_of_the_whole_prisms():
    from viewers.scene.geometry import prisms

    polys = np.array([shapely.box(0, 0, 4, 2), shapely.Polygon([(10, 0), (14, 0), (12, 3)]),
                      shapely.MultiPolygon([shapely.box(20, 0, 21, 1), shapely.box(23, 0, 25, 1)])], dtype=object)
    top, bottom, origin = np.array([5.0, 6.0, 7.0]), np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 0.5])
    whole, lids = prisms(polys, top, bottom, origin), prisms(polys, top, bottom, origin, lids_only=True)
    t = len(lids["triangles"])
    assert t == len(whole["triangles"]) // 2 and t >= 2 + 1 + 4            # box: 2, triangle: 1, two boxes: 4
    assert np.array_equal(lids["points"], whole["points"][:3 * t])
    assert np.array_equal(lids["normals"], whole["normals"][:3 * t])
    assert np.array_equal(lids["triangles"], whole["triangles"][:t])
    assert np.array_equal(lids["tri_row"], whole["tri_row"][:t]) and set(lids["tri_row"]) == {0, 1, 2}
    assert np.allclose(lids["points"][:, 2], (top - origin[2])[lids["tri_row"]].repeat(3))


def test_row_colours_by_utility_and_sub_type():
    import pandas as pd

    frame = pd.DataFrame({"utility": pd.Categorical(["JS", "PS", None, "JS", "PS"]),
                          "subtype": ["", "WS", None, "", "YS"]})
    rgb = styles.feature_colours("pipe_segments", frame)
    assert rgb.shape == (5, 3) and rgb.dtype == np.uint8
    from gis.utilities import colour

    assert rgb[[0, 3]].tolist() == [list(colour("JS", None))] * 2
    assert rgb[1].tolist() == list(colour("PS", "WS")) and rgb[4].tolist() == list(colour("PS", "YS"))
    assert len({tuple(c) for c in rgb[[0, 1, 2]].tolist()}) == 3                      # no utility: its own colour
    assert styles.feature_colours("pipe_segments", frame.iloc[:0]).shape == (0, 3)
