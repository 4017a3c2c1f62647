"""Terrain import: a DEM raster in any CRS, reprojected to the project CRS and stored in the project.

rasterio reads the file (any GDAL raster format) and ``rasterio.warp``
reprojects it (bilinear) when its CRS or orientation differ from the
project's north-up grid; nodata cells stay NaN (stored as nodata).  The
store replaces the project file atomically (Project.set_terrain), then the
import is logged in import_log.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np

from gis.errors import InputRejected, Problem
from gis.progress import Progress

SUFFIXES = (".tif", ".tiff", ".asc", ".img", ".vrt", ".dem", ".bil", ".nc")


def can_read(path: str | os.PathLike) -> bool:
    """Whether ``path`` looks like a DEM raster (by its suffix)."""
    return Path(path).suffix.lower() in SUFFIXES


def _reject(path, reason: str, value: str | None = None) -> InputRejected:
    return InputRejected([Problem(str(path), None, None, value, reason)])


def sha256_of(path: str | os.PathLike) -> str:
    """Hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_dem(path: str | os.PathLike, dst_crs, src_crs: str | None = None):
    """(elevations with NaN for nodata, affine transform, warnings) of a DEM in ``dst_crs`` (pyproj CRS).

    ``src_crs`` is used only when the file carries no CRS.
    """
    import rasterio
    from pyproj import CRS
    from rasterio.errors import RasterioIOError
    from rasterio.warp import Resampling, calculate_default_transform, reproject

    warnings: list[str] = []
    try:
        ds = rasterio.open(path)
    except (RasterioIOError, OSError) as exc:
        raise _reject(path, f"cannot read as a raster DEM ({exc})") from None
    with ds:
        if ds.crs is not None:
            crs = CRS.from_wkt(ds.crs.to_wkt())
        elif src_crs:
            crs = CRS.from_user_input(src_crs)
        else:
            raise _reject(path, "the DEM has no CRS; give --src-crs")
        if ds.count > 1:
            warnings.append(f"{path}: {ds.count} bands; band 1 used as elevation")
        try:
            band = ds.read(1, masked=True).astype(np.float64).filled(np.nan)
        except RasterioIOError as exc:
            raise _reject(path, f"cannot read the raster's cells ({exc})") from None
        t = ds.transform
        north_up = t.b == 0 and t.d == 0 and t.a > 0 and t.e < 0
        if crs.equals(dst_crs, ignore_axis_order=True) and north_up:
            return band, t, warnings
        dst = rasterio.crs.CRS.from_wkt(dst_crs.to_wkt())
        src = rasterio.crs.CRS.from_wkt(crs.to_wkt())
        transform, width, height = calculate_default_transform(src, dst, ds.width, ds.height, *ds.bounds)
        out = np.full((height, width), np.nan)
        reproject(band, out, src_transform=t, src_crs=src, dst_transform=transform, dst_crs=dst,
                  src_nodata=np.nan, dst_nodata=np.nan, resampling=Resampling.bilinear)
        warnings.append(f"{path}: reprojected from {crs.name} to {dst_crs.name}")
        return out, transform, warnings


def import_dem(project, path: str | os.PathLike, progress: Progress | None = None,
               src_crs: str | None = None) -> dict:
    """Set the project's terrain from a DEM file; returns the import report.

    Bad input (unreadable file, no CRS, no valid cells) raises InputRejected
    and leaves the project unchanged.
    """
    progress = progress or Progress()
    progress.start(3, "DEM")
    if not Path(path).is_file():
        raise _reject(path, "no such file")
    elev, transform, warnings = read_dem(path, project.crs, src_crs)
    progress.step(1, "reprojected")
    valid = int(np.isfinite(elev).sum())
    if valid == 0:
        raise _reject(path, "the DEM has no valid cells (all nodata)")
    digest = sha256_of(path)
    project.set_terrain(elev, transform, source=str(path))
    progress.step(1, "stored")
    report = {"width": int(elev.shape[1]), "height": int(elev.shape[0]),
              "resolution": [abs(transform.a), abs(transform.e)],
              "extent": [transform.c, transform.f + elev.shape[0] * transform.e,
                         transform.c + elev.shape[1] * transform.a, transform.f],
              "valid_cells": valid, "nodata_cells": int(elev.size - valid)}
    with project.transaction() as txn:
        import_id = txn.begin_import("dem", [str(path)], [digest])
        txn.end_import(accepted={"terrain": valid}, rejected=0, warnings=warnings, report=report)
    progress.step(1, "logged")
    return {"accepted": {"terrain": valid}, "rejected": [], "warnings": warnings,
            "import_id": import_id, **report}
