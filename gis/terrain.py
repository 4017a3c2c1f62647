"""A terrain model (DEM) in the project CRS: elevation grid, sampling, extent.

Pure numpy; the store keeps the grid inside the project GeoPackage
(see gis.store.terrain).  Missing cells are NaN.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Terrain:
    """Elevation grid with an affine transform (rasterio convention, north-up)."""

    elev: np.ndarray            # (rows, cols) float64, NaN where nodata
    transform: tuple            # affine.Affine (a, b, c, d, e, f)

    @property
    def resolution(self) -> tuple[float, float]:
        """Cell size (dx, dy) in metres, both positive."""
        return abs(self.transform.a), abs(self.transform.e)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of the grid's outer edges."""
        rows, cols = self.elev.shape
        t = self.transform
        x0, y0 = t.c, t.f
        x1, y1 = x0 + cols * t.a, y0 + rows * t.e
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)

    def cell_centres(self) -> tuple[np.ndarray, np.ndarray]:
        """1-D arrays of cell-centre x (per column) and y (per row)."""
        rows, cols = self.elev.shape
        t = self.transform
        return t.c + (np.arange(cols) + 0.5) * t.a, t.f + (np.arange(rows) + 0.5) * t.e

    def sample(self, x, y) -> np.ndarray:
        """Bilinear elevation at points (NaN outside the grid or next to nodata)."""
        x = np.asarray(x, dtype=float)
        y = np.asarray(y, dtype=float)
        t = self.transform
        col = (x - t.c) / t.a - 0.5
        row = (y - t.f) / t.e - 0.5
        rows, cols = self.elev.shape
        c0 = np.floor(col).astype(np.int64)
        r0 = np.floor(row).astype(np.int64)
        fc, fr = col - c0, row - r0
        c0c = np.clip(c0, 0, cols - 1)
        r0c = np.clip(r0, 0, rows - 1)
        c1c = np.clip(c0 + 1, 0, cols - 1)
        r1c = np.clip(r0 + 1, 0, rows - 1)
        z = (self.elev[r0c, c0c] * (1 - fc) * (1 - fr) + self.elev[r0c, c1c] * fc * (1 - fr)
             + self.elev[r1c, c0c] * (1 - fc) * fr + self.elev[r1c, c1c] * fc * fr)
        inside = (col >= -0.5) & (col <= cols - 0.5) & (row >= -0.5) & (row <= rows - 0.5)
        return np.where(inside, z, np.nan)
