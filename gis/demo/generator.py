"""Generate the demo district in memory and write it through the store in chunks.

Each part draws from its own seeded stream (``default_rng([seed, part])``), so
the same size and seed give the same features, and changing one part does
not shift the others.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gis.demo import attributes, context, metro
from gis.demo import violations
from gis.demo.ground import make_terrain
from gis.demo.layout import make_grid
from gis.demo.network import NetworkBuilder
from gis.demo.sizes import SIZES
from gis.demo.slots import build_slots

LATERAL_SHARE = 0.15
CHUNK = 100_000
PARTS = {"grid": 1, "ground": 2, "slots": 3, "network": 4, "attributes": 5, "context": 6}
LAYER_ORDER = ("roads", "grid_cells", "buildings", "trees", "structures", "civil_defense_works",
               "civil_defense_inspections", "metro_tunnels", "metro_stations", "pipe_points", "pipe_segments")


@dataclass
class LayerData:
    """One layer's rows: field columns, and chunk builders for the geometry and generated id columns."""

    n: int
    columns: dict
    geometry: Callable[[int, int], np.ndarray]
    ids: Callable[[np.ndarray], dict] | None = None

    def frame(self, lo: int, hi: int):
        """Rows lo..hi as a GeoDataFrame the store accepts."""
        import geopandas as gpd

        cols = {k: v[lo:hi] for k, v in self.columns.items()}
        if self.ids is not None:
            cols = {**self.ids(np.arange(lo, hi)), **cols}
        return gpd.GeoDataFrame(cols, geometry=self.geometry(lo, hi))


@dataclass
class Demo:
    """A generated demo: its layers, terrain and planted violations."""

    layers: dict
    terrain: object
    planted: list
    meta: dict


def _fixed(cols: dict) -> LayerData:
    geom = cols["geometry"]
    fields = {k: v for k, v in cols.items() if k != "geometry"}
    return LayerData(len(geom), fields, lambda lo, hi: geom[lo:hi])


def format_ids(prefix: np.ndarray, serial: np.ndarray) -> np.ndarray:
    """物探点号 strings: prefix + zero-padded serial."""
    return np.char.add(prefix.astype(str), np.char.zfill(serial.astype(str), 6)).astype(object)


