"""A ProjectScene's actors on one vtkRenderer: the single drawing path of every view.

The 3D view, the 2D map and ``subterra render`` all draw through a
:class:`Stage`: one actor per layer (plus the ground, a selection overlay
and named overlays), styles from :mod:`viewers.styles`, vertical exaggeration as a Z
scale of every actor about the scene's reference elevation, picking that
maps a cell back to its feature id.  Touch it on the GUI thread only.

Tiled layers (``scene.tiled``) get one actor per shown tile and level.
Before every render the stage asks :func:`viewers.lod.plan` what the camera
needs, shows what is built and has the rest built on one worker thread
(pure data objects; the actors are made here, on the GUI thread);
``on_lod_ready`` is called (from the worker) when a build finishes, so a
view can render again.  :meth:`settle` builds everything the camera wants
before returning (headless renders, tests).

A utility can be hidden per layer (:meth:`Stage.set_utility_visible`): the
actors then draw a subset of their mesh's cells (shared points), merged
meshes and tiles alike, and picks map the drawn cell back to its feature.
:meth:`Stage.select_many` highlights any number of features (one overlay
actor per layer); :meth:`Stage.select` is its one-feature case.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

import numpy as np
import vtkmodules.vtkRenderingOpenGL2  # noqa: F401 - registers the OpenGL windows and mappers

from gis import layers as registry
from viewers import lod, styles
from viewers.scene.mesh import COLOUR, subset_cells
from viewers.scene.project_scene import LayerMesh, ProjectScene
from viewers.scene.tiled import BLOCK, FAR, OVERVIEW, TileMesh, rows_with_ids

PICK_TOLERANCE = 0.003   # fraction of the window diagonal
THIN_LINE_LEVELS = (FAR, OVERVIEW, BLOCK)   # far lines are drawn THIN_LINE_PX wide (~25% faster on llvmpipe)
THIN_LINE_PX = 1.0
HIGHLIGHT = "highlight"  # the overlay of several highlighted features
#: layers whose features carry a utility code (what set_utility_visible hides per utility)
UTILITY_LAYERS = tuple(name for name, lay in registry.LAYERS.items() if "utility" in lay.field_names)
EXACT_SELECTION_PARTS = 20_000   # bigger selections of a tiled layer are highlighted by their sketch


class Stage:
    """Actors of one scene on one renderer.

    ``shading`` is "map" (unlit, exact map colours; the 2D map and top /
    section renders) or "shaded" (3D lighting).
    """

    def __init__(self, renderer, shading: str = "shaded"):
        self.renderer = renderer
        self.shading = styles.SHADING[shading]
        renderer.SetBackground(*styles.to_unit(styles.BACKGROUND_RGB[shading]))
        renderer.SetUseOIT(False)     # one translucent surface (the ground): plain blending, ~35 ms a frame less
        self.scene: ProjectScene | None = None
        self.actors: dict[str, object] = {}
        self._meshes: dict[str, LayerMesh] = {}
        self._hidden: set[str] = set()
        self._ground_opacity = styles.GROUND.opacity
        self._exaggeration = 1.0
        self._overlays: list = []
        self._clip = None
        self._clip_planes: list[tuple[tuple[float, float, float], tuple[float, float, float]]] = []
        self._colours: dict[str, np.ndarray] = {}      # layer -> per-row colours replacing the scene's
        self._ground_hole: tuple[float, float, float, float] | None = None
        self.selection: tuple[str, str] | None = None     # the one selected feature (select / select_many)
        self.selected: dict[str, list[str]] = {}           # every selected feature drawn here, by layer
        self._hidden_utilities: set[tuple[str, str]] = set()   # (layer, utility code)
        self._row_masks: dict[str, tuple[frozenset, np.ndarray]] = {}
        #: drawn cell -> cell of the mesh, per merged layer or tile key (None: every cell drawn)
        self._cell_maps: dict[object, np.ndarray | None] = {}
        self._filter_gen: dict[str, int] = {}       # layer -> changes of its hidden utilities
        self._actor_gen: dict[lod.Key, int] = {}      # tile -> the change its actor draws
        self.markers: dict[str, object] = {}     # name -> actor of set_marker's points or of set_overlay
        self.highlighted: tuple[tuple[str, str], ...] = ()
        self.budget = lod.Budget()
        #: while the user drags the camera: fewer exact cells, nothing new built (full quality on release)
        self.interactive_budget = lod.Budget(near_cells=100_000, mid_cells=150_000)
        self._interacting = False
        self.on_lod_ready: Callable[[], None] | None = None
        self._tiles: OrderedDict[lod.Key, TileMesh | None] = OrderedDict()   # built, least recent first
        self._tile_actors: dict[lod.Key, object] = {}
        self._shown: set[lod.Key] = set()
        self._pending: dict[lod.Key, object] = {}
        self._executor = None
        self._updating = False
        renderer.AddObserver("StartEvent", self._before_render)

    # ----------------------------------------------------------------- scene
    def set_scene(self, scene: ProjectScene) -> None:
        """Show ``scene`` (replacing the current one); keeps visibility and ground opacity."""
        self.clear()
        self.scene = scene
        self._exaggeration = scene.exaggeration
        for mesh in scene.meshes():
            actor = self._actor(self._mesh_input(mesh.layer, mesh.layer, mesh),
                                styles.style(mesh.layer))
            self.renderer.AddActor(actor)
            self.actors[mesh.layer] = actor
            self._meshes[mesh.layer] = mesh
        for layer, tl in scene.tiled.items():      # the overview until a camera asks for more
            for b in np.unique(tl.block_of):
                key = (layer, BLOCK, int(b))
                self._tiles[key] = tl.ready(BLOCK, int(b))
                if self._tiles[key] is not None and layer not in self._hidden:
                    self._shown.add(key)
                    self._tile_actor(key)
        self._apply()

    def clear(self) -> None:
        """Remove every actor of the current scene (tile builds under way are dropped)."""
        for actor in [*self.actors.values(), *self._tile_actors.values(), *self._overlays]:
            self.renderer.RemoveActor(actor)
        for actor in self.markers.values():
            self.renderer.RemoveActor(actor)
        for future in self._pending.values():
            future.cancel()
        self.actors, self._meshes, self.markers, self.highlighted = {}, {}, {}, ()
        self._tiles, self._tile_actors, self._shown, self._pending = OrderedDict(), {}, set(), {}
        self._overlays, self.selection, self.selected, self.scene = [], None, {}, None
        self._colours, self._ground_hole = {}, None
        self._row_masks, self._cell_maps, self._actor_gen = {}, {}, {}

    def close(self) -> None:
        """Clear and stop the tile worker."""
        self.clear()
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    # ------------------------------------------------------- level of detail
    def _before_render(self, _renderer, _event) -> None:
        if not self._updating:
            self.update_lod()

    def set_interacting(self, on: bool) -> None:
        """Camera being dragged (interactive budget, no new builds) or still (full quality)."""
        self._interacting = bool(on)

    def settle(self) -> None:
        """Build and show every tile the current camera wants (blocking)."""
        self.update_lod(wait=True)

    def update_lod(self, wait: bool = False) -> bool:
        """Show the tiles the camera wants at the levels it wants; True when what shows changed.

        Missing meshes are built on the worker (``wait``: here and now; while
        interacting: not at all); meanwhile a coarse tile keeps the best level
        it has built.
        """
        scene = self.scene
        size = self.renderer.GetSize()
        if scene is None or not scene.tiled or size[0] <= 0 or size[1] <= 0:
            return False
        self._updating = True
        try:
            tiled = {k: v for k, v in scene.tiled.items() if k not in self._hidden}
            moving = self._interacting and not wait
            wanted = lod.plan(tiled, self.renderer.GetActiveCamera(), size, self._exaggeration,
                              self.interactive_budget if moving else self.budget)
            for key in [k for k, f in self._pending.items() if f.done()]:
                future = self._pending.pop(key)
                if not future.cancelled():
                    self._tiles[key] = self._result(key, future)
            show = set()
            for key in sorted(wanted, key=wanted.get):
                shown = self._obtain(key, wait, build=not moving) or self._stand_in(key)
                if shown is not None:
                    show.add(shown)
            for key in self._pending.keys() - wanted.keys():
                if self._pending[key].cancel():
                    del self._pending[key]
            changed = show != self._shown
            for key in self._shown - show:
                self._tile_actors[key].SetVisibility(False)
            for key in show:
                self._tile_actor(key).SetVisibility(True)
                self._tiles.move_to_end(key)
            self._shown = show
            self._evict()
            if changed:
                self.renderer.ResetCameraClippingRange()
            return changed
        finally:
            self._updating = False

    def _obtain(self, key: lod.Key, wait: bool, build: bool = True) -> lod.Key | None:
        """``key`` when its mesh is built (else building or, with ``build``, queueing it); None otherwise."""
        if key not in self._tiles:
            layer, level, tile = key
            tl = self.scene.tiled[layer]
            ready = tl.ready(level, tile)
            if ready is not None or wait:
                self._tiles[key] = ready if ready is not None else tl.mesh(level, tile)
            elif key not in self._pending and build:
                self._pending[key] = self._worker().submit(tl.mesh, level, tile)
                self._pending[key].add_done_callback(self._built)
                return None
            else:
                return None
        return key if self._tiles[key] is not None else None

    def _stand_in(self, key: lod.Key) -> lod.Key | None:
        """What to show of a coarse tile while ``key`` is being built: another built level of it,
        else the overview of its block."""
        layer, level, tile = key
        tl = self.scene.tiled[layer]
        if level not in tl.levels("coarse"):
            return None
        for alt in [(layer, lv, tile) for lv in tl.levels("coarse") if lv != level] + [(layer, BLOCK, tl.block(tile))]:
            if alt not in self._tiles and tl.ready(alt[1], alt[2]) is not None:
                self._tiles[alt] = tl.ready(alt[1], alt[2])
            if self._tiles.get(alt) is not None:
                return alt
        return None

    @staticmethod
    def _result(key: lod.Key, future) -> TileMesh | None:
        """A finished build's mesh; a failed build is logged and draws nothing (the view goes on)."""
        error = future.exception()
        if error is not None:
            import logging

            logging.getLogger(__name__).error("building tile %s failed", key, exc_info=error)
            return None
        return future.result()

    def _built(self, _future) -> None:
        if self.on_lod_ready is not None:
            self.on_lod_ready()

    def _worker(self):
        if self._executor is None:
            from concurrent.futures import ThreadPoolExecutor

            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="subterra-tiles")
        return self._executor

    def _tile_actor(self, key: lod.Key):
        actor = self._tile_actors.get(key)
        tm = self._tiles[key]
        if actor is None:
            st = styles.style(key[0])
            if key[1] in THIN_LINE_LEVELS:
                st = replace(st, line_width=THIN_LINE_PX)
            actor = self._actor(self._mesh_input(key, key[0], tm), st)
            actor.SetScale(1.0, 1.0, self._exaggeration)
            if self._clip is not None:
                actor.GetMapper().SetClippingPlanes(self._clip)
            self.renderer.AddActor(actor)
            self._tile_actors[key] = actor
        elif self._actor_gen.get(key) != self._filter_gen.get(key[0]):     # utilities hidden or shown since
            actor.GetMapper().SetInputData(self._mesh_input(key, key[0], tm))
        self._actor_gen[key] = self._filter_gen.get(key[0])
        return actor

    def _evict(self) -> None:
        """Drop the least recently shown meshes beyond the cache budget."""
        total = sum(m.n_cells for m in self._tiles.values() if m is not None)
        for key in list(self._tiles):
            if total <= self.budget.cache_cells:
                break
            if key in self._shown or key[1] == BLOCK:
                continue
            mesh = self._tiles.pop(key)
            total -= mesh.n_cells if mesh is not None else 0
            actor = self._tile_actors.pop(key, None)
            self._cell_maps.pop(key, None)
            self._actor_gen.pop(key, None)
            if actor is not None:
                self.renderer.RemoveActor(actor)

    def shown_tiles(self) -> dict[lod.Key, TileMesh]:
        """The tile meshes on screen now, by (layer, level, tile)."""
        return {k: self._tiles[k] for k in self._shown}

    def _actor(self, data, st: styles.LayerStyle):
        from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper

        mapper = vtkPolyDataMapper()
        mapper.SetInputData(data)
        mapper.SetScalarModeToUsePointFieldData()
        mapper.SelectColorArray(COLOUR)
        mapper.SetColorModeToDirectScalars()
        mapper.ScalarVisibilityOn()
        mapper.StaticOn()
        actor = vtkActor()
        actor.SetMapper(mapper)
        prop = actor.GetProperty()
        prop.SetLineWidth(st.line_width)
        prop.SetPointSize(st.point_size)
        prop.SetOpacity(st.opacity)
        prop.SetRenderPointsAsSpheres(st.spheres)
        if self.shading.lighting:
            prop.SetAmbient(self.shading.ambient)
            prop.SetDiffuse(self.shading.diffuse)
            prop.SetSpecular(self.shading.specular)
        else:
            prop.LightingOff()
        return actor

    def _apply(self) -> None:
        """Push visibility, ground opacity, exaggeration and clipping to the actors."""
        for key, actor in self._tile_actors.items():
            actor.SetVisibility(key in self._shown and key[0] not in self._hidden)
        for layer, actor in self.actors.items():
            visible = layer not in self._hidden
            if self.scene is not None and self.scene.ground is self._meshes[layer]:
                actor.GetProperty().SetOpacity(self._ground_opacity)
                visible = visible and self._ground_opacity > 0
            actor.SetVisibility(visible)
        for name, actor in self.markers.items():
            actor.SetVisibility(name not in self._hidden)
        for actor in self._all_actors():
            actor.SetScale(1.0, 1.0, self._exaggeration)
            mapper = actor.GetMapper()
            if self._clip is None:
                mapper.RemoveAllClippingPlanes()
            else:
                mapper.SetClippingPlanes(self._clip)
        self.renderer.ResetCameraClippingRange()

    def _all_actors(self):
        yield from self.actors.values()
        yield from self.markers.values()
        yield from self._tile_actors.values()
        yield from self._overlays

    # --------------------------------------------------------------- markers
    def set_marker(self, name: str, points, rgb: styles.RGB = styles.SELECTION_RGB, size: float = 12.0) -> bool:
        """Draw point markers named ``name`` at project (x, y, z): one tuple or an (n, 3) array.

        Replaces the markers of that name; None or no points removes them.
        Markers follow exaggeration, clipping and the visibility of a layer
        of the same name; they are not picked, not framed, and go with the
        scene (clear / set_scene remove them).  False when there is no scene.
        """
        self.remove_overlay(name)
        xyz = None if points is None else np.asarray(points, dtype=float).reshape(-1, 3)
        if self.scene is None or xyz is None or len(xyz) == 0:
            return False
        from viewers.scene.mesh import MeshBuilder

        local = xyz - np.asarray(self.scene.origin, dtype=float)
        n = len(local)
        mb = MeshBuilder()
        mb.add(local, (0.0, 0.0, 1.0), verts=(np.arange(n).reshape(n, 1), np.arange(n)))
        actor = self._actor(mb.polydata(np.tile(np.asarray(rgb, dtype=np.uint8), (n, 1))),
                            styles.LayerStyle(rgb, point_size=size))
        prop = actor.GetProperty()
        prop.LightingOff()                 # the exact colour, whatever the shading
        prop.SetAmbient(0.0)
        prop.SetDiffuse(1.0)
        prop.SetSpecular(0.0)
        prop.RenderPointsAsSpheresOn()
        mapper = actor.GetMapper()
        mapper.SetResolveCoincidentTopologyToPolygonOffset()
        mapper.SetRelativeCoincidentTopologyPointOffsetParameter(-40.0)
        actor.SetPickable(False)
        self.renderer.AddActor(actor)
        self.markers[name] = actor
        self._apply()
        return True

    def set_path(self, name: str, points, rgb: styles.RGB = styles.SELECTION_RGB, width: float = 3.0) -> bool:
        """Draw a polyline named ``name`` through project (x, y, z) points (a cut line, a run);
        kept like the markers of set_marker (same name space).  None or fewer than two points
        removes it; False when there is no scene."""
        old = self.markers.pop(name, None)
        if old is not None:
            self.renderer.RemoveActor(old)
        xyz = None if points is None else np.asarray(points, dtype=float).reshape(-1, 3)
        if self.scene is None or xyz is None or len(xyz) < 2:
            return False
        from viewers.scene.mesh import MeshBuilder

        n = len(xyz)
        mb = MeshBuilder()
        mb.add(xyz - np.asarray(self.scene.origin, dtype=float), (0.0, 0.0, 1.0),
               lines=(np.column_stack([np.arange(n - 1), np.arange(1, n)]), np.zeros(n - 1)))
        actor = self._actor(mb.polydata(np.array([rgb], dtype=np.uint8), normals=False),
                            styles.LayerStyle(rgb, line_width=width))
        actor.GetProperty().LightingOff()
        actor.GetMapper().SetResolveCoincidentTopologyToPolygonOffset()
        actor.GetMapper().SetRelativeCoincidentTopologyLineOffsetParameters(-2.0, -40.0)
        actor.SetPickable(False)
        self.renderer.AddActor(actor)
        self.markers[name] = actor
        self._apply()
        return True

    # -------------------------------------------------------------- settings
    def set_layer_visible(self, layer: str, visible: bool) -> None:
        """Show or hide one layer ("terrain" is the ground)."""
        (self._hidden.discard if visible else self._hidden.add)(layer)
        self._apply()

    def layer_visible(self, layer: str) -> bool:
        """Whether ``layer`` is shown (not hidden by set_layer_visible)."""
        return layer not in self._hidden

    @property
    def ground_opacity(self) -> float:
        """The ground's opacity 0..1."""
        return self._ground_opacity
    # ----------------------------------------------------------- utilities
    def set_utility_visible(self, code: str, visible: bool, layer: str | None = None) -> None:
        """Show or hide one utility's features (CJJ 61 code; its sub-types with it) in ``layer``,
        or in every layer with utilities (None).  Kept across scenes, applied at every level of detail."""
        names = UTILITY_LAYERS if layer is None else (layer,)
        for name in names:
            (self._hidden_utilities.discard if visible else self._hidden_utilities.add)((name, code))
            self._filter_gen[name] = self._filter_gen.get(name, 0) + 1
            mesh = self._meshes.get(name)
            if mesh is not None:
                self.actors[name].GetMapper().SetInputData(self._mesh_input(name, name, mesh))
        for key in [k for k in self._shown if k[0] in names]:
            self._tile_actor(key)
        self._apply()

    def hidden_utilities(self, layer: str) -> set[str]:
        """The utility codes hidden in ``layer``."""
        return {code for name, code in self._hidden_utilities if name == layer}

    def _hidden_rows(self, layer: str) -> np.ndarray | None:
        """Per feature row of ``layer``: whether its utility is hidden (None: nothing hidden there)."""
        hidden = frozenset(self.hidden_utilities(layer))
        holder = (self.scene.tiled.get(layer) or self.scene.layers.get(layer)) if self.scene is not None else None
        codes = getattr(holder, "utility", None)
        if not hidden or codes is None:
            return None
        cached = self._row_masks.get(layer)
        if cached is None or cached[0] != hidden:
            cached = self._row_masks[layer] = (hidden, np.isin(codes, list(hidden)))
        return cached[1]

    def _mesh_input(self, key, layer: str, mesh):
        """The polydata an actor draws of a layer or tile mesh: recoloured (set_colours), less hidden utilities."""
        return self._drawn(key, layer, self._coloured(layer, mesh), mesh.cell_rows)

    def _drawn(self, key, layer: str, polydata, cell_rows: np.ndarray):
        """What an actor of ``layer`` draws of a mesh: its cells less those of hidden utilities."""
        hidden = self._hidden_rows(layer)
        keep = None if hidden is None or not hidden[cell_rows].any() else np.flatnonzero(~hidden[cell_rows])
        self._cell_maps[key] = keep
        return polydata if keep is None else subset_cells(polydata, keep)

    def drawn_rows(self, layer: str) -> np.ndarray:
        """The feature rows of ``layer`` that the shown actors draw now (a row once per cell)."""
        parts = []
        if layer in self._meshes and self.actors[layer].GetVisibility():
            parts.append((layer, self._meshes[layer].cell_rows))
        parts += [(key, self._tiles[key].cell_rows) for key in self._shown if key[0] == layer
                  and self._tile_actors[key].GetVisibility()]
        rows = [r if self._cell_maps.get(k) is None else r[self._cell_maps[k]] for k, r in parts]
        return np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)

    def set_ground_opacity(self, value: float) -> None:
        """Ground opacity 0..1 (0 hides the ground)."""
        self._ground_opacity = float(min(max(value, 0.0), 1.0))
        self._apply()

    def set_exaggeration(self, k: float) -> None:
        """Vertical exaggeration of every layer and the ground at once (Z scale about the reference)."""
        if not k > 0:
            raise ValueError(f"exaggeration must be positive, not {k}")
        self._exaggeration = float(k)
        if self._clip_planes:
            self._clip = self._plane_collection()
        self._apply()

    @property
    def exaggeration(self) -> float:
        """The current vertical exaggeration."""
        return self._exaggeration

    def set_clip_box(self, bbox: tuple[float, float, float, float] | None) -> None:
        """Cut everything off outside a plan box (project coordinates); None removes the cut."""
        if bbox is None or self.scene is None:
            self.set_clip_planes(None)
            return
        x0, y0, _ = self.scene.to_local(bbox[0], bbox[1], exaggeration=1.0)
        x1, y1, _ = self.scene.to_local(bbox[2], bbox[3], exaggeration=1.0)
        self.set_clip_planes([((x0, 0, 0), (1, 0, 0)), ((x1, 0, 0), (-1, 0, 0)),
                              ((0, y0, 0), (0, 1, 0)), ((0, y1, 0), (0, -1, 0))])

    def set_clip_planes(self, planes) -> None:
        """Keep only what lies on the normal side of every plane: (origin, normal) pairs in local,
        unexaggerated coordinates (``scene.to_local(..., exaggeration=1)``); they follow the
        exaggeration.  None or no planes removes the cut."""
        self._clip_planes = [(tuple(map(float, o)), tuple(map(float, n))) for o, n in (planes or [])]
        self._clip = self._plane_collection() if self._clip_planes else None
        self._apply()

    @property
    def clip_planes(self) -> list[tuple[tuple[float, float, float], tuple[float, float, float]]]:
        """The clipping planes (local, unexaggerated) set by set_clip_planes / set_clip_box."""
        return list(self._clip_planes)

    def _plane_collection(self):
        """The clip planes in world coordinates (z scaled by the exaggeration; mappers take world planes)."""
        from vtkmodules.vtkCommonDataModel import vtkPlane, vtkPlaneCollection

        k = self._exaggeration
        out = vtkPlaneCollection()
        for origin, normal in self._clip_planes:
            n = np.array([normal[0], normal[1], normal[2] / k])
            plane = vtkPlane()
            plane.SetOrigin(origin[0], origin[1], origin[2] * k)
            plane.SetNormal(*(n / (np.linalg.norm(n) or 1.0)))
            out.AddItem(plane)
        return out

    # ------------------------------------------------- colours, ground hole (3D tools)
    def set_colours(self, layer: str, colours: np.ndarray | None) -> bool:
        """Draw ``layer`` with per-feature ``colours`` ((n_rows, 3) uint8 over the layer's feature rows:
        ``LayerMesh.ids`` / ``TiledLayer.ids``, see viewers.colouring.row_colours); None restores the
        scene's own colours.  The scene's meshes are not changed (other views share them).
        False when the layer is not in the scene."""
        if self.scene is None or (layer not in self._meshes and layer not in self.scene.tiled):
            return False
        if colours is None:
            self._colours.pop(layer, None)
        else:
            self._colours[layer] = np.asarray(colours, dtype=np.uint8).reshape(-1, 3)
        if layer in self.actors:
            self.actors[layer].GetMapper().SetInputData(self._mesh_input(layer, layer, self._meshes[layer]))
        for key, actor in self._tile_actors.items():
            if key[0] == layer:
                actor.GetMapper().SetInputData(self._mesh_input(key, layer, self._tiles[key]))
        return True

    def _coloured(self, layer: str, mesh):
        """The polydata to draw for a layer mesh or tile mesh: recoloured when set_colours says so."""
        colours = self._colours.get(layer)
        if colours is None:
            return mesh.polydata
        from viewers.colouring import recoloured

        return recoloured(mesh.polydata, mesh.cell_rows, colours)

    def set_ground_hole(self, bbox: tuple[float, float, float, float] | None) -> bool:
        """Cut the ground away inside a plan box (project xmin, ymin, xmax, ymax); None fills it again.
        False when there is no ground."""
        ground = self.scene.ground if self.scene is not None else None
        if ground is None or ground.layer not in self.actors:
            return False
        self._ground_hole = None if bbox is None else tuple(map(float, bbox))
        data = ground.polydata
        if bbox is not None:
            x0, y0, _ = self.scene.to_local(bbox[0], bbox[1], exaggeration=1.0)
            x1, y1, _ = self.scene.to_local(bbox[2], bbox[3], exaggeration=1.0)
            data = _plan_hole(data, min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        self.actors[ground.layer].GetMapper().SetInputData(data)
        return True

    @property
    def ground_hole(self) -> tuple[float, float, float, float] | None:
        """The plan box the ground is cut away in (project coordinates), or None."""
        return self._ground_hole

    def visible_bounds(self, with_ground: bool = True) -> tuple[float, ...] | None:
        """World bounds (local, exaggerated) of the visible actors; None when nothing shows."""
        drawn = [*self.actors.items(), *((k[0], a) for k, a in self._tile_actors.items())]
        boxes = [a.GetBounds() for layer, a in drawn
                 if a.GetVisibility() and a.GetMapper().GetInput().GetNumberOfPoints()
                 and (with_ground or layer != self._ground_layer())]
        if not boxes and self.scene is not None:       # tiles not shown yet: their extent
            boxes = [self._tiled_bounds(tl) for name, tl in self.scene.tiled.items() if name not in self._hidden]
        return union_bounds(boxes)

    def _tiled_bounds(self, tl) -> tuple[float, ...]:
        b = tl.coarse.bounds
        lo, hi = np.nanmin(b[:, 0::2], axis=0), np.nanmax(b[:, 1::2], axis=0)
        k = self._exaggeration
        return (lo[0], hi[0], lo[1], hi[1], lo[2] * k, hi[2] * k)

    def _ground_layer(self) -> str | None:
        ground = self.scene.ground if self.scene is not None else None
        return ground.layer if ground is not None else None

    # ------------------------------------------------------------- selection
    def select(self, layer: str, feature_id: str | None) -> bool:
        """Highlight one feature (None clears); False when it is not in this scene."""
        found = self.select_many({layer: [feature_id]} if feature_id is not None else {}) > 0
        self.selection = (layer, feature_id) if found else None
        return found

    def select_many(self, features: Mapping[str, Iterable[str]]) -> int:
        """Highlight every listed feature ({layer: ids}; replaces the selection, {} clears it).

        One overlay actor per layer; ``selected`` lists the features found
        here (those this scene draws), the number of which is returned.
        """
        for actor in self._overlays:
            self.renderer.RemoveActor(actor)
        self._overlays, self.selection, self.selected = [], None, {}
        if self.scene is None:
            return 0
        for layer, wanted in features.items():
            part, found = self._selected_part(layer, list(dict.fromkeys(wanted)))
            if part is not None:
                self._overlays.append(self._overlay_actor(layer, part))
                self.selected[layer] = found
        count = sum(len(ids) for ids in self.selected.values())
        if count == 1:
            self.selection = next((layer, ids[0]) for layer, ids in self.selected.items())
        self._apply()
        return count

    def _selected_part(self, layer: str, wanted: list[str]) -> tuple[object | None, list[str]]:
        """(polydata drawing the features ``wanted`` of ``layer``, the ids found) or (None, [])."""
        if layer in self.scene.tiled:
            tl = self.scene.tiled[layer]
            mb, rows = tl.features_mesh(wanted, exact_max=EXACT_SELECTION_PARTS)
            return (None, []) if mb is None else (mb.polydata(tl.colours), [str(i) for i in tl.ids[rows]])
        mesh = self._meshes.get(layer)
        if mesh is None or mesh is self.scene.ground or not wanted:
            return None, []
        rows = rows_with_ids(mesh.ids, wanted)
        cells = np.flatnonzero(np.isin(mesh.cell_rows, rows))
        if len(cells) == 0:
            return None, []
        drawn = np.unique(mesh.cell_rows[cells])
        return subset_cells(mesh.polydata, cells), [str(i) for i in mesh.ids[drawn]]

    def _overlay_actor(self, layer: str, part):
        """The highlight of ``part`` (a polydata of ``layer``): selection colour, wider, drawn on top."""
        st = styles.style(layer)
        actor = self._actor(part, styles.LayerStyle(styles.SELECTION_RGB, line_width=st.line_width + 2,
                                                    point_size=st.point_size + 3))
        self._in_front(actor, styles.SELECTION_RGB)
        self.renderer.AddActor(actor)
        return actor

    @staticmethod
    def _in_front(actor, rgb: styles.RGB) -> None:
        """Draw ``actor`` in one colour, in front of the surfaces it coincides with, unpickable."""
        mapper = actor.GetMapper()
        mapper.ScalarVisibilityOff()
        mapper.SetResolveCoincidentTopologyToPolygonOffset()
        mapper.SetRelativeCoincidentTopologyPolygonOffsetParameters(-2.0, -20.0)
        mapper.SetRelativeCoincidentTopologyLineOffsetParameters(-2.0, -20.0)
        mapper.SetRelativeCoincidentTopologyPointOffsetParameter(-20.0)
        actor.GetProperty().SetColor(*styles.to_unit(rgb))
        actor.SetPickable(False)

    # -------------------------------------------------------------- overlays
    def set_overlay(self, name: str, polydata, st: styles.LayerStyle, flat: bool = False) -> None:
        """Draw ``polydata`` (scene-local coordinates) over the scene as overlay ``name``, replacing it.

        Colours come from its ``colour`` point array, or with ``flat`` one unlit
        ``st.rgb`` in front of coincident surfaces (highlights).  Like markers,
        overlays follow exaggeration, clipping and the visibility of a layer of
        the same name, and go with the scene; None removes.
        """
        self.remove_overlay(name)
        if polydata is None or self.scene is None:
            return
        actor = self._actor(polydata, st)
        if flat:
            self._in_front(actor, st.rgb)
            prop = actor.GetProperty()
            prop.LightingOff()
            prop.SetAmbient(1.0)
            prop.SetDiffuse(0.0)
            prop.SetSpecular(0.0)
        actor.SetPickable(False)
        self.renderer.AddActor(actor)
        self.markers[name] = actor
        self._apply()

    def remove_overlay(self, name: str) -> None:
        """Remove overlay ``name`` (nothing when there is none)."""
        actor = self.markers.pop(name, None)
        if actor is not None:
            self.renderer.RemoveActor(actor)

    def overlay(self, name: str):
        """The actor of overlay ``name``, or None."""
        return self.markers.get(name)

    def highlight(self, items, polydata) -> None:
        """Highlight several features at once: ``items`` (layer, id) pairs drawn by ``polydata``
        (viewers.scene.findings.highlight_mesh); empty items clear the highlight."""
        items = tuple(items)
        self.set_overlay(HIGHLIGHT, polydata if items else None, styles.HIGHLIGHT, flat=True)
        self.highlighted = items if self.overlay(HIGHLIGHT) is not None else ()

    def selection_bounds(self) -> tuple[float, ...] | None:
        """World bounds (local, exaggerated) of the highlighted features; None when nothing is selected."""
        return union_bounds([a.GetBounds() for a in self._overlays])

    def layer_bounds(self, layer: str) -> tuple[float, ...] | None:
        """World bounds (local, exaggerated) of everything ``layer`` draws, shown or not; None: nothing."""
        if self.scene is None:
            return None
        if layer in self.scene.tiled:
            return self._tiled_bounds(self.scene.tiled[layer])
        mesh = self._meshes.get(layer)
        if mesh is None or not mesh.polydata.GetNumberOfPoints():
            return None
        b = np.array(mesh.polydata.GetBounds())
        b[4:] *= self._exaggeration
        return tuple(b)

    # --------------------------------------------------------------- picking
    @staticmethod
    def _locator_of(holder, polydata):
        """The cell locator cached on ``holder`` (a LayerMesh or TileMesh)."""
        if getattr(holder, "locator", None) is None:
            from vtkmodules.vtkCommonDataModel import vtkStaticCellLocator

            loc = vtkStaticCellLocator()
            loc.SetDataSet(polydata)
            loc.BuildLocator()
            holder.locator = loc
        return holder.locator

    def _pick(self, x: float, y: float, with_ground: bool):
        """(layer, cell id, world position) of the nearest visible cell at display (x, y), or None."""
        from vtkmodules.vtkRenderingCore import vtkCellPicker

        picker = vtkCellPicker()
        picker.SetTolerance(PICK_TOLERANCE)
        picker.PickFromListOn()
        ground = self._ground_layer()
        source = {}
        drawn = [(layer, layer, actor, self._meshes[layer]) for layer, actor in self.actors.items()]
        drawn += [(key, key[0], self._tile_actors[key], self._tiles[key]) for key in self._shown]
        for key, layer, actor, mesh in drawn:
            if actor.GetVisibility() and (with_ground or layer != ground):
                picker.AddPickList(actor)
                # tiles are small: every cell is tested with the tolerance, even at their edges; a mesh
                # drawn in part (utilities hidden) is tested cell by cell too
                if not isinstance(mesh, TileMesh) and self._cell_maps.get(key) is None:
                    picker.AddLocator(self._locator_of(mesh, mesh.polydata))
                source[id(actor)] = (layer, mesh, self._cell_maps.get(key))
        if not source or not picker.Pick(x, y, 0.0, self.renderer):
            return None
        hit = source.get(id(picker.GetActor()))
        if hit is None:
            return None
        layer, mesh, cell_map = hit
        cell = picker.GetCellId()
        return layer, mesh, (cell if cell_map is None or cell < 0 else int(cell_map[cell])), picker.GetPickPosition()

    def pick(self, x: float, y: float) -> tuple[str, str] | None:
        """(layer, feature id) of the feature drawn at display (x, y) (pixels from bottom-left).

        On thinned far lines the id is that of the original piece nearest the picked point.
        """
        hit = self._pick(x, y, with_ground=False)
        if hit is None:
            return None
        layer, mesh, cell, _ = hit
        if not isinstance(mesh, TileMesh):
            fid = mesh.feature_id(cell)
            return None if fid is None else (layer, fid)
        tl = self.scene.tiled[layer]
        if mesh.pieces is None:
            row = tl.feature_row(mesh, cell)
        else:                       # thinned lines: the original piece nearest the ray, over all shown tiles
            k = np.array([1.0, 1.0, 1.0 / self._exaggeration])
            thinned = [m for key, m in self.shown_tiles().items() if key[0] == layer and m.pieces is not None]
            row = tl.row_near_ray(thinned, self.display_to_world(x, y, 0.0) * k, self.display_to_world(x, y, 1.0) * k,
                                  self._hidden_rows(layer))
        return None if row is None else (layer, str(tl.ids[row]))

    def world_point(self, x: float, y: float) -> tuple[float, float, float] | None:
        """Project coordinates under display (x, y): the drawn surface there, else the reference level."""
        if self.scene is None:
            return None
        hit = self._pick(x, y, with_ground=True)
        if hit is not None:
            return self.scene.to_project(*hit[3], exaggeration=self._exaggeration)
        near, far = self.display_to_world(x, y, 0.0), self.display_to_world(x, y, 1.0)
        dz = far[2] - near[2]
        if abs(dz) < 1e-12:
            return None
        t = -near[2] / dz
        return self.scene.to_project(*(near + t * (far - near)), exaggeration=self._exaggeration)

    def display_to_world(self, x: float, y: float, depth: float) -> np.ndarray:
        """Local world point at display (x, y) and depth 0 (near plane) .. 1 (far plane)."""
        ren = self.renderer
        ren.SetDisplayPoint(x, y, depth)
        ren.DisplayToWorld()
        w = ren.GetWorldPoint()
        return np.array(w[:3]) / (w[3] or 1.0)


def _plan_hole(polydata, x0: float, y0: float, x1: float, y1: float):
    """``polydata`` less the plan box x0..x1, y0..y1, cut exactly: the union of the four pieces
    around the box (west, east, and south / north between them), each clipped by planes."""
    from vtkmodules.vtkCommonDataModel import vtkPlane
    from vtkmodules.vtkFiltersCore import vtkAppendPolyData, vtkClipPolyData

    def keep(data, origin, normal):         # the part on the normal side of a plane (exact: planes are linear)
        plane = vtkPlane()
        plane.SetOrigin(*origin)
        plane.SetNormal(*normal)
        clip = vtkClipPolyData()
        clip.SetInputData(data)
        clip.SetClipFunction(plane)
        clip.Update()
        return clip.GetOutput()

    middle = keep(keep(polydata, (x0, 0, 0), (1, 0, 0)), (x1, 0, 0), (-1, 0, 0))
    append = vtkAppendPolyData()
    for part in (keep(polydata, (x0, 0, 0), (-1, 0, 0)), keep(polydata, (x1, 0, 0), (1, 0, 0)),
                 keep(middle, (0, y0, 0), (0, -1, 0)), keep(middle, (0, y1, 0), (0, 1, 0))):
        append.AddInputData(part)
    append.Update()
    return append.GetOutput()
def union_bounds(boxes: list) -> tuple[float, ...] | None:
    """The box holding every (xmin, xmax, ymin, ymax, zmin, zmax) of ``boxes`` (None: none)."""
    if not boxes:
        return None
    b = np.array(boxes, dtype=float)
    return (b[:, 0].min(), b[:, 1].max(), b[:, 2].min(), b[:, 3].max(), b[:, 4].min(), b[:, 5].max())
