"""A uniform-grid spatial index over boxes, built with one sort (numpy only).

Every box is registered in each grid cell it overlaps; the entries are sorted
by cell and, within a cell, along the axis in which its boxes are thinner, so
that cells are contiguous runs of the entry arrays.  Pair enumeration is a
sweep: an entry pairs with the later entries of its cell that start before it
ends.  A pair belongs to the cell holding the lower-left corner of the two
boxes' intersection, so each overlapping pair comes out exactly once.

:meth:`GridIndex.batches` cuts the cells into groups of about ``batch`` pair
tests; :meth:`GridIndex.local_pairs` answers one group with *local* entry
positions, so a caller gathers its per-box attributes once per entry of the
group and then works on arrays that stay in the CPU cache.
:meth:`GridIndex.query` answers box queries.
"""
from __future__ import annotations

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
        cx0, cy0 = self._cells(self.xmin, self.ymin)
        cx1, cy1 = self._cells(self.xmax, self.ymax)
        self.ny = int(cy1.max()) + 2 if n else 1
        nx = int(cx1.max()) + 2 if n else 1
        wx = cx1 - cx0 + 1
        counts = wx * (cy1 - cy0 + 1)
        total = int(counts.sum())
        item = np.repeat(np.arange(n, dtype=np.int32), counts)
        pos = np.arange(total, dtype=np.int32) - np.repeat((np.cumsum(counts) - counts).astype(np.int32), counts)
        if (wx == 1).all():                           # common: no box spans two columns
            cx, cy = cx0[item], cy0[item] + pos
        else:
            wxr = wx[item]
            row = pos // wxr
            cx, cy = cx0[item] + (pos - row * wxr), cy0[item] + row
        del pos
        keys = cx.astype(np.int64) * self.ny + cy
        bw = (self.xmax - self.xmin)[item]
        bh = (self.ymax - self.ymin)[item]
        # per-cell sweep axis: along y when the cell's boxes are thinner in y
        if nx * self.ny <= _DENSE_LIMIT:
            ncell = nx * self.ny
            axis_y = (np.bincount(keys, bh, ncell) < np.bincount(keys, bw, ncell))[keys]
            rank = keys
        else:
            _, rank = np.unique(keys, return_inverse=True)
            axis_y = (np.bincount(rank, bh) < np.bincount(rank, bw))[rank]
        lo = np.where(axis_y, (self.ymin[item] - self.gy) - cy * self.cell, (self.xmin[item] - self.gx) - cx * self.cell)
        ext = float(max(bw.max(initial=0), bh.max(initial=0)))
        sweep = rank * (ext + 2 * self.cell + 1.0) + (lo + ext + 0.5)
        del lo, rank
        order = np.argsort(sweep)
        self.keys = keys[order]
        self.items = item[order]
        self._sweep = sweep[order]
        ay = axis_y[order]
        self._sweep_hi = self._sweep + np.where(ay, bh[order], bw[order])
        del sweep, bw, bh, axis_y
        brk = np.flatnonzero(self.keys[1:] != self.keys[:-1]) + 1
        self.group_start = np.concatenate([[0], brk]).astype(np.int64) if total else np.zeros(0, np.int64)
        self.group_end = np.concatenate([brk, [total]]).astype(np.int64) if total else np.zeros(0, np.int64)
        self.group_key = self.keys[self.group_start] if total else np.zeros(0, dtype=np.int64)
        # entry-ordered extents on the other axis keep the pair tests short and cache-friendly
        it = self.items
        self._other_lo = np.where(ay, self.xmin[it], self.ymin[it])
        self._other_hi = np.where(ay, self.xmax[it], self.ymax[it])
        # bit 0: the box starts in the entry's column, bit 1: in its row (pair ownership)
        self._corner = ((cx0[it] == cx[order]).view(np.int8) | ((cy0[it] == cy[order]).view(np.int8) << 1))
        self._stop: np.ndarray | None = None

    def _cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Grid column and row of points (any monotone rounding works; the same one serves queries)."""
        inv = 1.0 / self.cell
        return (np.floor((x - self.gx) * inv).astype(np.int32),
                np.floor((y - self.gy) * inv).astype(np.int32))

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

    def _partners(self) -> np.ndarray:
        """Entry position where each entry's sweep partners stop (exclusive); frees the sweep keys."""
        if self._stop is None:
            stop = np.searchsorted(self._sweep, self._sweep_hi + 1e-6, side="right")
            self._stop = np.minimum(stop, np.repeat(self.group_end, self.group_end - self.group_start)).astype(np.int64)
            del self._sweep, self._sweep_hi
        return self._stop

    def batches(self, batch: int = 131_072) -> list[tuple[int, int]]:
        """Cell-group ranges holding about ``batch`` pair tests each (for :meth:`local_pairs`)."""
        if not len(self.group_start):
            return []
        stop = self._partners()
        work = np.maximum(stop - np.arange(len(stop)) - 1, 0)
        cum = np.cumsum(np.add.reduceat(work, self.group_start))
        bounds = np.unique(np.searchsorted(cum, np.arange(batch, int(cum[-1]) + batch, batch), side="left") + 1)
        bounds = np.clip(bounds, 1, len(cum))
        edges = np.unique(np.concatenate([[0], bounds, [len(cum)]]))
        return list(zip(edges[:-1].tolist(), edges[1:].tolist()))

    def local_pairs(self, g0: int, g1: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Overlapping box pairs owned by cell groups g0..g1-1: (boxes of the entries, first, second).

        ``first`` and ``second`` index the returned box array (one row per entry of
        the groups), so box ``boxes[first[k]]`` overlaps ``boxes[second[k]]``.
        """
        stop = self._partners()
        e0, e1 = int(self.group_start[g0]), int(self.group_end[g1 - 1])
        pos = np.arange(e1 - e0, dtype=np.int32)
        partners = np.maximum(stop[e0:e1] - e0 - pos - 1, 0).astype(np.int32)
        total = int(partners.sum())
        first = np.repeat(pos, partners)
        second = np.arange(total, dtype=np.int32) - np.repeat(np.cumsum(partners, dtype=np.int32) - partners - pos - 1,
                                                              partners)
        # the sweep already guarantees overlap along the sweep axis; test the other axis and ownership
        lo, hi = self._other_lo[e0:e1], self._other_hi[e0:e1]
        corner = self._corner[e0:e1]
        keep = (lo[first] <= hi[second]) & (lo[second] <= hi[first]) & ((corner[first] | corner[second]) == 3)
        k = np.flatnonzero(keep)
        return self.items[e0:e1], first[k], second[k]


def default_cell(width: np.ndarray, height: np.ndarray) -> float:
    """A cell size near the typical box extent (at least 1 m)."""
    if not len(width):
        return 1.0
    return float(max(np.percentile(np.maximum(width, height), 60), 1.0))
