"""Brute-force reference of the clearance audit (RULES.md), for tests only.

All feature pairs (a numpy bounding-box prefilter, no spatial index), shapely
for distance, intersection and nearest points, scipy Dijkstra along runs for
the crossing-proximity rule, plain Python loops.  Feature attributes (profile,
outside size, band, runs) come from gis.analysis.features; everything about
pairs is computed here independently of the engine.
"""
from __future__ import annotations

import math

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra

from gis.analysis.findings import EPS
from gis.analysis.rules import RuleTable

SIN_MIN = math.sin(math.radians(10))


def _points(geom) -> list:
    if geom.is_empty:
        return []
    if geom.geom_type == "Point":
        return [geom]
    if geom.geom_type == "LineString":
        c = list(geom.coords)
        return [shapely.Point(c[0]), shapely.Point(c[-1])]
    out = []
    for part in geom.geoms:
        out += _points(part)
    return out


def reference(fs, table: RuleTable) -> tuple[dict, dict]:
    """({(kind, a_id, b_id): (required, actual, uncertain)}, counts) by brute force."""
    H, HR = table.pair_matrix("horizontal", fs.profiles)
    V, _ = table.pair_matrix("vertical", fs.profiles)
    finite = H[np.isfinite(H)]
    rmax = float(finite.max()) if len(finite) else 0.0
    n = len(fs)
    ids = fs.ids.to_numpy(dtype=object)
    pieces_of = [[] for _ in range(n)]
    for k, f in enumerate(fs.feat):
        pieces_of[f].append(k)
    lines = [shapely.LineString([(fs.x0[k], fs.y0[k]), (fs.x1[k], fs.y1[k])]) if (fs.x0[k], fs.y0[k]) != (fs.x1[k], fs.y1[k])
             else shapely.Point(fs.x0[k], fs.y0[k]) for k in range(fs.n_pieces)]
    length = np.hypot(fs.x1 - fs.x0, fs.y1 - fs.y0)
    fx0 = np.array([min(min(fs.x0[k], fs.x1[k]) for k in pieces_of[f]) for f in range(n)])
    fx1 = np.array([max(max(fs.x0[k], fs.x1[k]) for k in pieces_of[f]) for f in range(n)])
    fy0 = np.array([min(min(fs.y0[k], fs.y1[k]) for k in pieces_of[f]) for f in range(n)])
    fy1 = np.array([max(max(fs.y0[k], fs.y1[k]) for k in pieces_of[f]) for f in range(n)])
    reach = rmax + 2 * fs.band.max() + fs.width.max() + 1.0
    out: dict = {}
    counts = {"no_rule_pairs": 0, "no_vertical_data": 0}
    crossings = []     # (piece s, piece t, us, ut, sin)
    horizontal = []    # candidate horizontal findings before coverage
    for a in range(n):
        gap = np.maximum(np.maximum(fx0[a + 1:] - fx1[a], fx0[a] - fx1[a + 1:]),
                         np.maximum(fy0[a + 1:] - fy1[a], fy0[a] - fy1[a + 1:]))
        for b in (np.flatnonzero(gap <= reach) + a + 1).tolist():
            if fs.run[a] == fs.run[b]:
                continue
            ea, eb = set(fs.ends[a][fs.ends[a] >= 0]), set(fs.ends[b][fs.ends[b] >= 0])
            if ea & eb:
                continue
            pa, pb = fs.profile[a], fs.profile[b]
            inter = [(s, t) for s in pieces_of[a] for t in pieces_of[b]
                     if lines[s].geom_type == "LineString" and lines[t].geom_type == "LineString"
                     and lines[s].intersects(lines[t])]
            band = fs.band[a] + fs.band[b]
            if inter:
                best = math.nan
                for s, t in inter:
                    d1 = (fs.x1[s] - fs.x0[s], fs.y1[s] - fs.y0[s])
                    d2 = (fs.x1[t] - fs.x0[t], fs.y1[t] - fs.y0[t])
                    sin = abs(d1[0] * d2[1] - d1[1] * d2[0]) / (length[s] * length[t])
                    pts = _points(lines[s].intersection(lines[t]))
                    for q, pt in enumerate(pts):
                        us = lines[s].project(pt, normalized=True)
                        ut = lines[t].project(pt, normalized=True)
                        if q == 0:
                            crossings.append((s, t, us, ut, sin))
                        za = fs.z0[s] + us * (fs.z1[s] - fs.z0[s])
                        zb = fs.z0[t] + ut * (fs.z1[t] - fs.z0[t])
                        clear = abs(za - zb) - (fs.height[a] + fs.height[b]) / 2
                        best = clear if math.isnan(best) else min(best, clear)
                req = V[pa, pb]
                if math.isnan(req):
                    counts["no_rule_pairs"] += 1
                elif math.isnan(best):
                    counts["no_vertical_data"] += 1
                elif best < req - EPS or abs(best - req) <= band + EPS:
                    out[("vertical",) + tuple(sorted((ids[a], ids[b])))] = (req, best, abs(best - req) <= band + EPS)
                continue
            best = None
            for s in pieces_of[a]:
                for t in pieces_of[b]:
                    d = lines[s].distance(lines[t])
                    if best is None or d < best[0]:
                        best = (d, s, t)
            d, s, t = best
            clear = d - (fs.width[a] + fs.width[b]) / 2
            req = H[pa, pb]
            if math.isnan(req):
                if clear <= rmax + EPS:
                    counts["no_rule_pairs"] += 1
                continue
            if not (clear < req - EPS or abs(clear - req) <= band + EPS):
                continue
            ends = _closest_ends(fs, lines, s, t)
            horizontal.append((a, b, s, t, ends, req, clear, abs(clear - req) <= band + EPS))
    graph = _run_graph(fs, length)
    by_runs: dict = {}
    for x in crossings:
        by_runs.setdefault(frozenset((fs.run[fs.feat[x[0]]], fs.run[fs.feat[x[1]]])), []).append(x)
    for a, b, s, t, ends, req, clear, unc in horizontal:
        lnum = req + (fs.width[a] + fs.width[b]) / 2
        if not _covered(fs, graph, length, by_runs, s, t, ends, lnum):
            out[("horizontal",) + tuple(sorted((ids[a], ids[b])))] = (req, clear, unc)
    return out, counts


