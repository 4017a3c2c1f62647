"""Proximity that comes from a crossing (RULES.md): which horizontal hits the vertical check covers.

For two runs that cross in plan at X, a segment pair whose closest approach
lies within L of X along both lines is judged by the vertical check at X;
L = (required + w1/2 + w2/2) / sin(theta), theta the crossing angle, at least
10 degrees.  Distances along a run follow its pieces through shared nodes
(shortest path).  A closest approach that is a whole stretch (exactly
parallel overlap) is covered when both its ends are, by the same crossing.

Only a crossing whose reach L passes an end of one of its two pieces can
cover a pair other than itself, so the search starts from those ends alone:
a bounded frontier expansion gives the along-line distance from each such
crossing to the nodes within its reach, the pieces at those nodes (and the
crossing's own two) are paired side against side, and the pairs are matched
with the flagged horizontal pairs.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

SIN_MIN = float(np.sin(np.radians(10.0)))
TOL = 1e-9


@dataclass
class PieceGraph:
    """Pieces as edges between nodes, with plan lengths and runs."""

    n0: np.ndarray
    n1: np.ndarray
    length: np.ndarray
    run: np.ndarray
    n_nodes: int

    @cached_property
    def incidence(self) -> tuple[np.ndarray, np.ndarray]:
        """(pointer per node, pieces) of the node -> pieces incidence in CSR form."""
        nodes = np.concatenate([self.n0, self.n1])
        order = np.argsort(nodes, kind="stable")
        pieces = (order % len(self.n0)).astype(np.int64) if len(self.n0) else order
        ptr = np.concatenate([[0], np.cumsum(np.bincount(nodes, minlength=self.n_nodes))])
        return ptr, pieces


def _expand(ptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(row index, CSR position) for every CSR entry of the given rows."""
    cnt = ptr[rows + 1] - ptr[rows]
    rep = np.repeat(np.arange(len(rows)), cnt)
    pos = np.repeat(ptr[rows], cnt) + np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    return rep, pos


def _node_distances(g: PieceGraph, x, node, dist, cap) -> tuple[np.ndarray, np.ndarray]:
    """Sorted keys (crossing * n_nodes + node) and along-line distances from each crossing, up to its cap.

    A bounded frontier expansion from the given (crossing, node, distance) seeds:
    each round keeps the candidates that improve on the best known distance of
    their key and expands them along their pieces.
    """
    ptr, inc_piece = g.incidence
    nn = np.int64(g.n_nodes)
    best_key = np.zeros(0, dtype=np.int64)
    best_d = np.zeros(0)
    key = x.astype(np.int64) * nn + node
    while len(key):
        order = np.lexsort((dist, key))
        key, dist = key[order], dist[order]
        first = np.concatenate([[True], key[1:] != key[:-1]])
        key, dist = key[first], dist[first]
        pos = np.searchsorted(best_key, key)
        at = np.minimum(pos, len(best_key) - 1)
        known = (best_key[at] == key) if len(best_key) else np.zeros(len(key), dtype=bool)
        better = ~known | (dist < best_d[at] if len(best_key) else True)
        key, dist, pos, at, known = key[better], dist[better], pos[better], at[better], known[better]
        best_d[at[known]] = dist[known]
        best_key = np.insert(best_key, pos[~known], key[~known])
        best_d = np.insert(best_d, pos[~known], dist[~known])
        fx = key // nn
        fnode = key - fx * nn
        rep, where = _expand(ptr, fnode)
        piece = inc_piece[where]
        other = g.n0[piece] + g.n1[piece] - fnode[rep]
        nd = dist[rep] + g.length[piece]
        x_new = fx[rep]
        ok = nd <= cap[x_new] + TOL
        key, dist = x_new[ok] * nn + other[ok], nd[ok]
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


def _run_key(g: PieceGraph, p: np.ndarray, q: np.ndarray) -> np.ndarray:
    nr = np.int64(g.run.max() + 1)
    a, b = g.run[p].astype(np.int64), g.run[q].astype(np.int64)
    return np.minimum(a, b) * nr + np.maximum(a, b)


