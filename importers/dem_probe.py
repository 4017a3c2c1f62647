"""Probe for DEM rasters; the import itself is importers.dem.import_dem (written elsewhere)."""
from __future__ import annotations

from pathlib import Path

RASTER_SUFFIXES = {".tif": 90, ".tiff": 90, ".asc": 80, ".img": 60, ".vrt": 60}


def can_read(path: Path) -> int:
    """Priority for raster files by their suffix (0 for anything else)."""
    return RASTER_SUFFIXES.get(path.suffix.lower(), 0) if path.is_file() else 0
