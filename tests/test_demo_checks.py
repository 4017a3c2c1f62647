"""The risk checks on the small demo find the planted violations and nothing else of their kind."""
from __future__ import annotations

import pytest

from gis.demo import build, planted


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("checks") / "small.gpkg"
    build(path, "small", 7).close()
    from gis.store import Project

    proj = Project.open(path, readonly=True)
    yield proj, {p["code"]: p for p in planted(proj)}
    proj.close()


def _short(result):
    """Findings whose actual value falls short of the required one."""
    f = result.findings
    return f[f["severity"] != "info"]


def test_clearance_finds_only_the_planted_parallel_and_crossing(demo):
    from gis.analysis import clearance

    proj, marks = demo
    result = clearance.run(proj, clearance.ClearanceOptions(layers=("pipe_segments", "trees"), write=False))
    short = _short(result)
    pairs = {frozenset(p) for p in zip(short["a_id"], short["b_id"])}
    v1_js = {a for a, b in zip(short["a_id"], short["b_id"]) if marks["V1"]["b_id"] in (a, b)} - {marks["V1"]["b_id"]}
    assert marks["V1"]["a_id"] in v1_js
    assert pairs == {frozenset((js, marks["V1"]["b_id"])) for js in v1_js} | {
        frozenset((marks["V2"]["a_id"], marks["V2"]["b_id"]))}
    assert set(short["kind"]) == {"horizontal", "vertical"}
    assert short.loc[short["kind"] == "vertical", "actual_m"].iloc[0] == pytest.approx(0.30, abs=0.01)


def test_cover_and_topology_find_only_the_planted_ones(demo):
    from gis.analysis import cover, topology

    proj, marks = demo
    c = _short(cover.run(proj, cover.CoverOptions(write=False)))
    assert set(c["a_id"]) == {marks["V4"]["a_id"]} | set(
        proj.read("pipe_segments", where="note LIKE '%V3%'")["line_id"])
    t = _short(topology.run(proj, topology.TopologyOptions(write=False)))
    assert sorted(zip(t["kind"], t["a_id"])) == sorted([("above_ground", marks["V4"]["a_id"]),
                                                        ("missing_end_point", marks["V6"]["a_id"]),
                                                        ("reversed_slope", marks["V5"]["a_id"])])


def test_zone_audit_finds_only_the_planted_pipe_over_the_metro(demo):
    from gis.analysis import zones

    proj, marks = demo
    result = zones.run(proj, zones.ZoneOptions(area=None, write=False))
    f = result.findings
    assert set(f["a_id"]) == {marks["V7"]["a_id"]} and marks["V7"]["b_id"] in set(f["b_id"])
    assert set(f["kind"]) == {"metro_special_zone"}
    assert f["actual_m"].tolist() == pytest.approx([marks["V7"]["actual_m"]] * len(f), abs=0.01)
