"""Check reports (gis.report): content, HTML, map extract, owners, cap + CSV, sensitive findings, CLI."""
from __future__ import annotations

import base64
import hashlib
import io
import json
from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from gis.analysis import clearance, excavation
from gis.policy import WITHHELD, withhold_sensitive
from gis.report import ReportOptions, build_report, companion_csv_path, write_html
from gis.report.mapextract import MapRequest, to_pixels
from gis.report.style import SEVERITY_COLOURS
from tests.conftest import run_cli
from tests.report_cases import (EVIL_OWNER, EXCAVATION_WKT, SENSITIVE_ID, SENSITIVE_NAME, clearance_project,
                                excavation_project, many_findings_project)
from viewers.report_output import render_map


class Page(HTMLParser):
    """The parts of a report page the tests look at: finding rows, owner rows, images, links, text."""

    def __init__(self, text: str):
        super().__init__()
        self.rows: dict[str, dict] = {}
        self.owner_rows: list[str] = []
        self.images: list[str] = []
        self.refs: list[str] = []
        self.text: list[str] = []
        self.h1 = ""
        self._row = None
        self._owner = None
        self._in_h1 = False
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        cls = a.get("class", "") or ""
        if tag == "tr" and "finding" in cls.split():
            self._row = {"class": cls, "badges": [], "text": ""}
            self.rows[a["data-finding-id"]] = self._row
        elif tag == "tr" and cls == "owner":
            self._owner = ""
        elif tag == "span" and self._row is not None and "badge" in cls.split():
            self._row["badges"].append(cls)
        elif tag == "img":
            self.images.append(a["src"])
        elif tag == "h1":
            self._in_h1 = True
        for key in ("href", "src"):
            if key in a and tag != "img":
                self.refs.append(a[key])

    def handle_endtag(self, tag):
        if tag == "tr":
            if self._owner is not None:
                self.owner_rows.append(self._owner)
            self._row = self._owner = None
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data):
        self.text.append(data)
        if self._row is not None:
            self._row["text"] += data
        if self._owner is not None:
            self._owner += data
        if self._in_h1:
            self.h1 += data


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """The clearance project, its run, and its report with a rendered map."""
    path = tmp_path_factory.mktemp("report") / "c.gpkg"
    proj = clearance_project(path)
    result = clearance.run(proj)
    report = build_report(result, proj, ReportOptions(), render_map=render_map)
    out = path.parent / "report.html"
    write_html(report, out)
    yield proj, result, report, out
    proj.close()


def test_clearance_case_has_one_finding_of_each_confidence(case):
    _, result, _, _ = case
    df = result.findings
    assert set(df["confidence"]) == {"verified", "single-source", "disputed", "unverified"}
    assert {"H-PS-JS1", "H-PS-ZS", "V-PS-DLC", "V-JS-JS"} <= set(df["rule_id"])


def test_html_lists_every_finding_with_rule_source_and_confidence_marks(case):
    _, result, _, out = case
    text = out.read_bytes().decode("utf-8")        # UTF-8 throughout
    page = Page(text)
    df = result.findings
    assert set(page.rows) == set(df["finding_id"])
    for f in df.itertuples():
        row = page.rows[f.finding_id]
        assert f.source in row["text"] and f.rule_id in row["text"]
        assert f.a_id in row["text"] and f.b_id in row["text"]
        if f.confidence == "verified":
            assert row["badges"] == [], f
        else:
            assert row["badges"] == [f"badge conf-{f.confidence}"], f
    assert "未核实\u00a0unverified" in page.rows[df.loc[df.rule_id == "V-JS-JS", "finding_id"].iloc[0]]["text"]
    # rows are listed worst first
    listed = list(page.rows)
    sev = df.set_index("finding_id").loc[listed, "severity"].astype(str).map(
        {"critical": 0, "major": 1, "minor": 2, "info": 3}).to_numpy()
    assert (np.diff(sev) >= 0).all()


