"""A project's drawable scene: one merged vtkPolyData per layer plus the ground.

:func:`build_project_scene` (plan views: 2D map, 3D, top/side/3d renders) and
:func:`build_section_scene` (a vertical cut) read layers from a project (or
take GeoDataFrames), run the registry's builders and return a
:class:`ProjectScene`: pure data objects, safe to build on a worker thread.
Actors are made from it on the GUI thread by :class:`viewers.stage.Stage`.

Coordinates inside the scene are local: project coordinates minus
``scene.origin`` (keeps float32 precise); ``origin[2]`` is the reference
elevation the vertical exaggeration scales about.

Layers whose exact mesh would have ``lod_min`` cells or more become
:class:`viewers.scene.tiled.TiledLayer` (``scene.tiled``): tiles drawn at a
level of detail chosen from the camera; the others stay one merged mesh
each (``scene.layers``).  Reading a project, those layers come through a
lean read (no shapely objects, viewers.scene.frames).
"""
from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from gis import layers as registry
from gis.errors import UsageError
from gis.policy import allowed_layers
from gis.progress import Progress
from gis.terrain import Terrain
from viewers import styles
from viewers.scene import geometry as geo
from viewers.scene import ground as ground_mod
from viewers.scene.builders import BUILDERS
from viewers.scene.mesh import FEATURE_INDEX, MeshBuilder
from viewers.scene.tiled import TiledLayer

GROUND = "terrain"
SECTION_SEARCH_M = 10.0   # features are looked for this far around a section line
LOD_MIN_CELLS = 100_000   # layers whose exact mesh has this many cells are tiled with levels of detail
SPLIT_ROWS = 200_000      # layers with this many rows are read in two halves side by side


@dataclass
class LayerMesh:
    """One layer's merged polydata and the id of each feature row its cells point to."""

    layer: str
    polydata: object                 # vtkPolyData, local coordinates
    ids: np.ndarray                  # feature id per row (object array of str)
    utility: np.ndarray | None = None   # CJJ 61 utility code per row (feature_utilities); None: no utilities
    cell_rows: np.ndarray = field(init=False, repr=False)
    locator: object = field(default=None, init=False, repr=False)   # picking, built on first use

    def __post_init__(self) -> None:
        from vtkmodules.util.numpy_support import vtk_to_numpy

        self.cell_rows = vtk_to_numpy(self.polydata.GetCellData().GetArray(FEATURE_INDEX))

    def feature_id(self, cell_id: int) -> str | None:
        """The id of the feature drawn by cell ``cell_id`` (None for the ground or a bad id)."""
        if not 0 <= cell_id < len(self.cell_rows) or len(self.ids) == 0:
            return None
        return str(self.ids[self.cell_rows[cell_id]])

    def cells_of(self, feature_id: str) -> np.ndarray:
        """Cell ids drawing ``feature_id`` (empty when it is not in this mesh)."""
        rows = np.flatnonzero(self.ids == feature_id)
        return np.flatnonzero(np.isin(self.cell_rows, rows)) if len(rows) else rows

    @property
    def n_cells(self) -> int:
        """Number of cells."""
        return len(self.cell_rows)


