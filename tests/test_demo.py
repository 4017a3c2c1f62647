"""The demo district generator (gis.demo): content, consistency, planted violations, determinism.

Only the small size is built here (about 2,000 pipe segments, a few seconds).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from gis.demo import PLANTED_VIOLATIONS, build, planted
from gis.errors import Cancelled, ProjectError
from gis.layers import LAYERS
from gis.progress import Progress
from gis.sections import centre_elevation, outside_size
from tests.conftest import validate_gpkg

FEATURE_LAYERS = ("pipe_points", "pipe_segments", "metro_tunnels", "metro_stations", "civil_defense_works",
                  "civil_defense_inspections", "grid_cells", "structures", "roads", "buildings", "trees")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The small demo (seed 0), built once for this module."""
    proj = build(tmp_path_factory.mktemp("demo") / "small.gpkg", "small", 0)
    yield proj
    proj.close()


@pytest.fixture(scope="module")
def layers(demo):
    return {name: demo.read(name) for name in FEATURE_LAYERS}


@pytest.fixture(scope="module")
def marks(demo):
    """Planted violations by code."""
    return {p["code"]: p for p in planted(demo)}


@pytest.fixture(scope="module")
def segs(layers):
    """pipe_segments with outside sizes, end elevations and 2-D lines."""
    s = layers["pipe_segments"].copy()
    ow, oh, ih, _ = outside_size(s["shape"], s["diameter_mm"], s["width_mm"], s["height_mm"], s["wall_mm"],
                                 s["material"])
    s["out_w"], s["out_h"], s["in_h"] = ow, oh, ih
    c = shapely.get_coordinates(s.geometry.to_numpy(), include_z=True)
    s["x0"], s["y0"], s["z0"] = c[0::2].T
    s["x1"], s["y1"], s["z1"] = c[1::2].T
    s["plan"] = shapely.linestrings(np.stack([c[0::2, :2], c[1::2, :2]], axis=1))
    return s