def test_html_is_self_contained_and_escapes_user_data(case):
    _, _, report, out = case
    text = out.read_text(encoding="utf-8")
    assert '<meta charset="utf-8">' in text
    assert "<script" not in text                       # the owner named <script>... is escaped
    assert "&lt;script&gt;alert(&#x27;owner&#x27;)&lt;/script&gt;" in text
    page = Page(text)
    assert page.refs == []                             # no links, no external scripts or styles
    assert len(page.images) == 1 and page.images[0].startswith("data:image/png;base64,")
    png = base64.b64decode(page.images[0].split(",", 1)[1])
    assert png == report.map.png
    from PIL import Image

    assert Image.open(io.BytesIO(png)).size == report.map.size
    assert EVIL_OWNER in "".join(page.text)            # shown as text


def test_owners_grouped_with_their_features(case):
    _, _, report, out = case
    groups = {g.owner: g for g in report.owners}
    assert set(groups) == {"排水公司", "自来水公司", "电力公司", "再生水公司", EVIL_OWNER}
    assert [(f[0], f[1]) for f in groups["排水公司"].features] == [("pipe_segments", "WS1")]
    assert groups["排水公司"].findings == 4             # WS1 is in four findings
    assert [f[1] for f in groups["自来水公司"].features] == ["JS1"]
    assert groups["自来水公司"].findings == 2
    assert [f[1] for f in groups[EVIL_OWNER].features] == ["JS2"]
    rows = Page(out.read_text(encoding="utf-8")).owner_rows
    assert any(r.startswith("排水公司") and "WS1" in r for r in rows)
    assert any(r.startswith(EVIL_OWNER) and "JS2" in r for r in rows)


def test_summary_and_notes(case):
    _, result, report, out = case
    s = report.summary
    df = result.findings
    assert s["findings"] == len(df)
    assert s["by_severity"] == {k: int((df["severity"] == k).sum()) for k in ("critical", "major", "minor", "info")}
    assert s["by_kind"] == {"vertical": int((df.kind == "vertical").sum()),
                            "horizontal": int((df.kind == "horizontal").sum())}
    assert s["no_rule_pairs"] == result.summary["no_rule_pairs"]
    assert s["uncertain"] == int(df["uncertain"].sum())
    assert report.bands["QL-A"] == 0.05 and report.bands["QL-D"] == 2.0
    text = out.read_text(encoding="utf-8")
    assert "GB 50289-2016" in text and "QL-C" in text       # notes: what is computed, bands used
    assert set(report.rules_cited["rule_id"]) == set(df["rule_id"])


def test_map_extract_marks_findings_by_severity(case):
    proj, result, report, _ = case
    from PIL import Image

    marked = np.asarray(Image.open(io.BytesIO(report.map.png)).convert("RGB"))
    plain = render_map(proj, MapRequest(report.map.bbox, report.map.size, include_sensitive=False))
    assert marked.shape == plain.shape
    df = result.findings
    for sev in ("major", "minor", "info"):
        colour = np.array(SEVERITY_COLOURS[sev], dtype=np.uint8)
        assert (df["severity"] == sev).any()
        assert (marked == colour).all(axis=2).sum() > 30, sev
        assert (plain == colour).all(axis=2).sum() == 0, sev
    # a marker sits where its finding is
    f = df[df["severity"] == "major"].iloc[0]
    px, py = to_pixels([f.x], [f.y], report.map.bbox, report.map.size)
    r, c = int(py[0]), int(px[0])
    patch = marked[r - 2:r + 3, c - 2:c + 3]
    assert ((patch == np.array(SEVERITY_COLOURS["major"], np.uint8)).all(axis=2)
            | (patch == np.array(SEVERITY_COLOURS["critical"], np.uint8)).all(axis=2)).any()
    assert report.map.markers == {k: int((df["severity"] == k).sum()) for k in ("critical", "major", "minor", "info")}


def test_language_option(case):
    proj, result, _, _ = case
    for lang, title in (("en", "Clearance check report"), ("zh", "管线净距分析报告"),
                        ("both", "管线净距分析报告 Clearance check report")):
        report = build_report(result, proj, ReportOptions(lang=lang))
        from gis.report import render_html

        page = Page(render_html(report))
        assert page.h1 == title
    with pytest.raises(Exception, match="report language"):
        build_report(result, proj, ReportOptions(lang="fr"))


