"""Closed-form plan geometry of two-point segments, vectorised over pairs (numpy only).

Segments are given as arrays ``ax0, ay0, ax1, ay1`` and ``bx0 ...``.  A
degenerate segment (both ends equal) is a point.  Parameters ``s``, ``t`` run
from 0 at the first end to 1 at the second.  The common case (proper
segments, not parallel) takes one pass of plain arithmetic; the special cases
(points, parallels, touching ends) are patched on the few rows that need them.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _between(p, q, r):
    """Whether r lies within the closed range of p and q."""
    return (np.minimum(p, q) <= r) & (r <= np.maximum(p, q))


@dataclass
class Closest:
    """Closest approach of segment pairs: distance, parameters, and the overlap interval when parallel."""

    dist: np.ndarray
    s: np.ndarray
    t: np.ndarray
    s2: np.ndarray      # second end of the closest-approach interval (NaN unless parallel overlap)
    t2: np.ndarray


def closest(ax0, ay0, ax1, ay1, bx0, by0, bx1, by1) -> Closest:
    """Minimum plan distance between segments and where it is reached.

    Exactly parallel segments whose projections overlap reach their minimum
    along an interval; its ends are (s, t) and (s2, t2).
    """
    d1x, d1y = ax1 - ax0, ay1 - ay0
    d2x, d2y = bx1 - bx0, by1 - by0
    rx, ry = ax0 - bx0, ay0 - by0
    a = d1x * d1x + d1y * d1y
    e = d2x * d2x + d2y * d2y
    f = d2x * rx + d2y * ry
    c = d1x * rx + d1y * ry
    b = d1x * d2x + d1y * d2y
    parallel = d1x * d2y - d1y * d2x == 0
    a_ok, e_ok = a > 0, e > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        den = a * e - b * b
        s = b * f
        s -= c * e
        s /= den
        np.clip(s, 0.0, 1.0, out=s)
        s[parallel | (den == 0) | ~a_ok] = 0.0
        t = b * s
        t += f
        t /= e
        t[~e_ok] = 0.0
        lo, hi = np.flatnonzero((t < 0) & a_ok), np.flatnonzero((t > 1) & a_ok)
        np.clip(t, 0.0, 1.0, out=t)
        s[lo] = np.clip(-c[lo] / a[lo], 0.0, 1.0)
        s[hi] = np.clip((b[hi] - c[hi]) / a[hi], 0.0, 1.0)
    dx = ax0 + s * d1x
    dx -= bx0 + t * d2x
    dy = ay0 + s * d1y
    dy -= by0 + t * d2y
    dist = np.hypot(dx, dy)
    s2 = np.full_like(dist, np.nan)
    t2 = np.full_like(dist, np.nan)
    par = np.flatnonzero(parallel & a_ok & e_ok)
    if len(par):
        # projections of b's ends on a, as parameters of a
        u0 = -c[par] / a[par]
        u1 = (b[par] - c[par]) / a[par]
        lo_s = np.maximum(0.0, np.minimum(u0, u1))
        hi_s = np.minimum(1.0, np.maximum(u0, u1))
        ov = hi_s > lo_s
        k = par[ov]
        if len(k):
            lo_s, hi_s = lo_s[ov], hi_s[ov]
            s[k], s2[k] = lo_s, hi_s
            t[k] = project(ax0[k] + lo_s * d1x[k], ay0[k] + lo_s * d1y[k], bx0[k], by0[k], bx1[k], by1[k])
            t2[k] = project(ax0[k] + hi_s * d1x[k], ay0[k] + hi_s * d1y[k], bx0[k], by0[k], bx1[k], by1[k])
    return Closest(dist, s, t, s2, t2)


def project(px, py, x0, y0, x1, y1) -> np.ndarray:
    """Parameter (clipped to 0..1) of the point of a segment nearest to (px, py)."""
    dx, dy = x1 - x0, y1 - y0
    ll = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        u = ((px - x0) * dx + (py - y0) * dy) / np.where(ll > 0, ll, 1.0)
    return np.where(ll > 0, np.clip(u, 0.0, 1.0), 0.0)


@dataclass
class Crossing:
    """Where intersecting segments meet: parameters on both (two points for a collinear overlap)."""

    s: np.ndarray
    t: np.ndarray
    s2: np.ndarray      # NaN unless the segments overlap along a line
    t2: np.ndarray
    sin_angle: np.ndarray


def crossing(ax0, ay0, ax1, ay1, bx0, by0, bx1, by1) -> Crossing:
    """Crossing parameters of segment pairs known to intersect in plan."""
    d1x, d1y = ax1 - ax0, ay1 - ay0
    d2x, d2y = bx1 - bx0, by1 - by0
    rx, ry = bx0 - ax0, by0 - ay0
    return _crossing(ax0, ay0, bx0, by0, bx1, by1, d1x, d1y, d2x, d2y, rx, ry,
                     rx * d2y - ry * d2x, rx * d1y - ry * d1x)


def _crossing(ax0, ay0, bx0, by0, bx1, by1, d1x, d1y, d2x, d2y, rx, ry, sn, tn) -> Crossing:
    """Crossing parameters from the segments' direction vectors, b0 - a0, and the numerators of s and t."""
    cross = d1x * d2y - d1y * d2x
    la = np.hypot(d1x, d1y)
    lb = np.hypot(d2x, d2y)
    par = cross == 0
    den = np.where(par, 1.0, cross)
    s = np.clip(sn / den, 0.0, 1.0)
    t = np.clip(tn / den, 0.0, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sin_angle = np.abs(cross) / (la * lb)
    sin_angle[par] = 0.0
    s2 = np.full_like(s, np.nan)
    t2 = np.full_like(s, np.nan)
    k = np.flatnonzero(par)
    if len(k):
        # collinear: the shared stretch, as parameters of a (b's ends projected on a's line)
        ll = la[k] ** 2
        safe = np.where(ll > 0, ll, 1.0)
        u0 = (rx[k] * d1x[k] + ry[k] * d1y[k]) / safe
        u1 = ((bx1[k] - ax0[k]) * d1x[k] + (by1[k] - ay0[k]) * d1y[k]) / safe
        lo = np.where(ll > 0, np.clip(np.minimum(u0, u1), 0.0, 1.0), 0.0)
        hi = np.where(ll > 0, np.clip(np.maximum(u0, u1), 0.0, 1.0), 0.0)
        s[k] = lo
        s2[k] = np.where(hi > lo, hi, np.nan)
        t[k] = project(ax0[k] + lo * d1x[k], ay0[k] + lo * d1y[k], bx0[k], by0[k], bx1[k], by1[k])
        t2[k] = np.where(hi > lo, project(ax0[k] + hi * d1x[k], ay0[k] + hi * d1y[k],
                                          bx0[k], by0[k], bx1[k], by1[k]), np.nan)
    return Crossing(s, t, s2, t2, sin_angle)


def intersections(ax0, ay0, ax1, ay1, bx0, by0, bx1, by1) -> tuple[np.ndarray, Crossing]:
    """Which closed plan segments share a point (crossing, touching or overlapping), and where.

    Returns the hit mask and the :func:`crossing` parameters of the hits (in
    order); the orientation tests and the crossing share their products.
    """
    d1x, d1y = ax1 - ax0, ay1 - ay0
    d2x, d2y = bx1 - bx0, by1 - by0
    rx, ry = bx0 - ax0, by0 - ay0
    sn = rx * d2y - ry * d2x             # s numerator; its sign is b's side of a (o3 below)
    tn = rx * d1y - ry * d1x             # t numerator; minus the side of b0 relative to a (o1)
    o1 = -np.sign(tn)
    o2 = np.sign(d1x * (by1 - ay0) - d1y * (bx1 - ax0))
    o3 = np.sign(sn)
    o4 = np.sign(d2x * (ay1 - by0) - d2y * (ax1 - bx0))
    hit = (o1 * o2 < 0) & (o3 * o4 < 0)
    z = np.flatnonzero((o1 == 0) | (o2 == 0) | (o3 == 0) | (o4 == 0))
    if len(z):                        # an end on the other line: touching or collinear
        zx0, zy0, zx1, zy1, wx0, wy0, wx1, wy1 = (v[z] for v in (ax0, ay0, ax1, ay1, bx0, by0, bx1, by1))
        hit[z] |= (((o1[z] == 0) & _between(zx0, zx1, wx0) & _between(zy0, zy1, wy0))
                   | ((o2[z] == 0) & _between(zx0, zx1, wx1) & _between(zy0, zy1, wy1))
                   | ((o3[z] == 0) & _between(wx0, wx1, zx0) & _between(wy0, wy1, zy0))
                   | ((o4[z] == 0) & _between(wx0, wx1, zx1) & _between(wy0, wy1, zy1)))
    h = np.flatnonzero(hit)
    return hit, _crossing(ax0[h], ay0[h], bx0[h], by0[h], bx1[h], by1[h], d1x[h], d1y[h], d2x[h], d2y[h],
                          rx[h], ry[h], sn[h], tn[h])
