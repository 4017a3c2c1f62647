"""The project's terrain raster, kept inside the GeoPackage (GDAL gridded coverage).

GDAL writes raster tables on its own connection, so setting the terrain
writes into a copy of the project and renames the copy into place: the
project changes whole or not at all.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from typing import TYPE_CHECKING

import numpy as np

from gis.errors import ProjectError
from gis.terrain import Terrain

if TYPE_CHECKING:
    from gis.store.project import Project

TABLE = "terrain"
NODATA = -9999.0


def has_terrain(project: "Project") -> bool:
    """Whether the project holds a terrain raster."""
    row = project._con.execute("SELECT 1 FROM gpkg_contents WHERE table_name=?", (TABLE,)).fetchone()
    return row is not None


def describe(project: "Project") -> dict | None:
    """Size, resolution and extent of the terrain, or None."""
    if not has_terrain(project):
        return None
    import rasterio

    with rasterio.open(f"GPKG:{project.path}:{TABLE}") as ds:
        return {"width": ds.width, "height": ds.height, "resolution": abs(ds.transform.a),
                "extent": list(ds.bounds), "crs": ds.crs.to_string() if ds.crs else None}


def read(project: "Project") -> Terrain | None:
    """The terrain grid (NaN where nodata), or None when the project has none."""
    if not has_terrain(project):
        return None
    import rasterio

    with rasterio.open(f"GPKG:{project.path}:{TABLE}") as ds:
        elev = ds.read(1, masked=True).astype(np.float64).filled(np.nan)
        elev[elev == NODATA] = np.nan
        return Terrain(elev, ds.transform)


def _drop_terrain_sql(con) -> None:
    tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    con.execute(f'DROP TABLE IF EXISTS "{TABLE}"')
    for meta in ("gpkg_tile_matrix", "gpkg_tile_matrix_set", "gpkg_extensions", "gpkg_contents"):
        con.execute(f"DELETE FROM {meta} WHERE table_name = ?", (TABLE,))
    if "gpkg_2d_gridded_coverage_ancillary" in tables:
        con.execute("DELETE FROM gpkg_2d_gridded_coverage_ancillary WHERE tile_matrix_set_name=?", (TABLE,))
        con.execute("DELETE FROM gpkg_2d_gridded_tile_ancillary WHERE tpudt_name=?", (TABLE,))


def write(project: "Project", elev: np.ndarray, transform, source: str = "") -> None:
    """Set (or replace) the project's terrain from a grid already in the project CRS.

    NaN cells are stored as nodata.  The file is replaced atomically.
    """
    import rasterio

    from gis.store import gpkg_sql
    from gis.store.project import current_user, now_utc

    if elev.ndim != 2 or elev.size == 0:
        raise ProjectError("terrain must be a non-empty 2-D grid")
    if np.all(np.isnan(elev)):
        raise ProjectError("terrain has no valid cells (all nodata)")
    data = np.where(np.isnan(elev), NODATA, elev).astype(np.float32)
    folder = project.path.parent
    fd, tmp = tempfile.mkstemp(suffix=".tmp.gpkg", dir=folder)
    os.close(fd)
    try:
        shutil.copyfile(project.path, tmp)
        con = gpkg_sql.connect(tmp)
        con.execute("BEGIN IMMEDIATE")
        _drop_terrain_sql(con)
        con.execute("COMMIT")
        con.close()
        with rasterio.open(tmp, "w", driver="GPKG", width=data.shape[1],
                           height=data.shape[0], count=1, dtype="float32", crs=project.crs,
                           transform=transform, nodata=NODATA, RASTER_TABLE=TABLE,
                           APPEND_SUBDATASET="YES", TILE_FORMAT="TIFF") as ds:
            ds.write(data, 1)
        con = gpkg_sql.connect(tmp)
        # GDAL leaves data_null empty when appending a coverage; record the nodata value.
        con.execute("UPDATE gpkg_2d_gridded_coverage_ancillary SET data_null = ? "
                    "WHERE tile_matrix_set_name = ?", (NODATA, TABLE))
        con.execute('INSERT INTO audit_log ("time", "user", "layer", "action", "new") VALUES (?,?,?,?,?)',
                    (now_utc(), current_user(), TABLE, "set_terrain",
                     json.dumps({"source": source, "shape": list(data.shape)}, ensure_ascii=False)))
        con.close()
        project._replace_file(tmp)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
