"""`subterra import`: all-or-nothing, --skip-invalid/--rejects, --dry-run, re-import, reports, --revert."""
from __future__ import annotations

import csv
import hashlib
import json

import pytest

from gis.store import Project
from tests.conftest import DATA, run_cli

SURVEY = DATA / "import" / "survey"
PTS, LINES = SURVEY / "js_points.csv", SURVEY / "js_lines.csv"


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def gpkg(tmp_path):
    """An empty project file (closed)."""
    path = tmp_path / "p.gpkg"
    Project.create(path).close()
    return path


def counts(path) -> dict:
    with Project.open(path, readonly=True) as proj:
        return {layer: proj.count(layer) for layer in ("pipe_points", "pipe_segments")}


def bad_points(tmp_path):
    """The water point table with an unreadable X in row 5 (JS4, used by line JS3-JS4)."""
    path = tmp_path / "bad_points.csv"
    path.write_text(PTS.read_text(encoding="utf-8").replace("3464006.300", "34640O6.3"), encoding="utf-8")
    return path


def test_import_writes_one_logged_transaction(gpkg, tmp_path):
    report = tmp_path / "report.json"
    r = run_cli("import", gpkg, PTS, LINES, "--utility", "JS", "--json", "--report", report)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["accepted"] == {"pipe_points": 6, "pipe_segments": 5} and doc["rejected"] == []
    assert doc["import_id"] == 1 and any("START-END" in w for w in doc["warnings"])
    assert json.loads(report.read_text(encoding="utf-8")) == doc
    with Project.open(gpkg, readonly=True) as proj:
        log = proj.import_log()
        assert len(log) == 1 and json.loads(log[0]["accepted"]) == doc["accepted"]
        assert json.loads(log[0]["sha256"])[0] == digest(PTS)
        assert set(proj.read("pipe_segments")["import_id"]) == {1}


def test_one_bad_row_rejects_everything_and_leaves_the_file_unchanged(gpkg, tmp_path):
    before = digest(gpkg)
    r = run_cli("import", gpkg, bad_points(tmp_path), LINES, "--utility", "JS", "--json")
    assert r.returncode == 2
    doc = json.loads(r.stdout)
    assert doc["accepted"] == {} and doc["import_id"] is None
    assert {"file": str(tmp_path / "bad_points.csv"), "row": 5, "column": "X", "value": "34640O6.3",
            "reason": "not a number"} in doc["rejected"]
    assert "row 5, column X" in r.stderr and "nothing written" in r.stderr
    assert digest(gpkg) == before


def test_skip_invalid_writes_valid_rows_and_every_rejected_row(gpkg, tmp_path):
    rejects = tmp_path / "rejects.csv"
    r = run_cli("import", gpkg, bad_points(tmp_path), LINES, "--utility", "JS", "--skip-invalid",
                "--rejects", rejects, "--json")
    assert r.returncode == 3, r.stderr
    doc = json.loads(r.stdout)
    assert doc["accepted"] == {"pipe_points": 5, "pipe_segments": 4} and doc["rejected_rows"] == 2
    assert counts(gpkg) == {"pipe_points": 5, "pipe_segments": 4}
    raw = rejects.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                               # UTF-8 with BOM for Excel
    rows = list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))
    assert list(rows[0])[:6] == ["source_file", "row", "column", "value", "reason", "图上点号"]
    point, line = rows
    assert (point["row"], point["column"], point["reason"], point["物探点号"]) == ("5", "X", "not a number", "JS4")
    assert point["X"] == "34640O6.3"                                      # the row's own columns, untouched
    assert (line["row"], line["reason"], line["起点点号"], line["终点点号"]) == \
        ("4", "end point JS4 was rejected", "JS3", "JS4")


def test_skip_invalid_needs_a_rejects_file(gpkg):
    r = run_cli("import", gpkg, PTS, LINES, "--utility", "JS", "--skip-invalid")
    assert r.returncode == 1 and "--rejects" in r.stderr


def test_dry_run_reports_and_writes_nothing(gpkg):
    before = digest(gpkg)
    r = run_cli("import", gpkg, PTS, LINES, "--utility", "JS", "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["accepted"] == {"pipe_points": 6, "pipe_segments": 5}
    assert digest(gpkg) == before


def test_reimport_warns_and_writes_nothing_unless_forced(gpkg):
    assert run_cli("import", gpkg, PTS, LINES, "--utility", "JS").returncode == 0
    again = run_cli("import", gpkg, PTS, LINES, "--utility", "JS", "--json")
    assert again.returncode == 0
    doc = json.loads(again.stdout)
    assert doc["import_id"] is None and any("already imported (import 1)" in w for w in doc["warnings"])
    assert counts(gpkg) == {"pipe_points": 6, "pipe_segments": 5}
    forced = run_cli("import", gpkg, PTS, LINES, "--utility", "JS", "--force", "--json")
    # asked to import again: the ids are already there, so the rows are refused rather than duplicated
    assert forced.returncode == 2
    assert all("already exists in the project" in p["reason"] or "was rejected" in p["reason"]
               for p in json.loads(forced.stdout)["rejected"])
    assert counts(gpkg) == {"pipe_points": 6, "pipe_segments": 5}


def test_revert_takes_an_import_back_out(gpkg):
    assert run_cli("import", gpkg, PTS, LINES, "--utility", "JS").returncode == 0
    r = run_cli("import", gpkg, "--revert", "1", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"reverted": 1, "deleted": {"pipe_points": 6, "pipe_segments": 5}}
    assert counts(gpkg) == {"pipe_points": 0, "pipe_segments": 0}
    with Project.open(gpkg, readonly=True) as proj:
        assert proj.import_log()[0]["reverted"]
        actions = [(a["layer"], a["action"]) for a in proj.audit_log()]
        assert ("pipe_points", "delete_where") in actions and (None, "revert_import") in actions
    twice = run_cli("import", gpkg, "--revert", "1")
    assert twice.returncode == 1 and "already reverted" in twice.stderr
    assert run_cli("import", gpkg, "--revert", "7").returncode == 1
    # a reverted import no longer blocks importing the same files
    assert run_cli("import", gpkg, PTS, LINES, "--utility", "JS").returncode == 0
    assert counts(gpkg) == {"pipe_points": 6, "pipe_segments": 5}


def test_chinese_messages_follow_the_locale(gpkg, tmp_path):
    r = run_cli("import", gpkg, bad_points(tmp_path), LINES, "--utility", "JS", env={"LANG": "zh_CN.UTF-8"})
    assert r.returncode == 2 and "不是数字" in r.stderr and "未写入任何数据" in r.stderr


def test_unknown_file_kind_is_refused(gpkg, tmp_path):
    odd = tmp_path / "notes.bin"
    odd.write_bytes(b"\x00\x01\x02")
    r = run_cli("import", gpkg, odd)
    assert r.returncode == 2 and "no importer reads this file" in r.stderr
