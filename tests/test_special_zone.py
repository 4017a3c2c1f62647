"""Existing pipes inside a metro tunnel's special protection zone (3D clear distance), and the 3D segment distance."""
from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gis.analysis import zones
from gis.analysis.seg3d import closest_3d
from tests.conftest import run_cli
from tests.test_clearance import X0, Y0, seg


def test_closest_3d_matches_dense_sampling():
    rng = np.random.default_rng(3)
    p0, p1, q0, q1 = (rng.uniform(-5, 5, (400, 3)) for _ in range(4))
    q1[:40] = q0[:40]                                   # some degenerate (point) segments
    q1[40:80] = q0[40:80] + (p1[40:80] - p0[40:80])     # some parallel pairs
    dist, s, t = closest_3d(p0, p1, q0, q1)
    grid = np.linspace(0.0, 1.0, 401)
    a = p0[:, None, :] + grid[None, :, None] * (p1 - p0)[:, None, :]
    b = q0[:, None, :] + grid[None, :, None] * (q1 - q0)[:, None, :]
    sampled = np.linalg.norm(a[:, :, None, :] - b[:, None, :, :], axis=3).min(axis=(1, 2))
    assert np.all(dist <= sampled + 1e-9)               # never more than any sampled pair of points
    assert np.all(sampled - dist < 0.05)                # and the sampling comes close to it
    at = p0 + s[:, None] * (p1 - p0) - (q0 + t[:, None] * (q1 - q0))
    assert np.allclose(np.linalg.norm(at, axis=1), dist)
    # crossing lines at right angles, 2 m apart vertically
    d, s, t = closest_3d(np.array([[0.0, -1, 0]]), np.array([[0.0, 1, 0]]), np.array([[-1.0, 0, -2]]),
                         np.array([[1.0, 0, -2]]))
    assert (d[0], s[0], t[0]) == (pytest.approx(2.0), pytest.approx(0.5), pytest.approx(0.5))


@pytest.fixture
def metro_site(project):
    # tunnel T1 along y = 0, centre at -15, outer diameter 6.2: crown at -11.9
    tunnels = [{"feature_id": "T1", "line_name": "L1", "outer_diameter_m": 6.2, "owner": "地铁公司",
                "geometry": shapely.LineString([(X0, Y0, -15), (X0 + 200, Y0, -15)])}]
    # DL1 (DN1500) crosses over it with its bottom 4.9 m above the crown; DL2 5.1 m; WS1 runs
    # beside it 4.0 m from the tunnel's side at the same depth; JS1 is far away
    pipes = [seg("DL1", "DL", [(50, -30, -11.9 + 4.9 + 0.75), (50, 30, -11.9 + 4.9 + 0.75)], diameter_mm=1500,
                 owner="供电公司"),
             seg("DL2", "DL", [(80, -30, -11.9 + 5.1 + 0.75), (80, 30, -11.9 + 5.1 + 0.75)], diameter_mm=1500),
             seg("WS1", "WS", [(20, 3.1 + 4.0 + 0.2, -15), (120, 3.1 + 4.0 + 0.2, -15)], diameter_mm=400),
             seg("JS1", "JS", [(0, 60, -1), (100, 60, -1)], diameter_mm=300)]
    with project.transaction() as txn:
        txn.insert("pipe_segments", gpd.GeoDataFrame(pd.DataFrame(pipes), geometry="geometry", crs=project.crs))
        txn.insert("metro_tunnels", gpd.GeoDataFrame(pd.DataFrame(tunnels), geometry="geometry", crs=project.crs))
    return project


def test_existing_pipes_inside_the_special_zone(metro_site):
    result = zones.run(metro_site, zones.ZoneOptions(area=None, write=False))
    f = result.findings.sort_values("a_id").reset_index(drop=True)
    assert list(f["a_id"]) == ["DL1", "WS1"]
    assert f["actual_m"].tolist() == pytest.approx([4.9, 4.0], abs=1e-6)
    assert set(f["kind"]) == {"metro_special_zone"} and set(f["b_id"]) == {"T1"}
    assert set(f["severity"]) == {"critical"} and f["required_m"].tolist() == [5.0, 5.0]
    assert f.loc[0, "owners"] == "供电公司" and f.loc[0, "confidence"] == "unverified"
    assert (f.loc[0, "x"], f.loc[0, "y"]) == (pytest.approx(X0 + 50), pytest.approx(Y0))


def test_cli_zones_without_an_area_audits_existing_pipes(metro_site):
    res = run_cli("check", "zones", metro_site.path, "--json", "--no-store")
    assert res.returncode == 3, res.stderr
    doc = json.loads(res.stdout)
    assert sorted(f["a_id"] for f in doc["findings"]) == ["DL1", "WS1"]
