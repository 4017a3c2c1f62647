"""`subterra profile` and `subterra section` end to end (a real project on disk, no display)."""
from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli
from tests.profile_fixtures import box, sewer_run, three_pipes
from tests.tiny_projects import X0, Y0

NO_DISPLAY = {"DISPLAY": "", "WAYLAND_DISPLAY": "", "QT_QPA_PLATFORM": ""}
CUT = f"LINESTRING ({X0 - 10} {Y0}, {X0 + 10} {Y0})"


@pytest.fixture(scope="module")
def sewer(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "sewer.gpkg"
    sewer_run(path).close()
    return path


@pytest.fixture(scope="module")
def pipes(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "pipes.gpkg"
    three_pipes(path, civil_defense_works=[{"feature_id": "R1", "name": "人防1", "bottom_elev": -8.0,
                                           "geometry": box(-9, -5, -8, 5, -3.0)}]).close()
    return path


def test_profile_run_json(sewer):
    r = run_cli("profile", sewer, "--run", "W1,W3", "--json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["run"] == ["S1", "S2"] and doc["points"] == ["W1", "W2", "W3"]
    assert [(s["point_id"], s["invert_out"]) for s in doc["stations"]] == [("W1", 1.8), ("W2", 1.7), ("W3", None)]
    assert [g["slope_permille"] for g in doc["segments"]] == [-2.0, -2.0]
    assert [(c["id"], c["s"]) for c in doc["crossings"]] == [("X1", 20.0)]


@pytest.mark.parametrize("suffix, magic", [(".pdf", b"%PDF"), (".csv", b"\xef\xbb\xbf")])   # PNG: the section test
def test_profile_outputs_without_a_display(sewer, tmp_path, suffix, magic):
    out = tmp_path / f"纵断面{suffix}"
    r = run_cli("profile", sewer, "--run", "S1,S2", "--out", out, env=NO_DISPLAY)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(magic)
    assert f"wrote {out}" in r.stdout and "W1" in r.stdout


def test_section_and_line_profile(pipes, tmp_path):
    r = run_cli("section", pipes, "--wkt", CUT, "--json", "--out", tmp_path / "s.png", env=NO_DISPLAY)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [i["id"] for i in doc["items"]] == ["A", "B", "C"]
    assert [c["clear_m"] for c in doc["clearances"]] == [1.643, 2.4]
    assert doc["out"] == str((tmp_path / "s.png").resolve())
    r = run_cli("profile", pipes, "--wkt", CUT, "--out", tmp_path / "lp.pdf", "--lang", "en", env=NO_DISPLAY)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "lp.pdf").read_bytes().startswith(b"%PDF")


def test_sensitive_layers_need_the_flag_and_are_audited(pipes, tmp_path):
    from gis.store import Project

    r = run_cli("section", pipes, "--wkt", CUT, "--layers", "civil_defense_works")
    assert r.returncode == 1 and "--include-sensitive" in r.stderr
    r = run_cli("section", pipes, "--wkt", CUT, "--layers", "civil_defense_works", "--include-sensitive",
                "--out", tmp_path / "r.csv", "--json")
    assert r.returncode == 0, r.stderr
    assert [i["id"] for i in json.loads(r.stdout)["items"]] == ["R1"]
    with Project.open(pipes, readonly=True) as proj:
        actions = [row["action"] for row in proj.audit_log()]
    assert "sensitive_output:section" in actions


@pytest.mark.parametrize("args, message", [
    (["--run", "W1,W3", "--wkt", CUT], "not allowed with"),
    (["--run", "NOPE"], "'NOPE' is neither a line_id"),
    (["--run", "W1,W3", "--out", "x.txt"], "must end in .png, .pdf, .csv"),
    (["--run", "W1,W3", "--out", "/no/such/folder/x.pdf"], "does not exist"),
    (["--wkt", "POINT (1 2)"], "LINESTRING"),
    (["--run", "W1,W3", "--exaggeration", "0"], "must be above 0"),
    (["--run", "W1,W3", "--size", "100x50"], "at least 200x200"),
])
def test_usage_errors_exit_1_with_one_line(sewer, tmp_path, args, message):
    r = run_cli("profile", sewer, *args, cwd=tmp_path)
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert message in r.stderr and "Traceback" not in r.stderr
    assert not list(tmp_path.iterdir())