@dataclass
class ProjectScene:
    """Everything a view draws: layer meshes in drawing order, the ground, origin, settings."""

    origin: np.ndarray
    layers: dict[str, LayerMesh]
    ground: LayerMesh | None = None
    exaggeration: float = 1.0        # the initial exaggeration of views showing the scene
    bbox: tuple[float, float, float, float] | None = None
    kind: str = "plan"               # "plan" (x, y, z) or "section" (chainage, 0, z)
    length: float | None = None      # section: chainage of the cut's end
    tiled: dict[str, TiledLayer] = field(default_factory=dict)

    def layer_names(self) -> list[str]:
        """Every drawn layer (merged or tiled), ground excluded."""
        return [*self.layers, *self.tiled]

    def utility_counts(self, layer: str) -> dict[str, int] | None:
        """Rows of ``layer`` per CJJ 61 utility code (rows without a known code left out), counted
        from the scene's own per-row codes; None when the scene cannot tell: the layer is cut to
        a box, read in part (its builder's ``where``) or held without codes (a saved scene)."""
        mesh = self.tiled.get(layer) or self.layers.get(layer)
        if mesh is None or mesh.utility is None or self.bbox is not None or getattr(BUILDERS[layer], "where", None):
            return None
        import pandas as pd

        codes, uniques = pd.factorize(mesh.utility)
        counts = np.bincount(codes, minlength=len(uniques))
        return {str(code): int(n) for code, n in sorted(zip(uniques, counts)) if code}

    def meshes(self) -> Iterable[LayerMesh]:
        """The layer meshes then the ground."""
        yield from self.layers.values()
        if self.ground is not None:
            yield self.ground

    def to_local(self, x: float, y: float, z: float | None = None,
                 exaggeration: float | None = None) -> tuple[float, float, float]:
        """Project coordinates (z default: the reference elevation) to drawn local coordinates."""
        k = self.exaggeration if exaggeration is None else exaggeration
        z = self.origin[2] if z is None else z
        return (x - self.origin[0], y - self.origin[1], (z - self.origin[2]) * k)

    def to_project(self, x: float, y: float, z: float,
                   exaggeration: float | None = None) -> tuple[float, float, float]:
        """Drawn local coordinates (exaggerated) back to project coordinates."""
        k = self.exaggeration if exaggeration is None else exaggeration
        return (x + self.origin[0], y + self.origin[1], z / k + self.origin[2])


# ------------------------------------------------------------------ reading
class _Source:
    """Layers and terrain from a Project, a project path or a mapping of GeoDataFrames."""

    def __init__(self, source, terrain: Terrain | None):
        from gis.store import Project

        self._close = False
        self.project = None
        self.frames: Mapping | None = None
        if isinstance(source, (str, os.PathLike)):
            self.project = Project.open(source, readonly=True)
            self._close = True
        elif isinstance(source, Mapping):
            self.frames = source
        else:
            self.project = source
        self._terrain = terrain
        self._terrain_unread = terrain is None and self.project is not None

    @property
    def terrain(self) -> Terrain | None:
        """The terrain given, else the project's (read on first use: on a scene worker, beside the layers)."""
        if self._terrain_unread:
            self._terrain = self.project.terrain()
            self._terrain_unread = False
        return self._terrain

    def read(self, layer: str, bbox, lean: bool = False):
        """A layer's rows (within bbox): a GeoDataFrame, or when ``lean`` and read from a
        project, possibly a CoordFrame with only the rows the builder draws."""
        if self.frames is not None:
            gdf = self.frames.get(layer)
            if gdf is None or bbox is None or len(gdf) == 0:
                return gdf
            return gdf.cx[bbox[0]:bbox[2], bbox[1]:bbox[3]]
        wanted, where = _wanted(layer)
        if lean:
            from viewers.scene.frames import read_lean

            return read_lean(self.project, layer, wanted, bbox, where)
        return self.project.read(layer, bbox=bbox, columns=wanted)

    def start_read(self, pool, layer: str, bbox) -> Callable[[], object]:
        """Start a lean :meth:`read` of ``layer`` on ``pool``; returns what waits for its rows.

        A big layer read whole from a project (``SPLIT_ROWS`` rows or more, no box, no
        builder filter) is read in two halves, one per worker, in the order of one read."""
        wanted, where = _wanted(layer)
        halves = None
        if self.project is not None and bbox is None and where is None:
            from viewers.scene.frames import row_halves

            halves = row_halves(self.project, layer, SPLIT_ROWS)
        if halves is None:
            return pool.submit(self.read, layer, bbox, True).result
        from viewers.scene.frames import lean_frame, read_table

        parts = [pool.submit(read_table, self.project, layer, wanted, None, half) for half in halves]
        return lambda: lean_frame(self.project, layer, wanted, [part.result() for part in parts])

    def extent(self, frames: Mapping) -> tuple[float, float, float, float] | None:
        """Extent of the features read (of the terrain when there are none)."""
        boxes = [_frame_bounds(f) for f in frames.values() if f is not None and len(f)]
        if not boxes and self.terrain is not None:
            boxes.append(self.terrain.bounds)
        if not boxes:
            return None
        b = np.array(boxes, dtype=float)
        return (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())

    def close(self) -> None:
        if self._close:
            self.project.close()


