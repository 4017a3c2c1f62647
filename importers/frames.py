"""Validated columns -> the GeoDataFrames handed to the store, without per-row Python."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa


def to_series(values, keep: np.ndarray) -> pd.Series:
    """The kept rows of an Arrow array or numpy column as a Series (strings stay Arrow-backed)."""
    everything = bool(keep.all())
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return (values if everything else values.filter(pa.array(keep))).to_pandas()
    arr = np.asarray(values) if everything else np.asarray(values)[keep]
    if arr.dtype == object:
        return pa.array(arr, pa.string()).to_pandas()
    return pd.Series(arr)


def _all_missing(values) -> bool:
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values.null_count == len(values)
    arr = np.asarray(values)
    return bool(np.isnan(arr).all()) if arr.dtype.kind == "f" else bool(pd.isna(arr).all())


def geoframe(columns: dict, keep: np.ndarray, geometry: np.ndarray, crs):
    """A GeoDataFrame of the kept rows; ``geometry`` holds the kept rows' geometries only.

    Columns without a single value are left out (the store writes them as NULL
    anyway, and fewer bound columns make the bulk insert faster).
    """
    import geopandas as gpd

    data = {name: to_series(values, keep) for name, values in columns.items() if not _all_missing(values)}
    return gpd.GeoDataFrame(pd.DataFrame(data), geometry=geometry, crs=crs)
