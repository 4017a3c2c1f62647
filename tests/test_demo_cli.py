"""`subterra demo` on the command line and the cached default demo the app opens."""
from __future__ import annotations

import json
import os

from gis.demo import PLANTED_VIOLATIONS
from tests.conftest import run_cli


def test_demo_command_writes_a_project_and_reports_json(tmp_path):
    out = tmp_path / "demo.gpkg"
    result = run_cli("demo", out, "--seed", "3", "--json")
    assert result.returncode == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["size"] == "small" and doc["seed"] == 3 and doc["path"] == str(out)
    assert doc["layers"]["pipe_segments"] > 1000 and doc["layers"]["metro_tunnels"] > 0
    assert [p["code"] for p in doc["planted"]] == [v["code"] for v in PLANTED_VIOLATIONS]
    info = json.loads(run_cli("info", out, "--json").stdout)
    assert info["layers"]["pipe_segments"]["count"] == doc["layers"]["pipe_segments"]
    assert info["terrain"]["resolution"] == 5.0


def test_demo_command_refuses_an_existing_file_with_one_line(tmp_path):
    out = tmp_path / "taken.gpkg"
    out.write_text("someone else's")
    result = run_cli("demo", out)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "exists" in result.stderr
    assert result.stderr.startswith("subterra: ") and "Traceback" not in result.stderr
    assert out.read_text() == "someone else's"


def test_demo_command_usage_errors_exit_1(tmp_path):
    result = run_cli("demo", tmp_path / "x.gpkg", "--size", "huge")
    assert result.returncode == 1 and "invalid choice" in result.stderr
    result = run_cli("demo", tmp_path / "x.gpkg", "--seed", "many")
    assert result.returncode == 1
    assert not (tmp_path / "x.gpkg").exists()


def test_default_demo_is_built_once_in_the_data_dir(tmp_path, monkeypatch):
    from gis.demo import default_demo_path
    from gis.store import Project

    monkeypatch.setenv("SUBTERRA_DATA_DIR", str(tmp_path / "data"))
    path = default_demo_path()
    assert path.parent == tmp_path / "data" and path.exists()
    stamp = path.stat().st_mtime_ns
    assert default_demo_path() == path and path.stat().st_mtime_ns == stamp
    assert os.listdir(path.parent) == [path.name]
    with Project.open(path, readonly=True) as proj:
        assert proj.meta["demo_size"] == "small" and proj.count("pipe_segments") > 1000


def test_default_demo_honours_xdg_data_home(tmp_path, monkeypatch):
    from gis.demo import data_dir

    monkeypatch.delenv("SUBTERRA_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert data_dir() == tmp_path / "subterra"
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "home" / ".local" / "share" / "subterra"