def _wanted(layer: str) -> tuple[list[str], str | None]:
    """(the columns its builder reads, the id first; its ``where`` filter or None) of ``layer``."""
    lay, builder = registry.get(layer), BUILDERS[layer]
    return [lay.id_field] + [c for c in builder.columns if c in lay.field_names], getattr(builder, "where", None)


def _frame_bounds(frame) -> tuple[float, float, float, float]:
    if hasattr(frame, "coords"):
        lo, hi = frame.coords[:, :2].min(axis=0), frame.coords[:, :2].max(axis=0)
        return (lo[0], lo[1], hi[0], hi[1])
    return tuple(frame.total_bounds)


def _ids(layer: str, gdf) -> np.ndarray:
    return gdf[registry.get(layer).id_field].to_numpy(dtype=object)


def feature_utilities(gdf) -> np.ndarray | None:
    """The CJJ 61 utility code of every row (gis.utilities.parent_codes); None without a ``utility`` column."""
    from gis.utilities import parent_codes

    return parent_codes(gdf["utility"]) if "utility" in gdf.columns else None


def _mesh(layer: str, mb: MeshBuilder, gdf) -> LayerMesh:
    return LayerMesh(layer, mb.polydata(styles.feature_colours(layer, gdf)), _ids(layer, gdf),
                     feature_utilities(gdf))


def _plan_layer(layer: str, gdf, origin: np.ndarray, lod_min: int | None) -> LayerMesh | TiledLayer:
    """One layer of a plan scene: tiled when its mesh has ``lod_min`` cells or more, else one mesh."""
    builder = BUILDERS[layer]
    parts = builder.parts(gdf, origin)
    if parts is None:
        return _mesh(layer, builder.build(layer, gdf, origin), gdf)
    if lod_min is None or not len(parts) or builder.cells(layer, parts).sum() < lod_min:
        return _mesh(layer, builder.mesh(layer, parts), gdf)
    return TiledLayer(layer, builder, parts.lean(), _ids(layer, gdf), styles.feature_colours(layer, gdf),
                      feature_utilities(gdf))


def _ground_mesh(mb: MeshBuilder) -> LayerMesh:
    return LayerMesh(GROUND, mb.polydata(np.array([styles.GROUND.rgb], dtype=np.uint8)),
                     np.array([], dtype=object))


def _drawable(layers, include_sensitive: bool) -> list[str]:
    return allowed_layers(layers, include_sensitive, candidates=BUILDERS)


