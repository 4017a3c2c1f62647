"""Real off-screen renders (EGL, OSMesa fallback) with pixels measured, and the `subterra render` CLI."""
from __future__ import annotations

import numpy as np
import pytest
import shapely

from tests.conftest import run_cli
from tests.tiny_projects import X0, Y0, make_project, pipe
from viewers import styles
from viewers.render import RenderSpec, render, render_to_file

CYAN = np.array([0, 255, 255])
RED = np.array([255, 0, 0])
BBOX_40M = (X0 - 20, Y0 - 15, X0 + 20, Y0 + 15)


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, length) of each run of True in a 1-D mask."""
    padded = np.concatenate([[False], mask, [False]]).astype(int)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b - a)) for a, b in zip(edges[::2], edges[1::2])]


def is_colour(px: np.ndarray, rgb) -> np.ndarray:
    return np.all(px == np.asarray(rgb), axis=-1)


@pytest.fixture(scope="module")
def water_main(tmp_path_factory):
    """One DN1000 water pipe (centre 1.5 m) along x, flat ground at 4.0 m."""
    path = tmp_path_factory.mktemp("render") / "w.gpkg"
    proj = make_project(path, {"pipe_segments": [
        pipe("JS-1", [(-30, 0, 1.5), (30, 0, 1.5)], diameter_mm=1000.0)]}, ground=4.0, ground_extent=80.0)
    yield proj
    proj.close()


@pytest.fixture(scope="module")
def short_main(tmp_path_factory):
    """A DN1000 water pipe 20 m long (x -10..10), no terrain."""
    path = tmp_path_factory.mktemp("render") / "s.gpkg"
    proj = make_project(path, {"pipe_segments": [
        pipe("JS-2", [(-10, 0, 1.5), (10, 0, 1.5)], diameter_mm=1000.0)]})
    yield proj
    proj.close()


def test_top_view_dn1000_is_20px_at_40m_over_800px(water_main):
    px = render(water_main, RenderSpec(view="top", bbox=BBOX_40M, size=(800, 600)))
    assert px.shape == (600, 800, 3)
    for col in (50, 400, 750):
        bands = runs(is_colour(px[:, col], CYAN))
        assert len(bands) == 1
        start, thickness = bands[0]
        assert abs(thickness - 20) <= 2
        assert abs(start + thickness / 2 - 300) <= 1      # centred on the bbox centre
    # the bbox fills the width: the pipe (longer than the bbox) spans every column
    assert is_colour(px[300], CYAN).all()


def test_side_view_scales_thickness_by_exactly_the_exaggeration(short_main):
    def measure(k):
        px = render(short_main, RenderSpec(view="side", bbox=BBOX_40M, size=(800, 600), exaggeration=k))
        drawn = np.any(px != np.array(styles.BACKGROUND_RGB["shaded"]), axis=-1)
        (v_start, vertical), = runs(drawn[:, 400])
        (h_start, horizontal), = runs(drawn[v_start + vertical // 2])
        return vertical, horizontal, h_start, v_start

    v1, h1, x1, top1 = measure(1.0)
    v5, h5, x5, top5 = measure(5.0)
    assert v1 == 20 and v5 == 100                     # 1 m at 20 px/m, then x5
    assert h1 == h5 == 400 and x1 == x5 == 200        # 20 m long, from x=-10 m, unchanged
    assert top1 + v1 / 2 == top5 + v5 / 2 == 300      # vertically centred on the data


def test_ground_opacity_hides_the_pipe_from_above(water_main):
    hidden = render(water_main, RenderSpec(view="top", bbox=BBOX_40M, size=(400, 300), ground_opacity=1.0))
    shown = render(water_main, RenderSpec(view="top", bbox=BBOX_40M, size=(400, 300), ground_opacity=0.0))
    assert not is_colour(hidden, CYAN).any()
    assert is_colour(hidden, styles.GROUND_RGB).mean() > 0.99
    assert is_colour(shown, CYAN).sum() == pytest.approx(400 * 10, rel=0.1)
    half = render(water_main, RenderSpec(view="top", bbox=BBOX_40M, size=(400, 300), ground_opacity=0.5))
    mid = half[150, 200].astype(int)
    assert 0 < mid[0] < 255 and mid[2] < 255 and not is_colour(half, CYAN).any()


def test_section_of_a_duct_bank_is_an_800_by_600_rectangle(tmp_path):
    proj = make_project(tmp_path / "d.gpkg", {"pipe_segments": [
        pipe("DL-1", [(0, -20, 2.0), (0, 20, 2.0)], utility="DL", shape="rect", width_mm=800.0, height_mm=600.0)]},
        ground=4.0)
    cut = shapely.LineString([(X0 - 5, Y0), (X0 + 5, Y0)])       # 10 m over 800 px: 80 px/m
    px = render(proj, RenderSpec(view="section", cut=cut, size=(800, 600)))
    rows, cols = np.nonzero(is_colour(px, RED))
    height, width = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
    assert abs(width - 64) <= 1 and abs(height - 48) <= 1
    assert width / height == pytest.approx(800 / 600, rel=0.03)
    assert len(rows) >= 0.97 * width * height                   # a filled rectangle
    assert abs((cols.min() + cols.max()) / 2 - 400) <= 1           # at chainage 5 m
    assert is_colour(px, styles.BACKGROUND_RGB["map"]).any()


def test_identical_inputs_give_identical_files(water_main, tmp_path):
    spec = dict(view="3d", size=(320, 200), azimuth=200.0, elevation=40.0, ground_opacity=0.4)
    a = render_to_file(water_main.path, tmp_path / "a.png", RenderSpec(**spec))
    b = render_to_file(water_main.path, tmp_path / "b.png", RenderSpec(**spec))
    data = (tmp_path / "a.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data == (tmp_path / "b.png").read_bytes()
    assert a["view"] == b["view"] == "3d"


def test_3d_view_draws_utility_colours_and_follows_the_azimuth(water_main):
    spec = dict(view="3d", size=(320, 200), elevation=30.0, ground_opacity=0.0)
    a = render(water_main, RenderSpec(azimuth=180.0, **spec))
    b = render(water_main, RenderSpec(azimuth=90.0, **spec))
    px = a.reshape(-1, 3).astype(int)
    cyanish = (px[:, 0] < 40) & (px[:, 1] > 80) & (np.abs(px[:, 1] - px[:, 2]) < 8)
    assert cyanish.sum() > 100
    # seen from the south the pipe runs across the image; from the east it runs into it
    cols_a = np.flatnonzero(cyanish.reshape(a.shape[:2]).any(axis=0))
    pxb = b.reshape(-1, 3).astype(int)
    cyan_b = ((pxb[:, 0] < 40) & (pxb[:, 1] > 80)).reshape(b.shape[:2])
    cols_b = np.flatnonzero(cyan_b.any(axis=0))
    assert np.ptp(cols_a) > 3 * np.ptp(cols_b)


def test_osmesa_fallback_renders_the_same_band(water_main, monkeypatch):
    monkeypatch.setenv("SUBTERRA_OFFSCREEN", "osmesa")
    px = render(water_main, RenderSpec(view="top", bbox=BBOX_40M, size=(800, 600)))
    (start, thickness), = runs(is_colour(px[:, 400], CYAN))
    assert abs(thickness - 20) <= 2


def test_sensitive_layers_need_the_flag_and_are_audited(tmp_path):
    from shapely import Polygon

    from gis.store import Project

    works = Polygon([(X0 - 10, Y0 - 10, -6), (X0 + 10, Y0 - 10, -6), (X0 + 10, Y0 + 10, -6), (X0 - 10, Y0 + 10, -6)])
    proj = make_project(tmp_path / "c.gpkg", {
        "civil_defense_works": [{"feature_id": "RF1", "name": "人防一号", "kind": "人员掩蔽", "bottom_elev": -12.0,
                                 "geometry": works}],
        "pipe_segments": [pipe("JS-3", [(-20, 15, 1.0), (20, 15, 1.0)], diameter_mm=300.0)]})
    proj.close()
    colour = styles.STYLES["civil_defense_works"].rgb
    spec = dict(view="top", bbox=BBOX_40M, size=(200, 150))
    plain = render_to_file(tmp_path / "c.gpkg", tmp_path / "plain.png", RenderSpec(**spec))
    assert plain["sensitive_layers"] == []
    with Project.open(tmp_path / "c.gpkg", readonly=True) as p:
        before = len(p.audit_log())
        assert not is_colour(render(p, RenderSpec(**spec)), colour).any()
        assert is_colour(render(p, RenderSpec(include_sensitive=True, **spec)), colour).any()
    full = render_to_file(tmp_path / "c.gpkg", tmp_path / "full.png", RenderSpec(include_sensitive=True, **spec))
    assert full["sensitive_layers"] == ["civil_defense_works"]
    with Project.open(tmp_path / "c.gpkg", readonly=True) as p:
        rows = p.audit_log()[before:]
    assert [(r["layer"], r["action"]) for r in rows] == [("civil_defense_works", "sensitive_output:render")]
    assert "full.png" in rows[0]["new"]


def test_cli_render_writes_the_png(water_main, tmp_path):
    out = tmp_path / "top.png"
    bbox = ",".join(str(v) for v in BBOX_40M)
    res = run_cli("render", water_main.path, "--out", out, "--bbox", bbox, "--size", "800x600", "--json")
    assert res.returncode == 0, res.stderr
    assert '"view": "top"' in res.stdout
    same = render_to_file(water_main.path, tmp_path / "api.png", RenderSpec(bbox=BBOX_40M, size=(800, 600)))
    assert out.read_bytes() == (tmp_path / "api.png").read_bytes()
    assert same["layers"][0] == "pipe_segments"


@pytest.mark.parametrize("args, code, words", [
    (["--view", "front"], 1, "unknown view 'front'"),
    (["--bbox", "500010,3400000,500000,3400010"], 1, "XMIN < XMAX"),
    (["--bbox", "1,2,3"], 1, "expected 4 numbers"),
    (["--layers", "pipe_segments,sewers"], 1, "unknown layer 'sewers'"),
    (["--layers", "civil_defense_works"], 1, "--include-sensitive"),
    (["--view", "section"], 1, "--wkt"),
    (["--size", "800"], 1, "--size"),
    (["--ground-opacity", "1.5"], 1, "between 0 and 1"),
])
def test_cli_bad_arguments_one_line_no_file(water_main, tmp_path, args, code, words):
    out = tmp_path / "x.png"
    res = run_cli("render", water_main.path, "--out", out, *args)
    assert res.returncode == code
    assert words in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_cli_bad_project_exit_2(tmp_path):
    fake = tmp_path / "fake.gpkg"
    fake.write_text("no")
    res = run_cli("render", fake, "--out", tmp_path / "x.png")
    assert res.returncode == 2 and "not a GeoPackage" in res.stderr
    assert not (tmp_path / "x.png").exists()
