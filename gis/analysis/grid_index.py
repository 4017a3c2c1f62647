"""A uniform-grid spatial index over boxes, built with one integer sort (numpy only).

Every box is registered in each grid cell it overlaps.  Within a cell, entries
run along the axis in which the cell's boxes are thinner (the sweep axis): one
sort of packed 64-bit keys (cell | sweep start rounded down to a quantum |
entry number) orders them, so cells are contiguous runs of the entry arrays.

Pair enumeration is a sweep by offset: entry ``i`` and entry ``i + d`` of one
cell are candidates while ``i + d`` starts (rounded down) before ``i`` ends.
Offsets 1, 2, ... test whole slices at once; once few entries still have
partners, all their remaining partners (up to the last entry starting before
they end) are listed in one go.  A pair is reported in the cell holding the lower-left
corner of the two boxes' intersection, so it comes out exactly once; the
other axis is tested exactly.  Pairs nearer than one quantum along the sweep
axis without touching may come out as well (callers test exactly anyway).
Optional per-box labels skip pairs of one label, and an optional mask keeps
only pairs with at least one masked box.

:meth:`GridIndex.batches` cuts the entries into ranges of whole cells;
:meth:`GridIndex.local_pairs` answers one range with *local* entry positions,
so a caller gathers its per-box attributes once per entry of the range and
then works on arrays that stay in the CPU cache.  :meth:`GridIndex.query`
answers box queries.
"""
from __future__ import annotations

import numpy as np

_DENSE_LIMIT = 50_000_000      # most cells for the dense per-cell tally
_SLICE_SHARE = 4               # test whole slices while more than 1/_SLICE_SHARE of the entries have partners


def _bits(n: int) -> int:
    """Bits needed for the numbers 0 .. n - 1."""
    return max(int(n - 1).bit_length(), 1)


