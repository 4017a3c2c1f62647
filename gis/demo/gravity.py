"""Gravity drainage: trunk sizes by reach and invert profiles that satisfy every constraint.

A gravity run has one uniform slope; its invert at distance ``d`` upstream of
its downstream end is ``I_down + slope * d``.  Every constraint is an upper
bound on the invert somewhere (cover, passing beneath crossed runs, receiving
a branch or lateral without it dropping in below the pipe it joins), so the
downstream invert is the minimum over ``bound - slope * d``.  Vectorised with
``np.minimum.at``.
"""
from __future__ import annotations

import numpy as np

from gis.demo.specs import ARTERIAL, CULVERT_WH, TRUNK_DN
from gis.sections import outside_size

COVER = 1.0          # minimum crown cover of the demo's gravity pipes, m
DROP = 0.02          # a branch joins at least this much above the trunk invert, m
LATERAL_SLOPE = 0.01


def reach_of(t) -> np.ndarray:
    """Reach index 0, 1, 2 of a position ``t`` (0 at the head, 1 at the outfall) of a trunk."""
    return np.minimum((np.asarray(t, dtype=float) * 3).astype(np.int64), 2)


def trunk_sizes(key, cls, reach):
    """(shape, dn, width, height, material) arrays of trunk reaches; storm trunks of arterials are culverts."""
    key = np.asarray(key, dtype=object)
    cls = np.asarray(cls)
    reach = np.asarray(reach)
    n = len(key)
    dn = np.full(n, np.nan)
    w = np.full(n, np.nan)
    h = np.full(n, np.nan)
    for k in ("WS", "YS"):
        for c in range(3):
            table = np.asarray(TRUNK_DN[k][c], dtype=float)
            hit = (key == k) & (cls == c)
            dn[hit] = table[reach[hit]]
    culvert = (key == "YS") & (cls == ARTERIAL)
    wh = np.asarray(CULVERT_WH)
    w[culvert] = wh[reach[culvert], 0]
    h[culvert] = wh[reach[culvert], 1]
    dn[culvert] = np.nan
    shape = np.where(culvert, "rect", "circle").astype(object)
    material = np.where(culvert | (dn >= 600), "钢筋混凝土", "HDPE").astype(object)
    return shape, dn, w, h, material


def crown_offset(shape, dn, w, h, material) -> np.ndarray:
    """Invert to outer crown (m): inside height plus the wall."""
    _, oh, ih, _ = outside_size(shape, dn, w, h, np.nan, material)
    return (oh + ih) / 2


def downstream_invert(run, dist, bound, slope, n_runs: int) -> np.ndarray:
    """Per run, the highest downstream invert meeting every bound ``I(dist) <= bound``."""
    out = np.full(n_runs, np.inf)
    np.minimum.at(out, run, bound - slope[run] * dist)
    return out
