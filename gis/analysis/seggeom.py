"""Closed-form plan geometry of two-point segments, vectorised over pairs (numpy only).

Segments are given as arrays ``ax0, ay0, ax1, ay1`` and ``bx0 ...``.  A
degenerate segment (both ends equal) is a point.  Parameters ``s``, ``t`` run
from 0 at the first end to 1 at the second.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _between(p, q, r):
    """Whether r lies within the closed range of p and q."""
    return (np.minimum(p, q) <= r) & (r <= np.maximum(p, q))


def intersects(ax0, ay0, ax1, ay1, bx0, by0, bx1, by1) -> np.ndarray:
    """Whether the closed plan segments share a point (crossing, touching or overlapping)."""
    dax, day = ax1 - ax0, ay1 - ay0
    dbx, dby = bx1 - bx0, by1 - by0
    o1 = np.sign(dax * (by0 - ay0) - day * (bx0 - ax0))
    o2 = np.sign(dax * (by1 - ay0) - day * (bx1 - ax0))
    o3 = np.sign(dbx * (ay0 - by0) - dby * (ax0 - bx0))
    o4 = np.sign(dbx * (ay1 - by0) - dby * (ax1 - bx0))
    hit = (o1 * o2 < 0) & (o3 * o4 < 0)
    hit |= (o1 == 0) & _between(ax0, ax1, bx0) & _between(ay0, ay1, by0)
    hit |= (o2 == 0) & _between(ax0, ax1, bx1) & _between(ay0, ay1, by1)
    hit |= (o3 == 0) & _between(bx0, bx1, ax0) & _between(by0, by1, ay0)
    hit |= (o4 == 0) & _between(bx0, bx1, ax1) & _between(by0, by1, ay1)
    return hit


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
    cross = d1x * d2y - d1y * d2x
    parallel = cross == 0
    den = np.where(parallel, 1.0, a * e - b * b)
    a_ok, e_ok = a > 0, e > 0
    safe_a, safe_e = np.where(a_ok, a, 1.0), np.where(e_ok, e, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.where(parallel | (den == 0), 0.0, np.clip((b * f - c * e) / den, 0.0, 1.0))
        s = np.where(a_ok, s, 0.0)
        t = np.where(e_ok, (b * s + f) / safe_e, 0.0)
        lo, hi = t < 0, t > 1
        t = np.clip(t, 0.0, 1.0)
        s = np.where(lo & a_ok, np.clip(-c / safe_a, 0.0, 1.0), s)
        s = np.where(hi & a_ok, np.clip((b - c) / safe_a, 0.0, 1.0), s)
    dx = ax0 + s * d1x - (bx0 + t * d2x)
    dy = ay0 + s * d1y - (by0 + t * d2y)
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
    cross = d1x * d2y - d1y * d2x
    la = np.hypot(d1x, d1y)
    lb = np.hypot(d2x, d2y)
    par = cross == 0
    den = np.where(par, 1.0, cross)
    s = np.clip((rx * d2y - ry * d2x) / den, 0.0, 1.0)
    t = np.clip((rx * d1y - ry * d1x) / den, 0.0, 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        sin_angle = np.where(par, 0.0, np.abs(cross) / (la * lb))
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