def _side_pairs(x: np.ndarray, piece: np.ndarray, side_a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For reached (crossing, piece) entries: every (crossing, piece on side a, piece on side b)."""
    order = np.lexsort((~side_a, x))
    x, piece, side_a = x[order], piece[order], side_a[order]
    brk = np.flatnonzero(np.diff(x)) + 1
    start = np.concatenate([[0], brk])
    end = np.concatenate([brk, [len(x)]])
    n_a = np.add.reduceat(side_a.astype(np.int64), start) if len(x) else np.zeros(0, np.int64)
    n_b = (end - start) - n_a
    combos = n_a * n_b
    rep = np.repeat(np.arange(len(start)), combos)
    local = np.arange(combos.sum()) - np.repeat(np.cumsum(combos) - combos, combos)
    a_pos = start[rep] + local // n_b[rep]
    b_pos = start[rep] + n_a[rep] + local % n_b[rep]
    return x[a_pos], piece[a_pos], piece[b_pos]


def covered(g: PieceGraph, xs, xt, us, ut, sin_angle, pa, pb, ua, ub, ua2, ub2, lnum) -> np.ndarray:
    """Which flagged horizontal pairs (pieces pa, pb at ua, ub; ua2, ub2 for a stretch) a crossing covers.

    Crossings: pieces xs, xt meeting at parameters us, ut with the given sin(angle).
    ``lnum`` = required + w1/2 + w2/2 of each flagged pair.
    """
    out = np.zeros(len(pa), dtype=bool)
    if not len(pa) or not len(xs):
        return out
    # only a crossing whose reach passes an end of one of its pieces can cover another pair
    sin_eff = np.maximum(sin_angle, SIN_MIN)
    cap = lnum.max() / sin_eff
    ls, lt = g.length[xs], g.length[xt]
    seed_d = np.stack([us * ls, (1 - us) * ls, ut * lt, (1 - ut) * lt])
    xk = np.flatnonzero((seed_d <= cap + TOL).any(axis=0))
    # its reach: the largest lnum among flagged pairs of the same two runs, over sin(angle)
    # one factorize of both run keys: the flagged pairs' come first, so a crossing's code below their
    # number of distinct keys is the slot of its run pair, at or above it a run pair flagging nothing
    codes, runs = pd.factorize(np.concatenate([_run_key(g, pa, pb), _run_key(g, xs[xk], xt[xk])]))
    codes, slot = codes[:len(pa)], codes[len(pa):]
    n_flagged = int(codes.max()) + 1
    umax = np.full(n_flagged, -np.inf)
    np.maximum.at(umax, codes, lnum)
    hit = slot < n_flagged
    xk, slot = xk[hit], slot[hit]
    sin_eff = sin_eff[xk]
    cap = umax[slot] / sin_eff
    xs, xt, us, ut, seed_d = xs[xk], xt[xk], us[xk], ut[xk], seed_d[:, xk]
    # seeds: the ends of the crossing's two pieces within its reach
    seed_x = np.tile(np.arange(len(xk)), 4)
    seed_node = np.concatenate([g.n0[xs], g.n1[xs], g.n0[xt], g.n1[xt]])
    seed_d = seed_d.ravel()
    ok = seed_d <= cap[seed_x] + TOL
    if not ok.any():
        return out
    keys, dists = _node_distances(g, seed_x[ok], seed_node[ok], seed_d[ok], cap)
    # pieces each crossing reaches: those at a reached node, and its own two (only crossings with seeds)
    ptr, inc_piece = g.incidence
    nn = np.int64(g.n_nodes)
    kx = keys // nn
    rep, pos = _expand(ptr, keys - kx * nn)
    active = kx[np.concatenate([[True], kx[1:] != kx[:-1]])]       # keys are sorted
    reach_x = np.concatenate([kx[rep], active, active])
    reach_piece = np.concatenate([inc_piece[pos], xs[active], xt[active]])
    # de-duplicate (crossing, piece); side a = the run of the crossing's first piece
    rk = np.sort(reach_x.astype(np.int64) * np.int64(len(g.n0)) + reach_piece)
    rk = rk[np.concatenate([[True], rk[1:] != rk[:-1]])]
    reach_x, reach_piece = rk // len(g.n0), rk % len(g.n0)
    side_a = g.run[reach_piece] == g.run[xs[reach_x]]
    cx, cpa, cpb = _side_pairs(reach_x, reach_piece, side_a)
    # match (piece on side a, piece on side b) with the flagged pairs whose pieces are both reached
    m = np.int64(len(g.n0))
    reached = np.zeros(len(g.n0), dtype=bool)
    reached[reach_piece] = True
    cand = np.flatnonzero(reached[pa] & reached[pb])
    pkey = np.minimum(pa[cand], pb[cand]).astype(np.int64) * m + np.maximum(pa[cand], pb[cand])
    po = np.argsort(pkey, kind="stable")
    pk_sorted = pkey[po]
    ckey = np.minimum(cpa, cpb).astype(np.int64) * m + np.maximum(cpa, cpb)
    lo = np.searchsorted(pk_sorted, ckey, side="left")
    cnt = np.searchsorted(pk_sorted, ckey, side="right") - lo
    which = np.repeat(np.arange(len(ckey)), cnt)
    f = cand[po[np.repeat(lo, cnt) + np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)]]
    x = cx[which]
    lim = lnum[f] / sin_eff[x] + TOL
    ok = ((_along(g, keys, dists, pa[f], ua[f], x, xs, xt, us, ut) <= lim)
          & (_along(g, keys, dists, pb[f], ub[f], x, xs, xt, us, ut) <= lim))
    stretch = ~np.isnan(ua2[f])
    if stretch.any():
        k = np.flatnonzero(stretch & ok)
        ok[k] = ((_along(g, keys, dists, pa[f[k]], ua2[f[k]], x[k], xs, xt, us, ut) <= lim[k])
                 & (_along(g, keys, dists, pb[f[k]], ub2[f[k]], x[k], xs, xt, us, ut) <= lim[k]))
    out[f[ok]] = True
    return out
