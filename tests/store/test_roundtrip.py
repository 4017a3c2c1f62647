"""Store round trip: Z, Chinese text, types, bbox reads, logs, GDAL validity."""
from __future__ import annotations

import subprocess

import numpy as np
import pytest
import shapely

from gis.errors import StoreError
from tests.conftest import validate_gpkg
from tests.store.helpers import points, segments


def test_linestring_z_and_chinese_attributes_round_trip(project):
    gdf = segments(500, project.crs)
    with project.transaction() as txn:
        assert txn.insert("pipe_segments", gdf) == 500
    back = project.read("pipe_segments").set_index("line_id").loc[gdf.line_id]
    assert back.geometry.has_z.all()
    np.testing.assert_array_equal(shapely.get_coordinates(back.geometry.values, include_z=True),
                                  shapely.get_coordinates(gdf.geometry.values, include_z=True))
    assert (back.material == "球墨铸铁").all() and (back.road == "世纪大道").all()
    np.testing.assert_array_equal(back.diameter_mm.to_numpy(), gdf.diameter_mm.to_numpy())
    assert back.build_year.isna().sum() == (gdf.build_year.isna()).sum()
    assert back.crs.to_epsg() == 4549


def test_points_dates_and_nulls_round_trip(project):
    with project.transaction() as txn:
        txn.insert("pipe_points", points(10, project.crs))
    back = project.read("pipe_points").sort_values("point_id")
    assert back.geometry.z.tolist() == [4.2] * 10
    assert back.appurtenance.isna().sum() == 5
    assert str(back.survey_date.iloc[0])[:10] == "2026-10-01"


def test_bbox_read_uses_the_rtree(project):
    gdf = segments(300, project.crs)
    with project.transaction() as txn:
        txn.insert("pipe_segments", gdf)
    box = (500200, 3450200, 500400, 3450400)
    got = set(project.read("pipe_segments", bbox=box).line_id)
    expected = set(gdf[gdf.intersects(shapely.box(*box))].line_id)
    assert expected <= got and got  # bbox read may add rtree-only neighbours, never miss
    assert project.extent("pipe_segments")[0] <= gdf.total_bounds[0]


def test_two_inserts_append_with_fresh_fids(project):
    with project.transaction() as txn:
        txn.insert("pipe_segments", segments(5, project.crs, prefix="A"))
    with project.transaction() as txn:
        txn.insert("pipe_segments", segments(5, project.crs, prefix="B"))
    assert project.count("pipe_segments") == 10
    assert len(project.read("pipe_segments", bbox=(499000, 3449000, 502000, 3452000))) == 10


def test_duplicate_id_is_refused_and_nothing_lands(project):
    with project.transaction() as txn:
        txn.insert("pipe_segments", segments(3, project.crs))
    with pytest.raises(StoreError, match="line_id"):
        with project.transaction() as txn:
            txn.insert("pipe_points", points(4, project.crs))
            txn.insert("pipe_segments", segments(3, project.crs))
    assert project.count("pipe_points") == 0 and project.count("pipe_segments") == 3


def test_unknown_field_and_missing_z_are_refused(project):
    gdf = segments(2, project.crs)
    gdf["colour"] = "red"
    with pytest.raises(StoreError, match="unknown fields colour"):
        with project.transaction() as txn:
            txn.insert("pipe_segments", gdf)
    flat = segments(2, project.crs)
    flat["geometry"] = shapely.force_2d(flat.geometry.values)
    with pytest.raises(StoreError, match="Z"):
        with project.transaction() as txn:
            txn.insert("pipe_segments", flat)


def test_import_log_and_import_id(project):
    with project.transaction() as txn:
        iid = txn.begin_import("survey", ["点表.csv"], ["abc"])
        txn.insert("pipe_points", points(3, project.crs))
        txn.end_import({"pipe_points": 3}, 0, ["注意"])
    log = project.import_log()
    assert len(log) == 1 and log[0]["fid"] == iid and "点表.csv" in log[0]["sources"]
    assert set(project.read("pipe_points").import_id) == {iid}


def test_update_and_delete_are_audited(project):
    with project.transaction() as txn:
        txn.insert("pipe_segments", segments(3, project.crs))
    with project.transaction() as txn:
        txn.update("pipe_segments", "L1", {"material": "钢"})
        txn.delete("pipe_segments", ["L2"])
    back = project.read("pipe_segments").set_index("line_id")
    assert back.loc["L1", "material"] == "钢" and "L2" not in back.index
    audit = project.audit_log()
    assert [a["action"] for a in audit] == ["update", "delete"]
    assert "球墨铸铁" in audit[0]["old"] and "钢" in audit[0]["new"]
    assert len(project.read("pipe_segments", bbox=tuple(back.total_bounds))) == 2