def generate(size: str = "small", seed: int = 0, progress=None) -> Demo:
    """Everything of a demo district, in memory (no file).  ``progress`` steps once per stage."""
    import shapely

    from gis.progress import Progress

    params = SIZES[size]
    progress = progress or Progress()
    progress.start(6, "生成演示数据 generating the demo district")

    def rng(part: str) -> np.random.Generator:
        return np.random.default_rng([int(seed), PARTS[part]])

    grid = make_grid(params["nx"], params["ny"], rng("grid"))
    terrain = make_terrain(grid.bounds, params["dem"], rng("ground"))
    plan = violations.choose(grid)
    r_slots = rng("slots")
    ns_slots = build_slots(grid.ns, r_slots, violations.slot_overrides(plan)).assign(dir=0)
    ew_slots = build_slots(grid.ew, r_slots).assign(dir=1)
    slots = pd.concat([ns_slots, ew_slots], ignore_index=True)
    lines = metro.plan_lines(grid, terrain)
    progress.step(1, "roads, ground, metro")

    b = NetworkBuilder(grid, slots, terrain, rng("network"), LATERAL_SHARE, violations.quiet_links(plan))
    b.build_runs()
    b.build_laterals()
    b.build_stations()
    b.build_points()
    progress.step(1, "pipe points")
    b.plain_depths()
    b.gravity_laterals()
    b.gravity_runs(after_branches=violations.after_branches(plan))
    violations.after_depths(plan, b)
    b.build_segments()
    violations.after_segments(plan, b, lines)
    b.z_values()
    progress.step(1, "pipe depths and segments")

    r_attr = rng("attributes")
    pts = attributes.point_columns(b, r_attr)
    pts["well_depth"] = attributes.well_depths(b, pts)
    segs = attributes.segment_columns(b, r_attr)
    attributes.flip_some(b, segs, r_attr)
    prefix, serial = pts.pop("prefix"), pts.pop("serial")
    keep = ~b.points["dropped"]
    pts.pop("well")
    x, y, ground = b.points["x"], b.points["y"], b.points["ground"]
    kept = np.flatnonzero(keep)
    point_cols = {k: v[kept] for k, v in pts.items()}
    point_layer = LayerData(len(kept), point_cols,
                            lambda lo, hi: shapely.points(x[kept[lo:hi]], y[kept[lo:hi]], ground[kept[lo:hi]]),
                            lambda r: {"point_id": format_ids(prefix[kept[r]], serial[kept[r]])})
    a, bb, za, zb = b.segs["a"], b.segs["b"], b.segs["za"], b.segs["zb"]

    def seg_ids(r):
        start, end = format_ids(prefix[a[r]], serial[a[r]]), format_ids(prefix[bb[r]], serial[bb[r]])
        line = np.char.add(np.char.add(start.astype(str), "-"), end.astype(str)).astype(object)
        return {"line_id": line, "start_point": start, "end_point": end}

    def seg_geom(lo, hi):
        n = hi - lo
        coords = np.empty((2 * n, 3))
        coords[0::2] = np.c_[x[a[lo:hi]], y[a[lo:hi]], za[lo:hi]]
        coords[1::2] = np.c_[x[bb[lo:hi]], y[bb[lo:hi]], zb[lo:hi]]
        return shapely.linestrings(coords, indices=np.repeat(np.arange(n), 2))

    segment_layer = LayerData(len(a), segs, seg_geom, seg_ids)
    progress.step(1, "pipe attributes")

    r_ctx = rng("context")
    bl = context.blocks(grid)
    parks = context.choose_parks(bl, params["works"], r_ctx)
    bld, basements = context.buildings(grid, bl, parks, terrain, r_ctx)
    cells = context.grid_cells(grid.bounds)
    works = context.civil_defense(bl, parks, params["works"], terrain, r_ctx)
    structure_parts = [context.structures(grid, slots, terrain), basements]
    structures = {k: np.concatenate([p[k] for p in structure_parts if p]) for k in basements}
    progress.step(1, "buildings, structures, civil defense")
    layers = {
        "roads": _fixed(context.roads(grid)),
        "grid_cells": _fixed(cells),
        "buildings": _fixed(bld),
        "trees": _fixed(context.trees(grid, r_ctx)),
        "structures": _fixed(structures),
        "civil_defense_works": _fixed(works),
        "civil_defense_inspections": _fixed(context.inspections(works, cells, terrain, r_ctx)),
        "metro_tunnels": _fixed(metro.tunnel_rows(lines)),
        "metro_stations": _fixed(metro.station_rows(lines, grid, terrain)),
        "pipe_points": point_layer,
        "pipe_segments": segment_layer,
    }
    records = violations.records(plan, lambda i: format_ids(prefix[[i]], serial[[i]])[0],
                              lambda i: seg_ids(np.array([i]))["line_id"][0])
    progress.step(1, "planted violations")
    meta = {"demo_size": size, "demo_seed": str(seed), "demo_planted": json.dumps(records, ensure_ascii=False)}
    return Demo(layers, terrain, records, meta)


def write(project, demo: Demo, progress=None) -> None:
    """Write a generated demo into an open, empty project: terrain first, then one transaction."""
    project.set_terrain(demo.terrain.elev, demo.terrain.transform, source="demo")
    total = sum(layer.n for layer in demo.layers.values())
    if progress is not None:
        progress.start(total, "写入演示数据 writing the demo district")
    with project.transaction() as txn:
        for name in LAYER_ORDER:
            layer = demo.layers[name]
            for lo in range(0, layer.n, CHUNK):
                hi = min(lo + CHUNK, layer.n)
                txn.insert(name, layer.frame(lo, hi))
                if progress is not None:
                    progress.step(hi - lo, name)
        for key, value in demo.meta.items():
            txn.set_meta(key, value)
