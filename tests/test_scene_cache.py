"""A saved scene loads back identical, and only while its source file, settings and code are unchanged."""
from __future__ import annotations

import os

import numpy as np
import pytest
from shapely.geometry import Point, Polygon
from vtkmodules.util.numpy_support import vtk_to_numpy

from tests.tiny_projects import X0, Y0, make_project, pipe
from viewers.scene import build_project_scene
from viewers.scene.cache import load_scene, save_scene, scene_key


@pytest.fixture
def tiny(tmp_path):
    """Pipes, a well and a civil-defense volume over a flat ground."""
    proj = make_project(tmp_path / "tiny.gpkg", {
        "pipe_segments": [pipe("JS1-JS2", [(0, 0, 2.0), (20, 0, 2.0)], diameter_mm=600, material="球墨铸铁"),
                          pipe("DL1-DL2", [(0, 5, 1.5), (20, 5, 1.5)], utility="DL", shape="rect",
                               width_mm=800, height_mm=500)],
        "pipe_points": [{"point_id": "JS1", "utility": "JS", "appurtenance": "检查井", "well_depth": 2.5,
                         "ground_elev": 4.0, "geometry": Point(X0, Y0, 4.0)}],
        "civil_defense_works": [{"feature_id": "RF1", "name": "人防一号", "bottom_elev": -6.0,
                                 "geometry": Polygon([(X0 + x, Y0 + y, -2.0) for x, y in
                                                      ((30, 0), (40, 0), (40, 10), (30, 10))])}],
    }, ground=4.0)
    path = proj.path
    proj.close()
    return path


def arrays(pd) -> dict[str, np.ndarray]:
    """Everything a view draws from a polydata, as numpy arrays."""
    out = {"points": vtk_to_numpy(pd.GetPoints().GetData())}
    for kind in ("Verts", "Lines", "Polys"):
        cells = getattr(pd, f"Get{kind}")()
        out[kind] = vtk_to_numpy(cells.GetConnectivityArray())
        out[kind + "_offsets"] = vtk_to_numpy(cells.GetOffsetsArray())
    for name in ("colour",):
        out[name] = vtk_to_numpy(pd.GetPointData().GetArray(name))
    out["normals"] = vtk_to_numpy(pd.GetPointData().GetNormals())
    out["feature_index"] = vtk_to_numpy(pd.GetCellData().GetArray("feature_index"))
    return out


def test_saved_scene_loads_back_identical(tiny, tmp_path):
    built = build_project_scene(tiny, include_sensitive=True)
    key = scene_key(tiny, include_sensitive=True)
    target = tmp_path / "tiny.scene.npz"
    assert save_scene(built, target, key)
    got = load_scene(target, key)
    assert list(got.layers) == list(built.layers) == ["pipe_segments", "pipe_points", "civil_defense_works"]
    assert np.array_equal(got.origin, built.origin) and got.exaggeration == built.exaggeration
    assert (got.bbox, got.kind, got.length, got.tiled) == (built.bbox, built.kind, built.length, {})
    for name, mesh in built.layers.items():
        again = got.layers[name]
        assert list(again.ids) == list(mesh.ids) and again.ids.dtype == object
        a, b = arrays(mesh.polydata), arrays(again.polydata)
        for k in a:
            assert a[k].dtype == b[k].dtype and np.array_equal(a[k], b[k]), (name, k)
        assert again.polydata.GetPointData().GetNormals().GetName() == "Normals"
        assert again.feature_id(0) == mesh.feature_id(0)
    assert np.array_equal(arrays(got.ground.polydata)["points"], arrays(built.ground.polydata)["points"])
    assert got.ground.layer == "terrain" and len(got.ground.ids) == 0


def test_another_key_a_touched_file_or_a_broken_file_means_no_scene(tiny, tmp_path):
    built = build_project_scene(tiny, include_sensitive=True)
    key = scene_key(tiny, include_sensitive=True)
    target = tmp_path / "tiny.scene.npz"
    save_scene(built, target, key)
    assert scene_key(tiny, include_sensitive=False) != key
    assert load_scene(target, scene_key(tiny, include_sensitive=False)) is None
    st = os.stat(tiny)
    os.utime(tiny, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert scene_key(tiny, include_sensitive=True) != key
    assert load_scene(tmp_path / "missing.npz", key) is None
    target.write_bytes(target.read_bytes()[:1000])
    assert load_scene(target, key) is None


def test_tiled_scenes_are_not_saved(tiny, tmp_path):
    scene = build_project_scene(tiny, include_sensitive=True, lod_min=1)
    assert scene.tiled
    assert not save_scene(scene, tmp_path / "t.npz", "k") and not (tmp_path / "t.npz").exists()
