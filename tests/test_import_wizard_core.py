"""What the app's Import wizard needs from the importers: per-table mapping and roles, row-numbered
previews, rows around a problem, table roles before planning, the CRS found in a GIS file."""
from __future__ import annotations

import shutil

import pytest

import importers
from gis.errors import UsageError
from importers import ImportOptions
from importers.preview import rows_around
from importers.survey import probe_tables
from tests.conftest import DATA

SURVEY = DATA / "import" / "survey"
GIS = DATA / "import" / "gis"
MODELS = DATA / "import" / "models"


def plan(project, *sources, **options):
    return importers.plan_import(project, [str(s) for s in sources], ImportOptions(**options))


def test_probe_tables_names_tables_as_problems_do_and_gives_their_roles():
    pts, lines, book = (str(SURVEY / n) for n in ("js_points.csv", "js_lines.csv", "js_survey.xlsx"))
    assert probe_tables(pts) == [(pts, "points")]
    assert probe_tables(lines) == [(lines, "lines")]
    assert probe_tables(book) == [(f"{book}[管线点]", "points"), (f"{book}[管线段]", "lines")]


def test_preview_is_indexed_by_spreadsheet_rows_and_lists_mappable_fields(project):
    p = plan(project, SURVEY / "js_survey.xlsx", utility="JS", preview_rows=3)
    points = next(t for t in p.tables if t.role == "points")
    assert list(points.preview.index) == [3, 4, 5]          # title row 1, header row 2
    assert list(points.preview["物探点号"]) == ["JS1", "JS2", "JS3"]
    assert {"point_id", "x", "y", "ground_elev", "depth"} <= set(points.fields)
    lines = next(t for t in p.tables if t.role == "lines")
    assert {"start_point", "end_point", "start_depth", "size"} <= set(lines.fields)


def test_table_mapping_applies_to_one_table_and_an_empty_column_unmaps(project, tmp_path):
    pts = tmp_path / "pts.csv"
    lines = tmp_path / "lines.csv"
    shutil.copy(SURVEY / "js_points.csv", pts)
    # the line table's depth columns carry names no alias knows
    text = (SURVEY / "js_lines.csv").read_text(encoding="utf-8")
    lines.write_text(text.replace("起点埋深", "起深").replace("终点埋深", "终深"), encoding="utf-8")
    bad = plan(project, pts, lines, utility="JS")
    # the point table's 埋深 gives the line ends a depth only where the line starts or ends at a point with one;
    # here every point has one, so the lines take it with a warning
    assert not bad.problems and any("埋深" in w for w in bad.warnings)
    # unmapping the point table's depth leaves the lines without depths: a problem per line end
    no_depth = plan(project, pts, lines, utility="JS", table_mapping={str(pts): {"depth": ""}})
    assert no_depth.problems and {p.file for p in no_depth.problems} == {str(lines)}
    assert "depth" not in next(t for t in no_depth.tables if t.role == "points").mapping
    fixed = plan(project, pts, lines, utility="JS", table_mapping={
        str(pts): {"depth": ""}, str(lines): {"start_depth": "起深", "end_depth": "终深"}})
    assert not fixed.problems
    assert fixed.accepted == {"pipe_points": 6, "pipe_segments": 5}
    seg = fixed.layers["pipe_segments"].set_index("line_id")
    assert seg.loc["JS1-JS2", "start_depth"] == 1.10 and seg.loc["JS1-JS2", "end_depth"] == 1.15


def test_roles_override_what_the_headers_say(project):
    pts, lines = str(SURVEY / "js_points.csv"), str(SURVEY / "js_lines.csv")
    swapped = plan(project, pts, lines, utility="JS", roles={pts: "lines"})
    assert swapped.fatal
    assert {t.role for t in swapped.tables if t.file == pts} == {"lines"}
    assert any(p.file == pts and p.column == "start_point" for p in swapped.problems)
    with pytest.raises(UsageError, match="unknown table role"):
        plan(project, pts, lines, utility="JS", roles={pts: "polygons"})


def test_rows_around_a_problem_row_of_a_csv_and_a_workbook(project, tmp_path):
    pts = tmp_path / "many_points.csv"
    rows = ["物探点号,X,Y,地面高程"] + [f"P{i},{3464000 + i:.3f},557000.000,4.0" for i in range(200)]
    rows[150] = "P149,3464149.000,557000.000,abc"          # row 151 in the sheet: not a number
    pts.write_text("\n".join(rows) + "\n", encoding="utf-8")
    p = plan(project, pts, SURVEY / "js_lines.csv", utility="JS")
    bad = next(x for x in p.problems if x.column == "地面高程")
    assert bad.row == 151 and 151 not in p.tables[0].preview.index
    around = rows_around(p, str(pts), bad.row, count=20)
    assert list(around.index) == list(range(141, 161))
    assert around.loc[151, "地面高程"] == "abc"
    near_end = rows_around(p, str(pts), 201, count=20)
    assert list(near_end.index) == list(range(182, 202))
    book = str(SURVEY / "js_survey.xlsx")
    wp = plan(project, book, utility="JS")
    assert list(rows_around(wp, f"{book}[管线段]", 5, count=3).index) == [4, 5, 6]
    with pytest.raises(UsageError):
        rows_around(wp, "elsewhere.csv", 2)


def test_rows_around_in_gis_files_and_models(project):
    src = str(GIS / "pipes_wkt.csv")
    gp = plan(project, src, src_crs="EPSG:4549", layer="pipe_segments")
    assert list(gp.tables[0].preview.index) == [2, 3]
    assert list(rows_around(gp, src, 3, count=5)["line_id"]) == ["R1", "R2"]
    model = str(MODELS / "small_us.inp")
    mp = plan(project, model, kind="epanet", src_crs="EPSG:4549")
    table = mp.tables[0]
    first = table.preview.index[0]
    assert rows_around(mp, table.file, first, count=1).index.tolist() == [first]


def test_the_crs_found_in_a_gis_file_is_in_the_preview_even_when_refused(project):
    geojson = plan(project, GIS / "hydrants.geojson", layer="pipe_points")
    assert geojson.tables[0].crs is not None and geojson.tables[0].crs.to_epsg() in (4326, None)
    assert "WGS 84" in geojson.tables[0].crs.name
    no_crs = plan(project, GIS / "pipes_wkt.csv", layer="pipe_segments")
    assert no_crs.fatal and no_crs.tables[0].crs is None
    assert list(no_crs.tables[0].preview["line_id"]) == ["R1", "R2"]          # previewed all the same
    unknown_layer = plan(project, GIS / "pipes_wkt.csv", src_crs="EPSG:4549")
    assert unknown_layer.fatal and unknown_layer.tables[0].role == ""
