"""Closest approach of 3D segment pairs, vectorised (numpy).

Used where a clearance is a true 3D distance, e.g. a pipe passing over a
metro tunnel inside its special protection zone (gis.analysis.zones).
"""
from __future__ import annotations

import numpy as np

_TINY = 1e-12


def closest_3d(p0: np.ndarray, p1: np.ndarray, q0: np.ndarray, q1: np.ndarray) -> tuple[np.ndarray, ...]:
    """(distance, s, t) of the closest points p0 + s (p1 - p0) and q0 + t (q1 - q0) of each pair of
    segments given as (n, 3) end points; s and t in 0..1 (degenerate segments are points)."""
    u, v, w = p1 - p0, q1 - q0, p0 - q0
    a = np.einsum("ij,ij->i", u, u)
    b = np.einsum("ij,ij->i", u, v)
    c = np.einsum("ij,ij->i", v, v)
    d = np.einsum("ij,ij->i", u, w)
    e = np.einsum("ij,ij->i", v, w)
    denom = a * c - b * b
    with np.errstate(divide="ignore", invalid="ignore"):
        # s on the infinite lines (parallel or degenerate: 0), clamped; t follows from s, clamped,
        # then s again from the clamped t (the standard two-step clamp of the closest-point problem)
        s = np.where(denom > _TINY * np.maximum(a * c, _TINY), (b * e - c * d) / denom, 0.0)
        s = np.clip(np.nan_to_num(s), 0.0, 1.0)
        t = np.where(c > _TINY, (b * s + e) / c, 0.0)
        t = np.clip(np.nan_to_num(t), 0.0, 1.0)
        s = np.where(a > _TINY, (b * t - d) / a, 0.0)
        s = np.clip(np.nan_to_num(s), 0.0, 1.0)
    gap = w + s[:, None] * u - t[:, None] * v
    return np.sqrt(np.einsum("ij,ij->i", gap, gap)), s, t
