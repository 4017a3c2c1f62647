"""Simplified centre lines for the far level of detail (numpy only).

Straight pieces (a, b) that meet end to end in the same ``group`` (tile and
colour) are joined into chains: at every shared end point the two most
nearly collinear pieces continue each other (a third piece, a branch,
starts its own chain).  The chains are ordered by pointer jumping and
thinned with Douglas-Peucker, all chains at once, so that no original
vertex lies further than ``tolerance`` from the simplified line.  Each
simplified segment remembers the run of original pieces it stands for, so
a pick on it can be mapped back to the exact piece.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

QUANTUM_M = 0.001     # end points closer than this are the same node


@dataclass
class Simplified:
    """Simplified segments (a, b) over chains of the original pieces.

    ``order`` lists the original pieces chain by chain, in drawing order;
    segment ``k`` stands for pieces ``order[first[k]:first[k] + count[k]]``;
    ``group`` is the group of each segment.
    """

    a: np.ndarray
    b: np.ndarray
    group: np.ndarray
    order: np.ndarray
    first: np.ndarray
    count: np.ndarray


def _nodes(ends: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Node id of every end point and the ends sorted by node.

    Ends are the same node when their group matches and their coordinates
    agree to ``QUANTUM_M`` (coarser only for extents over ~30 km).
    """
    ends = ends.astype(np.float64)
    ends -= ends.min(axis=0)
    gid = group.astype(np.int64)
    bits = 62 - int(gid.max(initial=0)).bit_length()
    quantum = max(QUANTUM_M, float(ends[:, :2].max(initial=0.0)) / 2.0 ** (bits // 2 - 1))
    q = np.round(ends / quantum).astype(np.int64)
    key = (gid << bits) | (q[:, 0] << (bits // 2)) | q[:, 1]
    by_z = np.argsort(q[:, 2], kind="stable")
    s = by_z[np.argsort(key[by_z], kind="stable")]
    ks, zs = key[s], q[s, 2]
    new = np.ones(len(ends), dtype=bool)
    new[1:] = (ks[1:] != ks[:-1]) | (zs[1:] != zs[:-1])
    node = np.empty(len(ends), dtype=np.int64)
    node[s] = np.cumsum(new) - 1
    return node, s


def _partners(a: np.ndarray, b: np.ndarray, group: np.ndarray) -> np.ndarray:
    """The end continuing each end (ends: a-ends then b-ends; -1 at chain ends).

    Pieces stored one after the other along a run (b of one is a of the
    next, same group) continue each other; the ends left over are matched
    by node, the straightest pair at each node.
    """
    m = len(a)
    partner = np.full(2 * m, -1, dtype=np.int64)
    run = np.flatnonzero(np.all(b[:-1] == a[1:], axis=1) & (group[:-1] == group[1:]))
    partner[m + run], partner[run + 1] = run + 1, m + run
    rest = np.flatnonzero(partner < 0)
    if len(rest) < 2:
        return partner
    ends = np.concatenate([a, b])
    g2 = np.concatenate([group, group])
    node, s = _nodes(ends[rest], g2[rest])
    ns = node[s]
    degree = np.bincount(node)
    two = np.flatnonzero((ns[1:] == ns[:-1]) & (degree[ns[1:]] == 2))
    i, j = rest[s[two]], rest[s[two + 1]]
    ok = (i % m) != (j % m)
    partner[i[ok]], partner[j[ok]] = j[ok], i[ok]
    busy = degree[ns] > 2                      # branch nodes: pair the straightest two
    sb, nb = rest[s[busy]], ns[busy]
    if len(sb) == 0:
        return partner
    away = (np.concatenate([b - a, a - b])[sb]).astype(np.float64)
    away /= np.maximum(np.linalg.norm(away, axis=1, keepdims=True), 1e-12)
    e1, e2, straight = [], [], []
    for k in range(1, int(degree.max())):
        i = np.flatnonzero(nb[k:] == nb[:-k])
        j = i + k
        ok = (sb[i] % m) != (sb[j] % m)
        i, j = i[ok], j[ok]
        e1.append(i)
        e2.append(j)
        straight.append(-np.einsum("ij,ij->i", away[i], away[j]))
    e1, e2, straight = np.concatenate(e1), np.concatenate(e2), np.concatenate(straight)
    at = nb[e1]
    o = np.lexsort((-straight, at))
    best = np.ones(len(o), dtype=bool)
    best[1:] = at[o][1:] != at[o][:-1]
    e1, e2 = sb[e1[o][best]], sb[e2[o][best]]
    partner[e1], partner[e2] = e2, e1
    return partner


def _rank(succ: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pointer jumping: (tail reached, steps to it) per arc; arcs on rings keep moving.

    Stops once no arc converges any more: only rings are left then.
    """
    jump, dist = succ.copy(), (succ != np.arange(len(succ))).astype(np.int64)
    left = -1
    for _ in range(int(np.ceil(np.log2(len(succ) + 1))) + 1):
        dist += dist[jump]
        jump = jump[jump]
        n = np.count_nonzero(succ[jump] != jump)
        if n == 0 or n == left:
            break
        left = n
    return jump, dist


def _chain_order(m: int, partner: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Directed pieces (arc 2i: a->b, 2i+1: b->a) ordered chain by chain, and each one's chain key."""
    arcs = np.arange(2 * m)
    piece = arcs // 2
    leave = np.where(arcs % 2 == 0, m + piece, piece)       # the end an arc leaves by
    f = partner[leave]
    succ = np.where(f < 0, arcs, np.where(f < m, 2 * (f % m), 2 * (f % m) + 1))
    tail, dist = _rank(succ)
    ring = np.flatnonzero(succ[tail] != tail)
    if len(ring):     # closed rings: cut each at its lowest piece, rank them alone
        local = np.full(2 * m, -1)
        local[ring] = np.arange(len(ring))
        nxt, low, step = local[succ[ring]], piece[ring], local[succ[ring]]
        for _ in range(int(np.ceil(np.log2(len(ring) + 1))) + 1):
            low = np.minimum(low, low[step])
            step = step[step]
        nxt = np.where(piece[ring] == low, np.arange(len(ring)), nxt)
        t, d = _rank(nxt)
        tail[ring], dist[ring] = ring[t], d
    forward = tail[0::2] < tail[1::2]
    kept = np.where(forward, 2 * np.arange(m), 2 * np.arange(m) + 1)
    o = np.argsort(tail[kept] * (int(dist.max(initial=0)) + 1) - dist[kept])
    return kept[o], tail[kept][o]


def _douglas_peucker(v: np.ndarray, starts: np.ndarray, ends: np.ndarray, tolerance: float) -> np.ndarray:
    """Keep-mask of the vertices of polylines v[starts[c]..ends[c]] thinned to ``tolerance``."""
    keep = np.zeros(len(v), dtype=bool)
    keep[starts] = keep[ends] = True
    i, j = starts, ends
    while True:
        live = j - i >= 2
        i, j = i[live], j[live]
        if len(i) == 0:
            return keep
        inner = j - i - 1
        offsets = np.zeros(len(i), dtype=np.int64)
        np.cumsum(inner[:-1], out=offsets[1:])
        owner = np.repeat(np.arange(len(i)), inner)
        k = np.arange(len(owner)) + np.repeat(i + 1 - offsets, inner)
        p, d = v[i][owner], (v[j] - v[i])[owner]
        length2 = np.einsum("ij,ij->i", d, d)
        t = np.clip(np.einsum("ij,ij->i", v[k] - p, d) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
        dev = np.linalg.norm(p + t[:, None] * d - v[k], axis=1)
        worst = np.maximum.reduceat(dev, offsets)
        split = worst > tolerance
        at = np.flatnonzero((dev == worst[owner]) & split[owner])
        which, first = np.unique(owner[at], return_index=True)
        cut = k[at[first]]
        keep[cut] = True
        i, j = np.concatenate([i[which], cut]), np.concatenate([cut, j[which]])


def simplify(a: np.ndarray, b: np.ndarray, group: np.ndarray, tolerance: float,
             z_weight: float = 1.0, min_extent: float = 0.0) -> Simplified:
    """Join pieces into chains per group and thin them to ``tolerance``.

    ``group`` holds small non-negative integers (e.g. tile * colours + colour).

    Distances count vertical offsets ``z_weight`` times (so that exaggerated
    views stay within tolerance); chains whose bounding box diagonal is under
    ``min_extent`` are left out (too small to see at the distance the
    result is drawn at).
    """
    m = len(a)
    if m == 0:
        empty = np.zeros((0, 3), np.float32)
        none = np.zeros(0, np.int64)
        return Simplified(empty, empty, none, none, none, none)
    arcs, chain = _chain_order(m, _partners(a, b, group))
    piece = arcs // 2
    fwd = (arcs % 2 == 0)[:, None]
    start = np.where(fwd, a[piece], b[piece]).astype(np.float64)
    end = np.where(fwd, b[piece], a[piece]).astype(np.float64)
    last = np.flatnonzero(np.append(chain[1:] != chain[:-1], True))   # last arc of each chain
    n = len(last)
    shift = np.searchsorted(last, np.arange(m))                       # chains ended before each arc
    v = np.empty((m + n, 3))
    v[np.arange(m) + shift] = start
    v[last + np.arange(n) + 1] = end[last]
    starts = np.concatenate([[0], last[:-1] + 1]) + np.arange(n)
    ends = last + np.arange(n) + 1
    scaled = v * np.array([1.0, 1.0, z_weight])
    keep = _douglas_peucker(scaled, starts, ends, tolerance)
    chain_of_vertex = np.repeat(np.arange(n), ends - starts + 1)
    if min_extent > 0:
        lo = np.minimum.reduceat(v, starts)
        hi = np.maximum.reduceat(v, starts)
        keep &= (np.linalg.norm(hi - lo, axis=1) >= min_extent)[chain_of_vertex]
    kept = np.flatnonzero(keep)
    same = chain_of_vertex[kept[1:]] == chain_of_vertex[kept[:-1]]
    va, vb = kept[:-1][same], kept[1:][same]
    # vertex index -> arc position: vertex p of chain c is arc p - c (its start point)
    first = va - chain_of_vertex[va]
    count = vb - va
    return Simplified(v[va].astype(np.float32), v[vb].astype(np.float32), group[piece[first]],
                      piece.astype(np.int64), first, count)
