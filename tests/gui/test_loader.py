"""Opening a project: the scene comes from the Project (lean reads), nothing per feature is kept,
attributes come from the store by id, whole layers only on demand."""
from __future__ import annotations

import os

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString

from app.gui import project_loader
from gis.demo import default_demo_path
from gis.progress import Progress
from gis.store import Project
from tests.gui.conftest import open_and_wait


@pytest.fixture
def scene_sources(monkeypatch):
    """What each build_project_scene call was given as its source."""
    import viewers.scene

    seen = []
    real = viewers.scene.build_project_scene

    def spy(source, *args, **kwargs):
        seen.append(source)
        return real(source, *args, **kwargs)

    monkeypatch.setattr(viewers.scene, "build_project_scene", spy)
    return seen


def test_open_builds_the_scene_from_the_project_and_holds_no_frames(qtbot, window, small_project,
                                                                    scene_sources):
    open_and_wait(qtbot, window, small_project)
    loaded = window.project
    assert len(scene_sources) == 1 and isinstance(scene_sources[0], Project)
    assert loaded.frames.cached() == []                    # no GeoDataFrame read, pipe_segments included
    assert loaded.counts["pipe_segments"] == 3 and loaded.utility_counts == {"JS": 1, "PS": 1, "DL": 1}
    assert set(loaded.scene.layers["pipe_segments"].ids) == {"JS1-JS2", "WS1-WS2", "DL1-DL2"}
    # clicking (the pick handler) reads one feature from the store: still nothing cached
    window._picked("pipe_segments", "WS1-WS2")
    assert window.attributes.value("material") == "钢筋混凝土"
    assert window.attributes.value("utility").startswith("PS ")
    assert loaded.frames.cached() == []


def test_feature_lookup_by_id(small_project):
    loaded = project_loader.load_project(str(small_project), Progress())
    assert loaded.feature("pipe_segments", "JS1-JS2")["material"] == "球墨铸铁"
    assert loaded.feature("pipe_points", "JS1")["appurtenance"] == "阀门"
    assert loaded.feature("pipe_segments", "NO-SUCH") is None
    assert loaded.feature("pipe_segments", "JS1") is None          # a point id, not a segment's


def test_frames_are_read_on_demand_and_cached(small_project):
    loaded = project_loader.load_project(str(small_project), Progress())
    frames = loaded.frames
    assert sorted(frames) == ["pipe_points", "pipe_segments"]         # the non-empty layers
    assert frames.get("survey_points") is None and frames.cached() == []
    segs = frames["pipe_segments"]
    assert isinstance(segs, gpd.GeoDataFrame) and segs.loc["JS1-JS2", "material"] == "球墨铸铁"
    assert segs.geometry.iloc[0].has_z
    assert frames.cached() == ["pipe_segments"] and frames["pipe_segments"] is segs


def test_reload_after_an_import_counts_anew_and_keeps_other_frames(small_project):
    loaded = project_loader.load_project(str(small_project), Progress())
    points = loaded.frames["pipe_points"]
    loaded.frames["pipe_segments"]
    with Project.open(small_project) as proj:
        new = gpd.GeoDataFrame({"line_id": ["RQ1-RQ2"], "utility": ["RQ"], "diameter_mm": [200.0],
                                "material": ["聚乙烯"]},
                               geometry=[LineString([(500000, 3450050, 1.0), (500100, 3450050, 1.0)])],
                               crs=proj.crs)
        with proj.transaction() as txn:
            txn.insert("pipe_segments", new)
    again = project_loader.reload_project(loaded, ["pipe_segments"], Progress())
    assert again.counts["pipe_segments"] == 4 and again.utility_counts["RQ"] == 1
    assert "RQ1-RQ2" in set(again.scene.layers["pipe_segments"].ids)
    assert again.frames.cached() == ["pipe_points"] and again.frames["pipe_points"] is points
    assert again.feature("pipe_segments", "RQ1-RQ2")["material"] == "聚乙烯"


def test_demo_scene_is_kept_beside_the_demo_and_reused_until_the_demo_changes(demo_data_dir, monkeypatch,
                                                                              scene_sources):
    monkeypatch.setenv("SUBTERRA_DATA_DIR", str(demo_data_dir))
    demo = default_demo_path()
    saved = demo.with_suffix(".scene.npz")
    saved.unlink(missing_ok=True)
    first = project_loader.load_demo(Progress())
    assert len(scene_sources) == 1 and saved.exists()
    again = project_loader.load_demo(Progress())
    assert len(scene_sources) == 1                                  # from the saved scene, not built
    assert list(again.scene.layers) == list(first.scene.layers) and again.counts == first.counts
    for name, mesh in first.scene.layers.items():
        assert np.array_equal(again.scene.layers[name].ids, mesh.ids)
        assert again.scene.layers[name].n_cells == mesh.n_cells
    assert again.scene.ground.n_cells == first.scene.ground.n_cells
    assert again.frames.cached() == [] and again.feature("pipe_segments", again.scene.layers[
        "pipe_segments"].ids[0])["line_id"] == again.scene.layers["pipe_segments"].ids[0]
    st = os.stat(demo)
    os.utime(demo, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))   # the demo changed: built again
    project_loader.load_demo(Progress())
    assert len(scene_sources) == 2