def test_user_rule_file_named_with_its_hash(tmp_path):
    from gis.analysis.rules import builtin_files

    proj = clearance_project(tmp_path / "p.gpkg")
    rules = tmp_path / "我的规则.csv"
    text = builtin_files()[0].read_text(encoding="utf-8").replace("H-PS-JS1,horizontal,PS,JS:d<=200,1.0",
                                                                  "H-PS-JS1,horizontal,PS,JS:d<=200,1.2")
    rules.write_text(text, encoding="utf-8")
    result = clearance.run(proj, clearance.ClearanceOptions(rules_file=str(rules)))
    report = build_report(result, proj, ReportOptions(rules_file=str(rules)))
    user = [f for f in report.rule_files if f.origin == "user"]
    assert len(user) == 1 and user[0].name == str(rules)
    assert user[0].sha256 == hashlib.sha256(rules.read_bytes()).hexdigest()
    assert {f.origin for f in report.rule_files} == {"builtin", "user"}
    out = write_html(report, tmp_path / "r.html")
    html_text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert str(rules) in html_text and user[0].sha256 in html_text
    assert out["csv"] is None
    cited = report.rules_cited.set_index("rule_id")
    assert cited.loc["H-PS-JS1", "min_m"] == 1.2 and cited.loc["H-PS-JS1", "file"] == str(rules)
    proj.close()


def test_big_run_is_capped_with_a_companion_csv(tmp_path):
    proj = many_findings_project(tmp_path / "m.gpkg", n=46)          # 46 x 46 crossings
    result = clearance.run(proj, clearance.ClearanceOptions(write=False))
    assert len(result.findings) == 46 * 46
    report = build_report(result, proj, ReportOptions())
    out = tmp_path / "big.html"
    info = write_html(report, out)
    csv = companion_csv_path(out)
    assert info["csv"] == str(csv.resolve()) and info["rows"] == 2000 and info["findings"] == 46 * 46
    page = Page(out.read_text(encoding="utf-8"))
    assert list(page.rows) == list(report.findings["finding_id"].head(2000))
    assert csv.name in "".join(page.text) and "2116" in "".join(page.text)
    assert csv.read_bytes().startswith(b"\xef\xbb\xbf")
    table = pd.read_csv(csv, encoding="utf-8-sig")
    assert len(table) == 46 * 46 and set(table["finding_id"]) == set(result.findings["finding_id"])
    assert (table["run_id"] == result.run_id).all()
    small = build_report(result, proj, ReportOptions(max_rows=len(result.findings)))
    write_html(small, tmp_path / "all.html")
    assert not companion_csv_path(tmp_path / "all.html").exists()
    proj.close()


def test_withhold_sensitive_policy():
    df = pd.DataFrame({"finding_id": ["r-1", "r-2"], "a_layer": ["civil_defense_works", "pipe_segments"],
                       "a_id": ["RF-1", "JS1"], "b_layer": ["excavations", "excavations"], "b_id": ["adhoc"] * 2,
                       "x": [1.0, 2.0], "y": [1.0, 2.0], "z": [0.0, 0.0], "actual_m": [0.2, 0.3],
                       "deficit_m": [0.3, 0.2], "owners": pd.Categorical(["人防办", "水司"]), "note": ["n", "m"],
                       "severity": ["major", "minor"]})
    shown, layers = withhold_sensitive(df, include_sensitive=False)
    assert layers == ["civil_defense_works"]
    assert shown.loc[0, "a_id"] == WITHHELD and shown.loc[0, "owners"] is None and np.isnan(shown.loc[0, "x"])
    assert np.isnan(shown.loc[0, "actual_m"]) and shown.loc[0, "note"] is None
    assert shown.loc[1].to_dict() == {**df.loc[1].to_dict(), "owners": "水司"}
    assert shown.loc[0, "severity"] == "major" and shown.loc[0, "finding_id"] == "r-1"
    full, layers = withhold_sensitive(df, include_sensitive=True)
    assert full is df and layers == ["civil_defense_works"]


