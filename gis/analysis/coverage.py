"""Proximity that comes from a crossing (RULES.md): which horizontal hits the vertical check covers.

For two runs that cross in plan at X, a segment pair whose closest approach
lies within L of X along both lines is judged by the vertical check at X;
L = (required + w1/2 + w2/2) / sin(theta), theta the crossing angle, at least
10 degrees.  Distances along a run follow its pieces through shared nodes
(shortest path), computed for all crossings at once by a bounded frontier
expansion.  A closest approach that is a whole stretch (exactly parallel
overlap) is covered when both its ends are, by the same crossing.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SIN_MIN = float(np.sin(np.radians(10.0)))
_TOL = 1e-9


@dataclass
class PieceGraph:
    """Pieces as edges between nodes, with plan lengths and runs."""

    n0: np.ndarray
    n1: np.ndarray
    length: np.ndarray
    run: np.ndarray
    n_nodes: int

    def __post_init__(self):
        nodes = np.concatenate([self.n0, self.n1])
        pieces = np.concatenate([np.arange(len(self.n0))] * 2)
        order = np.argsort(nodes, kind="stable")
        self.inc_piece = pieces[order]
        self.inc_ptr = np.concatenate([[0], np.cumsum(np.bincount(nodes, minlength=self.n_nodes))])


def _expand(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row index, CSR position) for every CSR entry of the given rows."""
    cnt = ptr[rows + 1] - ptr[rows]
    rep = np.repeat(np.arange(len(rows)), cnt)
    pos = np.repeat(ptr[rows], cnt) + np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    return rep, pos


def _node_distances(g: PieceGraph, xs, xt, us, ut, cap) -> tuple[np.ndarray, np.ndarray]:
    """Sorted keys (crossing * n_nodes + node) and along-line distances from each crossing, up to its cap."""
    nx = len(xs)
    xid = np.arange(nx)
    ls, lt = g.length[xs], g.length[xt]
    x = np.concatenate([xid, xid, xid, xid])
    node = np.concatenate([g.n0[xs], g.n1[xs], g.n0[xt], g.n1[xt]])
    dist = np.concatenate([us * ls, (1 - us) * ls, ut * lt, (1 - ut) * lt])
    ok = dist <= cap[x] + _TOL
    x, node, dist = x[ok], node[ok], dist[ok]
    nn = np.int64(g.n_nodes)
    best_key = np.zeros(0, dtype=np.int64)
    best_d = np.zeros(0)
    while len(x):
        key = x.astype(np.int64) * nn + node
        all_key = np.concatenate([best_key, key])
        all_d = np.concatenate([best_d, dist])
        is_new = np.concatenate([np.zeros(len(best_key), bool), np.ones(len(key), bool)])
        order = np.lexsort((~is_new, all_d, all_key))   # per key: smallest distance, old before new
        all_key, all_d, is_new = all_key[order], all_d[order], is_new[order]
        first = np.concatenate([[True], all_key[1:] != all_key[:-1]])
        best_key, best_d = all_key[first], all_d[first]
        improved = first & is_new
        fx = (all_key[improved] // nn)
        fnode = all_key[improved] - fx * nn
        fd = all_d[improved]
        rep, pos = _expand(g.inc_ptr, fnode)
        piece = g.inc_piece[pos]
        other = g.n0[piece] + g.n1[piece] - fnode[rep]
        nd = fd[rep] + g.length[piece]
        x_new = fx[rep]
        ok = nd <= cap[x_new] + _TOL
        x, node, dist = x_new[ok], other[ok], nd[ok]
    return best_key, best_d


def _along(g: PieceGraph, keys, dists, piece, u, x, xs, xt, us, ut) -> np.ndarray:
    """Along-line distance from crossing x to the point at parameter u of piece (inf if beyond the cap)."""
    nn = np.int64(g.n_nodes)
    length = g.length[piece]

    def lookup(node):
        if not len(keys):
            return np.full(len(node), np.inf)
        k = x.astype(np.int64) * nn + node
        pos = np.minimum(np.searchsorted(keys, k), len(keys) - 1)
        return np.where(keys[pos] == k, dists[pos], np.inf)

    d = np.minimum(lookup(g.n0[piece]) + u * length, lookup(g.n1[piece]) + (1 - u) * length)
    d = np.where(piece == xs[x], np.minimum(d, np.abs(u - us[x]) * length), d)
    return np.where(piece == xt[x], np.minimum(d, np.abs(u - ut[x]) * length), d)


def covered(g: PieceGraph, xs, xt, us, ut, sin_angle, pa, pb, ua, ub, ua2, ub2, lnum) -> np.ndarray:
    """Which flagged horizontal pairs (pieces pa, pb at ua, ub; ua2, ub2 for a stretch) a crossing covers.

    Crossings: pieces xs, xt meeting at parameters us, ut with the given sin(angle).
    ``lnum`` = required + w1/2 + w2/2 of each flagged pair.
    """
    out = np.zeros(len(pa), dtype=bool)
    if not len(pa) or not len(xs):
        return out
    nr = np.int64(g.run.max() + 1)

    def run_key(p, q):
        a, b = g.run[p], g.run[q]
        return np.minimum(a, b) * nr + np.maximum(a, b)

    xkey, fkey = run_key(xs, xt), run_key(pa, pb)
    xk = np.flatnonzero(np.isin(xkey, fkey))
    fk = np.flatnonzero(np.isin(fkey, xkey))
    if not len(xk) or not len(fk):
        return out
    xs, xt, us, ut, xkey = xs[xk], xt[xk], us[xk], ut[xk], xkey[xk]
    sin_eff = np.maximum(sin_angle[xk], SIN_MIN)
    cap = lnum[fk].max() / sin_eff
    keys, dists = _node_distances(g, xs, xt, us, ut, cap)
    # crossings that reach each piece: through a reached node, or the crossing's own pieces
    nn = np.int64(g.n_nodes)
    kx = keys // nn
    rep, pos = _expand(g.inc_ptr, keys - kx * nn)
    reach_piece = np.concatenate([g.inc_piece[pos], xs, xt])
    reach_x = np.concatenate([kx[rep], np.arange(len(xs)), np.arange(len(xs))])
    order = np.argsort(reach_piece, kind="stable")
    reach_piece, reach_x = reach_piece[order], reach_x[order]
    ptr = np.concatenate([[0], np.cumsum(np.bincount(reach_piece, minlength=len(g.n0)))])
    a = pa[fk]
    rep, pos = _expand(ptr, a)
    f = fk[rep]
    x = reach_x[pos]
    same = np.flatnonzero(xkey[x] == fkey[f])     # only crossings of the pair's own two runs
    f, x = f[same], x[same]
    lim = lnum[f] / sin_eff[x] + _TOL
    ok = ((_along(g, keys, dists, pa[f], ua[f], x, xs, xt, us, ut) <= lim)
          & (_along(g, keys, dists, pb[f], ub[f], x, xs, xt, us, ut) <= lim))
    stretch = ~np.isnan(ua2[f])
    if stretch.any():
        k = np.flatnonzero(stretch & ok)
        ok[k] = ((_along(g, keys, dists, pa[f[k]], ua2[f[k]], x[k], xs, xt, us, ut) <= lim[k])
                 & (_along(g, keys, dists, pb[f[k]], ub2[f[k]], x[k], xs, xt, us, ut) <= lim[k]))
    out[f[ok]] = True
    return out