class GridIndex:
    """Boxes (xmin, ymin, xmax, ymax) in a uniform grid of square cells."""

    def __init__(self, xmin, ymin, xmax, ymax, cell: float | None = None, label=None, mask=None):
        self.xmin = np.ascontiguousarray(xmin, dtype=float)
        self.ymin = np.ascontiguousarray(ymin, dtype=float)
        self.xmax = np.ascontiguousarray(xmax, dtype=float)
        self.ymax = np.ascontiguousarray(ymax, dtype=float)
        n = len(self.xmin)
        self.cell = float(cell if cell is not None else default_cell(self.xmax - self.xmin, self.ymax - self.ymin))
        self.gx = float(self.xmin.min()) if n else 0.0
        self.gy = float(self.ymin.min()) if n else 0.0
        cx0, cy0 = self._cells(self.xmin, self.ymin)
        cx1, cy1 = self._cells(self.xmax, self.ymax)
        self.ny = int(cy1.max()) + 2 if n else 1
        nx = int(cx1.max()) + 2 if n else 1
        wx = cx1 - cx0 + 1
        counts = wx * (cy1 - cy0 + 1)
        total = int(counts.sum())
        if total == n:                                # every box in one cell
            item = np.arange(n, dtype=np.int64)
            cx, cy = cx0.astype(np.int64), cy0.astype(np.int64)
        else:
            item = np.repeat(np.arange(n, dtype=np.int64), counts)
            pos = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
            wxr = wx[item]
            row = pos // wxr
            cx, cy = cx0[item] + (pos - row * wxr), cy0[item] + row
            del pos, wxr, row
        keys = cx * self.ny + cy
        bx0, by0, bx1, by1 = self.xmin[item], self.ymin[item], self.xmax[item], self.ymax[item]
        bw, bh = bx1 - bx0, by1 - by0
        # per-cell sweep axis: along y when the cell's boxes are thinner in y
        ncell = nx * self.ny
        if ncell <= _DENSE_LIMIT:
            axis_y = (np.bincount(keys, bh, ncell) < np.bincount(keys, bw, ncell))[keys]
        else:
            _, rank = np.unique(keys, return_inverse=True)
            axis_y = (np.bincount(rank, bh) < np.bincount(rank, bw))[rank]
        ext = float(max(bw.max(initial=0), bh.max(initial=0)))
        del bw, bh
        # sweep start / end relative to the cell, shifted to be non-negative, in quanta
        origin = np.where(axis_y, self.gy + cy * self.cell, self.gx + cx * self.cell) - ext
        lo = np.where(axis_y, by0, bx0) - origin
        hi = np.where(axis_y, by1, bx1) - origin
        del origin
        cell_bits, entry_bits = _bits(ncell), _bits(max(total, 1))
        q_bits = min(63 - cell_bits - entry_bits, 31)
        if q_bits < 4:
            raise ValueError(f"grid of {ncell} cells and {total} entries is too large for one index")
        quantum = (self.cell + 2 * ext + 1.0) / float(1 << q_bits)
        q_max = (1 << q_bits) - 1
        cell_key = keys << q_bits
        start = cell_key + np.minimum(np.floor(lo * (1.0 / quantum)), q_max).astype(np.int64)
        end = cell_key + np.minimum(np.floor(hi * (1.0 / quantum)), q_max).astype(np.int64)
        del lo, hi, cell_key
        packed = np.sort((start << entry_bits) | np.arange(total, dtype=np.int64))
        order = packed & ((1 << entry_bits) - 1)
        self._start = packed >> entry_bits                 # sorted: cell | quantised sweep start
        del packed, start
        self._end = end[order]
        self.items = item[order]
        self.keys = keys[order]
        ay = axis_y[order]
        self._other_lo = np.where(ay, bx0[order], by0[order])
        self._other_hi = np.where(ay, bx1[order], by1[order])
        del bx0, by0, bx1, by1, axis_y
        # bit 0: the box starts in the entry's column, bit 1: in its row (pair ownership)
        it = self.items
        self._corner = ((cx0[it] == cx[order]).view(np.int8) | ((cy0[it] == cy[order]).view(np.int8) << 1))
        self._label = None if label is None else np.asarray(label)[it]
        self._mask = None if mask is None else np.asarray(mask, dtype=bool)[it]
        brk = np.flatnonzero(self.keys[1:] != self.keys[:-1]) + 1
        self.group_start = np.concatenate([[0], brk]).astype(np.int64) if total else np.zeros(0, np.int64)
        self.group_end = np.concatenate([brk, [total]]).astype(np.int64) if total else np.zeros(0, np.int64)
        self.group_key = self.keys[self.group_start] if total else np.zeros(0, dtype=np.int64)

    def _cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Grid column and row of points (any monotone rounding works; the same one serves queries)."""
        inv = 1.0 / self.cell
        return (np.floor((x - self.gx) * inv).astype(np.int64),
                np.floor((y - self.gy) * inv).astype(np.int64))

    def __len__(self) -> int:
        return len(self.xmin)

    @property
    def n_entries(self) -> int:
        """Number of (box, cell) entries."""
        return len(self.items)

    def query(self, xmin: float, ymin: float, xmax: float, ymax: float) -> np.ndarray:
        """Indices of boxes overlapping the query box (closed), sorted."""
        if not len(self.group_key):
            return np.zeros(0, dtype=np.int64)
        cxs, cys = self._cells(np.array([xmin, xmax]), np.array([ymin, ymax]))
        cx0, cx1, cy0, cy1 = max(int(cxs[0]), 0), int(cxs[1]), max(int(cys[0]), 0), min(int(cys[1]), self.ny - 1)
        if cy1 < cy0 or cx1 < cx0:
            return np.zeros(0, dtype=np.int64)
        cols = np.arange(cx0, cx1 + 1, dtype=np.int64) * self.ny
        lo = np.searchsorted(self.group_key, cols + cy0, side="left")
        hi = np.searchsorted(self.group_key, cols + cy1, side="right")
        parts = [self.items[self.group_start[a]:self.group_end[b - 1]] for a, b in zip(lo, hi) if b > a]
        if not parts:
            return np.zeros(0, dtype=np.int64)
        cand = np.sort(np.concatenate(parts))
        cand = cand[np.concatenate([[True], cand[1:] != cand[:-1]])]
        keep = ((self.xmin[cand] <= xmax) & (self.xmax[cand] >= xmin)
                & (self.ymin[cand] <= ymax) & (self.ymax[cand] >= ymin))
        return cand[keep].astype(np.int64)

    def batches(self, entries: int = 16_384) -> list[tuple[int, int]]:
        """Entry ranges of whole cells, about ``entries`` entries each (for :meth:`local_pairs`)."""
        if not len(self.group_start):
            return []
        cut = np.searchsorted(self.group_start, np.arange(entries, self.n_entries, entries), side="left")
        edges = np.unique(np.concatenate([[0], self.group_start[cut[cut < len(self.group_start)]],
                                          [self.n_entries]]))
        return list(zip(edges[:-1].tolist(), edges[1:].tolist()))

    def local_pairs(self, e0: int, e1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidate box pairs among entries e0..e1-1 (whole cells): (boxes of the entries, first, second).

        ``first`` and ``second`` index the returned box array (one row per entry of
        the range), so box ``boxes[first[k]]`` and box ``boxes[second[k]]`` overlap
        (or nearly touch along the sweep axis), with different labels, at least
        one of them masked.
        """
        start, end = self._start[e0:e1], self._end[e0:e1]
        lo, hi, corner = self._other_lo[e0:e1], self._other_hi[e0:e1], self._corner[e0:e1]
        label = None if self._label is None else self._label[e0:e1]
        mask = None if self._mask is None else self._mask[e0:e1]
        m = e1 - e0
        firsts, seconds = [], []

        def keep(i, j):
            ok = (lo[j] <= hi[i]) & (lo[i] <= hi[j]) & ((corner[i] | corner[j]) == 3)
            if label is not None:
                ok &= label[i] != label[j]
            if mask is not None:
                ok &= mask[i] | mask[j]
            return ok

        d = 1
        while d < m:                                         # most entries still have partners: slices
            i, j = slice(0, m - d), slice(d, m)
            live = start[j] <= end[i]
            hit = np.flatnonzero(live & keep(i, j))
            firsts.append(hit)
            seconds.append(hit + d)
            if np.count_nonzero(live) * _SLICE_SHARE < m:      # the few with partners left: all at once
                first, second = self._tail(np.flatnonzero(live), d, start, end, keep)
                firsts.append(first)
                seconds.append(second)
                break
            d += 1
        if not firsts:
            e = np.zeros(0, dtype=np.int64)
            return self.items[e0:e1], e, e
        return self.items[e0:e1], np.concatenate(firsts), np.concatenate(seconds)

    @staticmethod
    def _tail(act: np.ndarray, d: int, start: np.ndarray, end: np.ndarray, keep) -> tuple[np.ndarray, np.ndarray]:
        """The pairs (i, i + e) for e > d of the entries ``act`` (those with a partner at offset d).

        Starts are sorted, so entry i's partners run up to the last entry starting
        before i ends; they come out ordered by offset, then by i, as the slices do.
        """
        reach = np.searchsorted(start, end[act], side="right") - act - 1 - d    # offsets left per entry, >= 0
        first = np.repeat(act, reach)
        offset = np.arange(len(first)) - np.repeat(np.cumsum(reach) - reach, reach) + (d + 1)
        second = first + offset
        ok = np.flatnonzero(keep(first, second))
        first, second, offset = first[ok], second[ok], offset[ok]
        by_offset = np.argsort(offset.astype(np.min_scalar_type(len(start))), kind="stable")
        return first[by_offset], second[by_offset]


def default_cell(width: np.ndarray, height: np.ndarray) -> float:
    """A cell size near the typical box extent (at least 1 m)."""
    if not len(width):
        return 1.0
    return float(max(np.percentile(np.maximum(width, height), 60), 1.0))
