"""Big layers cut into tiles with several levels of detail (headless; meshes are safe on a worker).

A layer whose exact mesh would be big (pipe segments, wells, tunnels,
structures) keeps its builder's parts as lean numpy arrays (float32
coordinates, int32 rows) and draws per tile, the level chosen per tile by
:mod:`viewers.lod` from its metres per pixel (``MAX_MPP``):

- coarse tiles (at most ``COARSE_PER_SIDE`` a side) carry, finest first,
  ``mid`` (the builder's sketch: exact centre lines, well markers),
  ``far`` and ``overview`` (centre lines joined into chains and thinned
  to half a pixel, chains under two pixels left out; volumes: their lids),
  as the builder's ``coarse_levels`` say;
- ``block``: the overview of BLOCK_SIDE x BLOCK_SIDE coarse tiles in one
  mesh, built with the scene (the first frame; few actors: each costs
  ~0.2 ms a frame on llvmpipe);
- fine tiles (``FINE_TILE_M``) carry ``near``: the exact geometry, built by
  the layer's builder exactly as an untiled scene draws it.

Every exact mesh maps a cell to its feature row; thinned lines map a pick
ray to the nearest original piece (:meth:`TiledLayer.row_near_ray`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from viewers.scene import chains
from viewers.scene import geometry as geo
from viewers.scene.builders import LayerBuilder, Parts, SweptPieces, Wells, add_lines
from viewers.scene.mesh import FEATURE_INDEX, MeshBuilder

COARSE_PER_SIDE = 16       # coarse tiles per side of the extent, at most
COARSE_MIN_M = 500.0       # coarse tiles are at least this wide
FINE_TILE_M = 250.0        # near (exact geometry) tiles
Z_WEIGHT = 1.0             # vertical offsets count this much in the thinning tolerance

NEAR, MID, FAR, OVERVIEW = "near", "mid", "far", "overview"
BLOCK = "block"            # the overview of a block of coarse tiles, one mesh (fewer actors)
BLOCK_SIDE = 4             # coarse tiles per block side
#: a tile shows a level while its metres per pixel (at its nearest point) are at most this;
#: the far and overview lines are thinned to half a pixel at the previous level's limit
MAX_MPP = {NEAR: 0.15, MID: 1.5, FAR: 6.0, OVERVIEW: math.inf}


@dataclass(frozen=True)
class TileGrid:
    """Square tiles of ``size`` m from (x0, y0) (local coordinates), nx by ny of them."""

    x0: float
    y0: float
    size: float
    nx: int
    ny: int

    @classmethod
    def covering(cls, low: np.ndarray, high: np.ndarray, size: float) -> "TileGrid":
        """Tiles of ``size`` covering the plan box low..high."""
        nx = max(1, math.ceil((high[0] - low[0]) / size))
        ny = max(1, math.ceil((high[1] - low[1]) / size))
        return cls(float(low[0]), float(low[1]), float(size), nx, ny)

    @property
    def count(self) -> int:
        """Number of tiles."""
        return self.nx * self.ny

    def index(self, xy: np.ndarray) -> np.ndarray:
        """Tile of each plan point (points outside go to the nearest edge tile)."""
        i = np.clip(((xy[:, 0] - self.x0) // self.size).astype(np.int64), 0, self.nx - 1)
        j = np.clip(((xy[:, 1] - self.y0) // self.size).astype(np.int64), 0, self.ny - 1)
        return j * self.nx + i


@dataclass
class TileIndex:
    """Items grouped by tile: items of tile t are ``order[start[t]:start[t + 1]]``; ``bounds``
    (tiles, 6: xmin, xmax, ymin, ymax, zmin, zmax) of their geometry, NaN for empty tiles."""

    grid: TileGrid
    order: np.ndarray
    start: np.ndarray
    bounds: np.ndarray

    @classmethod
    def build(cls, grid: TileGrid, tile: np.ndarray, low: np.ndarray, high: np.ndarray) -> "TileIndex":
        """Index items with tiles ``tile`` and boxes low..high."""
        small = tile.astype(np.uint16) if grid.count <= 1 << 16 else tile    # radix sort: same order, ~6x faster
        order = np.argsort(small, kind="stable").astype(np.int32)
        start = np.searchsorted(tile[order], np.arange(grid.count + 1)).astype(np.int64)
        bounds = np.full((grid.count, 6), np.nan)
        full = np.flatnonzero(np.diff(start) > 0)
        if len(full):
            lo = np.minimum.reduceat(np.take(low, order, axis=0), start[full])
            hi = np.maximum.reduceat(np.take(high, order, axis=0), start[full])
            bounds[full] = np.column_stack([lo[:, 0], hi[:, 0], lo[:, 1], hi[:, 1], lo[:, 2], hi[:, 2]])
        return cls(grid, order, start, bounds)

    def items(self, t: int) -> np.ndarray:
        """The items of tile ``t``."""
        return self.order[self.start[t]:self.start[t + 1]]

    def counts(self) -> np.ndarray:
        """Items per tile."""
        return np.diff(self.start)


@dataclass
class TileMesh:
    """One tile's polydata at one level; ``cell_rows``: the feature row of each cell.

    Thinned meshes also carry ``pieces`` (global part index per original
    piece in chain order) with ``first``/``count`` per cell.
    """

    polydata: object
    cell_rows: np.ndarray
    pieces: np.ndarray | None = None
    first: np.ndarray | None = None
    count: np.ndarray | None = None

    @classmethod
    def of(cls, mb: MeshBuilder, colours: np.ndarray, normals: bool = True, **chain) -> "TileMesh":
        """Wrap a MeshBuilder's polydata (row colours ``colours``; see MeshBuilder.polydata)."""
        from vtkmodules.util.numpy_support import vtk_to_numpy

        pd = mb.polydata(colours, normals)
        return cls(pd, vtk_to_numpy(pd.GetCellData().GetArray(FEATURE_INDEX)), **chain)

    @property
    def n_cells(self) -> int:
        """Number of cells."""
        return len(self.cell_rows)