def test_file_is_a_valid_geopackage_for_gdal(project):
    import rasterio.transform

    with project.transaction() as txn:
        txn.insert("pipe_segments", segments(50, project.crs))
        txn.insert("pipe_points", points(20, project.crs))
    project.set_terrain(np.full((20, 30), 4.0), rasterio.transform.from_origin(500000, 3451000, 40, 40), "t")
    result = validate_gpkg(project.path)
    assert result.returncode == 0, result.stdout + result.stderr
    ogr = subprocess.run(["ogrinfo", "-so", "-ro", str(project.path), "pipe_segments"],
                         capture_output=True, text=True)
    assert "Feature Count: 50" in ogr.stdout and "3D Line String" in ogr.stdout


def test_terrain_round_trip_and_nodata(project):
    import rasterio.transform

    elev = np.arange(12, dtype=float).reshape(3, 4)
    elev[0, 0] = np.nan
    project.set_terrain(elev, rasterio.transform.from_origin(0, 30, 10, 10), "t")
    t = project.terrain()
    np.testing.assert_array_equal(np.isnan(t.elev), np.isnan(elev))
    np.testing.assert_allclose(t.elev[1:], elev[1:])
    assert t.sample([15.0], [15.0])[0] == pytest.approx(5.0)
    project.set_terrain(elev + 1, rasterio.transform.from_origin(0, 30, 10, 10), "t2")
    assert project.terrain().elev[2, 3] == pytest.approx(12.0)


def test_bulk_packed_rtree_is_valid_and_complete(project):
    big = segments(12000, project.crs, prefix="B", seed=3)
    with project.transaction() as txn:
        txn.insert("pipe_segments", segments(40, project.crs, prefix="S", seed=1))   # row-by-row path
        txn.insert("pipe_segments", big)                                              # packed rebuild
    with project.transaction() as txn:
        txn.insert("pipe_segments", segments(40, project.crs, prefix="T", seed=2))
    con = project._con
    assert con.execute("SELECT rtreecheck('rtree_pipe_segments_geom')").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM rtree_pipe_segments_geom").fetchone()[0] == 12080
    every = project.read("pipe_segments")
    for box in [(500100, 3450100, 500150, 3450130), (500900, 3450000, 501100, 3450050)]:
        expected = set(every[every.intersects(shapely.box(*box))].line_id)
        assert expected and expected <= set(project.read("pipe_segments", bbox=box).line_id)


def test_bulk_insert_refuses_duplicate_ids_and_keeps_the_index(project):
    gdf = segments(3000, project.crs, prefix="D")
    gdf.loc[2999, "line_id"] = "D5"
    with pytest.raises(StoreError, match="line_id"):
        with project.transaction() as txn:
            txn.insert("pipe_segments", gdf)
    assert project.count("pipe_segments") == 0
    indexes = {r[0] for r in project._con.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "uq_pipe_segments_line_id" in indexes


@pytest.mark.parametrize("crs", ["EPSG:4549", "+proj=tmerc +lon_0=121.5 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m"])
def test_staged_bulk_path_stores_what_the_row_path_stores(tmp_path, monkeypatch, crs):
    """Large inserts go through a GDAL-written scratch file; the result must equal row binding."""
    from gis.store import Project, staging

    def load(name, min_rows):
        monkeypatch.setattr(staging, "STAGE_MIN_ROWS", min_rows)
        proj = Project.create(tmp_path / name, crs=crs)
        gdf = segments(25000, None).set_crs(proj.crs, allow_override=True)
        gdf["build_year"] = gdf["build_year"].astype("Int64")
        gdf.loc[::7, "owner"] = None
        with proj.transaction() as txn:
            txn.begin_import("t", ["x"], ["0"])
            txn.insert("pipe_segments", gdf)
        out = proj.read("pipe_segments").sort_values("line_id").reset_index(drop=True)
        assert proj._con.execute("SELECT rtreecheck('rtree_pipe_segments_geom')").fetchone()[0] == "ok"
        proj.close()
        return out

    staged, bound = load("staged.gpkg", 1), load("bound.gpkg", 10**9)
    assert staged.drop(columns="geometry").equals(bound.drop(columns="geometry"))
    assert staged.geometry.geom_equals_exact(bound.geometry, 0).all()
    assert (staged.import_id == 1).all() and staged.owner.isna().sum() == len(range(0, 25000, 7))
    assert not list(tmp_path.glob(".subterra-stage-*"))   # scratch files removed
