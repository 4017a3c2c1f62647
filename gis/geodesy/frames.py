"""GNSS reference frames and conversion of geodetic positions to a projected CRS with pyproj."""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from gis.errors import UsageError

# Frame names accepted on the command line -> geographic CRS.
FRAMES = {"CGCS2000": "EPSG:4490", "WGS84": "EPSG:4326", "ITRF2014": "EPSG:9000", "ETRS89": "EPSG:4258"}
DEFAULT_FRAME = "CGCS2000"


def frame_crs(frame: str):
    """The pyproj geographic CRS of a frame name or CRS code; UsageError if unknown or not geographic."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    text = FRAMES.get(frame.upper().replace(" ", ""), frame)
    try:
        crs = CRS.from_user_input(text)
    except CRSError:
        raise UsageError(f"unknown GNSS frame {frame!r} (use {', '.join(FRAMES)} or an EPSG code)") from None
    if not crs.is_geographic:
        raise UsageError(f"GNSS frame {frame!r} must be a geographic CRS, {crs.name} is not")
    return crs


def frame_name(frame: str) -> str:
    """Canonical name stored in records: CGCS2000 / WGS84 / ... or the CRS name."""
    key = frame.upper().replace(" ", "")
    if key in FRAMES:
        return key
    crs = frame_crs(frame)
    for name, code in FRAMES.items():
        if crs.to_epsg() == int(code.split(":")[1]):
            return name
    return crs.name


@lru_cache(maxsize=32)
def _transformer(src_wkt: str, dst_wkt: str):
    from pyproj import Transformer

    return Transformer.from_crs(src_wkt, dst_wkt, always_xy=True)


def transformer(src, dst):
    """A cached always_xy pyproj Transformer between two CRSs."""
    return _transformer(src.to_wkt(), dst.to_wkt())


def geodetic_to_projected(lat, lon, frame_crs_obj, project_crs) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) in ``project_crs`` of geodetic (lat, lon) in the frame."""
    x, y = transformer(frame_crs_obj, project_crs).transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


def ellipsoid(crs) -> tuple[float, float]:
    """Semi-major axis and first eccentricity squared of a CRS's ellipsoid."""
    ell = crs.ellipsoid
    f = 1.0 / ell.inverse_flattening if ell.inverse_flattening else 0.0
    return ell.semi_major_metre, f * (2 - f)


def geodetic_to_ecef(lat, lon, h, a: float, e2: float) -> np.ndarray:
    """Earth-centred XYZ (n x 3) from degrees and metres on ellipsoid (a, e2)."""
    phi, lam = np.radians(np.asarray(lat, float)), np.radians(np.asarray(lon, float))
    h = np.asarray(h, float)
    n = a / np.sqrt(1 - e2 * np.sin(phi) ** 2)
    return np.column_stack(((n + h) * np.cos(phi) * np.cos(lam), (n + h) * np.cos(phi) * np.sin(lam),
                            (n * (1 - e2) + h) * np.sin(phi)))


def ecef_to_geodetic(xyz: np.ndarray, a: float, e2: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lat, lon, h) in degrees and metres from earth-centred XYZ (iterative, sub-millimetre)."""
    x, y, z = np.asarray(xyz, float).T
    lon = np.arctan2(y, x)
    p = np.hypot(x, y)
    phi = np.arctan2(z, p * (1 - e2))
    for _ in range(8):
        n = a / np.sqrt(1 - e2 * np.sin(phi) ** 2)
        h = p / np.cos(phi) - n
        phi = np.arctan2(z, p * (1 - e2 * n / (n + h)))
    n = a / np.sqrt(1 - e2 * np.sin(phi) ** 2)
    h = p / np.cos(phi) - n
    return np.degrees(phi), np.degrees(lon), h
