"""A uniform-grid spatial index over boxes, built with one sort (numpy only).

Every box is registered in each grid cell it overlaps.  Within a cell,
entries are ordered along the axis in which its boxes are thinner, so pair
enumeration is a sweep: an entry pairs with the later entries of its cell
that start before it ends.  :meth:`GridIndex.pairs` yields every pair of
overlapping boxes exactly once (a pair belongs to the cell holding the
lower-left corner of the two boxes' intersection), in small batches that stay
in the CPU cache; :meth:`GridIndex.query` answers box queries.
"""
from __future__ import annotations

from collections.abc import Iterator

import numpy as np

_DENSE_LIMIT = 50_000_000      # most cells for the dense per-cell tally


class GridIndex:
    """Boxes (xmin, ymin, xmax, ymax) in a uniform grid of square cells."""

    def __init__(self, xmin, ymin, xmax, ymax, cell: float | None = None):
        self.xmin = np.ascontiguousarray(xmin, dtype=float)
        self.ymin = np.ascontiguousarray(ymin, dtype=float)
        self.xmax = np.ascontiguousarray(xmax, dtype=float)
        self.ymax = np.ascontiguousarray(ymax, dtype=float)
        n = len(self.xmin)
        self.cell = float(cell if cell is not None else default_cell(self.xmax - self.xmin, self.ymax - self.ymin))
        self.gx = float(self.xmin.min()) if n else 0.0
        self.gy = float(self.ymin.min()) if n else 0.0
        self.cx0 = ((self.xmin - self.gx) // self.cell).astype(np.int64)
        self.cy0 = ((self.ymin - self.gy) // self.cell).astype(np.int64)
        cx1 = ((self.xmax - self.gx) // self.cell).astype(np.int64)
        cy1 = ((self.ymax - self.gy) // self.cell).astype(np.int64)
        self.ny = int(cy1.max()) + 2 if n else 1
        nx = int(cx1.max()) + 2 if n else 1
        wx = cx1 - self.cx0 + 1
        counts = wx * (cy1 - self.cy0 + 1)
        total = int(counts.sum())
        item = np.repeat(np.arange(n, dtype=np.int64), counts)
        pos = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        wxr = np.repeat(wx, counts)
        cx = np.repeat(self.cx0, counts) + pos % wxr
        cy = np.repeat(self.cy0, counts) + pos // wxr
        keys = cx * self.ny + cy
        del pos, wxr
        bw = (self.xmax - self.xmin)[item]
        bh = (self.ymax - self.ymin)[item]
        # per-cell sweep axis: along x when the cell's boxes are thinner in x
        if nx * self.ny <= _DENSE_LIMIT:
            ncell = nx * self.ny
            axis_y = (np.bincount(keys, bh, ncell) < np.bincount(keys, bw, ncell))[keys]
            rank = keys
        else:
            uniq, rank = np.unique(keys, return_inverse=True)
            axis_y = (np.bincount(rank, bh) < np.bincount(rank, bw))[rank]
        lo = np.where(axis_y, self.ymin[item] - (self.gy + cy * self.cell), self.xmin[item] - (self.gx + cx * self.cell))
        ext = float(max(bw.max(initial=0), bh.max(initial=0)))
        stride = ext + 2 * self.cell + 1.0
        sweep = rank * stride + (lo + ext + 0.5)
        order = np.argsort(sweep)
        self.keys = keys[order]
        self.items = item[order]
        self._sweep = sweep[order]
        self._sweep_hi = self._sweep + np.where(axis_y, bh, bw)[order]
        brk = np.flatnonzero(self.keys[1:] != self.keys[:-1]) + 1
        self.group_start = np.concatenate([[0], brk]).astype(np.int64) if total else np.zeros(0, np.int64)
        self.group_end = np.concatenate([brk, [total]]).astype(np.int64) if total else np.zeros(0, np.int64)
        self.group_key = self.keys[self.group_start] if total else np.zeros(0, dtype=np.int64)
        # entry-ordered extents on the other axis keep the pair tests short and cache-friendly
        it = self.items
        ay = axis_y[order]
        self._other = np.stack([np.where(ay, self.xmin[it], self.ymin[it]), np.where(ay, self.xmax[it], self.ymax[it])])
        self._ref = (self.cx0[it] * self.ny, self.cy0[it])   # (column key part, row)
        self._stop: np.ndarray | None = None

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
        cx0 = max(int((xmin - self.gx) // self.cell), 0)
        cx1 = int((xmax - self.gx) // self.cell)
        cy0 = max(int((ymin - self.gy) // self.cell), 0)
        cy1 = min(int((ymax - self.gy) // self.cell), self.ny - 1)
        if cy1 < cy0 or cx1 < cx0:
            return np.zeros(0, dtype=np.int64)
        cols = np.arange(cx0, cx1 + 1, dtype=np.int64) * self.ny
        lo = np.searchsorted(self.group_key, cols + cy0, side="left")
        hi = np.searchsorted(self.group_key, cols + cy1, side="right")
        parts = [self.items[self.group_start[a]:self.group_end[b - 1]] for a, b in zip(lo, hi) if b > a]
        if not parts:
            return np.zeros(0, dtype=np.int64)
        cand = np.unique(np.concatenate(parts))
        keep = ((self.xmin[cand] <= xmax) & (self.xmax[cand] >= xmin)
                & (self.ymin[cand] <= ymax) & (self.ymax[cand] >= ymin))
        return cand[keep]

    def _partners(self) -> np.ndarray:
        """Entry position where each entry's sweep partners stop (exclusive)."""
        stop = np.searchsorted(self._sweep, self._sweep_hi + 1e-6, side="right")
        return np.minimum(stop, np.repeat(self.group_end, self.group_end - self.group_start))

    def batch_ranges(self, batch: int = 65_536) -> list[tuple[int, int]]:
        """Cell-group ranges holding about ``batch`` pair tests each (for :meth:`pairs_in`)."""
        if not len(self.group_start):
            return []
        if self._stop is None:
            self._stop = self._partners()
        work = np.maximum(self._stop - np.arange(len(self._stop)) - 1, 0)
        cum = np.cumsum(np.add.reduceat(work, self.group_start))
        bounds = np.unique(np.searchsorted(cum, np.arange(batch, int(cum[-1]) + batch, batch), side="left") + 1)
        bounds = np.clip(bounds, 1, len(cum))
        edges = np.unique(np.concatenate([[0], bounds, [len(cum)]]))
        return list(zip(edges[:-1].tolist(), edges[1:].tolist()))

    def pairs(self, batch: int = 65_536) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield (i, j) arrays of overlapping box pairs, each pair once, about ``batch`` tests at a time."""
        for g0, g1 in self.batch_ranges(batch):
            yield self.pairs_in(g0, g1)

    def pair_work(self) -> int:
        """Number of entry pairs the sweep tests (pairs found plus rejected ones)."""
        stop = self._partners()
        return int(np.maximum(stop - np.arange(len(stop)) - 1, 0).sum())

    def pairs_in(self, g0: int, g1: int) -> tuple[np.ndarray, np.ndarray]:
        """Overlapping box pairs owned by cell groups g0..g1-1 (see :meth:`batch_ranges`)."""
        if self._stop is None:
            self._stop = self._partners()
        e0, e1 = int(self.group_start[g0]), int(self.group_end[g1 - 1])
        pos = np.arange(e0, e1, dtype=np.int64)
        partners = np.maximum(self._stop[e0:e1] - pos - 1, 0)
        total = int(partners.sum())
        first = np.repeat(pos - e0, partners)
        second = first + 1 + (np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(partners) - partners, partners))
        # the sweep already guarantees overlap along the sweep axis; test the other axis
        lo, hi = self._other[0, e0:e1], self._other[1, e0:e1]
        keep = np.flatnonzero((lo[first] <= hi[second]) & (lo[second] <= hi[first]))
        f, s = first[keep], second[keep]
        rx, ry = self._ref[0][e0:e1], self._ref[1][e0:e1]
        own = (np.maximum(rx[f], rx[s]) + np.maximum(ry[f], ry[s])) == self.keys[e0:e1][f]
        return self.items[f[own] + e0], self.items[s[own] + e0]


def default_cell(width: np.ndarray, height: np.ndarray) -> float:
    """A cell size near the typical box extent (at least 1 m)."""
    if not len(width):
        return 1.0
    return float(max(np.percentile(np.maximum(width, height), 60), 1.0))
