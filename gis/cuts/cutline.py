"""A cut line in plan: a polyline with chainage (里程) along it.

Sections and profiles measure every position as the chainage ``s`` along
the cut, 0 at its first vertex, summed over its straight legs (plan
lengths; zero-length legs are dropped).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gis.errors import UsageError


@dataclass(frozen=True)
class Cut:
    """Plan polyline ``xy`` (k, 2) with the chainage ``chain`` (k,) of each vertex."""

    xy: np.ndarray
    chain: np.ndarray

    @classmethod
    def from_coords(cls, coords) -> "Cut":
        """A cut through the plan coordinates (x, y[, z]); consecutive duplicates are dropped."""
        xy = np.asarray(coords, dtype=float)[:, :2] if len(coords) else np.zeros((0, 2))
        if len(xy):
            keep = np.concatenate([[True], np.any(np.diff(xy, axis=0) != 0, axis=1)])
            xy = xy[keep]
        if len(xy) < 2 or not np.isfinite(xy).all():
            raise UsageError("the cut line needs at least two distinct points with finite coordinates")
        chain = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(xy, axis=0).T))])
        return cls(xy, chain)

    @classmethod
    def from_geometry(cls, geom) -> "Cut":
        """A cut from a shapely LineString (UsageError for anything else)."""
        import shapely

        if geom is None or shapely.get_type_id(geom) != 1:
            kind = "nothing" if geom is None else geom.geom_type
            raise UsageError(f"the cut must be a LINESTRING in the project CRS, not {kind}")
        return cls.from_coords(shapely.get_coordinates(geom))

    @property
    def length(self) -> float:
        """Plan length of the cut (m)."""
        return float(self.chain[-1])

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax)."""
        return (*self.xy.min(axis=0), *self.xy.max(axis=0))

    @property
    def legs(self) -> tuple[np.ndarray, np.ndarray]:
        """Leg start (m, 2) and end (m, 2) points."""
        return self.xy[:-1], self.xy[1:]

    def point_at(self, s) -> np.ndarray:
        """Plan points (n, 2) at chainages ``s`` (clipped to the cut)."""
        s = np.clip(np.atleast_1d(np.asarray(s, dtype=float)), 0.0, self.length)
        return np.column_stack([np.interp(s, self.chain, self.xy[:, 0]), np.interp(s, self.chain, self.xy[:, 1])])

    def stations(self, step: float) -> np.ndarray:
        """Chainages every ``step`` metres plus every vertex, sorted and unique."""
        n = max(1, int(np.ceil(self.length / step)))
        return np.unique(np.concatenate([np.linspace(0.0, self.length, n + 1), self.chain]))

    def wkt(self) -> str:
        """The cut as a 2D WKT LINESTRING."""
        return "LINESTRING (" + ", ".join(f"{x:.3f} {y:.3f}" for x, y in self.xy) + ")"
