"""Cross-sections (gis.cuts.section) on projects with hand-computed answers (tests/profile_fixtures.py)."""
from __future__ import annotations

import math

import pytest

from gis.cuts import Cut, cross_section
from gis.errors import UsageError
from tests.profile_fixtures import GROUND, box, point, three_pipes, xy_line
from tests.tiny_projects import X0, Y0, pipe

R2 = math.sqrt(2.0)


@pytest.fixture
def proj(tmp_path):
    p = three_pipes(tmp_path / "three.gpkg")
    yield p
    p.close()


def _by_id(section):
    return {i.id: i for i in section.items}


def test_three_parallel_pipes_in_order_with_centre_cover_and_clear_distances(proj):
    sec = cross_section(proj, xy_line((-10, 0), (10, 0)))
    assert [i.id for i in sec.items] == ["A", "B", "C"]
    a, b, c = sec.items
    assert [i.s for i in sec.items] == pytest.approx([8.0, 10.0, 13.0])
    assert [i.z for i in sec.items] == pytest.approx([2.5, 2.0, 3.0])
    # outside sizes: DN300 steel wall 4 + 0.01*300 = 7 mm; DN400 wall unknown (0); 800x600 box
    assert (a.width_m, b.width_m, c.width_m, c.height_m) == pytest.approx((0.314, 0.4, 0.8, 0.6))
    assert (a.shape, b.shape, c.shape) == ("circle", "circle", "rect")
    assert (a.size_label, b.size_label, c.size_label) == ("DN300", "DN400", "800x600")
    assert (a.utility, a.material) == ("JS", "钢")
    # A's ends are surveyed (4.3 south, 4.5 north): the cut meets it half-way -> 4.4, surveyed wins
    assert a.ground_elev == pytest.approx(4.4) and a.ground_source == "survey"
    assert (b.ground_elev, b.ground_source) == (pytest.approx(GROUND), "dem")
    assert a.cover_m == pytest.approx(4.4 - (2.5 + 0.157))
    assert b.cover_m == pytest.approx(GROUND - 2.2)
    assert c.cover_m == pytest.approx(GROUND - 3.3)
    assert a.invert_elev == pytest.approx(2.5 - 0.15)            # inner bottom: DN/2 below the centre
    assert a.angle_deg == pytest.approx(90.0) and a.apparent_width_m == pytest.approx(0.314)
    horiz = [(c.a_id, c.b_id, c.clear_m) for c in sec.clearances if c.direction == "horizontal"]
    assert horiz == [("A", "B", pytest.approx(10 - 0.2 - (8 + 0.157))), ("B", "C", pytest.approx(13 - 0.4 - 10.2))]
    assert not [c for c in sec.clearances if c.direction == "vertical"]
    # the ground line comes from the DEM along the whole cut
    assert sec.ground_s[0] == 0 and sec.ground_s[-1] == pytest.approx(20.0)
    assert set(sec.ground_z.round(6)) == {GROUND}


def test_reversed_cut_reverses_the_order(proj):
    sec = cross_section(proj, xy_line((10, 0), (-10, 0)))
    assert [(i.id, round(i.s, 6)) for i in sec.items] == [("C", 7.0), ("B", 10.0), ("A", 12.0)]


def test_oblique_cut_reports_apparent_widths_and_true_gaps(proj):
    sec = cross_section(proj, xy_line((-10, -10), (10, 10)))
    a, b, c = sec.items
    assert (a.s, b.s, c.s) == pytest.approx((8 * R2, 10 * R2, 13 * R2))
    assert b.angle_deg == pytest.approx(45.0)
    assert b.width_m == pytest.approx(0.4) and b.apparent_width_m == pytest.approx(0.4 * R2)
    ab = next(c for c in sec.clearances if (c.a_id, c.b_id) == ("A", "B"))
    along = 2 * R2 - (0.314 + 0.4) / 2 * R2
    assert ab.clear_m == pytest.approx(along)
    assert ab.true_m == pytest.approx(2 - 0.157 - 0.2)          # square to the parallel pipes


def test_multi_vertex_cut_carries_chainage_over_its_legs(proj):
    sec = cross_section(proj, xy_line((-10, 0), (1, 0), (10, 5)))
    ids = _by_id(sec)
    leg2 = math.hypot(9, 5)
    assert ids["A"].s == pytest.approx(8.0) and ids["B"].s == pytest.approx(10.0)
    assert ids["C"].s == pytest.approx(11 + leg2 * 2 / 9)
    sin = 9 / leg2                                               # between leg 2 and the north-south pipe
    assert ids["C"].apparent_width_m == pytest.approx(0.8 / sin)
    assert (ids["C"].x, ids["C"].y) == pytest.approx((X0 + 3, Y0 + 5 * 2 / 9))


def test_a_pipe_crossed_exactly_at_a_cut_vertex_is_listed_once(proj):
    sec = cross_section(proj, xy_line((-10, 0), (0, 0), (10, 10)))
    assert [i.id for i in sec.items].count("B") == 1