def _z_at(s: pd.DataFrame, rows: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Centre elevation of straight segments ``rows`` at plan positions (x, y) on them."""
    x0, y0, z0 = s["x0"].to_numpy()[rows], s["y0"].to_numpy()[rows], s["z0"].to_numpy()[rows]
    x1, y1, z1 = s["x1"].to_numpy()[rows], s["y1"].to_numpy()[rows], s["z1"].to_numpy()[rows]
    t = np.hypot(x - x0, y - y0) / np.hypot(x1 - x0, y1 - y0)
    return z0 + (z1 - z0) * t


def _shares_point(s, i, j):
    a, b = s["start_point"].to_numpy(), s["end_point"].to_numpy()
    return (a[i] == a[j]) | (a[i] == b[j]) | (b[i] == a[j]) | (b[i] == b[j])


def _crossings(s: pd.DataFrame) -> pd.DataFrame:
    """Every pair of unconnected segments crossing in plan, with the vertical clear at the crossing."""
    plan = s["plan"].to_numpy()
    i, j = shapely.STRtree(plan).query(plan, predicate="intersects")
    keep = (i < j)
    i, j = i[keep], j[keep]
    keep = ~_shares_point(s, i, j)
    i, j = i[keep], j[keep]
    pt = shapely.intersection(plan[i], plan[j])
    keep = shapely.get_type_id(pt) == 0
    i, j, pt = i[keep], j[keep], pt[keep]
    x, y = shapely.get_x(pt), shapely.get_y(pt)
    oh = s["out_h"].to_numpy()
    clear = np.abs(_z_at(s, i, x, y) - _z_at(s, j, x, y)) - (oh[i] + oh[j]) / 2
    ids = s["line_id"].to_numpy()
    return pd.DataFrame({"a": ids[i], "b": ids[j], "i": i, "j": j, "clear": clear})


# ---------------------------------------------------------------------------------------- content
def test_every_layer_family_is_filled_with_plausible_counts(demo, layers):
    counts = {name: len(gdf) for name, gdf in layers.items()}
    assert 1500 <= counts["pipe_segments"] <= 3000
    assert counts["pipe_points"] >= 0.9 * counts["pipe_segments"]
    assert counts["civil_defense_works"] == 2
    assert counts["civil_defense_inspections"] >= 4
    assert counts["buildings"] >= 20 and counts["trees"] >= 500 and counts["grid_cells"] >= 40
    assert set(layers["roads"]["kind"]) == {"carriageway", "footway", "green"}
    assert set(layers["structures"]["kind"]) == {"utility_tunnel", "pier", "basement"}
    assert set(layers["metro_stations"]["kind"]) == {"station", "entrance", "vent_shaft"}
    assert set(layers["metro_tunnels"]["bore"]) == {"left", "right"}
    families = {LAYERS[name].family for name, n in counts.items() if n}
    assert families >= {"pipelines", "metro", "civil_defense", "structures", "context"}
    terrain = demo.terrain()
    assert terrain is not None and terrain.resolution == (5.0, 5.0)
    assert 2.0 < np.nanmin(terrain.elev) and np.nanmax(terrain.elev) < 6.0
    assert np.nanmax(terrain.elev) - np.nanmin(terrain.elev) > 0.5


def test_crs_and_location_near_shanghai(demo, layers):
    assert demo.crs.to_epsg() == 4549
    xmin, ymin, xmax, ymax = layers["pipe_segments"].total_bounds
    assert 600_000 < xmin < xmax < 700_000 and 3_400_000 < ymin < ymax < 3_500_000
    terrain = demo.terrain()
    tb = terrain.bounds
    assert tb[0] < xmin and tb[1] < ymin and tb[2] > xmax and tb[3] > ymax


def test_utilities_sizes_and_attributes(layers):
    s, p = layers["pipe_segments"], layers["pipe_points"]
    assert set(s["utility"]) == {"JS", "PS", "RQ", "RL", "DL", "TX", "QT"}
    assert set(s.loc[s.utility == "PS", "subtype"]) == {"YS", "WS"}
    assert (s.loc[s.utility == "QT", "subtype"] == "ZH").all()
    assert set(s.loc[s.utility == "RQ", "pressure_class"]) == {"low", "mediumB", "mediumA", "subhighB"}
    assert s.loc[s.utility == "RQ", "pressure_mpa"].notna().all()
    mains = s[s["utility"].isin(["DL", "TX"]) & (s["burial"].isin(["排管", "管块"]))]
    assert (mains["shape"] == "rect").all() and (mains["hole_used"] <= mains["hole_total"]).all()
    assert mains.loc[mains.utility == "DL", "voltage_kv"].notna().all()
    culverts = s[(s.utility == "PS") & (s["shape"] == "rect")]
    assert len(culverts) > 0 and culverts["width_mm"].between(1000, 3000).all()
    water = s[(s.utility == "JS") & s.subtype.isna()]
    assert water["diameter_mm"].between(100, 1200).all()
    assert (s.loc[s.utility == "PS", "depth_ref"] == "invert").all()
    assert (s.loc[s.utility != "PS", "depth_ref"] == "top").all()
    assert s.loc[s.utility == "PS", "flow_dir"].isin([1, -1]).all()
    assert s["owner"].notna().all() and s["material"].notna().all() and s["road"].notna().all()
    assert s["build_year"].between(1990, 2024).all()
    ql = s["quality_level"].value_counts(normalize=True)
    assert ql.idxmax() == "QL-B" and set(ql.index) == {"QL-A", "QL-B", "QL-C", "QL-D"}
    assert {"in service", "abandoned"} <= set(s["status"])
    apps = set(p["appurtenance"].dropna())
    assert {"检查井", "阀门", "阀门井", "消防栓", "用户接入点", "出水口"} <= apps
    assert (p["feature"].notna() ^ p["appurtenance"].notna()).all()
    valves = p["appurtenance"].isin(["阀门", "阀门井"])
    assert p.loc[valves, "valve_state"].isin(["open", "closed", "broken"]).all()
    assert p.loc[~valves, "valve_state"].isna().all()
    manholes = p[(p.utility == "PS") & (p.appurtenance == "检查井") & p.note.isna()]
    assert manholes["well_depth"].between(1.0, 8.0).all()


def test_ids_are_unique(layers):
    for name, gdf in layers.items():
        field = LAYERS[name].id_field
        assert gdf[field].notna().all() and gdf[field].is_unique, name


def test_chinese_names_round_trip(layers):
    from gis.demo.generator import generate

    roads = layers["roads"].sort_values("feature_id")
    expected = generate("small", 0).layers["roads"].columns["name"]
    assert list(roads["name"]) == list(expected)
    names = set(layers["pipe_segments"]["road"])
    assert names <= {n for n in roads["name"] if "交叉口" not in n}
    assert all(n.endswith(("路", "大道")) for n in names)
    assert set(layers["pipe_points"]["appurtenance"].dropna()) >= {"检查井", "消防栓"}


def test_the_file_passes_gdal_validation(demo):
    result = validate_gpkg(demo.path)
    assert result.returncode == 0, result.stdout + result.stderr


# ----------------------------------------------------------------------------------- consistency
def test_segment_ends_reference_points_except_the_planted_dangling_end(layers, marks):
    s, p = layers["pipe_segments"], layers["pipe_points"]
    ids = set(p["point_id"])
    missing = s[~s["start_point"].isin(ids) | ~s["end_point"].isin(ids)]
    assert list(missing["line_id"]) == [marks["V6"]["a_id"]]
    assert marks["V6"]["b_id"] not in ids


def test_z_is_ground_minus_depth_per_section_rules(segs, layers):
    ground = dict(zip(layers["pipe_points"]["point_id"], layers["pipe_points"]["ground_elev"]))
    p = layers["pipe_points"]
    assert np.array_equal(p.geometry.z.to_numpy(), p["ground_elev"].to_numpy())
    s = segs[segs["start_point"].isin(ground) & segs["end_point"].isin(ground)]
    for end, z in (("start", "z0"), ("end", "z1")):
        expected = centre_elevation(s[f"{end}_point"].map(ground), s[f"{end}_depth"], s["depth_ref"],
                                    s["in_h"], s["out_h"])
        assert np.abs(expected - s[z].to_numpy()).max() < 1e-9


def test_point_ground_comes_from_the_stored_dem(demo, layers):
    p = layers["pipe_points"]
    sampled = demo.terrain().sample(p.geometry.x, p.geometry.y)
    assert np.abs(sampled - p["ground_elev"]).max() <= 0.0006


def test_gravity_lines_fall_along_the_flow_except_the_planted_one(layers, marks):
    s = layers["pipe_segments"]
    g = dict(zip(layers["pipe_points"]["point_id"], layers["pipe_points"]["ground_elev"]))
    ps = s[(s.utility == "PS") & s.start_point.isin(g) & s.end_point.isin(g)]
    inv_start = ps["start_point"].map(g) - ps["start_depth"]
    inv_end = ps["end_point"].map(g) - ps["end_depth"]
    fall = np.where(ps["flow_dir"] == 1, inv_start - inv_end, inv_end - inv_start)
    rising = ps.loc[fall <= 0, "line_id"]
    assert list(rising) == [marks["V5"]["a_id"]]
    assert (ps["flow_dir"] == -1).any(), "some gravity lines are digitised against the flow"


def test_depths_follow_the_typical_figures(layers, demo):
    s = layers["pipe_segments"]
    water = s[(s.utility == "JS") & s.subtype.isna() & s.note.isna()]
    assert water["start_depth"].between(0.8, 1.5).mean() > 0.6          # dives under crossings go deeper
    gas = s[(s.utility == "RQ") & s.note.isna()]
    assert gas["start_depth"].min() >= 0.9 and gas["end_depth"].min() >= 0.9
    drain = s[(s.utility == "PS") & s.note.isna()]
    assert drain[["start_depth", "end_depth"]].stack().between(1.0, 7.0).all()
    t = layers["metro_tunnels"]
    terrain = demo.terrain()
    for geom in t.geometry:
        c = shapely.get_coordinates(geom, include_z=True)
        crown_depth = terrain.sample(c[:, 0], c[:, 1]) - (c[:, 2] + 3.1)
        assert crown_depth.min() > 10 and crown_depth.max() < 20
    assert np.allclose(np.hypot(*np.subtract(*[shapely.get_coordinates(g)[0] for g in t.geometry[:2]])), 13.0)
    st = layers["metro_stations"].query("kind == 'station'")
    g = terrain.sample(st.geometry.centroid.x, st.geometry.centroid.y)
    assert (np.abs(g - st["top_elev"] - 3.0) < 0.05).all() and (np.abs(g - st["bottom_elev"] - 18.0) < 0.05).all()
    assert st.geometry.bounds.eval("maxx - minx").between(180, 220).all()
    w = layers["civil_defense_works"]
    gw = terrain.sample(w.geometry.centroid.x, w.geometry.centroid.y)
    assert ((gw - w["top_elev"]) >= 6).all() and ((gw - w["bottom_elev"]) <= 12).all()
    assert w.geometry.area.between(2000, 10000).all() and w["sensitivity"].notna().all()
    b = layers["buildings"]
    assert (b["foundation_bottom_elev"] < b.geometry.apply(lambda g: shapely.get_coordinates(g, include_z=True)[0, 2])).all()


# ------------------------------------------------------------------------------------- clearances
def test_crossings_keep_vertical_clearance_except_the_planted_one(segs, marks):
    x = _crossings(segs)
    low = x[x["clear"] < 0.5]
    assert len(x) > 300
    assert [set(p) for p in zip(low["a"], low["b"])] == [{marks["V2"]["a_id"], marks["V2"]["b_id"]}]
    assert low["clear"].iloc[0] == pytest.approx(0.30, abs=0.01)


def test_parallel_runs_keep_horizontal_clearance_except_the_planted_one(segs, marks):
    plan = segs["plan"].to_numpy()
    tree = shapely.STRtree(plan)
    i, j = tree.query(plan, predicate="dwithin", distance=3.0)
    keep = (i < j) & ~_shares_point(segs, i, j) & ~shapely.intersects(plan[i], plan[j])
    i, j = i[keep], j[keep]
    d0 = np.c_[segs["x1"] - segs["x0"], segs["y1"] - segs["y0"]]
    d0 /= np.linalg.norm(d0, axis=1)[:, None]
    parallel = np.abs(d0[i, 0] * d0[j, 1] - d0[i, 1] * d0[j, 0]) < 0.2
    i, j = i[parallel], j[parallel]
    w = segs["out_w"].to_numpy()
    clear = shapely.distance(plan[i], plan[j]) - (w[i] + w[j]) / 2
    util = segs["utility"].to_numpy()
    ids = segs["line_id"].to_numpy()
    low = [(ids[a], ids[b], c) for a, b, c in zip(i, j, clear) if c < (1.0 if util[a] != util[b] else 0.8)]
    assert len(i) > 100
    planted_js = set(segs.loc[segs["note"].fillna("").str.contains("V1"), "line_id"])
    assert marks["V1"]["a_id"] in planted_js and len(low) == len(planted_js)
    for a, b, c in low:
        assert {a, b} - {marks["V1"]["b_id"]} <= planted_js and marks["V1"]["b_id"] in {a, b}
        assert c == pytest.approx(0.9, abs=0.01)


def test_pipes_keep_out_of_the_metro_special_zone_except_the_planted_one(segs, layers, marks):
    tunnels = layers["metro_tunnels"]
    plan = segs["plan"].to_numpy()
    hits = []
    for tid, tunnel in zip(tunnels["feature_id"], tunnels.geometry):
        flat = shapely.force_2d(tunnel)
        rows = np.flatnonzero(shapely.intersects(plan, flat))
        for r in rows:
            pt = shapely.intersection(plan[r], flat)
            at = shapely.line_interpolate_point(tunnel, shapely.line_locate_point(flat, pt))
            crown = shapely.get_coordinates(at, include_z=True)[0, 2] + 3.1
            pipe_bottom = _z_at(segs, np.array([r]), np.array([pt.x]), np.array([pt.y]))[0] - segs["out_h"].iloc[r] / 2
            hits.append((segs["line_id"].iloc[r], tid, pipe_bottom - crown))
    assert len(hits) > 20
    close = [h for h in hits if h[2] < 5.0]
    assert {h[0] for h in close} == {marks["V7"]["a_id"]}
    assert all(h[2] == pytest.approx(2.5, abs=0.01) for h in close)
    assert marks["V7"]["b_id"] in {h[1] for h in close}
    stations = shapely.union_all(shapely.force_2d(layers["metro_stations"].query("kind == 'station'").geometry.to_numpy()))
    assert not shapely.intersects(plan, stations.buffer(5.0)).any()


# ------------------------------------------------------------------------------------ planted ones
def test_planted_violations_are_listed_with_existing_ids(marks, layers):
    assert list(marks) == [v["code"] for v in PLANTED_VIOLATIONS]
    lines = set(layers["pipe_segments"]["line_id"])
    points = set(layers["pipe_points"]["point_id"])
    tunnels = set(layers["metro_tunnels"]["feature_id"])
    for code, m in marks.items():
        assert m["a_layer"] == "pipe_segments" and m["a_id"] in lines, code
        if m["b_layer"] == "pipe_segments":
            assert m["b_id"] in lines
        elif m["b_layer"] == "metro_tunnels":
            assert m["b_id"] in tunnels
        elif m["b_layer"] == "pipe_points" and code != "V6":
            assert m["b_id"] in points
    noted = layers["pipe_segments"].dropna(subset=["note"])
    assert {c for c in marks if noted["note"].str.contains(c).any()} == set(marks)


def test_planted_cover_and_above_ground_points(layers, marks):
    s = layers["pipe_segments"].set_index("line_id")
    g = dict(zip(layers["pipe_points"]["point_id"], layers["pipe_points"]["ground_elev"]))
    gas = s.loc[marks["V3"]["a_id"]]
    at_point = gas["start_depth"] if gas["start_point"] == marks["V3"]["b_id"] else gas["end_depth"]
    assert gas["utility"] == "RQ" and at_point == pytest.approx(0.55)
    storm = s.loc[marks["V4"]["a_id"]]
    end = "start" if storm["start_point"] == marks["V4"]["b_id"] else "end"
    crown = g[marks["V4"]["b_id"]] - storm[f"{end}_depth"] + storm["diameter_mm"] / 1000
    assert storm["subtype"] == "YS" and crown > g[marks["V4"]["b_id"]]


# ----------------------------------------------------------------------------------- determinism
def _frames_equal(a, b) -> bool:
    if len(a) != len(b) or list(a.columns) != list(b.columns):
        return False
    attrs = [c for c in a.columns if c != a.geometry.name]
    try:
        pd.testing.assert_frame_equal(a[attrs], b[attrs])
    except AssertionError:
        return False
    return bool(np.all(shapely.to_wkb(a.geometry.to_numpy(), output_dimension=3)
                       == shapely.to_wkb(b.geometry.to_numpy(), output_dimension=3)))


def test_same_seed_same_content_other_seed_other_content(tmp_path, layers, demo):
    again = build(tmp_path / "again.gpkg", "small", 0)
    other = build(tmp_path / "other.gpkg", "small", 1)
    try:
        for name in FEATURE_LAYERS:
            assert _frames_equal(layers[name], again.read(name)), name
        assert np.array_equal(demo.terrain().elev, again.terrain().elev)
        assert not _frames_equal(layers["pipe_segments"], other.read("pipe_segments"))
        assert not np.array_equal(demo.terrain().elev, other.terrain().elev)
        assert {p["code"] for p in planted(other)} == {v["code"] for v in PLANTED_VIOLATIONS}
    finally:
        again.close()
        other.close()


def test_refuses_an_existing_file_and_leaves_it_alone(tmp_path):
    path = tmp_path / "taken.gpkg"
    path.write_bytes(b"not mine")
    with pytest.raises(ProjectError, match="exists"):
        build(path)
    assert path.read_bytes() == b"not mine"


@pytest.mark.parametrize("after", [0, 1000], ids=["while generating", "while writing"])
def test_cancel_removes_the_half_made_file(tmp_path, after):
    path = tmp_path / "cancelled.gpkg"
    seen = []

    def report(done, total, message):
        seen.append(message)
        if done > after:
            progress.cancel()

    progress = Progress(report)
    with pytest.raises(Cancelled):
        build(path, progress=progress)
    assert not path.exists() and seen
