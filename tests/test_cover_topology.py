"""Cover check (roadway / non-roadway, surveyed ground vs DEM) and topology QA."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from affine import Affine

from gis.analysis import cover, topology
from tests.conftest import run_cli
from tests.test_clearance import X0, Y0, seg


def _insert(project, layer, rows):
    with project.transaction() as txn:
        txn.insert(layer, gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs=project.crs))


def point(pid, x, y, ground, utility="PS", **attrs):
    return {"point_id": pid, "utility": utility, "ground_elev": ground, "geometry": shapely.Point(X0 + x, Y0 + y, ground),
            **attrs}


@pytest.fixture
def net(project):
    _insert(project, "pipe_points", [point("P1", 0, 0, 5.0), point("P2", 40, 0, 5.0), point("P3", 0, 30, 5.0),
                                     point("P4", 40, 30, 5.0), point("G1", 0, 60, 5.0, "RQ"),
                                     point("G2", 40, 60, 5.0, "RQ")])
    # sewer DN400 (invert-surveyed in real data; here the centre is given): top 0.5 m under the ground
    _insert(project, "pipe_segments", [
        seg("R1", "WS", [(0, 0, 4.3), (40, 0, 4.3)], diameter_mm=400, start_point="P1", end_point="P2"),
        seg("F1", "WS", [(0, 30, 4.3), (40, 30, 4.3)], diameter_mm=400, start_point="P3", end_point="P4"),
        seg("GAS", "RQ", [(0, 60, 5.2), (40, 60, 5.2)], diameter_mm=100, start_point="G1", end_point="G2",
            pressure_mpa=0.1),
        seg("NOID", "WS", [(0, 90, 3.0), (40, 90, 3.0)], diameter_mm=400)])
    _insert(project, "roads", [{"feature_id": "road", "kind": "carriageway", "geometry": shapely.box(X0 - 5, Y0 - 5, X0 + 50, Y0 + 5)},
                               {"feature_id": "walk", "kind": "footway", "geometry": shapely.box(X0 - 5, Y0 + 25, X0 + 50, Y0 + 35)}])
    return project


def test_cover_roadway_footway_above_ground_and_dem(net):
    elev = np.full((20, 20), 4.0)
    net.set_terrain(elev, Affine(10, 0, X0 - 50, 0, -10, Y0 + 150), "test")
    res = cover.run(net)
    f = res.findings.set_index("a_id")
    assert (f.loc["R1", "required_m"], f.loc["R1", "rule_id"]) == (0.7, "C-PS-ROAD")
    assert f.loc["R1", "actual_m"] == pytest.approx(0.5) and f.loc["R1", "severity"] == "major"
    assert (f.loc["F1", "required_m"], f.loc["F1", "rule_id"]) == (0.6, "C-PS-OTHER")
    assert f.loc["F1", "severity"] == "minor"
    assert f.loc["GAS", "kind"] == "above_ground" and f.loc["GAS", "severity"] == "critical"
    # NOID has no surveyed points: ground from the DEM (4.0) - top 3.2 = 0.8 >= 0.6 -> no finding
    assert "NOID" not in f.index
    assert res.summary["ground_from_dem"] == 2 and res.summary["ground_from_survey"] == 6


def test_cover_frost_depth_raises_water_minimum(net):
    res = cover.run(net, cover.CoverOptions(frost_depth_m=1.2))
    f = res.findings.set_index("a_id")
    assert f.loc["F1", "required_m"] == 1.2 and "frost" in f.loc["F1", "note"]


def test_topology_finds_each_problem(net):
    _insert(net, "pipe_points", [point("P2dup", 40.004, 0.003, 5.0), point("E1", 80, 0, 5.0),
                                 point("E2", 80, 40, 5.0, feature="出地")])
    _insert(net, "pipe_segments", [
        seg("UP", "WS", [(40, 0, 4.0), (80, 0, 4.4)], diameter_mm=400, start_point="P2", end_point="E1"),
        seg("ZERO", "WS", [(80, 40, 3.0), (80, 40, 3.0)], diameter_mm=400, start_point="E2", end_point="E2"),
        seg("MISS", "WS", [(100, 0, 3.0), (120, 0, 3.0)], diameter_mm=400, start_point="X9", end_point="E1"),
        seg("XJ", "JS", [(20, -10, np.nan), (20, 10, np.nan)], diameter_mm=150)])
    res = topology.run(net)
    kinds = {(k, a) for k, a in zip(res.findings.kind, res.findings.a_id)}
    assert ("reversed_slope", "UP") in kinds
    assert ("zero_length", "ZERO") in kinds
    assert ("missing_end_point", "MISS") in kinds and ("missing_end_point", "NOID") in kinds
    assert ("duplicate_point", "P2dup") in kinds
    assert ("dangle", "P1") in kinds and ("dangle", "E2") not in kinds    # 出地 marks a real end
    assert ("above_ground", "GAS") in kinds
    assert ("crossing_without_z", "R1") in kinds or ("crossing_without_z", "XJ") in kinds
    assert res.summary["network_components"] >= 3


def test_check_cover_and_topology_cli(net):
    path = net.path
    net.close()
    out = run_cli("check", "cover", path, "--json")
    assert out.returncode == 3, out.stderr
    assert json.loads(out.stdout)["check"] == "cover"
    out = run_cli("check", "topology", path)
    assert out.returncode == 3 and "dangle" in out.stdout
