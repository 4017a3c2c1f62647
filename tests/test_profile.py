"""Longitudinal profiles and run finding (gis.cuts.profile, gis.cuts.run) on a hand-computed sewer."""
from __future__ import annotations

import json

import numpy as np
import pytest

from gis.cuts import find_run, longitudinal_profile
from gis.errors import UsageError
from tests.profile_fixtures import sewer_run, xy_line
from tests.tiny_projects import pipe


@pytest.fixture(scope="module")
def proj(tmp_path_factory):
    tunnel_line = xy_line((60, -40), (60, 40))
    tunnel = {"feature_id": "T1", "line_name": "2号线", "section": "circle", "outer_diameter_m": 6.2,
              "geometry": type(tunnel_line)([(x, y, -8.0) for x, y in tunnel_line.coords])}
    p = sewer_run(tmp_path_factory.mktemp("run") / "sewer.gpkg", metro_tunnels=[tunnel], pipe_segments=[
        pipe("S9", [(0, 60, 2.0), (20, 60, 2.0)], "PS", subtype="WS", diameter_mm=300,
             start_point="W8", end_point="W9")])
    yield p
    p.close()


@pytest.mark.parametrize("ids, lines, forward, points", [
    (["W1", "W3"], ["S1", "S2"], [True, True], ["W1", "W2", "W3"]),
    (["W3", "W1"], ["S2", "S1"], [False, False], ["W3", "W2", "W1"]),
    (["S1", "S2"], ["S1", "S2"], [True, True], ["W1", "W2", "W3"]),
    (["S3", "S1"], ["S3", "S2", "S1"], [True, False, False], ["W4", "W3", "W2", "W1"]),
    (["S2"], ["S2"], [True], ["W2", "W3"]),
    (["W4", "S1"], ["S3", "S2", "S1"], [True, False, False], ["W4", "W3", "W2", "W1"]),
])
def test_find_run_follows_the_network(proj, ids, lines, forward, points):
    run = find_run(proj, ids)
    assert (run.utility, run.line_ids, run.forward, run.point_ids) == ("PS", lines, forward, points)


@pytest.mark.parametrize("ids, message", [
    (["NOPE"], "'NOPE' is neither a line_id"),
    (["S1", "X1"], "different utilities"),
    (["S1", "S9"], "no connected path from 'S1' to 'S9'"),
    (["W1"], "the run has no segment"),
    ([], "at least one"),
])
def test_find_run_errors_name_the_problem(proj, ids, message):
    with pytest.raises(UsageError, match=message):
        find_run(proj, ids)


def test_profile_lists_manholes_in_order_with_inverts_and_slopes(proj):
    prof = longitudinal_profile(proj, ["W1", "W3"])
    st = prof.stations
    assert [s.point_id for s in st] == ["W1", "W2", "W3"]
    assert [s.s for s in st] == pytest.approx([0.0, 40.0, 80.0])
    assert all(s.is_well for s in st)
    assert [s.ground_elev for s in st] == pytest.approx([4.2, 4.1, 4.0])
    assert {s.ground_source for s in st} == {"survey"}
    # invert = centre - DN/2 (the wall does not enter the invert)
    assert (st[0].invert_in, st[0].invert_out) == (None, pytest.approx(1.80))
    assert (st[1].invert_in, st[1].invert_out) == (pytest.approx(1.72), pytest.approx(1.70))
    assert (st[2].invert_in, st[2].invert_out) == (pytest.approx(1.62), None)
    assert [s.well_bottom_elev for s in st] == pytest.approx([4.2 - 2.5, 4.1 - 2.6, 4.0 - 2.8])
    assert st[1].well_diameter_m == pytest.approx(1.0)
    s1, s2 = prof.segments
    assert (s1.line_id, s1.from_point, s1.to_point, s1.length_m) == ("S1", "W1", "W2", pytest.approx(40.0))
    # S1 is reinforced concrete: wall DN/12 -> outside 0.4667, crown = centre + 0.2333
    assert s1.height_m == pytest.approx(0.4 + 2 * 400 / 12 / 1000)
    assert (s1.crown_from, s1.crown_to) == pytest.approx((2.0 + 0.23333, 1.92 + 0.23333), abs=1e-4)
    assert (s2.crown_from, s2.crown_to) == pytest.approx((2.1, 2.02))
    assert (s1.slope_permille, s2.slope_permille) == pytest.approx((-2.0, -2.0))
    assert prof.depth_ref == "invert" and prof.length == pytest.approx(80.0)


def test_profile_upstream_reports_rising_slopes(proj):
    prof = longitudinal_profile(proj, ["W3", "W1"])
    assert [g.slope_permille for g in prof.segments] == pytest.approx([2.0, 2.0])
    assert [s.point_id for s in prof.stations] == ["W3", "W2", "W1"]
    assert (prof.stations[1].invert_in, prof.stations[1].invert_out) == pytest.approx((1.70, 1.72))


def test_crossings_at_their_chainage_with_clear_distance_to_the_run(proj):
    prof = longitudinal_profile(proj, ["W1", "W3"])
    by_id = {c.item.id: c for c in prof.crossings}
    assert set(by_id) == {"X1", "T1"}                    # the branch S3 joins at W3: not a crossing
    x1 = by_id["X1"]
    assert (x1.item.s, x1.item.z, x1.line_id) == (pytest.approx(20.0), pytest.approx(3.0), "S1")
    run_top = 1.96 + (0.4 + 2 * 400 / 12 / 1000) / 2     # S1 centre at s=20 plus half its outside height
    assert (x1.relation, x1.clear_m) == ("above", pytest.approx(2.9 - run_top, abs=1e-6))
    t1 = by_id["T1"]
    assert (t1.item.s, t1.line_id, t1.relation) == (pytest.approx(60.0), "S2", "below")
    assert t1.clear_m == pytest.approx((1.86 - 0.2) - (-8.0 + 3.1))


def test_ground_is_surveyed_at_points_and_dem_between(proj):
    prof = longitudinal_profile(proj, ["W1", "W3"])
    ground = dict(zip(np.round(prof.ground_s, 6), prof.ground_z))
    assert ground[0.0] == pytest.approx(4.2) and ground[40.0] == pytest.approx(4.1)
    assert ground[20.0] == pytest.approx(4.0)            # the flat DEM
    assert not [s for s in prof.ground_s if 0 < abs(s - 40.0) < 0.5]


def test_profile_json_document(proj):
    doc = json.loads(json.dumps(longitudinal_profile(proj, ["S3", "S1"]).to_dict()))
    assert doc["kind"] == "profile" and doc["run"] == ["S3", "S2", "S1"]
    assert doc["points"] == ["W4", "W3", "W2", "W1"]
    assert [s["point_id"] for s in doc["stations"]] == doc["points"]
    assert doc["segments"][0]["size_label"] == "DN300" and doc["segments"][0]["length_m"] == pytest.approx(30.0)
    assert doc["segments"][0]["vertices"] == [[0.0, 2.0], [30.0, 1.9]]
    assert {c["id"] for c in doc["crossings"]} == {"X1", "T1"}


def test_profile_without_dem_uses_surveyed_ground_only(tmp_path):
    proj = sewer_run(tmp_path / "nodem.gpkg", ground=None)
    prof = longitudinal_profile(proj, ["S1", "S2"])
    assert list(prof.ground_s) == pytest.approx([0, 40, 80])
    assert list(prof.ground_z) == pytest.approx([4.2, 4.1, 4.0])
    x1 = prof.crossings[0].item
    assert x1.ground_elev is None and x1.cover_m is None     # no survey at X1's ends, no DEM
    proj.close()
