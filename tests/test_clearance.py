"""Clearance audit: hand-built cases with known answers, and equality with the brute-force reference."""
from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from gis.analysis import clearance, features, rules
from tests.clearance_reference import reference
from tests.synthetic_city import city

X0, Y0 = 500_000.0, 3_400_000.0
NO_BAND = {"QL-A": 0.0, "QL-B": 0.0, "QL-C": 0.0, "QL-D": 0.0, "unknown": 0.0}


def seg(line_id, utility, coords, **attrs):
    """One pipe_segments row; coords (x, y, z) relative to the test origin; zero walls unless given."""
    geom = shapely.LineString([(X0 + x, Y0 + y, z) for x, y, z in coords])
    return {"line_id": line_id, "utility": utility, "wall_mm": 0.0, "geometry": geom, **attrs}


def audit(rows, bands=NO_BAND, table=None):
    table = table or rules.load()
    gdf = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="EPSG:4549")
    fs = features.build({"pipe_segments": gdf}, table, bands)
    return clearance.audit(fs, table, threads=1)


def only(res, kind=None):
    df = res.findings if kind is None else res.findings[res.findings.kind == kind]
    assert len(df) == 1, df
    return df.iloc[0]


def test_parallel_pair_09_against_10():
    # sewage DN400 and water DN150: centre lines 0.2 + 0.9 + 0.075 apart -> 0.9 m clear, needs 1.0
    res = audit([seg("WS1", "WS", [(0, 0, -2), (30, 0, -2)], diameter_mm=400),
                 seg("JS1", "JS", [(0, 1.175, -1), (30, 1.175, -1)], diameter_mm=150)])
    f = only(res)
    assert (f.kind, f.rule_id, f.a_id, f.b_id) == ("horizontal", "H-PS-JS1", "JS1", "WS1")
    assert f.required_m == 1.0 and f.actual_m == pytest.approx(0.9) and f.deficit_m == pytest.approx(0.1)
    assert f.severity == "minor" and not f.uncertain and f.confidence == "verified"
    assert f.x == pytest.approx(X0 + 15, abs=15) and f.y == pytest.approx(Y0 + 0.5875)


def test_crossing_030_against_040_gives_vertical_only():
    # DN400 sewer at z -2.0 crossed by DN200 water at z -1.4: |dz| 0.6 - (0.2 + 0.1) = 0.30, needs 0.40
    res = audit([seg("WS1", "WS", [(0, 0, -2), (30, 0, -2)], diameter_mm=400),
                 seg("JS1", "JS", [(10, -10, -1.4), (10, 10, -1.4)], diameter_mm=200)])
    f = only(res)
    assert (f.kind, f.rule_id) == ("vertical", "V-PS-JS")
    assert f.actual_m == pytest.approx(0.30) and f.required_m == 0.40
    assert f.severity == "major"            # 0.10 / 0.40 = 25 %
    assert (f.x, f.y, f.z) == pytest.approx((X0 + 10, Y0, -1.7))
    assert res.counts["crossing_pairs"] == 1


def test_shared_end_point_is_not_a_conflict():
    rows = [seg("A", "WS", [(0, 0, -2), (20, 0, -2)], diameter_mm=400, start_point="P1", end_point="P2"),
            seg("B", "WS", [(20, 0, -2), (20, 20, -2)], diameter_mm=400, start_point="P2", end_point="P3"),
            # different utility touching at a shared point id, at the same depth
            seg("C", "JS", [(20, 0, -2), (40, 5, -2)], diameter_mm=150, start_point="P2", end_point="P4")]
    res = audit(rows)
    assert len(res.findings) == 0
    assert res.counts["no_rule_pairs"] == 0


def test_box_culvert_uses_its_outside_width():
    # 2000 x 1500 box: half width 1.0; water DN300 (d > 200: 1.5 m) 1.0 + 1.4 + 0.15 from its centre
    res = audit([seg("BOX", "YS", [(0, 0, -2), (30, 0, -2)], shape="rect", width_mm=2000, height_mm=1500),
                 seg("JS1", "JS", [(0, 2.55, -1), (30, 2.55, -1)], diameter_mm=300)])
    f = only(res)
    assert (f.rule_id, f.required_m) == ("H-PS-JS2", 1.5)
    assert f.actual_m == pytest.approx(1.4)