def rows_with_ids(ids: np.ndarray, wanted) -> np.ndarray:
    """The rows of ``ids`` (an object array of feature ids) whose id is in ``wanted`` (hashed: a
    million ids take a few tens of ms)."""
    import pandas as pd

    wanted = list(wanted)
    if not wanted or not len(ids):
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(pd.Series(ids, copy=False).isin(wanted).to_numpy())


def _chain_pieces(tm: TileMesh, cells: np.ndarray) -> np.ndarray:
    """The original pieces the thinned cells ``cells`` of ``tm`` stand for."""
    first, count = tm.first[cells], tm.count[cells]
    start = np.repeat(first - (np.cumsum(count) - count), count)
    return tm.pieces[start + np.arange(int(count.sum()))]


@dataclass
class _Thin:
    """Thinned lines: ``pieces`` (global) in chain order, the tile of each segment."""

    lines: chains.Simplified
    pieces: np.ndarray
    tile: np.ndarray


class TiledLayer:
    """One big layer's parts, tiles and per-tile meshes (see the module docstring).

    ``parts`` are the builder's lean arrays; ``ids``, ``colours`` (uint8
    RGB) and ``utility`` (CJJ 61 code, or None) are per feature row; thinned
    lines never join two utilities (each can be hidden on its own).  The
    overview is built here; other levels on demand by :meth:`mesh`
    (thread-safe: pure numpy and VTK data objects).
    """

    def __init__(self, layer: str, builder: LayerBuilder, parts: Parts, ids: np.ndarray, colours: np.ndarray,
                 utility: np.ndarray | None = None):
        self.layer = layer
        self.builder = builder
        self.parts = parts
        self.ids = ids
        self.colours = colours
        self.utility = utility
        self._utility_index = None
        if utility is not None:
            import pandas as pd

            self._utility_index = pd.factorize(utility)[0].astype(np.int64)
        self.swept = isinstance(parts, SweptPieces)
        low, high = parts.bounds()
        lo, hi = low.min(axis=0), high.max(axis=0)
        side = max(float(np.max(hi[:2] - lo[:2])), 1.0)
        self.coarse = self._index(TileGrid.covering(lo, hi, max(COARSE_MIN_M, side / COARSE_PER_SIDE)), low, high)
        self.fine = self._index(TileGrid.covering(lo, hi, FINE_TILE_M), low, high)
        self._cells = builder.cells(layer, parts)
        self._costs: dict[str, np.ndarray] = {}        # level -> cells per tile (fixed once built)
        g = self.coarse.grid
        col, row = np.arange(g.count) % g.nx, np.arange(g.count) // g.nx
        self.block_of = (row // BLOCK_SIDE) * -(-g.nx // BLOCK_SIDE) + col // BLOCK_SIDE
        self._blocks: dict[int, TileMesh] = {}
        self._thin = None
        if OVERVIEW in builder.coarse_levels:
            tile = np.empty(len(parts), dtype=np.int64)
            tile[self.coarse.order] = np.repeat(np.arange(g.count), self.coarse.counts())
            if self.swept:
                self._thin = self._thinned(np.arange(len(parts)), tile, MAX_MPP[FAR])
                block = self.block_of[self._thin.tile]
                self._blocks = {int(b): self._lines(self._thin, np.flatnonzero(block == b)) for b in np.unique(block)}
            else:
                block = self.block_of[tile]
                self._blocks = {int(b): m for b in np.unique(block)
                                if (m := self._sketch(np.flatnonzero(block == b))) is not None}

    def _index(self, grid: TileGrid, low: np.ndarray, high: np.ndarray) -> TileIndex:
        centre = (low[:, :2] + high[:, :2]) / 2
        return TileIndex.build(grid, grid.index(centre), low, high)

    # ------------------------------------------------------------- levels
    def levels(self, kind: str) -> tuple[str, ...]:
        """The levels of "coarse" or "fine" tiles, finest first."""
        return (NEAR,) if kind == "fine" else self.builder.coarse_levels

    def index(self, level: str) -> TileIndex:
        """The tiles a level is drawn on."""
        return self.fine if level == NEAR else self.coarse

    def cost(self, level: str) -> np.ndarray:
        """Estimated cells of each tile at ``level`` (what the view budgets count; computed once a
        level: the stage asks every frame)."""
        cost = self._costs.get(level)
        if cost is None:
            index = self.index(level)
            if level != NEAR:
                cost = index.counts()
            else:
                cum = np.concatenate([[0], np.cumsum(self._cells[index.order])])
                cost = cum[index.start[1:]] - cum[index.start[:-1]]
            cost.setflags(write=False)
            self._costs[level] = cost
        return cost

    def ready(self, level: str, tile: int) -> TileMesh | None:
        """The mesh of a level built with the layer (a block's overview), else None."""
        return self._blocks.get(tile) if level == BLOCK else None

    def block(self, tile: int) -> int:
        """The block of coarse tile ``tile``."""
        return int(self.block_of[tile])

    def mesh(self, level: str, tile: int) -> TileMesh | None:
        """Build tile ``tile`` at ``level`` (None when the tile draws nothing there)."""
        if level == BLOCK:
            return self.ready(level, tile)
        items = self.index(level).items(tile)
        if len(items) == 0:
            return None
        if level == OVERVIEW and self._thin is not None:
            return self._lines(self._thin, np.flatnonzero(self._thin.tile == tile))
        if level == FAR:
            return self._lines(self._thinned(items, np.zeros(len(items), np.int64), MAX_MPP[MID]))
        if level in (MID, OVERVIEW):
            return self._sketch(items)
        mb = self.builder.mesh(self.layer, self.parts.take(items))
        return TileMesh.of(mb, self.colours) if mb.n_points else None

    def _sketch(self, items: np.ndarray) -> TileMesh | None:
        mb = self.builder.sketch(self.layer, self.parts.take(items))
        return TileMesh.of(mb, self.colours, normals=not isinstance(self.parts, (SweptPieces, Wells))) \
            if mb.n_points else None

    def _thinned(self, items: np.ndarray, tile: np.ndarray, mpp: float) -> "_Thin":
        """Thinned centre lines of pieces ``items`` (chains kept within their ``tile``) within half a
        pixel at ``mpp`` metres per pixel; chains under 2 px are left out."""
        p: SweptPieces = self.parts
        key = self.colours[p.row[items]].astype(np.int64) @ np.array([65536, 256, 1])
        if self._utility_index is not None:     # same colour, other utility (GY and QT are both black): apart
            key = key * (int(self._utility_index.max(initial=0)) + 1) + self._utility_index[p.row[items]]
        colour_id = np.unique(key, return_inverse=True)[1].ravel()
        n_colours = int(colour_id.max(initial=0)) + 1
        s = chains.simplify(p.a[items], p.b[items], tile * n_colours + colour_id, mpp / 2,
                            z_weight=Z_WEIGHT, min_extent=2 * mpp)
        return _Thin(s, items[s.order], s.group // n_colours)

    def _lines(self, thin: "_Thin", sel: np.ndarray | None = None) -> TileMesh | None:
        """The thinned segments ``sel`` (all when None) as lines."""
        s = thin.lines
        sel = np.arange(len(s.a)) if sel is None else sel
        if len(sel) == 0:
            return None
        mb = MeshBuilder()
        add_lines(mb, s.a[sel].astype(np.float64), s.b[sel].astype(np.float64),
                  self.parts.row[thin.pieces[s.first[sel]]])
        return TileMesh.of(mb, self.colours, normals=False, pieces=thin.pieces, first=s.first[sel],
                           count=s.count[sel])

    # --------------------------------------------------------- features
    def feature_row(self, tm: TileMesh, cell: int) -> int | None:
        """The feature row drawn by ``cell`` of an exact mesh (see :meth:`row_near_ray` for thinned ones)."""
        return int(tm.cell_rows[cell]) if 0 <= cell < tm.n_cells else None

    def row_near_ray(self, meshes: list[TileMesh], p0, p1, hidden: np.ndarray | None = None) -> int | None:
        """The feature row of the original piece nearest the pick ray p0 -> p1 (local, unexaggerated)
        among the pieces that the thinned lines ``meshes`` stand for (less the rows ``hidden``, a
        mask per row: a thinned line stands for pieces of one utility).

        A thinned segment lies within ``T`` (half a pixel of its level) of its
        pieces, so only segments within (nearest segment + 2 T) of the ray can
        hold the nearest piece.
        """
        from vtkmodules.util.numpy_support import vtk_to_numpy

        p0, p1 = np.asarray(p0, dtype=np.float64), np.asarray(p1, dtype=np.float64)
        found = []
        for tm in meshes:
            ends = vtk_to_numpy(tm.polydata.GetPoints().GetData()).astype(np.float64).reshape(-1, 2, 3)
            d = geo.segment_line_distance(ends[:, 0], ends[:, 1], p0, p1 - p0)
            found.append((tm, d if hidden is None else np.where(hidden[tm.cell_rows], np.inf, d)))
        if not found or not any(np.isfinite(d).any() for _, d in found):
            return None
        reach = min(d.min() for _, d in found if len(d)) + MAX_MPP[FAR]
        cand = np.concatenate([_chain_pieces(tm, np.flatnonzero(d <= reach)) for tm, d in found])
        p: SweptPieces = self.parts
        dist = geo.segment_line_distance(p.a[cand].astype(np.float64), p.b[cand].astype(np.float64), p0, p1 - p0)
        return int(p.row[cand[np.argmin(dist)]])

    def features_mesh(self, feature_ids: list[str], exact_max: int | None = None) -> tuple[MeshBuilder | None, np.ndarray]:
        """(mesh, rows drawn) of the features ``feature_ids`` (the selection overlay): their exact
        mesh, or their sketch beyond ``exact_max`` parts; (None, no rows) when none is here."""
        rows = rows_with_ids(self.ids, feature_ids)
        sel = np.flatnonzero(np.isin(self.parts.row, rows)) if len(rows) else rows
        if len(sel) == 0:
            return None, sel
        parts = self.parts.take(sel)
        exact = exact_max is None or len(sel) <= exact_max
        mb = self.builder.mesh(self.layer, parts) if exact else self.builder.sketch(self.layer, parts)
        return mb, np.unique(parts.row)

    @property
    def overview_cells(self) -> int:
        """Cells of the overview (all blocks): what the layer draws from afar."""
        return sum(m.n_cells for m in self._blocks.values())

    @property
    def n_parts(self) -> int:
        """Number of parts (pieces, wells)."""
        return len(self.parts)
