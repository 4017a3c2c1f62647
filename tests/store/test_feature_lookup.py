"""Project.feature: one feature's attributes by id; Project.value_counts: features per value."""
from __future__ import annotations

import datetime as dt

from gis import layers as registry
from tests.store.helpers import points, segments


def test_feature_returns_the_stored_chinese_attributes(project):
    segs = segments(50, project.crs)
    with project.transaction() as txn:
        txn.insert("pipe_segments", segs)
    got = project.feature("pipe_segments", "L7")
    assert got["line_id"] == "L7" and got["utility"] == "JS"
    assert got["material"] == "球墨铸铁" and got["owner"] == "上海城投水务" and got["road"] == "世纪大道"
    assert got["diameter_mm"] == segs["diameter_mm"].iloc[7]
    assert got["build_year"] == 2005 and project.feature("pipe_segments", "L6")["build_year"] is None
    assert set(got) == set(registry.get("pipe_segments").field_names)


def test_feature_types_dates_and_unknown_ids(project):
    with project.transaction() as txn:
        txn.insert("pipe_points", points(4, project.crs))
    got = project.feature("pipe_points", "P1")
    assert got["survey_date"] == dt.date(2026, 10, 1) and got["appurtenance"] is None
    assert project.feature("pipe_points", "P0")["appurtenance"] == "检查井"
    assert project.feature("pipe_points", "P9") is None
    assert project.feature("pipe_segments", "P1") is None
    # ids are bound, never pasted into SQL
    assert project.feature("pipe_points", "P1' OR '1'='1") is None


def test_value_counts(project):
    with project.transaction() as txn:
        txn.insert("pipe_segments", segments(5, project.crs, prefix="A", utility="JS"))
        txn.insert("pipe_segments", segments(3, project.crs, prefix="B", utility="RQ"))
    assert project.value_counts("pipe_segments", "utility") == {"JS": 5, "RQ": 3}
    assert project.value_counts("pipe_points", "utility") == {}