def test_vertical_neighbours_and_a_conflict(tmp_path):
    proj = three_pipes(tmp_path / "v.gpkg", pipe_segments=[
        pipe("D", [(0.1, -20, 1.0), (0.1, 20, 1.0)], "PS", diameter_mm=400),     # under B: top 1.2
        pipe("E", [(3.2, -20, 2.9), (3.2, 20, 2.9)], "TX", diameter_mm=200),     # inside C's box
    ])
    sec = cross_section(proj, xy_line((-10, 0), (10, 0)))
    vert = {(c.a_id, c.b_id): c for c in sec.clearances if c.direction == "vertical"}
    assert vert[("B", "D")].clear_m == pytest.approx(1.8 - 1.2)
    assert (vert[("B", "D")].z_from, vert[("B", "D")].z_to) == pytest.approx((1.2, 1.8))
    assert vert[("C", "E")].clear_m == pytest.approx(2.7 - 3.0)              # overlap: negative
    # B and D overlap in chainage: no horizontal gap between them
    assert not [c for c in sec.clearances if c.direction == "horizontal" and {c.a_id, c.b_id} == {"B", "D"}]
    proj.close()


def test_tunnels_and_volumes_are_cut(tmp_path):
    tunnel = {"feature_id": "T1", "line_name": "1号线", "bore": "left", "section": "circle",
              "outer_diameter_m": 6.2, "geometry": xy_line((-6, -30), (-6, 30))}
    tunnel["geometry"] = type(tunnel["geometry"])([(x, y, -10.0) for x, y in tunnel["geometry"].coords])
    proj = three_pipes(tmp_path / "t.gpkg",
                       metro_tunnels=[tunnel],
                       structures=[{"feature_id": "G1", "name": "综合管廊", "kind": "utility_tunnel",
                                    "bottom_elev": -1.5, "geometry": box(5, -20, 8, 20, 2.0)}],
                       civil_defense_works=[{"feature_id": "R1", "name": "人防1", "bottom_elev": -8.0,
                                             "geometry": box(-9, -5, -8, 5, -3.0)}])
    sec = cross_section(proj, xy_line((-10, 0), (10, 0)))
    ids = _by_id(sec)
    assert "R1" not in ids                                   # sensitive layer left out by default
    t = ids["T1"]
    assert (t.kind, t.s, t.z, t.size_label) == ("tunnel", pytest.approx(4.0), pytest.approx(-10.0), "Φ6.2m")
    assert t.top_elev == pytest.approx(-6.9) and t.cover_m == pytest.approx(GROUND + 6.9)
    g = ids["G1"]
    assert (g.kind, g.shape, g.s_min, g.s_max) == ("volume", "rect", pytest.approx(15.0), pytest.approx(18.0))
    assert (g.top_elev, g.bottom_elev, g.category) == (pytest.approx(2.0), pytest.approx(-1.5), "utility_tunnel")
    with_sensitive = cross_section(proj, xy_line((-10, 0), (10, 0)), include_sensitive=True)
    r = _by_id(with_sensitive)["R1"]
    assert (r.s_min, r.s_max, r.top_elev) == (pytest.approx(1.0), pytest.approx(2.0), pytest.approx(-3.0))
    with pytest.raises(UsageError, match="sensitive"):
        cross_section(proj, xy_line((-10, 0), (10, 0)), layers=["civil_defense_works"])
    proj.close()


def test_empty_cut_has_ground_but_no_items(proj):
    sec = cross_section(proj, xy_line((20, 0), (40, 0)))
    assert sec.items == [] and sec.clearances == []
    assert len(sec.ground_s) > 2 and sec.length == pytest.approx(20.0)


def test_without_a_dem_the_surveyed_ground_draws_the_line(tmp_path):
    from tests.tiny_projects import make_project

    proj = make_project(tmp_path / "nodem.gpkg", {
        "pipe_points": [point("P1", 0, -10, 4.0, "JS"), point("P2", 0, 10, 5.0, "JS")],
        "pipe_segments": [pipe("L", [(0, -10, 3.0), (0, 10, 3.0)], "JS", diameter_mm=200,
                               start_point="P1", end_point="P2")]})
    sec = cross_section(proj, xy_line((-5, 5), (5, 5)))
    (item,) = sec.items
    assert item.ground_elev == pytest.approx(4.75) and item.cover_m == pytest.approx(4.75 - 3.1)
    assert list(sec.ground_s) == [pytest.approx(5.0)] and list(sec.ground_z) == [pytest.approx(4.75)]
    proj.close()


@pytest.mark.parametrize("wkt", ["POINT (1 2)", "LINESTRING (1 2, 1 2)"])
def test_bad_cut_lines_are_usage_errors(proj, wkt):
    import shapely

    with pytest.raises(UsageError):
        cross_section(proj, shapely.from_wkt(wkt))


def test_cut_chainage_helpers():
    cut = Cut.from_coords([(0, 0), (3, 4), (3, 4), (3, 10)])
    assert list(cut.chain) == [0, 5, 11] and cut.length == 11
    assert cut.point_at([2.5, 8]).tolist() == [[1.5, 2.0], [3.0, 7.0]]
    assert list(cut.stations(4.0)) == pytest.approx([0, 11 / 3, 5, 22 / 3, 11])   # every <= 4 m plus vertices