# ------------------------------------------------------------------ building
def build_project_scene(source, layers: Iterable[str] | None = None,
                        bbox: tuple[float, float, float, float] | None = None,
                        exaggeration: float = 1.0, progress: Progress | None = None, *,
                        include_sensitive: bool = False, terrain: Terrain | None = None,
                        with_ground: bool = True, lod_min: int | None = LOD_MIN_CELLS) -> ProjectScene:
    """Read the layers (within ``bbox``) and the terrain and build the plan scene.

    ``source``: a Project, a project path, or {layer: GeoDataFrame} (then
    pass ``terrain``).  ``layers`` default to every drawable layer the
    sensitive-layer policy allows (gis.policy.allowed_layers).  Layers whose
    exact mesh has ``lod_min`` cells or more are tiled (None: never).
    """
    names = _drawable(layers, include_sensitive)
    progress = progress or Progress()
    src = _Source(source, terrain)
    try:
        progress.start(2 * len(names) + 1, "scene")
        with _Pool() as pool:       # two cores: reads (GDAL, Arrow) and numpy release the GIL
            reads = {layer: src.start_read(pool, layer, bbox) for layer in names}
            terrain_read = pool.submit(lambda: src.terrain)
            frames = {}
            for layer in names:
                frames[layer] = reads.pop(layer)()
                progress.step(1, layer)
            terrain_read.result()
            frame = bbox if bbox is not None else src.extent(frames)
            centre = ((0.0, 0.0) if frame is None
                      else (math.floor((frame[0] + frame[2]) / 2), math.floor((frame[1] + frame[3]) / 2)))
            ter = src.terrain if with_ground else None
            origin = np.array([centre[0], centre[1], ground_mod.reference_elevation(ter, bbox)])
            builds = {}
            for layer in names:
                gdf = frames.pop(layer)
                if gdf is not None and len(gdf):
                    builds[layer] = pool.submit(_plan_layer, layer, gdf, origin, lod_min)
                del gdf
            surface = pool.submit(ground_mod.surface, ter, bbox, origin) if ter is not None else None
            meshes, tiled = {}, {}
            for layer in names:
                if layer in builds:
                    built = builds.pop(layer).result()
                    (tiled if isinstance(built, TiledLayer) else meshes)[layer] = built
                progress.step(1, layer)
            ground = _ground_mesh(surface.result()) if surface is not None else None
        progress.step(1, GROUND)
    finally:
        src.close()
    return ProjectScene(origin, meshes, ground, float(exaggeration), bbox, tiled=tiled)


class _Pool:
    """Two worker threads for scene building; on any error (a cancel included) queued work is dropped."""

    def __enter__(self):
        from concurrent.futures import ThreadPoolExecutor

        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="subterra-scene")
        return self._pool

    def __exit__(self, kind, exc, tb):
        self._pool.shutdown(wait=True, cancel_futures=kind is not None)
        return False


def build_section_scene(source, cut, layers: Iterable[str] | None = None, exaggeration: float = 1.0,
                        progress: Progress | None = None, *, include_sensitive: bool = False,
                        terrain: Terrain | None = None, with_ground: bool = True) -> ProjectScene:
    """The vertical section along ``cut`` (a shapely LineString in project coordinates).

    The scene's x is the chainage along the cut (0 at its start), z the
    elevation; every cut feature is its exact outline, the ground a soil
    band under the terrain profile.
    """
    names = _drawable(layers, include_sensitive)
    progress = progress or Progress()
    src = _Source(source, terrain)
    try:
        xmin, ymin, xmax, ymax = cut.bounds
        pad = SECTION_SEARCH_M
        bbox = (xmin - pad, ymin - pad, xmax + pad, ymax + pad)
        ter = src.terrain if with_ground else None
        plan_origin = np.array([math.floor((xmin + xmax) / 2), math.floor((ymin + ymax) / 2),
                                ground_mod.reference_elevation(ter, bbox)])
        legs = geo.cut_legs(cut, plan_origin)
        if not legs:
            raise UsageError(f"section line {cut.wkt} has no length")
        progress.start(len(names) + 1, "section")
        meshes = {}
        for layer in names:
            gdf = src.read(layer, bbox)
            if gdf is not None and len(gdf):
                mb = BUILDERS[layer].section(layer, gdf, plan_origin, legs)
                if mb.n_points:
                    meshes[layer] = _mesh(layer, mb, gdf)
            progress.step(1, layer)
        ground = None
        if ter is not None:
            lows = [m.polydata.GetBounds()[4] for m in meshes.values()]
            mb = ground_mod.section(ter, legs, min(lows, default=None), plan_origin)
            ground = _ground_mesh(mb) if mb.n_points else None
        progress.step(1, GROUND)
    finally:
        src.close()
    length = legs[-1].s0 + legs[-1].length
    return ProjectScene(np.array([0.0, 0.0, plan_origin[2]]), meshes, ground, float(exaggeration),
                        None, "section", length)
