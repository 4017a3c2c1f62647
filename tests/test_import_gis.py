"""GIS files (GeoPackage, zipped Shapefile, GeoJSON, DXF, CSV with WKT) -> registry layers."""
from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

import importers
from importers import ImportOptions, registry
from tests.conftest import DATA, run_cli

GIS = DATA / "import" / "gis"
E0, N0 = 557000.0, 3464100.0


def plan(project, *sources, **options):
    return importers.plan_import(project, [str(s) for s in sources], ImportOptions(**options))


def flat_dem(project, level: float = 4.5) -> None:
    from affine import Affine

    project.set_terrain(np.full((40, 40), level), Affine(5.0, 0, E0 - 50, 0, -5.0, N0 + 150), "flat test DEM")


def test_detection_picks_the_gis_importer():
    assert registry.detect(GIS / "water.gpkg").name == "gis"
    assert registry.detect(GIS / "sewer_shp.zip").name == "gis"
    assert registry.detect(GIS / "pipes_wkt.csv").name == "gis"
    assert registry.detect(DATA / "import" / "survey" / "js_points.csv").name == "survey"


def test_points_keep_their_z_as_ground(project):
    p = plan(project, GIS / "water.gpkg", src_layer="pipe_points")
    assert not p.problems and p.accepted == {"pipe_points": 3}
    pts = p.layers["pipe_points"].set_index("point_id")
    assert pts.loc["G2", "ground_elev"] == 4.25 and pts.loc["G2", "utility"] == "JS"


def test_lines_snap_to_points_and_take_z_from_depths(project):
    importers.commit(project, plan(project, GIS / "water.gpkg", src_layer="pipe_points"))
    p = plan(project, GIS / "water.gpkg", src_layer="给水管线", layer="pipe_segments")
    assert not p.problems
    seg = p.layers["pipe_segments"].set_index("line_id")
    assert (seg.loc["GL1", "start_point"], seg.loc["GL1", "end_point"]) == ("G1", "G2")   # snapped within 1 cm
    assert seg.loc["GL1", "utility"] == "JS" and seg.loc["GL1", "diameter_mm"] == 400
    z = shapely.get_coordinates(seg.geometry["GL1"], include_z=True)[:, 2]
    r = (400 + 2 * (5 + 0.006 * 400)) / 2000                      # ductile iron outside radius
    assert z[0] == pytest.approx(4.30 - 1.2 - r) and z[2] == pytest.approx(4.25 - 1.25 - r)
    assert z[2] < z[1] < z[0]                                      # the middle vertex is interpolated
    assert any("2 line ends snapped" in w or "4 line ends snapped" in w for w in p.warnings)


def test_geojson_is_reprojected_from_wgs84(project):
    p = plan(project, GIS / "hydrants.geojson", layer="pipe_points")
    assert not p.problems
    xyz = shapely.get_coordinates(p.layers["pipe_points"].geometry, include_z=True)
    assert xyz[0] == pytest.approx([E0 + 10, N0 + 5, 4.31], abs=1e-3)
    assert any("reprojected from WGS 84" in w for w in p.warnings)


def test_zipped_shapefile_with_mapped_fields_keeps_its_3d_geometry(project):
    p = plan(project, GIS / "sewer_shp.zip", layer="pipe_segments",
             mapping={"line_id": "GXBH", "size": "GJ", "material": "CZ", "utility": "LX"})
    assert not p.problems, p.problems
    seg = p.layers["pipe_segments"].set_index("line_id")
    assert list(seg.index) == ["W1", "W2"] and seg.loc["W2", "diameter_mm"] == 800
    assert seg.loc["W1", "utility"] == "PS" and seg.loc["W1", "subtype"] == "WS"
    xyz = shapely.get_coordinates(seg.geometry["W1"], include_z=True)
    assert xyz[0] == pytest.approx([E0, N0 + 60, 1.9], abs=1e-3)


def test_dxf_with_chinese_layer_names_needs_a_crs(project):
    refused = plan(project, GIS / "plan.dxf", layer="excavations", mapping={"name": "Layer"})
    assert refused.fatal and "give --src-crs" in refused.problems[0].reason
    p = plan(project, GIS / "plan.dxf", layer="excavations", src_crs="EPSG:4549", mapping={"name": "Layer"})
    assert not p.problems
    exc = p.layers["excavations"]
    assert list(exc["name"]) == ["规划给水", "规划燃气"]            # not mojibake: DXF_ENCODING=UTF-8
    assert shapely.get_coordinates(exc.geometry.iloc[1], include_z=True)[-1].tolist() == [E0 + 30, N0 + 100, 2.7]


def test_wkt_csv_needs_ground_for_its_depths(project):
    p = plan(project, GIS / "pipes_wkt.csv", layer="pipe_segments", src_crs="EPSG:4549")
    assert p.problems and all("no elevation" in x.reason for x in p.problems)
    flat_dem(project, 4.5)
    p = plan(project, GIS / "pipes_wkt.csv", layer="pipe_segments", src_crs="EPSG:4549")
    assert not p.problems
    z = shapely.get_coordinates(p.layers["pipe_segments"].geometry.iloc[0], include_z=True)[:, 2]
    assert z == pytest.approx([4.5 - 1.0 - 0.1, 4.5 - 1.1 - 0.1])       # PE wall unknown here: r = DN/2


def test_2d_lines_without_depths_use_dem_minus_default_cover(project, tmp_path):
    src = tmp_path / "routes.csv"
    src.write_text(f'line_id,utility,size,wkt\nT1,TX,300x200,"LINESTRING ({E0} {N0}, {E0 + 20} {N0})"\n',
                   encoding="utf-8")
    p = plan(project, src, layer="pipe_segments", src_crs="EPSG:4549", default_cover=0.7)
    assert p.problems and "no elevation" in p.problems[0].reason            # no DEM yet
    flat_dem(project, 4.0)
    p = plan(project, src, layer="pipe_segments", src_crs="EPSG:4549", default_cover=0.7)
    assert not p.problems
    z = shapely.get_coordinates(p.layers["pipe_segments"].geometry.iloc[0], include_z=True)[:, 2]
    assert z == pytest.approx([4.0 - 0.7 - 0.1] * 2)
    assert any("DEM ground minus 0.7 m default cover" in w for w in p.warnings)


def test_geometry_that_does_not_fit_the_layer_is_rejected(project):
    p = plan(project, GIS / "hydrants.geojson", layer="pipe_segments", utility="JS",
             mapping={"size": "point_id"})
    assert any(x.column == "geometry" and "geometry type Point does not fit layer pipe_segments" in x.reason
               for x in p.problems)


def test_unreadable_gis_file_is_refused(project, tmp_path):
    broken = tmp_path / "broken.gpkg"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
    p = plan(project, broken, layer="pipe_points", kind="gis")
    assert p.fatal and p.problems[0].file.endswith("broken.gpkg")


def test_cli_imports_a_geopackage_layer(tmp_path):
    from gis.store import Project

    gpkg = tmp_path / "p.gpkg"
    Project.create(gpkg).close()
    r = run_cli("import", gpkg, GIS / "water.gpkg", "--src-layer", "pipe_points", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["accepted"] == {"pipe_points": 3}