def _closest_ends(fs, lines, s, t) -> list[tuple[float, float]]:
    """Parameters (us, ut) of the closest approach; both ends of it for an exactly parallel overlap."""
    d1 = (fs.x1[s] - fs.x0[s], fs.y1[s] - fs.y0[s])
    d2 = (fs.x1[t] - fs.x0[t], fs.y1[t] - fs.y0[t])
    ls, lt = lines[s], lines[t]
    if ls.geom_type == "LineString" and lt.geom_type == "LineString" and d1[0] * d2[1] - d1[1] * d2[0] == 0:
        aa = d1[0] ** 2 + d1[1] ** 2
        u = [((fs.x0[t] - fs.x0[s]) * d1[0] + (fs.y0[t] - fs.y0[s]) * d1[1]) / aa,
             ((fs.x1[t] - fs.x0[s]) * d1[0] + (fs.y1[t] - fs.y0[s]) * d1[1]) / aa]
        lo, hi = max(0.0, min(u)), min(1.0, max(u))
        if hi > lo:
            out = []
            for v in (lo, hi):
                pt = ls.interpolate(v, normalized=True)
                out.append((v, lt.project(pt, normalized=True)))
            return out
    p, q = shapely.get_coordinates(shapely.shortest_line(ls, lt))
    us = ls.project(shapely.Point(p), normalized=True) if ls.geom_type == "LineString" else 0.0
    ut = lt.project(shapely.Point(q), normalized=True) if lt.geom_type == "LineString" else 0.0
    return [(us, ut)]


def _run_graph(fs, length):
    n = fs.n_nodes
    w = np.maximum(length, 1e-12)   # csgraph drops explicit zeros
    return coo_matrix((np.concatenate([w, w]), (np.concatenate([fs.n0, fs.n1]), np.concatenate([fs.n1, fs.n0]))),
                      shape=(n, n)).tocsr()


def _along(fs, graph, length, x_piece, x_u, piece, u, limit) -> float:
    """Shortest along-line distance from parameter x_u of x_piece to parameter u of piece."""
    best = abs(u - x_u) * length[piece] if piece == x_piece else math.inf
    src = [fs.n0[x_piece], fs.n1[x_piece]]
    off = [x_u * length[x_piece], (1 - x_u) * length[x_piece]]
    dist = dijkstra(graph, indices=src, limit=limit + 1.0)
    for k in range(2):
        best = min(best, off[k] + dist[k, fs.n0[piece]] + u * length[piece],
                   off[k] + dist[k, fs.n1[piece]] + (1 - u) * length[piece])
    return best


def _covered(fs, graph, length, by_runs, s, t, ends, lnum) -> bool:
    key = frozenset((fs.run[fs.feat[s]], fs.run[fs.feat[t]]))
    for xs, xt, us, ut, sin in by_runs.get(key, ()):
        if fs.run[fs.feat[xs]] != fs.run[fs.feat[s]]:
            xs, xt, us, ut = xt, xs, ut, us
        lim = lnum / max(sin, SIN_MIN) + 1e-9
        # along a line is never shorter than straight: skip crossings farther than lim
        px, py = fs.x0[xs] + us * (fs.x1[xs] - fs.x0[xs]), fs.y0[xs] + us * (fs.y1[xs] - fs.y0[xs])
        ua = ends[0][0]
        qx, qy = fs.x0[s] + ua * (fs.x1[s] - fs.x0[s]), fs.y0[s] + ua * (fs.y1[s] - fs.y0[s])
        if math.hypot(px - qx, py - qy) > lim + 1e-6:
            continue
        if all(_along(fs, graph, length, xs, us, s, ua, lim) <= lim
               and _along(fs, graph, length, xt, ut, t, ub, lim) <= lim for ua, ub in ends):
            return True
    return False
