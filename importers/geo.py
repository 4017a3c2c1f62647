"""Coordinate checks shared by the importers: area of use, zone-prefixed eastings, DEM ground.

DATA_MODEL.md: EPSG:4549-style CRSs are northing-first (always transform with
``always_xy=True``); eastings with a zone prefix (40xxxxxx) belong to the
zone-numbered CRS (EPSG:4528 for zone 40): detected, stripped where the zone is
the project's own, and warned about.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# CGCS2000 Gauss-Kruger zone-numbered CRSs: 3-degree zones 25..45 -> EPSG:4513..4533,
# 6-degree zones 13..23 -> EPSG:4491..4501.
_CGCS_3DEG = (25, 45, 4513)
_CGCS_6DEG = (13, 23, 4491)


def area_bounds(crs) -> tuple[float, float, float, float] | None:
    """(xmin, ymin, xmax, ymax) of the CRS's area of use in its own coordinates, or None if unknown."""
    from pyproj import Transformer

    aou = crs.area_of_use
    if aou is None:
        return None
    t = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return t.transform_bounds(aou.west, aou.south, aou.east, aou.north, densify_pts=21)


def outside_area(crs, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """True where (x, y) lies outside the CRS's area of use (never true for CRSs without one)."""
    bounds = area_bounds(crs)
    if bounds is None:
        return np.zeros(len(x), dtype=bool)
    xmin, ymin, xmax, ymax = bounds
    with np.errstate(invalid="ignore"):
        return ~((x >= xmin) & (x <= xmax) & (y >= ymin) & (y <= ymax))


@dataclass(frozen=True)
class Zone:
    """The Gauss-Kruger zone of a projected CRS: number, and the zone-numbered CRS if known."""

    number: int
    zone_crs: str


def gk_zone(crs) -> Zone | None:
    """The 3- or 6-degree zone number of a transverse Mercator CRS with false easting 500 km."""
    op = crs.coordinate_operation
    if op is None or "Transverse Mercator" not in op.method_name:
        return None
    params = {p.name: p.value for p in op.params}
    lon0 = params.get("Longitude of natural origin")
    if (lon0 is None or abs(params.get("False easting", 0) - 500000) > 1e-6
            or abs(params.get("Scale factor at natural origin", 1) - 1) > 1e-9):
        return None  # not Gauss-Kruger (e.g. UTM) or already zone-numbered
    cgcs = "CGCS2000" in crs.name or "China Geodetic" in (crs.datum.name if crs.datum else "")
    if abs(lon0 / 3 - round(lon0 / 3)) < 1e-9:
        number = int(round(lon0 / 3))
        lo, hi, base = _CGCS_3DEG
    elif abs((lon0 + 3) / 6 - round((lon0 + 3) / 6)) < 1e-9:
        number = int(round((lon0 + 3) / 6))
        lo, hi, base = _CGCS_6DEG
    else:
        return None
    zone_crs = f"EPSG:{base + number - lo}" if cgcs and lo <= number <= hi else f"zone {number}"
    return Zone(number, zone_crs)


def strip_zone_prefix(crs, easting: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Remove the project's own zone prefix from eastings.

    Returns (eastings, mask of rows stripped, per-row prefix found (0 = none)).
    Prefixes of other zones are left in place (the area check rejects them).
    """
    with np.errstate(invalid="ignore"):
        # a zone prefix makes an 8-digit easting: zone (2 digits) + 6-digit false-easting-based value
        prefix = np.where((easting >= 10_000_000) & (easting < 100_000_000), np.floor(easting / 1_000_000), 0)
    prefix = prefix.astype(np.int64)
    zone = gk_zone(crs)
    if zone is None:
        return easting, np.zeros(len(easting), dtype=bool), prefix
    stripped = prefix == zone.number
    out = np.where(stripped, easting - zone.number * 1_000_000.0, easting)
    return out, stripped, prefix


def ground_from_dem(project, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Ground elevation from the project's DEM at (x, y); NaN where there is no DEM or no data."""
    terrain = project.terrain() if project is not None else None
    if terrain is None or len(x) == 0:
        return np.full(len(x), np.nan)
    return terrain.sample(x, y)


def interpolate_by_length(xyz: np.ndarray, owner: np.ndarray, first: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Per vertex, the value interpolated between its line's two end values (``ends`` (n, 2)) by 2D length.

    ``owner`` is each vertex's line (vertices of a line are consecutive) and
    ``first`` the index of each line's first vertex.
    """
    step = np.r_[0.0, np.hypot(np.diff(xyz[:, 0]), np.diff(xyz[:, 1]))]
    step[first[owner] == np.arange(len(owner))] = 0.0
    run = np.cumsum(step)
    run -= run[first[owner]]
    total = np.zeros(len(ends))
    np.maximum.at(total, owner, run)
    frac = np.divide(run, total[owner], out=np.zeros_like(run), where=total[owner] > 0)
    return ends[owner, 0] + frac * (ends[owner, 1] - ends[owner, 0])
