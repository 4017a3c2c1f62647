"""`subterra check clearance` on a real project file: exit codes, JSON keys, findings per run, exports."""
from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd

from tests.conftest import run_cli
from tests.test_clearance import seg


def _project(project):
    rows = [seg("WS1", "WS", [(0, 0, -2), (30, 0, -2)], diameter_mm=400, owner="排水公司", quality_level="QL-A"),
            seg("JS1", "JS", [(0, 1.175, -1), (30, 1.175, -1)], diameter_mm=150, owner="自来水公司",
                quality_level="QL-A"),
            seg("JS2", "JS", [(10, -10, -1.3), (10, 10, -1.3)], diameter_mm=150, quality_level="QL-A"),
            seg("TX1", "TX", [(0, 40, -1), (30, 40, -1)], shape="rect", width_mm=300, height_mm=300,
                burial="管块", quality_level="QL-A")]
    gdf = gpd.GeoDataFrame(pd.DataFrame(rows), geometry="geometry", crs="EPSG:4549")
    with project.transaction() as txn:
        txn.insert("pipe_segments", gdf)
    return project.path


def test_check_clearance_json_and_runs_are_kept(project, tmp_path):
    path = _project(project)
    project.close()
    out = run_cli("check", "clearance", path, "--json")
    assert out.returncode == 3, out.stderr
    doc = json.loads(out.stdout)
    assert doc["check"] == "clearance" and doc["run_id"].endswith("-clearance")
    assert {"findings", "by_severity", "no_rule_pairs"} <= set(doc["summary"])
    keys = {"finding_id", "check", "kind", "rule_id", "a_layer", "a_id", "b_layer", "b_id", "required_m",
            "actual_m", "deficit_m", "severity", "uncertain", "x", "y", "z", "source", "confidence",
            "owners", "note"}
    found = {(f["kind"], f["a_id"], f["b_id"]): f for f in doc["findings"]}
    assert all(keys <= set(f) for f in doc["findings"])
    h = found[("horizontal", "JS1", "WS1")]
    assert h["rule_id"] == "H-PS-JS1" and h["confidence"] == "verified" and h["owners"] == "自来水公司; 排水公司"
    assert ("vertical", "JS1", "JS2") in found and found[("vertical", "JS1", "JS2")]["confidence"] == "unverified"
    second = run_cli("check", "clearance", path, "--json")
    assert second.returncode == 3
    stored = gpd.read_file(path, layer="findings")
    assert set(stored.run_id) == {doc["run_id"], json.loads(second.stdout)["run_id"]}
    assert len(stored) == 2 * len(doc["findings"])


def test_check_clearance_text_csv_and_clean_project(project, tmp_path):
    path = _project(project)
    project.close()
    csv = tmp_path / "f.csv"
    out = run_cli("check", "clearance", path, "--out", csv)
    assert out.returncode == 3
    assert "[unverified]" in out.stdout and "H-PS-JS1" in out.stdout
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert "confidence" in table and len(table) >= 2
    clean = tmp_path / "clean.gpkg"
    assert run_cli("new", clean).returncode == 0
    out = run_cli("check", "clearance", clean, "--json")
    assert out.returncode == 0 and json.loads(out.stdout)["summary"]["findings"] == 0


def test_check_clearance_bad_rule_file_is_rejected(project, tmp_path):
    path = _project(project)
    project.close()
    bad = tmp_path / "rules.csv"
    bad.write_text("rule_id,kind,a,b,min_m,source,confidence,note\nR1,horizontal,PS,JS,-1,x,verified,\n")
    out = run_cli("check", "clearance", path, "--rules", bad)
    assert out.returncode == 2
    assert f"{bad}, row 2, column min_m: negative distance" in out.stderr
    assert "Traceback" not in out.stderr
    assert len(gpd.read_file(path, layer="findings")) == 0
