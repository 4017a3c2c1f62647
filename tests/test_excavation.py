"""Excavation-conflict check: touching, missing by 1 cm, deeper / shallower, buffers, polygons, a proposed pipe."""
from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from gis.analysis import excavation
from tests.conftest import run_cli
from tests.test_clearance import X0, Y0, seg


def box(x0, y0, x1, y1):
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def poly(fid, x0, y0, x1, y1, top, bottom, **attrs):
    g = shapely.Polygon([(X0 + x, Y0 + y, top) for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))])
    return {"feature_id": fid, "top_elev": top, "bottom_elev": bottom, "geometry": g, **attrs}


@pytest.fixture
def site(project):
    # water DN300 along y = 0 with its top at -1.0 (centre -1.15); half width 0.15
    pipes = [seg("JS1", "JS", [(0, 0, -1.15), (100, 0, -1.15)], diameter_mm=300, owner="自来水公司"),
             seg("WS1", "WS", [(0, 20, -4.2), (100, 20, -4.2)], diameter_mm=400, owner="排水公司")]
    tunnels = [{"feature_id": "T1", "line_name": "L1", "outer_diameter_m": 6.2, "owner": "地铁公司",
                "geometry": shapely.LineString([(X0, Y0 + 120, -15), (X0 + 200, Y0 + 120, -15)])}]
    with project.transaction() as txn:
        txn.insert("pipe_segments", gpd.GeoDataFrame(pd.DataFrame(pipes), geometry="geometry", crs=project.crs))
        txn.insert("metro_tunnels", gpd.GeoDataFrame(pd.DataFrame(tunnels), geometry="geometry", crs=project.crs))
        txn.insert("metro_stations", gpd.GeoDataFrame(pd.DataFrame(
            [poly("S1", 150, 40, 170, 60, -3.0, -18.0, name="站", kind="station", owner="地铁公司")]),
            geometry="geometry", crs=project.crs))
        txn.insert("civil_defense_works", gpd.GeoDataFrame(pd.DataFrame(
            [poly("CD1", 0, 60, 30, 80, -6.0, -12.0, name="人防", owner="人防办")]),
            geometry="geometry", crs=project.crs))
    return project


def query(project, area, **kw):
    return excavation.ExcavationIndex.from_project(project).query(area, **kw)


def test_touching_conflicts_and_one_centimetre_off_does_not(site):
    # area edge exactly at the pipe's outer wall (0.15 m from the centre line), buffer 0
    df = query(site, box(10, 0.15, 20, 10), bottom_elev=-3.0, buffer=0.0)
    assert list(df.a_id) == ["JS1"]
    f = df.iloc[0]
    assert f.severity == "critical" and f.plan_m == pytest.approx(0.0, abs=1e-9)
    assert f.vertical_m == pytest.approx(-2.0) and f.owners == "自来水公司" and f.b_id == "adhoc"
    assert "hand-dig" in f.note
    assert len(query(site, box(10, 0.16, 20, 10), bottom_elev=-3.0, buffer=0.0)) == 0
    # the same 1 cm gap is inside a 0.5 m safety buffer: a major finding
    f = query(site, box(10, 0.16, 20, 10), bottom_elev=-3.0, buffer=0.5).iloc[0]
    assert f.severity == "major" and f.actual_m == pytest.approx(0.01) and f.deficit_m == pytest.approx(0.49)


def test_deeper_and_shallower_than_the_pipe(site):
    area = box(10, -5, 20, 5)
    assert len(query(site, area, bottom_elev=-0.99, buffer=0.0)) == 0    # bottom above the pipe top
    assert list(query(site, area, bottom_elev=-1.0, buffer=0.0).a_id) == ["JS1"]  # top at the bottom
    deep = query(site, area, bottom_elev=-5.0, buffer=0.0)
    assert sorted(deep.a_id) == ["JS1"]                     # the sewer at y = 20 is far in plan
    wide = query(site, box(10, -5, 20, 25), bottom_elev=-5.0, buffer=0.0)
    assert sorted(wide.a_id) == ["JS1", "WS1"]


