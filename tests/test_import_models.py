"""EPANET and SWMM .inp models -> pipe_points / pipe_segments with 3D geometry."""
from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

import importers
from importers import ImportOptions, registry
from tests.conftest import DATA, run_cli

MODELS = DATA / "import" / "models"


def plan(project, source, **options):
    return importers.plan_import(project, [str(source)], ImportOptions(**options))


def z_of(gdf, key, value):
    return shapely.get_coordinates(gdf.set_index(key).geometry[value], include_z=True)


def test_detection_tells_epanet_from_swmm():
    assert registry.detect(MODELS / "district_si.inp").name == "epanet"
    assert registry.detect(MODELS / "small_us.inp").name == "epanet"
    assert registry.detect(MODELS / "storm_si.inp").name == "swmm"


def test_a_model_needs_a_source_crs(project):
    p = plan(project, MODELS / "district_si.inp")
    assert p.fatal and "give --src-crs" in p.problems[0].reason


def test_epanet_si_network_in_3d(project):
    p = plan(project, MODELS / "district_si.inp", src_crs="EPSG:4549")
    assert not p.problems and p.accepted == {"pipe_points": 8, "pipe_segments": 8}
    seg = p.layers["pipe_segments"].set_index("line_id")
    # P1 J1 (3.10) -> vertex -> J2 (3.05): centre-line Z from the node elevations, interpolated by length
    xyz = z_of(p.layers["pipe_segments"], "line_id", "P1")
    assert xyz[:, :2].tolist() == [[557000, 3464200], [557060, 3464205], [557120, 3464200]]
    assert xyz[[0, 2], 2] == pytest.approx([3.10, 3.05]) and 3.05 < xyz[1, 2] < 3.10
    assert seg.loc["P1", "diameter_mm"] == 400 and seg.loc["V1", "note"] == "EPANET valve PRV"
    assert seg.loc["PU1", "diameter_mm"] == 400                     # a pump takes its pipes' size
    assert z_of(p.layers["pipe_segments"], "line_id", "P5")[-1, 2] == pytest.approx(18.0)   # into the tank
    pts = p.layers["pipe_points"].set_index("point_id")
    assert pts.loc["R1", "appurtenance"] == "水源" and pts.loc["T1", "appurtenance"] == "水池"
    assert any("ground taken as the node elevation" in w for w in p.warnings)


def test_epanet_us_units_become_metres_and_millimetres(tmp_path):
    from gis.store import Project
    from pyproj import Transformer

    with Project.create(tmp_path / "iowa.gpkg", crs="EPSG:26915") as proj:
        p = plan(proj, MODELS / "small_us.inp", src_crs="EPSG:3418")
        assert not p.problems
        seg = p.layers["pipe_segments"].set_index("line_id")
        assert seg.loc["101", "diameter_mm"] == pytest.approx(304.8) and seg.loc["103", "diameter_mm"] == pytest.approx(152.4)
        xyz = z_of(p.layers["pipe_segments"], "line_id", "101")
        expect = Transformer.from_crs("EPSG:4326", "EPSG:26915", always_xy=True).transform(-93.7510, 41.5750)
        assert xyz[0, :2] == pytest.approx(expect, abs=0.05)
        assert xyz[:, 2] == pytest.approx([850 * 0.3048, 848 * 0.3048])
        assert any("GPM: lengths in ft, sizes in in" in w for w in p.warnings)


def test_swmm_inverts_offsets_and_sections(project):
    from affine import Affine

    project.set_terrain(np.full((40, 40), 3.9), Affine(10.0, 0, 556900.0, 0, -10.0, 3464600.0), "flat DEM")
    p = plan(project, MODELS / "storm_si.inp", src_crs="EPSG:4549")
    assert not p.problems and p.accepted == {"pipe_points": 6, "pipe_segments": 5}
    seg = p.layers["pipe_segments"].set_index("line_id")
    # C3: YS3 invert 1.60 + in-offset 0.05, DN800 -> centre 2.05; YS4 invert 1.45 -> 1.85
    assert z_of(p.layers["pipe_segments"], "line_id", "C3")[[0, -1], 2] == pytest.approx([2.05, 1.85])
    assert seg.loc["C3", "depth_ref"] == "invert" and seg.loc["C3", "start_depth"] == pytest.approx(4.20 - 1.65)
    c4 = seg.loc["C4"]
    assert (c4["shape"], c4.width_mm, c4.height_mm) == ("rect", 1500, 1000)
    assert z_of(p.layers["pipe_segments"], "line_id", "C4")[-1, 2] == pytest.approx(1.2 + 0.10 + 0.5)
    assert "barrels 2" in seg.loc["C5", "note"]
    pts = p.layers["pipe_points"].set_index("point_id")
    assert pts.loc["YS1", "ground_elev"] == pytest.approx(1.80 + 2.50)     # invert + max depth (rim)
    assert pts.loc["OUT1", "ground_elev"] == pytest.approx(3.9)            # outfall: ground from the DEM


def test_model_problems_name_the_line(project, tmp_path):
    text = (MODELS / "storm_si.inp").read_text(encoding="utf-8")
    text = text.replace("C2               YS2              YS3", "C2               YS2              YS9")
    text = text.replace("ST1              557150.000         3464440.000       \n", "")
    bad = tmp_path / "bad.inp"
    bad.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    c2_line = next(i for i, l in enumerate(lines, 1) if l.startswith("C2 "))
    st1_line = next(i for i, l in enumerate(lines, 1) if l.startswith("ST1 "))
    p = plan(project, bad, src_crs="EPSG:4549")
    found = {(x.file.rsplit("[", 1)[-1], x.row, x.reason) for x in p.problems}
    assert ("CONDUITS]", c2_line, "node YS9 of link C2 is not defined") in found
    assert ("STORAGE]", st1_line, "node has no [COORDINATES] entry") in found
    assert any(r[2] == "end point ST1 was rejected" for r in found)       # C4 uses the rejected node


def test_cli_imports_a_swmm_model(tmp_path):
    from gis.store import Project

    gpkg = tmp_path / "p.gpkg"
    Project.create(gpkg).close()
    r = run_cli("import", gpkg, MODELS / "storm_si.inp", "--src-crs", "EPSG:4549", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["kind"] == "swmm" and doc["accepted"] == {"pipe_points": 6, "pipe_segments": 5}
    with Project.open(gpkg, readonly=True) as proj:
        assert proj.read("pipe_segments").geometry.has_z.all()