@pytest.mark.parametrize("attrs, rule_id, required", [
    ({"pressure_mpa": 0.005}, "H-PS-RQL", 1.0),
    ({"pressure_mpa": 0.1}, "H-PS-RQMB", 1.2),
    ({"pressure_mpa": 0.3}, "H-PS-RQMA", 1.2),
    ({"pressure_mpa": 0.6}, "H-PS-RQSB", 1.5),
    ({"pressure_mpa": 1.2}, "H-PS-RQSA", 2.0),
    ({"pressure_mpa": 0.005, "pressure_class": "subhighB"}, "H-PS-RQSB", 1.5),
])
def test_gas_pressure_classes_pick_their_row(attrs, rule_id, required):
    res = audit([seg("WS1", "WS", [(0, 0, -2), (30, 0, -2)], diameter_mm=400),
                 seg("RQ1", "RQ", [(0, 0.95, -1), (30, 0.95, -1)], diameter_mm=100, **attrs)])
    f = only(res)
    assert (f.rule_id, f.required_m) == (rule_id, required)
    assert f.actual_m == pytest.approx(0.70)


def test_high_pressure_gas_and_unknown_pairs_are_counted_as_no_rule():
    res = audit([seg("WS1", "WS", [(0, 0, -2), (30, 0, -2)], diameter_mm=400),
                 seg("RQ1", "RQ", [(0, 0.95, -1), (30, 0.95, -1)], diameter_mm=100, pressure_mpa=2.0),
                 seg("JS1", "JS", [(0, 20, -1), (30, 20, -1)], diameter_mm=150),
                 seg("ZS1", "ZS", [(0, 20.4, -1), (30, 20.4, -1)], diameter_mm=150)])
    assert len(res.findings) == 0
    assert res.counts["no_rule_pairs"] == 2
    assert res.counts["no_rule_classes"] == {"JS|ZS (horizontal)": 1, "RQ:highB|WS (horizontal)": 1}


def test_uncertain_pass_within_the_quality_band():
    rows = [seg("WS1", "WS", [(0, 0, -2), (30, 0, -2)], diameter_mm=400, quality_level="QL-C"),
            seg("JS1", "JS", [(0, 1.325, -1), (30, 1.325, -1)], diameter_mm=150, quality_level="QL-A")]
    f = only(audit(rows, bands={}))                  # defaults: QL-C 1.0 + QL-A 0.05
    assert f.actual_m == pytest.approx(1.05) and f.uncertain and f.severity == "info"
    assert f.deficit_m == pytest.approx(-0.05)
    assert len(audit(rows).findings) == 0         # no band: a plain pass


def test_crossing_without_vertical_data_is_counted():
    res = audit([seg("WS1", "WS", [(0, 0, np.nan), (30, 0, np.nan)], diameter_mm=400),
                 seg("JS1", "JS", [(10, -10, -1.4), (10, 10, -1.4)], diameter_mm=200)])
    assert len(res.findings) == 0 and res.counts["no_vertical_data"] == 1


def test_proximity_next_to_a_crossing_is_covered_by_the_vertical_check():
    # run A-B (joined at P2, x=10) is crossed by G at x=10.3; A's end is 0.3 m from G but that
    # proximity comes from the crossing: only the vertical finding B x G (if any) remains
    rows = [seg("A", "WS", [(0, 0, -3), (10, 0, -3)], diameter_mm=400, start_point="P1", end_point="P2"),
            seg("B", "WS", [(10, 0, -3), (20, 0, -3)], diameter_mm=400, start_point="P2", end_point="P3"),
            seg("G", "JS", [(10.3, -10, -1), (10.3, 10, -1)], diameter_mm=150)]
    res = audit(rows)
    assert len(res.findings) == 0
    assert res.counts["covered_by_crossing"] == 1
    # a G that stops 0.5 m short of the run does not cross it: both A and B are real findings
    rows[2] = seg("G", "JS", [(10.3, 0.5, -1), (10.3, 10, -1)], diameter_mm=150)
    df = audit(rows).findings
    assert sorted(zip(df.kind, df.a_id, df.b_id)) == [("horizontal", "A", "G"), ("horizontal", "B", "G")]


