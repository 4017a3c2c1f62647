"""The ground line along a cut: DEM samples, pinned to surveyed ground where there is some."""
from __future__ import annotations

import numpy as np

from gis.cuts.cutline import Cut
from gis.terrain import Terrain

MAX_SAMPLES = 2000       # DEM samples along one cut at most
PIN_RADIUS_M = 0.5       # DEM samples this close to a surveyed point give way to it


def ground_line(cut: Cut, terrain: Terrain | None, surveyed_s=(), surveyed_z=()) -> tuple[np.ndarray, np.ndarray]:
    """(chainage, elevation) of the ground along ``cut``.

    The DEM is sampled at its cell size (at most MAX_SAMPLES points) and at
    every vertex; surveyed ground (``surveyed_s``, ``surveyed_z``: e.g. pipe
    points on a profiled run) wins at its own chainage, and DEM samples
    within PIN_RADIUS_M of it are dropped.  Without a DEM the surveyed
    points alone make the line.  Elevations are NaN where neither exists.
    """
    ss = np.asarray(surveyed_s, dtype=float)
    sz = np.asarray(surveyed_z, dtype=float)
    ok = np.isfinite(ss) & np.isfinite(sz)
    ss, sz = ss[ok], sz[ok]
    if terrain is not None:
        step = max(min(terrain.resolution), cut.length / MAX_SAMPLES)
        s = cut.stations(step)
        xy = cut.point_at(s)
        z = terrain.sample(xy[:, 0], xy[:, 1])
        if len(ss):
            near = np.abs(s[:, None] - ss[None, :]).min(axis=1) < PIN_RADIUS_M
            s, z = s[~near], z[~near]
    else:
        s, z = np.zeros(0), np.zeros(0)
    s = np.concatenate([s, ss])
    z = np.concatenate([z, sz])
    order = np.argsort(s, kind="stable")
    return s[order], z[order]

