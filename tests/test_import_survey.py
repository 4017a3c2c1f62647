"""Survey tables (CSV/XLSX) -> pipe_points / pipe_segments: parsing, geometry, and every validation rule."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
import shapely

import importers
from importers import ImportOptions
from tests.conftest import DATA

SURVEY = DATA / "import" / "survey"


def plan(project, *sources, **options):
    """Plan an import of ``sources`` with ``options`` (ImportOptions fields)."""
    return importers.plan_import(project, [str(s) for s in sources], ImportOptions(**options))


def reasons(p) -> list[tuple]:
    """(file name, row, column, reason) of every problem."""
    return [(str(x.file).split("/")[-1], x.row, x.column, x.reason) for x in p.problems]


def write(tmp_path, name: str, text: str, encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


JS_POINTS = (SURVEY / "js_points.csv").read_text(encoding="utf-8")
JS_LINES = (SURVEY / "js_lines.csv").read_text(encoding="utf-8")


# ------------------------------------------------------------------------------ good deliveries
def test_water_pair_gives_points_and_lines_with_centre_line_z(project):
    p = plan(project, SURVEY / "js_points.csv", SURVEY / "js_lines.csv", utility="JS")
    assert not p.problems and not p.fatal
    assert p.accepted == {"pipe_points": 6, "pipe_segments": 5}      # the two blank trailing rows are ignored
    pts = p.layers["pipe_points"].set_index("point_id")
    # X is northing, Y easting: JS2 is 38.52 m east of JS1; point Z is the ground elevation
    assert shapely.get_coordinates(pts.geometry["JS2"], include_z=True).tolist() == [[557038.52, 3464000.0, 4.18]]
    assert pts.loc["JS2", "appurtenance"] == "阀门井" and pts.loc["JS2", "well_depth"] == 1.6
    assert pts.loc["JS2", "depth"] == 1.15
    seg = p.layers["pipe_segments"].set_index("line_id")
    assert list(seg.index) == ["JS1-JS2", "JS2-JS3", "JS3-JS4", "JS3-JS5", "JS5-JS6"]
    first = seg.loc["JS1-JS2"]
    assert (first.start_point, first.end_point, first.depth_ref, first.diameter_mm) == ("JS1", "JS2", "top", 300.0)
    # top-surveyed ductile iron DN300: wall 5 + 0.006*300 = 6.8 mm -> outside radius 0.1568 m
    z = shapely.get_coordinates(first.geometry, include_z=True)[:, 2]
    assert z == pytest.approx([4.215 - 1.10 - 0.1568, 4.180 - 1.15 - 0.1568])
    assert seg.loc["JS3-JS4", "diameter_mm"] == 100.0                 # "Φ100"
    assert seg.loc["JS3-JS5", "diameter_mm"] == 300.0                 # "300"
    assert seg.loc["JS1-JS2", "pressure_mpa"] == 0.4 and seg.loc["JS1-JS2", "build_year"] == 2008
    assert any("START-END" in w for w in p.warnings)


def test_workbook_with_title_rows_matches_the_csv_pair(project):
    csv_plan = plan(project, SURVEY / "js_points.csv", SURVEY / "js_lines.csv", utility="JS")
    xlsx_plan = plan(project, SURVEY / "js_survey.xlsx", utility="JS")
    assert not xlsx_plan.problems
    for layer in ("pipe_points", "pipe_segments"):
        a, b = csv_plan.layers[layer], xlsx_plan.layers[layer]
        assert len(a) == len(b)
        assert shapely.equals_exact(a.geometry.to_numpy(), b.geometry.to_numpy(), tolerance=1e-9).all()
    roles = {t.role: t for t in xlsx_plan.tables}
    assert roles["points"].file.endswith("js_survey.xlsx[管线点]")
    assert roles["points"].mapping["point_id"] == "物探点号" and roles["points"].mapping["ground_elev"] == "地面高程"
    assert list(roles["points"].preview.columns[:2]) == ["图上点号", "物探点号"]


def test_mixed_gbk_table_with_full_width_and_per_utility_ids(project):
    p = plan(project, SURVEY / "mixed_points_gbk.csv", SURVEY / "mixed_lines_gbk.csv")
    assert not p.problems
    pts = p.layers["pipe_points"].set_index("point_id")
    assert sorted(pts.index) == ["DL1", "DL2", "JS1", "JS2", "WS1", "WS2", "WS3"]
    assert any("1 -> JS1" in w for w in p.warnings)                 # ids repeat across utilities: prefixed
    assert {t.encoding for t in p.tables} == {"gb18030"} and any("read as gb18030" in w for w in p.warnings)
    assert pts.loc["WS1", "utility"] == "PS" and pts.loc["WS1", "subtype"] == "WS"
    assert shapely.get_coordinates(pts.geometry["JS2"], include_z=True).tolist() == [[557040.0, 3464020.0, 4.16]]
    seg = p.layers["pipe_segments"].set_index("line_id")
    ws = seg.loc["WS1-WS2"]
    # sewage: invert elevations given instead of depths -> invert convention, centre = invert + DN/2
    assert ws.depth_ref == "invert" and ws.start_depth == pytest.approx(4.25 - 1.85)
    assert shapely.get_coordinates(ws.geometry, include_z=True)[:, 2] == pytest.approx([1.85 + 0.25, 1.76 + 0.25])
    dl = seg.loc["DL1-DL2"]
    assert (dl["shape"], dl.width_mm, dl.height_mm, dl.hole_total, dl.hole_used, dl.voltage_kv) == \
        ("rect", 800.0, 600.0, 12, 6, 10.0)
    assert shapely.get_coordinates(dl.geometry, include_z=True)[0, 2] == pytest.approx(4.22 - 0.80 - 0.30)


def test_english_headers_easting_first_and_centimetres(project):
    p = plan(project, SURVEY / "gas_points_en.csv", SURVEY / "gas_lines_en.csv", utility="RQ", xy_order="en",
             depth_unit="cm")
    assert not p.problems
    seg = p.layers["pipe_segments"].set_index("line_id")
    assert seg.loc["G1", "start_depth"] == pytest.approx(1.0) and seg.loc["G2", "end_depth"] == pytest.approx(1.1)
    assert seg.loc["G1", "pressure_class"] == "mediumA"
    assert shapely.get_coordinates(p.layers["pipe_points"].geometry.iloc[1])[0].tolist() == [557030.0, 3464050.0]


def test_zone_prefixed_eastings_are_detected_and_stripped(project, tmp_path):
    text = JS_POINTS.replace(",557", ",40557")
    pts = write(tmp_path, "zone.csv", text)
    p = plan(project, pts, SURVEY / "js_lines.csv", utility="JS")
    assert not p.problems
    assert any("zone prefix 40" in w and "EPSG:4528" in w for w in p.warnings)
    assert p.layers["pipe_points"].geometry.x.max() == pytest.approx(557118.3)


def test_swapped_axes_are_rejected_with_a_hint(project):
    p = plan(project, SURVEY / "gas_points_en.csv", SURVEY / "gas_lines_en.csv", utility="RQ", depth_unit="cm")
    assert p.problems and all("--xy-order en" in r[3] for r in reasons(p) if r[0] == "gas_points_en.csv")
    assert not p.layers["pipe_points"].shape[0]


def test_parallel_lines_get_numbered_ids(project, tmp_path):
    lines = write(tmp_path, "lines.csv", JS_LINES + "JS1,JS2,1.3,1.3,PE,DN100,0.4,直埋,市自来水公司,2020,人民路\n")
    p = plan(project, SURVEY / "js_points.csv", lines, utility="JS")
    assert not p.problems
    assert {"JS1-JS2", "JS1-JS2-2"} <= set(p.layers["pipe_segments"].line_id)


def test_ground_from_dem_when_blank(project, tmp_path):
    from affine import Affine

    project.set_terrain(np.full((20, 20), 5.5), Affine(10.0, 0, 556900.0, 0, -10.0, 3464100.0), "flat test DEM")
    text = JS_POINTS.replace(",4.215,", ",,")
    p = plan(project, write(tmp_path, "pts.csv", text), SURVEY / "js_lines.csv", utility="JS")
    assert not p.problems
    assert p.layers["pipe_points"].set_index("point_id").loc["JS1", "ground_elev"] == pytest.approx(5.5)
    assert any("DEM" in w for w in p.warnings)


def test_lines_may_reference_points_already_in_the_project(project):
    first = plan(project, SURVEY / "js_points.csv", utility="JS")
    importers.commit(project, first)
    p = plan(project, SURVEY / "js_lines.csv", utility="JS")
    assert not p.problems and len(p.layers["pipe_segments"]) == 5
    z = shapely.get_coordinates(p.layers["pipe_segments"].geometry.iloc[0], include_z=True)[0, 2]
    assert z == pytest.approx(4.215 - 1.10 - 0.1568)


# ------------------------------------------------------------------------------ validation rules
BAD_CASES = {
    # name: (points text, lines text, options, expected (file, row, column, reason fragment))
    "missing required column": (JS_POINTS.replace("物探点号", "编号甲"), JS_LINES, {"utility": "JS"},
                                ("pts.csv", 1, "point_id", "required column missing")),
    "unparseable number": (JS_POINTS.replace("3464006.300", "3464OO6.3"), JS_LINES, {"utility": "JS"},
                           ("pts.csv", 5, "X", "not a number")),
    "duplicate point id": (JS_POINTS.replace("5,JS5,", "5,JS4,"), JS_LINES, {"utility": "JS"},
                           ("pts.csv", 6, "物探点号", "duplicate point id (also in row 5)")),
    "missing end point": (JS_POINTS, JS_LINES.replace("JS5,JS6", "JS5,JS9"), {"utility": "JS"},
                          ("lines.csv", 6, "终点点号", "end point is not in the point table")),
    "zero-length line": (JS_POINTS.replace("3463964.200,557118.300", "3464000.000,557118.300"), JS_LINES,
                         {"utility": "JS"}, ("lines.csv", 6, "终点点号", "zero-length line")),
    "zero size": (JS_POINTS, JS_LINES.replace("DN200", "DN0"), {"utility": "JS"},
                  ("lines.csv", 6, "管径", "size must be greater than zero")),
    "negative size": (JS_POINTS, JS_LINES.replace("Φ100", "-100"), {"utility": "JS"},
                      ("lines.csv", 4, "管径", "size must be greater than zero")),
    "unreadable size": (JS_POINTS, JS_LINES.replace("Φ100", "大约一百"), {"utility": "JS"},
                        ("lines.csv", 4, "管径", "cannot read the size")),
    "depth out of range (cm)": (JS_POINTS, JS_LINES.replace("JS5,JS6,1.25", "JS5,JS6,125"), {"utility": "JS"},
                                ("lines.csv", 6, "起点埋深", "centimetres? use --depth-unit cm")),
    "negative depth": (JS_POINTS, JS_LINES.replace("JS5,JS6,1.25", "JS5,JS6,-1.25"), {"utility": "JS"},
                       ("lines.csv", 6, "起点埋深", "outside the sane range 0 to 60 m")),
    "outside the CRS area": (JS_POINTS.replace("3463964.200", "9963964.200"), JS_LINES, {"utility": "JS"},
                             ("pts.csv", 7, "Y", "outside the area of use of the project CRS")),
    "unknown utility code": ("管线类型," + JS_POINTS.replace("\n", "\nJS,", 6).replace("\nJS,6,", "\nZZ,6,", 1)
                             .replace(",,,,,,,,,\n", ",,,,,,,,,,\n"),
                             JS_LINES, {"utility": "JS"}, ("pts.csv", 7, "管线类型", "unknown utility code")),
    "no utility at all": (JS_POINTS, JS_LINES, {}, ("pts.csv", 1, "utility", "no utility")),
    "row with too many fields": (JS_POINTS.replace("路东侧", "路东侧,多余"), JS_LINES, {"utility": "JS"},
                                 ("pts.csv", 5, None, "the row has 11 fields, the header has 10")),
    "ground out of range": (JS_POINTS.replace(",4.060,", ",12000,"), JS_LINES, {"utility": "JS"},
                            ("pts.csv", 6, "地面高程", "outside the sane range -500 to 9000 m")),
}


@pytest.mark.parametrize("case", BAD_CASES)
def test_each_rule_rejects_a_bad_file(project, tmp_path, case):
    pts_text, lines_text, options, expected = BAD_CASES[case]
    p = plan(project, write(tmp_path, "pts.csv", pts_text), write(tmp_path, "lines.csv", lines_text), **options)
    found = [r for r in reasons(p) if r[:3] == expected[:3] and expected[3] in r[3]]
    assert found, reasons(p)


def test_a_rejected_point_rejects_the_lines_that_use_it(project, tmp_path):
    pts = write(tmp_path, "pts.csv", JS_POINTS.replace("3464006.300", "bad"))
    p = plan(project, pts, SURVEY / "js_lines.csv", utility="JS")
    assert ("js_lines.csv", 4, "终点点号", "end point JS4 was rejected") in reasons(p)
    assert len(p.layers["pipe_points"]) == 5 and len(p.layers["pipe_segments"]) == 4
    assert p.rejected_count == 2


def test_problem_rows_in_a_workbook_are_sheet_rows(project, tmp_path):
    import openpyxl

    path = tmp_path / "book.xlsx"
    shutil.copy(SURVEY / "js_survey.xlsx", path)
    book = openpyxl.load_workbook(path)
    book["管线段"]["F5"] = "DN?"           # row 5 of the sheet: title row 1, header row 2, data from row 3
    book.save(path)
    p = plan(project, path, utility="JS")
    assert reasons(p) == [("book.xlsx[管线段]", 5, "管径", "cannot read the size (expected DN300, 300, Φ300 or 800x600)")]


def test_corrupt_workbook_and_binary_csv_are_refused(project, tmp_path):
    book = tmp_path / "broken.xlsx"
    book.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    p = plan(project, book, utility="JS", kind="survey")
    assert p.fatal and "not a valid Excel workbook file" in p.problems[0].reason
    blob = tmp_path / "blob.csv"
    blob.write_bytes(bytes(range(256)) * 4)
    p = plan(project, blob, utility="JS", kind="survey")
    assert p.fatal and p.problems[0].file.endswith("blob.csv")


def test_wrong_and_mixed_encodings_name_the_row(project, tmp_path):
    big5 = tmp_path / "big5.csv"
    big5.write_bytes("物探點號,特徵,X,Y,地面高程\nJS1,直線點,3464000,557000,4.2\n".encode("big5"))
    p = plan(project, big5, utility="JS", kind="survey")
    assert p.fatal and "not UTF-8 or GBK/GB18030" in p.problems[0].reason
    mixed = tmp_path / "mixed.csv"
    head, *rows = JS_POINTS.splitlines(keepends=True)
    mixed.write_bytes((head + "".join(rows[:3])).encode("utf-8") + "".join(rows[3:]).encode("gbk"))
    p = plan(project, mixed, utility="JS", kind="survey")
    assert p.fatal and p.problems[0].row == 5 and "mixed encodings" in p.problems[0].reason


def test_problems_follow_the_users_language(project, tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTERRA_LANG", "zh")
    pts = write(tmp_path, "pts.csv", JS_POINTS.replace("3464006.300", "bad"))
    p = plan(project, pts, SURVEY / "js_lines.csv", utility="JS")
    assert ("pts.csv", 5, "X", "不是数字") in reasons(p)