def test_depth_below_ground_uses_surveyed_ground(site):
    pts = gpd.GeoDataFrame(pd.DataFrame([{"point_id": "P1", "utility": "JS", "ground_elev": 1.0}]),
                           geometry=[shapely.Point(X0 + 15, Y0 + 1, 1.0)], crs=site.crs)
    with site.transaction() as txn:
        txn.insert("pipe_points", pts)
    assert len(query(site, box(10, -5, 20, 5), depth=1.9, buffer=0.0)) == 0     # bottom -0.9
    assert len(query(site, box(10, -5, 20, 5), depth=2.0, buffer=0.0)) == 1     # bottom -1.0


def test_polygon_features_station_and_civil_defense(site):
    df = query(site, box(140, 40, 149, 60), bottom_elev=-8.0, buffer=2.0)
    f = df[df.a_layer == "metro_stations"].iloc[0]
    assert (f.a_id, f.severity, f.actual_m) == ("S1", "major", pytest.approx(1.0))
    assert len(query(site, box(140, 40, 149, 60), bottom_elev=-8.0, buffer=0.5)) == 0
    # civil-defense work top at -6: a 5 m deep pit over it misses, a 7 m one hits
    assert len(query(site, box(5, 65, 10, 70), bottom_elev=-5.0, buffer=0.0)) == 0
    f = query(site, box(5, 65, 10, 70), bottom_elev=-7.0, buffer=0.0).iloc[0]
    assert (f.a_layer, f.severity) == ("civil_defense_works", "critical") and "sensitive" in f.note


def test_run_adds_zone_findings_and_owners(site):
    opts = excavation.ExcavationOptions(area=box(10, 80, 20, 90), bottom_elev=-3.0, buffer=0.5)
    res = excavation.run(site, opts)
    kinds = dict(zip(res.findings.kind, res.findings.a_id))
    assert kinds == {"metro_control_zone": "T1"}            # 30 m from the tunnel centre, 26.9 m from its edge
    f = res.findings.iloc[0]
    assert f.confidence == "unverified" and f.actual_m == pytest.approx(26.9)
    assert res.summary["owners_to_notify"] == ["地铁公司"]
    assert any("civil-defense safety range not configured" in w for w in res.summary["warnings"])


def test_proposed_pipe_checked_as_a_tube(site):
    line = shapely.LineString([(X0 + 50, Y0 - 10, -1.45), (X0 + 50, Y0 + 10, -1.45)])
    opts = excavation.ExcavationOptions(line=line, pipe={"utility": "RQ", "diameter_mm": 200.0, "pressure_mpa": 0.1},
                                        buffer=0.5)
    res = excavation.run(site, opts)
    f = res.findings[res.findings.kind == "proposed_vertical"].iloc[0]
    # |(-1.45) - (-1.15)| - (0.1 + 0.15) = 0.05 against JS x RQ 0.15 (unverified row)
    assert (f.a_id, f.b_layer, f.b_id) == ("JS1", "excavations", "adhoc")
    assert f.actual_m == pytest.approx(0.05) and f.required_m == 0.15 and f.confidence == "unverified"
    # deeper: 0.55 m clear; JS1 has no quality level (band 2 m), so still an uncertain pass
    opts.line = shapely.LineString([(X0 + 50, Y0 - 10, -1.95), (X0 + 50, Y0 + 10, -1.95)])
    f = excavation.run(site, opts).findings.iloc[0]
    assert f.kind == "proposed_vertical" and f.uncertain and f.severity == "info"
    assert f.actual_m == pytest.approx(0.55)


def test_cli_area_file_is_reprojected(site, tmp_path):
    path = site.path
    site.close()
    area = gpd.GeoDataFrame(geometry=[box(10, 0.15, 20, 10)], crs="EPSG:4549").to_crs("EPSG:4326")
    geojson = tmp_path / "area.geojson"
    area.to_file(geojson, driver="GeoJSON")
    out = run_cli("check", "excavation", path, "--area", geojson, "--bottom-elev", "-3", "--buffer", "0.05", "--json")
    assert out.returncode == 3, out.stderr
    doc = json.loads(out.stdout)
    assert [f["a_id"] for f in doc["findings"]] == ["JS1"]
    out = run_cli("check", "excavation", path, "--wkt", box(10, 5, 20, 10).wkt, "--bottom-elev", "-3")
    assert out.returncode == 0, out.stderr
    out = run_cli("check", "excavation", path, "--wkt", box(10, 5, 20, 10).wkt)
    assert out.returncode == 1 and "--bottom-elev" in out.stderr
