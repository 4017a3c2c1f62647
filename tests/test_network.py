"""Network tracing and valve isolation on a small looped water network with a known valve set."""
from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gis.analysis.network import Network
from tests.conftest import run_cli

X0, Y0 = 500_000.0, 3_400_000.0
# ring A -V1- B -V2- C -V3- D -V4- A, branch C-S1 (service point), branch B -V5- S2 (service point)
XY = {"A": (0, 0), "V1": (50, 0), "B": (100, 0), "V2": (100, 50), "C": (100, 100), "V3": (50, 100),
      "D": (0, 100), "V4": (0, 50), "S1": (150, 100), "V5": (150, 0), "S2": (200, 0)}
EDGES = [("A", "V1"), ("V1", "B"), ("B", "V2"), ("V2", "C"), ("C", "V3"), ("V3", "D"), ("D", "V4"),
         ("V4", "A"), ("C", "S1"), ("B", "V5"), ("V5", "S2")]


def _frames(states=None):
    states = states or {}
    points = []
    for pid, (x, y) in XY.items():
        app = "阀门" if pid.startswith("V") else "用户接入点" if pid.startswith("S") else None
        points.append({"point_id": pid, "utility": "JS", "appurtenance": app, "valve_state": states.get(pid),
                       "ground_elev": 4.0, "geometry": shapely.Point(X0 + x, Y0 + y, 4.0)})
    segs = [{"line_id": f"{a}-{b}", "utility": "JS", "start_point": a, "end_point": b, "diameter_mm": 200.0,
             "geometry": shapely.LineString([(X0 + XY[a][0], Y0 + XY[a][1], 3.0), (X0 + XY[b][0], Y0 + XY[b][1], 3.0)])}
            for a, b in EDGES]
    return (gpd.GeoDataFrame(pd.DataFrame(segs), geometry="geometry", crs="EPSG:4549"),
            gpd.GeoDataFrame(pd.DataFrame(points), geometry="geometry", crs="EPSG:4549"))


def _net(states=None):
    segs, pts = _frames(states)
    return Network.from_frames(pd.DataFrame(segs.drop(columns="geometry")), pts)


def test_burst_closes_the_nearest_valves():
    r = _net().isolate("V1-B")
    assert r["valves_to_close"] == ["V1", "V2", "V5"]
    assert r["segments"] == ["B-V2", "B-V5", "V1-B"]
    assert r["service_points"] == []


def test_broken_valve_is_passed_and_widens_the_isolation():
    r = _net({"V2": "broken"}).isolate("V1-B")
    assert r["valves_to_close"] == ["V1", "V3", "V5"]
    assert r["broken_valves_passed"] == ["V2"]
    assert r["segments"] == ["B-V2", "B-V5", "C-S1", "C-V3", "V1-B", "V2-C"]
    assert r["service_points"] == ["S1"]


def test_closed_valve_acts_as_it_is():
    r = _net({"V5": "closed"}).isolate("V1-B")
    assert r["valves_to_close"] == ["V1", "V2"] and r["closed_valves_used"] == ["V5"]


def test_trace_connected_and_components():
    net = _net()
    assert len(net.trace("A", "connected")["segments"]) == len(EDGES)
    assert len(set(net.components())) == 1


def test_upstream_and_downstream_follow_flow_dir():
    segs = pd.DataFrame({"line_id": ["a", "b", "c", "d"], "utility": "PS",
                         "start_point": ["P1", "P2", "P4", "P3"], "end_point": ["P2", "P3", "P3", "P5"],
                         "flow_dir": [1, 1, -1, 1]})
    net = Network.from_frames(segs, None)
    # a: P1->P2, b: P2->P3, c: P3->P4 (reversed), d: P3->P5
    assert net.trace("b", "downstream")["segments"] == ["b", "c", "d"]
    assert net.trace("b", "upstream")["segments"] == ["a", "b"]
    assert net.trace("P3", "upstream")["points"] == ["P1", "P2", "P3"]


def test_trace_cli(project):
    segs, pts = _frames({"V2": "broken"})
    with project.transaction() as txn:
        txn.insert("pipe_points", pts)
        txn.insert("pipe_segments", segs)
    path = project.path
    project.close()
    out = run_cli("trace", path, "--from", "V1-B", "--isolate", "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["valves_to_close"] == ["V1", "V3", "V5"]
    out = run_cli("trace", path, "--from", "NOPE", "--connected")
    assert out.returncode == 1 and "NOPE" in out.stderr
