"""The ground: the project terrain (gis.terrain.Terrain) as a surface, and its profile in sections."""
from __future__ import annotations

import numpy as np

from gis.terrain import Terrain
from viewers.scene.geometry import CutLeg
from viewers.scene.mesh import MeshBuilder

MAX_GRID_SIDE = 200   # the surface is thinned to at most this many points per side (a 400-side
                      # ground alone took ~105 ms a frame on llvmpipe at 1600x1000, 200: ~42 ms)
BEHIND_CUT = 0.05     # m: the soil of a section lies this far behind the cut outlines
SOIL_BELOW = 2.0      # m: the soil of a section reaches this far below the lowest thing shown


def window(terrain: Terrain, bbox=None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Cell-centre x (cols), y (rows) and elevations of the terrain over ``bbox`` (one cell margin)."""
    xs, ys = terrain.cell_centres()
    elev = terrain.elev
    if bbox is not None:
        dx, dy = terrain.resolution
        cols = np.flatnonzero((xs >= bbox[0] - dx) & (xs <= bbox[2] + dx))
        rows = np.flatnonzero((ys >= bbox[1] - dy) & (ys <= bbox[3] + dy))
        xs, ys, elev = xs[cols], ys[rows], elev[np.ix_(rows, cols)]
    step = max(1, int(np.ceil(max(elev.shape, default=0) / MAX_GRID_SIDE)))
    return xs[::step], ys[::step], elev[::step, ::step]


def reference_elevation(terrain: Terrain | None, bbox=None) -> float:
    """Median ground elevation over ``bbox`` (0 without terrain): the exaggeration's fixed level."""
    if terrain is None:
        return 0.0
    elev = window(terrain, bbox)[2]
    return float(np.round(np.nanmedian(elev), 2)) if np.isfinite(elev).any() else 0.0


def surface(terrain: Terrain, bbox, origin: np.ndarray) -> MeshBuilder:
    """The terrain as one quad surface through the cell centres; nodata cells leave holes."""
    mb = MeshBuilder()
    xs, ys, z = window(terrain, bbox)
    r, c = z.shape
    if r < 2 or c < 2:
        return mb
    valid = np.isfinite(z)
    quad_ok = valid[:-1, :-1] & valid[1:, :-1] & valid[:-1, 1:] & valid[1:, 1:]
    rr, cc = np.nonzero(quad_ok)
    if len(rr) == 0:
        return mb
    idx = rr * c + cc
    gx, gy = np.meshgrid(xs - origin[0], ys - origin[1])
    zf = np.where(valid, z, 0.0)
    gz_y, gz_x = np.gradient(zf, ys, xs)
    normals = np.stack([-gz_x, -gz_y, np.ones_like(zf)], axis=-1)
    normals /= np.linalg.norm(normals, axis=-1, keepdims=True)
    points = np.stack([gx, gy, zf - origin[2]], axis=-1).reshape(-1, 3)
    _add_used(mb, points, normals.reshape(-1, 3), np.column_stack([idx, idx + c, idx + c + 1, idx + 1]))
    return mb


def _add_used(mb: MeshBuilder, points: np.ndarray, normals: np.ndarray, quads: np.ndarray) -> None:
    """Add ground quads with only the points they use (nodata points would spoil the bounds)."""
    used = np.zeros(len(points), dtype=bool)
    used[quads.ravel()] = True
    index = np.cumsum(used) - 1
    mb.add(points[used], normals[used], polys=(index[quads], np.zeros(len(quads), dtype=np.int64)))


def section(terrain: Terrain, legs: list[CutLeg], data_bottom: float | None,
            origin: np.ndarray) -> MeshBuilder:
    """Soil under the ground profile along the cut, just behind the cut plane.

    The soil reaches ``SOIL_BELOW`` under the lower of the profile and
    ``data_bottom`` (local z of the lowest cut feature, None when none).
    """
    mb = MeshBuilder()
    step = min(terrain.resolution) / 2
    profiles = []
    for leg in legs:
        n = int(min(max(np.ceil(leg.length / step), 1), 4000)) + 1
        t = np.linspace(0.0, leg.length, n)
        xy = leg.p0_project + t[:, None] * leg.d
        profiles.append((t + leg.s0, terrain.sample(xy[:, 0], xy[:, 1]) - origin[2]))
    lows = [np.nanmin(z) for _, z in profiles if np.isfinite(z).any()]
    if not lows:
        return mb
    base = min(lows + ([data_bottom] if data_bottom is not None else [])) - SOIL_BELOW
    for s, z in profiles:
        n = len(s)
        k = np.flatnonzero(np.isfinite(z[:-1]) & np.isfinite(z[1:]))
        top = np.column_stack([s, np.full(n, BEHIND_CUT), z])
        bot = np.column_stack([s, np.full(n, BEHIND_CUT), np.full(n, base)])
        pts = np.concatenate([bot, top])
        _add_used(mb, pts, np.broadcast_to([0.0, -1.0, 0.0], pts.shape),
                  np.column_stack([k, k + 1, n + k + 1, n + k]))
    return mb
