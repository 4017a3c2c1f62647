"""From ellipsoidal to normal (or orthometric) heights: H = h - N.

N comes from a geoid / quasi-geoid grid (GTX or GeoTIFF, read with rasterio,
bilinear between cell centres) or from a height-anomaly plane fitted to
control points.  A grid that is missing, unreadable, or does not cover the
point is an error: heights are never passed through unchanged silently.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from gis.geodesy import GeodesyError


class GeoidGrid:
    """A geoid / height-anomaly grid in geographic coordinates (degrees), values in metres."""

    def __init__(self, path: str | Path):
        import rasterio
        from rasterio.errors import RasterioIOError

        self.path = Path(path)
        if not self.path.is_file():
            raise GeodesyError(f"geoid grid {self.path}: no such file (heights cannot be converted)")
        try:
            with rasterio.open(self.path) as ds:
                self.values = ds.read(1).astype(np.float64)
                self.transform = ds.transform
                nodata = ds.nodata
                crs = ds.crs
        except RasterioIOError as exc:
            raise GeodesyError(f"geoid grid {self.path}: cannot read it ({exc})") from None
        if crs is not None and not crs.is_geographic:
            raise GeodesyError(f"geoid grid {self.path}: must be in geographic coordinates, not {crs}")
        if nodata is not None:
            self.values[np.isclose(self.values, nodata)] = np.nan
        t = self.transform
        if t.b != 0 or t.d != 0:
            raise GeodesyError(f"geoid grid {self.path}: rotated grids are not supported")
        self.height, self.width = self.values.shape
        self.wraps = abs(t.a * self.width - 360.0) < 1e-6

    def undulation(self, lat, lon) -> np.ndarray:
        """N at (lat, lon) degrees; GeodesyError outside the grid or on no-data cells."""
        lat, lon = np.atleast_1d(np.asarray(lat, float)), np.atleast_1d(np.asarray(lon, float))
        t = self.transform
        col = (lon - t.c) / t.a - 0.5
        row = (lat - t.f) / t.e - 0.5
        if self.wraps:
            col = np.mod(col, self.width)
        c0, r0 = np.floor(col).astype(int), np.floor(row).astype(int)
        fc, fr = col - c0, row - r0
        c1 = (c0 + 1) % self.width if self.wraps else c0 + 1
        inside = (r0 >= 0) & (r0 + 1 < self.height) & (c0 >= 0) & (c1 < self.width)
        if not inside.all():
            i = int(np.argmin(inside))
            raise GeodesyError(f"geoid grid {self.path.name}: point {lat[i]:.6f}, {lon[i]:.6f} is outside the grid")
        v = self.values
        n = ((1 - fr) * ((1 - fc) * v[r0, c0] + fc * v[r0, c1]) + fr * ((1 - fc) * v[r0 + 1, c0] + fc * v[r0 + 1, c1]))
        if np.isnan(n).any():
            i = int(np.argmax(np.isnan(n)))
            raise GeodesyError(f"geoid grid {self.path.name}: no value at {lat[i]:.6f}, {lon[i]:.6f}")
        return n


@dataclass(frozen=True)
class AnomalyPlane:
    """Height anomaly zeta = c0 + cx*(x - x0) + cy*(y - y0) fitted to control points (x, y project CRS)."""

    c0: float
    cx: float
    cy: float
    x0: float
    y0: float
    residuals: tuple[float, ...] = ()

    def anomaly(self, x, y) -> np.ndarray:
        """zeta at project coordinates."""
        return self.c0 + self.cx * (np.asarray(x, float) - self.x0) + self.cy * (np.asarray(y, float) - self.y0)

    def rms(self) -> float:
        """Root-mean-square of the residuals."""
        return float(np.sqrt(np.mean(np.square(self.residuals)))) if self.residuals else 0.0

    def to_dict(self) -> dict:
        """JSON-able parameters."""
        return {k: v for k, v in asdict(self).items() if k != "residuals"}


def fit_anomaly_plane(x, y, zeta) -> AnomalyPlane:
    """Fit zeta = h_ell - H over control points: a constant for 1-2 points, a plane for 3 or more."""
    x, y, zeta = (np.asarray(v, float) for v in (x, y, zeta))
    if len(zeta) == 0:
        raise GeodesyError("height-anomaly fit: no control points with both an ellipsoidal and a normal height")
    x0, y0 = float(x.mean()), float(y.mean())
    if len(zeta) < 3:
        plane = AnomalyPlane(float(zeta.mean()), 0.0, 0.0, x0, y0)
    else:
        design = np.column_stack((np.ones_like(x), x - x0, y - y0))
        coef, *_ = np.linalg.lstsq(design, zeta, rcond=None)
        if np.linalg.matrix_rank(design) < 3:
            raise GeodesyError("height-anomaly fit: the control points lie on one line")
        plane = AnomalyPlane(float(coef[0]), float(coef[1]), float(coef[2]), x0, y0)
    res = zeta - plane.anomaly(x, y)
    return AnomalyPlane(plane.c0, plane.cx, plane.cy, x0, y0, tuple(float(r) for r in res))