def _compare(fs, table):
    res = clearance.audit(fs, table, threads=2)
    ref, counts = reference(fs, table)
    df = res.findings
    got = {(k,) + tuple(sorted((a, b))): (r, v, u)
           for k, a, b, r, v, u in zip(df.kind, df.a_id, df.b_id, df.required_m, df.actual_m, df.uncertain)}
    assert set(got) == set(ref)
    for key, (r, v, u) in got.items():
        assert r == ref[key][0] and v == pytest.approx(ref[key][1], abs=1e-7) and u == ref[key][2], key
    assert res.counts["no_rule_pairs"] == counts["no_rule_pairs"]
    assert res.counts["no_vertical_data"] == counts["no_vertical_data"]
    return res


def test_synthetic_city_matches_brute_force():
    table = rules.load()
    fs = features.build({"pipe_segments": city(4000, seed=7)}, table)
    res = _compare(fs, table)
    assert res.counts["covered_by_crossing"] > 0 and len(res.findings) > 100
    assert set(res.findings.kind) == {"horizontal", "vertical"}


def _random_network(seed: int, n: int = 400):
    """Random polylines (some multi-vertex, some chained by point ids, some axis-parallel overlaps)."""
    rng = np.random.default_rng(seed)
    utils = ["WS", "YS", "JS", "RQ", "DL", "TX", "ZS", "RL"]
    rows = []
    for k in range(n):
        u = utils[rng.integers(len(utils))]
        nv = int(rng.choice([2, 2, 2, 3, 4]))
        if rng.random() < 0.15:      # axis-parallel on an integer grid: exact parallels and overlaps
            x, y = float(rng.integers(0, 60)), float(rng.integers(0, 60))
            pts = [(x, y), (x + float(rng.integers(1, 20)), y)] if rng.random() < 0.5 else \
                [(x, y), (x, y + float(rng.integers(1, 20)))]
        else:
            p = rng.uniform(0, 60, 2)
            pts = [tuple(p)]
            for _ in range(nv - 1):
                p = p + rng.normal(0, 8, 2)
                pts.append(tuple(p))
        z = rng.uniform(-4, -0.5, len(pts))
        attrs = {"diameter_mm": float(rng.choice([100, 200, 300, 600])),
                 "quality_level": str(rng.choice(["QL-A", "QL-B", "QL-C", "QL-D"])),
                 "pressure_mpa": float(rng.choice([0.005, 0.1, 0.3, 0.6, 1.2])) if u == "RQ" else np.nan,
                 "burial": str(rng.choice(["直埋", "排管"])) if u in ("DL", "TX", "RL") else None,
                 "owner": f"{u} co"}
        if rng.random() < 0.3 and rows and rows[-1]["utility"] == u:
            # chain onto the previous line of the same utility
            prev = rows[-1]
            end = shapely.get_coordinates(prev["geometry"], include_z=True)[-1]
            pts[0] = (end[0] - X0, end[1] - Y0)
            z[0] = end[2]
            attrs["start_point"] = prev.get("end_point") or f"N{k}s"
            prev["end_point"] = attrs["start_point"]
        rows.append(seg(f"L{k}", u, [(x, y, zz) for (x, y), zz in zip(pts, z)], **attrs))
    return rows


@pytest.mark.parametrize("seed", [1, 2])
def test_random_polylines_match_brute_force(seed):
    table = rules.load()
    gdf = gpd.GeoDataFrame(pd.DataFrame(_random_network(seed)), geometry="geometry", crs="EPSG:4549")
    fs = features.build({"pipe_segments": gdf}, table)
    assert not fs.single_piece
    res = _compare(fs, table)
    assert len(res.findings) > 50