def test_sensitive_findings_withheld_unless_included(tmp_path):
    proj = excavation_project(tmp_path / "e.gpkg")
    import shapely

    opts = excavation.ExcavationOptions(area=shapely.from_wkt(EXCAVATION_WKT), bottom_elev=-5.0, write=False)
    result = excavation.run(proj, opts)
    assert SENSITIVE_ID in set(result.findings["a_id"])
    before = len(proj.audit_log())
    report = build_report(result, proj, ReportOptions(max_rows=1), render_map=render_map)
    out = tmp_path / "r.html"
    write_html(report, out)
    text = out.read_text(encoding="utf-8") + companion_csv_path(out).read_text(encoding="utf-8-sig")
    for secret in (SENSITIVE_ID, SENSITIVE_NAME, "人防办"):
        assert secret not in text
    assert report.withheld == {"findings": 1, "layers": ["civil_defense_works"]}
    assert WITHHELD in text and "--include-sensitive" in text
    assert len(report.findings) == len(result.findings)      # listed, without details
    assert report.map.markers["major"] == 0                  # its location is not drawn
    assert len(proj.audit_log()) == before
    full = build_report(result, proj, ReportOptions(include_sensitive=True), render_map=render_map)
    write_html(full, tmp_path / "full.html")
    text = (tmp_path / "full.html").read_text(encoding="utf-8")
    assert SENSITIVE_ID in text and "人防办" in text
    assert full.sensitive_included == ["civil_defense_works"] and full.map.markers["major"] == 1
    audit = proj.audit_log()[before:]
    assert [(a["layer"], a["action"]) for a in audit] == [("civil_defense_works", "sensitive_output:report")]
    proj.close()


def test_cli_report_html_and_json(tmp_path):
    path = tmp_path / "c.gpkg"
    clearance_project(path).close()
    out = tmp_path / "报告.html"
    res = run_cli("check", "clearance", path, "--report", out, "--report-lang", "en", "--json")
    assert res.returncode == 3, res.stderr
    doc = json.loads(res.stdout)
    assert doc["report"]["path"] == str(out.resolve()) and doc["report"]["findings"] == len(doc["findings"])
    page = Page(out.read_text(encoding="utf-8"))
    assert page.h1 == "Clearance check report"
    assert set(page.rows) == {f["finding_id"] for f in doc["findings"]}


def test_cli_report_bad_paths_fail_before_the_check(tmp_path):
    path = tmp_path / "c.gpkg"
    clearance_project(path).close()
    for bad in (tmp_path / "r.txt", tmp_path / "missing" / "r.html"):
        res = run_cli("check", "clearance", path, "--report", bad)
        assert res.returncode == 1 and "--report" in res.stderr, res.stderr
    import geopandas as gpd

    assert len(gpd.read_file(path, layer="findings")) == 0      # the check did not run


def test_no_findings_and_no_map(tmp_path):
    from gis.errors import SubterraError

    proj = clearance_project(tmp_path / "p.gpkg")
    clean = clearance.run(proj, clearance.ClearanceOptions(layers=("metro_tunnels",), write=False))
    assert len(clean.findings) == 0
    report = build_report(clean, proj, ReportOptions(lang="en"), render_map=render_map)
    assert report.map.png is None and report.owners == []
    write_html(report, tmp_path / "empty.html")
    text = (tmp_path / "empty.html").read_text(encoding="utf-8")
    assert "This check found nothing." in text and "No map extract" in text

    def broken(project, request):
        raise SubterraError("no off-screen OpenGL available")

    result = clearance.run(proj, clearance.ClearanceOptions(write=False))
    report = build_report(result, proj, ReportOptions(lang="en"), render_map=broken)
    write_html(report, tmp_path / "nomap.html")
    text = (tmp_path / "nomap.html").read_text(encoding="utf-8")
    assert "No map extract: no off-screen OpenGL available" in text
    assert set(Page(text).rows) == set(result.findings["finding_id"])
    proj.close()


def test_check_cli_listings_follow_the_sensitive_policy(tmp_path):
    import json

    from gis.store import Project
    from tests.conftest import run_cli

    path = tmp_path / "e.gpkg"
    excavation_project(path).close()
    args = ["check", "excavation", path, "--wkt", EXCAVATION_WKT, "--bottom-elev", "-5", "--no-store"]
    hidden = run_cli(*args, "--json")
    assert hidden.returncode == 3 and SENSITIVE_ID not in hidden.stdout and "人防办" not in hidden.stdout
    assert SENSITIVE_ID not in run_cli(*args).stdout
    with Project.open(path, readonly=True) as proj:
        before = len(proj.audit_log())
    shown = run_cli(*args, "--json", "--include-sensitive")
    assert SENSITIVE_ID in {f["a_id"] for f in json.loads(shown.stdout)["findings"]}
    with Project.open(path, readonly=True) as proj:
        assert [a["action"] for a in proj.audit_log()[before:]] == ["sensitive_output:check"]
