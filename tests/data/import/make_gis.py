"""Write the GIS-file fixtures of tests/test_import_gis.py (run from the repo root).

- water.gpkg: layer pipe_points (Point Z, Z = ground) and layer 给水管线 (2D lines whose
  ends lie 3 mm from those points, with 管径/材质/起点埋深/终点埋深), EPSG:4549.
- hydrants.geojson: fire hydrants as 2D WGS 84 points with a ground elevation.
- sewer_shp.zip: a zipped Shapefile of 3D sewer lines in CGCS2000 geographic (EPSG:4490)
  with short DBF field names (GXBH, GJ, CZ, LX) that need --map.
- plan.dxf: an ezdxf drawing (R2013) of two proposed routes on Chinese-named layers; no CRS.
- pipes_wkt.csv: a CSV with a WKT column, no CRS.
Provenance: written for Subterra's tests; licence: same as the project.
"""
from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent / "gis"
N0, E0 = 3464100.0, 557000.0


def water_gpkg() -> None:
    import geopandas as gpd
    import pyogrio
    from shapely.geometry import LineString, Point

    pts = gpd.GeoDataFrame({
        "point_id": ["G1", "G2", "G3"], "utility": ["JS", "JS", "JS"], "feature": ["直线点", "三通", "弯头"],
    }, geometry=[Point(E0, N0, 4.30), Point(E0 + 50, N0, 4.25), Point(E0 + 50, N0 + 40, 4.20)], crs="EPSG:4549")
    lines = gpd.GeoDataFrame({
        "管线编号": ["GL1", "GL2"], "管线类型": ["给水", "给水"], "管径": ["DN400", "DN300"],
        "材质": ["球墨铸铁", "PE"], "起点埋深": [1.2, 1.25], "终点埋深": [1.25, 1.3],
    }, geometry=[LineString([(E0 + 0.003, N0), (E0 + 25, N0 + 0.5), (E0 + 50, N0 - 0.002)]),
                 LineString([(E0 + 50, N0), (E0 + 50, N0 + 40.001)])], crs="EPSG:4549")
    out = HERE / "water.gpkg"
    out.unlink(missing_ok=True)
    pyogrio.write_dataframe(pts, out, layer="pipe_points")
    pyogrio.write_dataframe(lines, out, layer="给水管线")


def hydrants_geojson() -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    gdf = gpd.GeoDataFrame({"point_id": ["XF1", "XF2"], "appurtenance": ["消防栓", "消防栓"],
                            "utility": ["JS", "JS"], "ground_elev": [4.31, 4.27]},
                           geometry=[Point(E0 + 10, N0 + 5), Point(E0 + 40, N0 + 5)], crs="EPSG:4549")
    gdf.to_crs("EPSG:4326").to_file(HERE / "hydrants.geojson", driver="GeoJSON")


def sewer_zip() -> None:
    import geopandas as gpd
    from shapely.geometry import LineString

    gdf = gpd.GeoDataFrame({"GXBH": ["W1", "W2"], "GJ": ["600", "800"], "CZ": ["钢筋混凝土", "钢筋混凝土"],
                            "LX": ["WS", "WS"]},
                           geometry=[LineString([(E0, N0 + 60, 1.9), (E0 + 45, N0 + 60, 1.8)]),
                                     LineString([(E0 + 45, N0 + 60, 1.8), (E0 + 90, N0 + 60, 1.7)])],
                           crs="EPSG:4549").to_crs("EPSG:4490")
    with tempfile.TemporaryDirectory() as tmp:
        gdf.to_file(Path(tmp) / "sewer.shp", encoding="UTF-8")
        with zipfile.ZipFile(HERE / "sewer_shp.zip", "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(Path(tmp).iterdir()):
                z.write(f, f.name)


def plan_dxf() -> None:
    import ezdxf

    doc = ezdxf.new("R2013")
    doc.layers.add("规划给水")
    doc.layers.add("规划燃气")
    msp = doc.modelspace()
    msp.add_polyline3d([(E0, N0 + 80, 2.5), (E0 + 60, N0 + 80, 2.4)], dxfattribs={"layer": "规划给水"})
    msp.add_polyline3d([(E0, N0 + 84, 2.8), (E0 + 30, N0 + 84, 2.8), (E0 + 30, N0 + 100, 2.7)],
                       dxfattribs={"layer": "规划燃气"})
    doc.saveas(HERE / "plan.dxf")


def wkt_csv() -> None:
    rows = ["line_id,utility,size,start_depth,end_depth,wkt",
            f'R1,RQ,DN200,1.0,1.1,"LINESTRING ({E0} {N0 + 120}, {E0 + 30} {N0 + 120})"',
            f'R2,RQ,DN200,1.1,1.2,"LINESTRING ({E0 + 30} {N0 + 120}, {E0 + 60} {N0 + 120})"']
    (HERE / "pipes_wkt.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


if __name__ == "__main__":
    HERE.mkdir(parents=True, exist_ok=True)
    water_gpkg()
    hydrants_geojson()
    sewer_zip()
    plan_dxf()
    wkt_csv()
