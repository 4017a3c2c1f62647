"""Lean layer reads for scene building: attribute columns plus flat coordinates, no shapely objects.

Turning a million WKB blobs into shapely geometries costs about a second and
hundreds of MB; the scene only needs their coordinates.  :func:`read_lean`
reads a layer as Arrow (pyogrio) and, when every geometry is a single-part
ISO WKB Point Z or LineString Z (what the registry's pipe layers hold),
slices the coordinates straight out of the WKB buffer into a
:class:`CoordFrame`.  Anything else (multi-part, empty or 2D geometries,
other types) falls back to the store's GeoDataFrame, so callers take either.
"""
from __future__ import annotations

import numpy as np

POINT_Z, LINESTRING_Z = 1001, 1002     # ISO WKB type codes


class CoordFrame:
    """A layer's rows: attribute columns (a pandas DataFrame) and each row's coordinates.

    Row ``i`` owns ``coords[offsets[i]:offsets[i + 1]]`` (x, y, z, float64).
    Behaves like the GeoDataFrames builders read (``len``, ``columns``,
    ``frame[name]``) without the geometry objects.
    """

    def __init__(self, table, coords: np.ndarray, offsets: np.ndarray):
        self.table = table
        self.coords = coords
        self.offsets = offsets

    def __len__(self) -> int:
        return len(self.table)

    @property
    def columns(self):
        """The attribute column names."""
        return self.table.columns

    def __getitem__(self, name: str):
        return self.table[name]

    def coordinate_rows(self) -> np.ndarray:
        """The row of every coordinate."""
        return np.repeat(np.arange(len(self.table)), np.diff(self.offsets))


def wkb_coordinates(blobs) -> tuple[np.ndarray, np.ndarray] | None:
    """(coords (k, 3), offsets (n+1)) of an Arrow binary array of little-endian ISO WKB
    Points Z or LineStrings Z (all of one type); None for anything else."""
    import pyarrow as pa

    arr = blobs.combine_chunks() if isinstance(blobs, pa.ChunkedArray) else blobs
    n = len(arr)
    if n == 0 or arr.null_count or not pa.types.is_binary(arr.type):
        return None
    offs = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset:arr.offset + n + 1].astype(np.int64)
    data = np.frombuffer(arr.buffers()[2], dtype=np.uint8)[offs[0]:offs[-1]]
    start = offs[:-1] - offs[0]
    size = np.diff(offs)
    if size.min() < 9 and not np.all(size == 29):
        return None
    if np.all(size == size[0]):                     # one record size (two-point lines, points): reshape
        rec = data.reshape(n, size[0])
        order, kind = rec[:, 0], rec[:, 1:5].copy().view("<u4").ravel()
        count = rec[:, 5:9].copy().view("<u4").ravel() if size[0] >= 9 else None
    else:
        rec = None
        order = data[start]
        kind = np.stack([data[start + k] for k in range(1, 5)], axis=1).copy().view("<u4").ravel()
        count = np.stack([data[start + k] for k in range(5, 9)], axis=1).copy().view("<u4").ravel()
    if not np.all(order == 1):
        return None
    if np.all(kind == POINT_Z) and np.all(size == 29):
        header, npts = 5, np.ones(n, dtype=np.int64)
    elif np.all(kind == LINESTRING_Z) and np.all(size == 9 + 24 * count.astype(np.int64)):
        header, npts = 9, count.astype(np.int64)
    else:
        return None
    if rec is not None:
        coords = np.ascontiguousarray(rec[:, header:]).view("<f8").reshape(-1, 3)
    else:
        keep = np.ones(len(data), dtype=bool)
        keep[(start[:, None] + np.arange(header)).ravel()] = False
        coords = np.ascontiguousarray(data[keep]).view("<f8").reshape(-1, 3)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(npts, out=offsets[1:])
    return coords, offsets


def read_lean(project, layer: str, columns: list[str], bbox=None, where: str | None = None):
    """``layer`` (only ``columns``; the first is the id) as a CoordFrame, or as the store's
    GeoDataFrame when its geometries are not all single-part Points Z / LineStrings Z.

    Text columns other than the id come as pandas categoricals (few distinct
    values: cheap to compare and to factorize); the ids as Python strings
    (object dtype: what the scene keeps, without a conversion each way).
    """
    return lean_frame(project, layer, columns, [read_table(project, layer, columns, bbox, where)], bbox, where)


def read_table(project, layer: str, columns: list[str], bbox=None, where: str | None = None):
    """(pyogrio metadata, Arrow table) of ``columns`` and the geometry of ``layer`` (rows within
    ``bbox`` and ``where``); GDAL reads without the GIL, so two of these run side by side."""
    import pyogrio

    return pyogrio.read_arrow(str(project.path), layer=layer, columns=columns, bbox=bbox, where=where)


def row_halves(project, layer: str, min_rows: int) -> list[str] | None:
    """Two ``where`` clauses splitting ``layer`` by rowid into halves that, read one after the other,
    give the rows in the order of one whole read (a plain scan is in rowid order); None under
    ``min_rows`` rows."""
    n = project.count(layer)
    if n < min_rows:
        return None
    return [f"rowid <= {n // 2}", f"rowid > {n // 2}"]


def lean_frame(project, layer: str, columns: list[str], tables: list, bbox=None, where: str | None = None):
    """The CoordFrame of the :func:`read_table` results ``tables`` (consecutive row ranges of
    ``layer``), or the store's GeoDataFrame of those rows when the geometries are not all
    single-part Points Z / LineStrings Z (see :func:`read_lean`)."""
    import pandas as pd
    import pyarrow as pa

    meta = tables[0][0]
    table = tables[0][1] if len(tables) == 1 else pa.concat_tables([t for _, t in tables])
    geom = meta.get("geometry_name") or "geometry"
    parsed = wkb_coordinates(table.column(geom)) if geom in table.column_names and table.num_rows else None
    if parsed is None:
        return project.read(layer, bbox=bbox, columns=columns, where=where)
    ids = table.column(columns[0]).to_numpy(zero_copy_only=False)
    attrs = table.drop_columns([geom, columns[0]]).to_pandas(strings_to_categorical=True)
    attrs.insert(0, columns[0], pd.Series(ids, dtype=object, copy=False))   # as read: no str-dtype round trip
    return CoordFrame(attrs, *parsed)
