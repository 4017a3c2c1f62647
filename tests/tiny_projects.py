"""Tiny real projects for viewer and render tests, written through the store API."""
from __future__ import annotations

from pathlib import Path

import numpy as np

X0, Y0 = 500_000.0, 3_400_000.0   # EPSG:4549 coordinates near Shanghai


def make_project(path: Path, layers: dict[str, list[dict]], ground: float | np.ndarray | None = None,
                 ground_extent: float = 60.0, cell: float = 1.0):
    """A project at ``path`` with rows (dicts with a shapely ``geometry``) per layer.

    ``ground``: a flat elevation, or a grid, stored as the terrain covering
    X0/Y0 +- ``ground_extent`` / 2.
    """
    import geopandas as gpd
    from affine import Affine

    from gis.store import Project

    proj = Project.create(path)
    with proj.transaction() as txn:
        for layer, rows in layers.items():
            geoms = [r["geometry"] for r in rows]
            attrs = [{k: v for k, v in r.items() if k != "geometry"} for r in rows]
            txn.insert(layer, gpd.GeoDataFrame(attrs, geometry=geoms, crs=proj.crs))
    if ground is not None:
        n = int(round(ground_extent / cell))
        elev = np.full((n, n), float(ground)) if np.isscalar(ground) else np.asarray(ground, dtype=float)
        half = ground_extent / 2
        proj.set_terrain(elev, Affine(cell, 0, X0 - half, 0, -cell, Y0 + half), "test")
    return proj


def two_pipe_scene(path: Path):
    """The LOD scene of a project at ``path`` with two parallel 40 m pipes: JS-1 DN1000 and RQ-1 DN600 8 m north."""
    from viewers.scene import build_project_scene

    proj = make_project(path, {"pipe_segments": [
        pipe("JS-1", [(-20, 0, 1.5), (20, 0, 1.5)], diameter_mm=1000.0),
        pipe("RQ-1", [(-20, 8, 2.5), (20, 8, 2.5)], utility="RQ", diameter_mm=600.0)]},
        ground=4.0, ground_extent=60.0)
    scene = build_project_scene(proj)
    proj.close()
    return scene


def pipe(line_id: str, coords, utility: str = "JS", **attrs) -> dict:
    """A pipe_segments row along ``coords`` (x, y, z relative to X0, Y0)."""
    from shapely import LineString

    return {"line_id": line_id, "utility": utility,
            "geometry": LineString([(X0 + x, Y0 + y, z) for x, y, z in coords]), **attrs}
