"""Rule tables: shipped values, validation messages, class resolution (RULES.md)."""
from __future__ import annotations

import math

import pytest

from gis.analysis import rules
from gis.analysis.rules import Profile
from gis.errors import InputRejected

HEADER = "rule_id,kind,a,b,min_m,source,confidence,note\n"


def _write(tmp_path, text, name="r.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _rule(table, rule_id):
    return next(r for r in table.rules if r.rule_id == rule_id)


def test_builtin_tables_load_with_sources_and_confidence():
    table = rules.load()
    assert {r.kind for r in table.rules} == {"horizontal", "vertical", "cover_roadway", "cover_other", "zone"}
    assert all(r.source and r.confidence in rules.CONFIDENCES for r in table.rules)
    # verified values of RULES.md
    assert _rule(table, "H-PS-JS1").min_m == 1.0 and _rule(table, "H-PS-JS1").confidence == "verified"
    assert _rule(table, "H-PS-JS2").min_m == 1.5
    assert _rule(table, "H-PS-RQSA").min_m == 2.0
    assert _rule(table, "V-PS-JS").min_m == 0.40
    assert _rule(table, "H-PS-ZS").confidence == "single-source"
    disputed = _rule(table, "V-PS-DLC")
    assert (disputed.min_m, disputed.confidence) == (0.25, "disputed")
    assert _rule(table, "C-RQ-ROAD").min_m == 0.9
    # everything outside RULES.md's verified list is marked
    assert _rule(table, "H-JS-RL").confidence == "unverified"
    assert _rule(table, "Z-METRO-UG-CTL").confidence == "unverified"


@pytest.mark.parametrize("row, column, reason", [
    ("X1,horizontal,PS,ABC,1.0,src,verified,", "b", "unknown class"),
    ("X1,horizontal,PS,JS,-1.0,src,verified,", "min_m", "negative distance"),
    ("X1,horizontl,PS,JS,1.0,src,verified,", "kind", "unknown kind"),
    ("X1,horizontal,PS,JS,abc,src,verified,", "min_m", "not a number"),
    ("X1,horizontal,PS,JS,1.0,src,sure,", "confidence", "unknown confidence"),
    ("X1,horizontal,PS,JS:d<=abc,1.0,src,verified,", "b", "unknown qualifier"),
    ("X1,horizontal,PS,JS:mediumB,1.0,src,verified,", "b", "unknown qualifier"),
    ("X1,horizontal,PS,JS,1.0,,verified,", "source", "needs its source"),
])
def test_bad_rows_name_file_row_and_column(tmp_path, row, column, reason):
    path = _write(tmp_path, HEADER + "OK,vertical,PS,JS,0.4,src,verified,\n" + row + "\n")
    with pytest.raises(InputRejected) as err:
        rules.read_rule_file(path)
    problem = err.value.problems[0]
    assert (problem.file, problem.row, problem.column) == (str(path), 3, column)
    assert reason in problem.reason
    assert str(path) in str(err.value) and "row 3" in str(err.value)


def test_bad_csv_and_wrong_field_count(tmp_path):
    path = _write(tmp_path, HEADER + 'X1,horizontal,PS,"JS,1.0,src,verified,\n')
    with pytest.raises(InputRejected) as err:
        rules.read_rule_file(path)
    assert "not a valid CSV" in str(err.value)
    path = _write(tmp_path, HEADER + "X1,horizontal,PS,JS,1.0\n")
    with pytest.raises(InputRejected) as err:
        rules.read_rule_file(path)
    assert "row 2" in str(err.value) and "expected 8 fields, found 5" in str(err.value)
    path = _write(tmp_path, "rule_id,kind,a,b,min_m\nX,horizontal,PS,JS,1\n")
    with pytest.raises(InputRejected) as err:
        rules.read_rule_file(path)
    assert {p.column for p in err.value.problems} == {"source", "confidence", "note"}


def test_duplicate_ids_and_missing_file(tmp_path):
    path = _write(tmp_path, HEADER + "A,vertical,PS,JS,0.4,s,verified,\nA,vertical,PS,RQ,0.15,s,verified,\n")
    with pytest.raises(InputRejected, match="duplicate rule id"):
        rules.read_rule_file(path)
    with pytest.raises(InputRejected, match="no such rule file"):
        rules.read_rule_file(tmp_path / "none.csv")


def test_user_file_replaces_builtin_rows_of_its_kinds(tmp_path):
    path = _write(tmp_path, "\ufeff" + HEADER + "U1,horizontal,PS,JS,3.0,my city,unverified,\n")
    table = rules.load(path)
    assert [r.rule_id for r in table.of_kind("horizontal")] == ["U1"]
    assert table.of_kind("vertical")          # other kinds keep the built-in rows
    assert str(path) in table.files


def _req(table, kind, a: Profile, b: Profile):
    req, which = table.pair_matrix(kind, [a, b])
    return req[0, 1], (table.rules[which[0, 1]].rule_id if which[0, 1] >= 0 else None)


PS = Profile("PS", "WS", 400.0, None, None)


def test_class_resolution_specificity_and_symmetry():
    table = rules.load()
    assert _req(table, "horizontal", PS, Profile("JS", None, 150.0, None, None)) == (1.0, "H-PS-JS1")
    assert _req(table, "horizontal", Profile("JS", None, 300.0, None, None), PS) == (1.5, "H-PS-JS2")
    # the sub-type row (ZS) beats the type+qualifier row (JS:d<=200)
    assert _req(table, "horizontal", PS, Profile("JS", "ZS", 150.0, None, None)) == (0.5, "H-PS-ZS")
    # burial qualifiers
    assert _req(table, "vertical", PS, Profile("DL", None, None, None, "direct")) == (0.5, "V-PS-DLD")
    assert _req(table, "vertical", PS, Profile("DL", None, None, None, "duct")) == (0.25, "V-PS-DLC")
    # no row at all
    value, rid = _req(table, "horizontal", Profile("JS", None, 150.0, None, None), Profile("JS", "ZS", 150.0, None, None))
    assert math.isnan(value) and rid is None


def test_tie_takes_the_larger_distance(tmp_path):
    path = _write(tmp_path, HEADER + "A,horizontal,PS,JS:d<=200,1.0,s,verified,\n"
                  "B,horizontal,PS,JS:d<300,1.3,s,verified,\n")
    table = rules.load(path)
    assert _req(table, "horizontal", PS, Profile("JS", None, 150.0, None, None)) == (1.3, "B")


@pytest.mark.parametrize("mpa, recorded, expected", [
    (0.005, None, "low"), (0.01, None, "low"), (0.1, None, "mediumB"), (0.3, None, "mediumA"),
    (0.6, None, "subhighB"), (1.2, None, "subhighA"), (2.0, None, "highB"), (5.0, None, None),
    (0.005, "subhighA", "subhighA"), (None, None, None),
])
def test_gas_pressure_classes(mpa, recorded, expected):
    assert rules.pressure_classes([recorded], [mpa])[0] == expected


def test_burial_classes():
    assert [rules.burial_class(b) for b in ("直埋", "管块", "排管", "保护管", "管道", "管沟", "顶管", None)] == \
        ["direct", "duct", "duct", "duct", "duct", "duct", None, None]
