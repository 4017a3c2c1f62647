"""`subterra new` and `subterra info` (CLI.md): output, JSON and exit codes."""
from __future__ import annotations

import json

from tests.conftest import run_cli


def test_new_then_info_json(tmp_path):
    path = tmp_path / "城区.gpkg"
    result = run_cli("new", path, "--vertical-datum", "1985国家高程基准")
    assert result.returncode == 0, result.stderr
    info = json.loads(run_cli("info", path, "--json").stdout)
    assert info["crs"] == "EPSG:4549" and info["schema_version"] == 1
    assert info["vertical_datum"] == "1985国家高程基准"
    assert info["layers"]["pipe_segments"] == {**info["layers"]["pipe_segments"], "count": 0, "extent": None}
    assert info["terrain"] is None


def test_new_with_a_local_grid_proj_string(tmp_path):
    path = tmp_path / "local.gpkg"
    local = "+proj=tmerc +lat_0=0 +lon_0=121.5 +k=1 +x_0=0 +y_0=-3400000 +ellps=GRS80 +units=m +no_defs"
    assert run_cli("new", path, "--crs", local).returncode == 0
    from gis.store import Project

    with Project.open(path) as proj:
        assert proj.crs.to_dict()["lon_0"] == 121.5 and proj.srs_id >= 100000
        assert proj.read("pipe_segments").crs.to_dict()["lon_0"] == 121.5


def test_usage_errors_exit_1_with_one_line(tmp_path):
    result = run_cli("new", tmp_path / "x.gpkg", "--crs", "EPSG:4326")
    assert result.returncode == 1 and "projected" in result.stderr
    assert not (tmp_path / "x.gpkg").exists()
    assert run_cli("info").returncode == 1
    assert run_cli("frobnicate").returncode == 1


def test_info_on_a_bad_file_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.gpkg"
    bad.write_bytes(b"\x00" * 400)
    result = run_cli("info", bad)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "not a GeoPackage" in result.stderr


def test_new_refuses_to_overwrite(tmp_path):
    path = tmp_path / "p.gpkg"
    assert run_cli("new", path).returncode == 0
    before = path.read_bytes()
    result = run_cli("new", path)
    assert result.returncode == 2 and "exists" in result.stderr
    assert path.read_bytes() == before
