"""Staged bulk inserts: GDAL encodes the rows, SQLite copies them inside the transaction.

Binding a million rows through Python's sqlite3 costs about twice what GDAL
needs to write them.  For large inserts the store therefore lets pyogrio write
the rows (no spatial index) into a scratch GeoPackage beside the project,
ATTACHes it to the open transaction and copies with one ``INSERT ... SELECT``
(pure C).  The copy is part of the store's transaction, so atomicity is
unchanged; the scratch file is detached and deleted after commit or rollback
(SQLite refuses DETACH inside a transaction).
"""
from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

import pandas as pd

from gis.store.gpkg_sql import quote

STAGE_MIN_ROWS = 20_000
_STAGE_CHUNK = 200_000
STAGE_PREFIX = ".subterra-stage-"


def write_stage(folder: Path, frame, progress=None) -> Path:
    """Write a GeoDataFrame to a scratch GeoPackage (layer "stage") in chunks; return its path."""
    import pyogrio

    fd, name = tempfile.mkstemp(prefix=STAGE_PREFIX, suffix=".gpkg", dir=folder)
    os.close(fd)
    os.unlink(name)
    path = Path(name)
    try:
        for lo in range(0, len(frame), _STAGE_CHUNK):
            part = frame.iloc[lo:lo + _STAGE_CHUNK]
            pyogrio.write_dataframe(part, path, layer="stage", append=lo > 0, use_arrow=True,
                                    layer_options={"SPATIAL_INDEX": "NO", "GEOMETRY_NAME": "geom",
                                                   "FID": "fid"})
            if progress is not None:
                progress.step(len(part))
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def stage_srs(path: Path) -> int | None:
    """The srs_id GDAL gave the staged geometries."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = con.execute("SELECT srs_id FROM gpkg_geometry_columns WHERE table_name='stage'").fetchone()
        return None if row is None else row[0]
    finally:
        con.close()


def copy_stage(con: sqlite3.Connection, alias: str, table: str, columns: list[str],
               fid_offset: int, import_id: int | None) -> None:
    """INSERT the attached stage's rows into ``table`` (fids shifted, import_id set)."""
    cols = ", ".join(quote(c) for c in columns)
    con.execute(f'INSERT INTO {quote(table)} ("fid", "geom", {cols}, "import_id") '
                f'SELECT "fid" + ?, "geom", {cols}, ? FROM {quote(alias)}."stage" ORDER BY "fid"',
                (fid_offset, import_id))


def typed_frame(gdf, names: list[str], types: list[str], crs):
    """The GeoDataFrame's registry columns coerced to the store's types (vectorised)."""
    out = {}
    for name, ftype in zip(names, types):
        s = gdf[name]
        if ftype == "float":
            out[name] = pd.to_numeric(s, errors="raise").astype("float64")
        elif ftype == "int":
            out[name] = pd.to_numeric(s, errors="raise").astype("Int64")
        elif ftype == "bool":
            out[name] = (pd.to_numeric(s, errors="raise") != 0).astype("Int64").where(s.notna())
        elif ftype in ("date", "datetime") and pd.api.types.is_datetime64_any_dtype(s):
            out[name] = s.dt.strftime("%Y-%m-%d" if ftype == "date" else "%Y-%m-%dT%H:%M:%S")
        else:
            out[name] = s if pd.api.types.is_string_dtype(s.dtype) and s.dtype != object else s.astype("string")
    import geopandas as gpd

    return gpd.GeoDataFrame(out, geometry=gdf.geometry.values, crs=crs)
