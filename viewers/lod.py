"""Which tile of which tiled layer to draw at which level of detail, from the camera.

Pure decisions (no rendering): :func:`view_metrics` measures every tile
against the camera (in the view frustum?, distance, metres per pixel at its
nearest point); :func:`plan` turns that into the set of (layer, level, tile)
to show, finest levels first where they are needed and within
:class:`Budget`.  :class:`viewers.stage.Stage` builds what the plan wants
(on a worker) and swaps it in.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from viewers.scene.tiled import BLOCK, MAX_MPP, MID, NEAR, OVERVIEW, TiledLayer

Key = tuple[str, str, int]      # (layer, level, tile)


@dataclass
class Budget:
    """Cells drawn at once per kind of level, and cells of built meshes kept around."""

    near_cells: int = 300_000      # exact geometry (tubes, cylinders) near the camera
    mid_cells: int = 300_000       # exact centre lines / well markers
    cache_cells: int = 3_000_000   # built meshes kept (shown or not) before the least recent go


def view_metrics(camera, bounds: np.ndarray, size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(in view, distance m, metres per pixel) of boxes ``bounds`` (n, 6: world xmin, xmax, ymin,
    ymax, zmin, zmax) for ``camera`` on a ``size`` (w, h) pixel viewport.

    In view: inside the four side planes of the view frustum (the clipping
    range follows what is drawn, so it must not decide it).  Distance and
    scale are taken at the point of each box nearest the camera; empty (NaN)
    boxes are never in view.
    """
    w, h = max(size[0], 1), max(size[1], 1)
    lo, hi = bounds[:, 0::2], bounds[:, 1::2]
    planes = [0.0] * 24
    camera.GetFrustumPlanes(w / h, planes)
    p = np.array(planes).reshape(6, 4)[:4]
    corner = np.where(p[:, None, :3] > 0, hi[None], lo[None])          # the corner deepest inside each plane
    with np.errstate(invalid="ignore"):
        inside = np.all(np.einsum("pnk,pk->pn", corner, p[:, :3]) + p[:, 3:] >= 0, axis=0)
    eye = np.array(camera.GetPosition())
    dist = np.linalg.norm(np.clip(eye, lo, hi) - eye, axis=1)
    if camera.GetParallelProjection():
        mpp = np.full(len(bounds), 2.0 * camera.GetParallelScale() / h)
    else:
        mpp = 2.0 * dist * math.tan(math.radians(camera.GetViewAngle()) / 2) / h
    return inside & np.all(np.isfinite(bounds), axis=1), dist, mpp


def _world(bounds: np.ndarray, exaggeration: float) -> np.ndarray:
    b = bounds.copy()
    b[:, 4:] *= exaggeration
    return b


def plan(tiled: dict[str, TiledLayer], camera, size: tuple[int, int], exaggeration: float = 1.0,
         budget: Budget | None = None) -> dict[Key, float]:
    """{(layer, level, tile): distance} to show now.

    Every non-empty coarse tile gets the finest of its levels its scale
    allows (tiles out of view: the coarsest), exact centre lines within
    ``budget.mid_cells``, the nearest first; fine tiles in view and close
    enough get their exact geometry within ``budget.near_cells``.  A level
    a layer lacks (wells have no thinned lines) draws nothing there.
    """
    budget = budget or Budget()
    out: dict[Key, float] = {}
    near: list[tuple[float, int, Key]] = []
    mid: list[tuple[float, int, Key, str | None]] = []
    for layer, tl in tiled.items():
        levels = tl.levels("coarse")
        inside, dist, mpp = view_metrics(camera, _world(tl.coarse.bounds, exaggeration), size)
        cost = tl.cost(MID)
        for t in np.flatnonzero(tl.coarse.counts()):
            fits = [lv for lv in levels if inside[t] and mpp[t] <= MAX_MPP[lv]]
            level = fits[0] if fits else levels[-1] if math.isinf(MAX_MPP[levels[-1]]) else None
            key = (layer, level, int(t))
            if level == MID:
                coarser = levels[1] if len(levels) > 1 else None
                mid.append((dist[t], int(cost[t]), key, coarser))
            elif level is not None:
                out[key] = float(dist[t])
        inside, dist, mpp = view_metrics(camera, _world(tl.fine.bounds, exaggeration), size)
        cost = tl.cost(NEAR)
        for t in np.flatnonzero(inside & (mpp <= MAX_MPP[NEAR])):
            near.append((dist[t], int(cost[t]), (layer, NEAR, int(t))))
    spent = 0
    for d, c, key, fallback in sorted(mid, key=lambda x: x[0]):
        if spent + c <= budget.mid_cells:
            spent += c
            out[key] = float(d)
        elif fallback is not None:
            out[(key[0], fallback, key[2])] = float(d)
    for layer, tl in tiled.items():
        _merge_blocks(out, layer, tl)
    spent = 0
    for d, c, key in sorted(near, key=lambda x: x[0]):
        if spent + c > budget.near_cells:
            break
        spent += c
        out[key] = float(d)
    return out


def _merge_blocks(out: dict[Key, float], layer: str, tl: TiledLayer) -> None:
    """Replace the overview tiles of blocks drawn wholly at the overview by the block's one mesh."""
    if OVERVIEW not in tl.levels("coarse"):
        return
    finer = {tl.block_of[t] for (name, level, t) in out if name == layer and level != OVERVIEW and level != NEAR}
    for key in [k for k in out if k[0] == layer and k[1] == OVERVIEW and tl.block_of[k[2]] not in finer]:
        d = out.pop(key)
        block = (layer, BLOCK, int(tl.block_of[key[2]]))
        out[block] = min(d, out.get(block, d))
