"""A ProjectScene's actors on one vtkRenderer: the single drawing path of every view.

The 3D view, the 2D map and ``subterra render`` all draw through a
:class:`Stage`: one actor per layer (plus the ground and a selection
overlay), styles from :mod:`viewers.styles`, vertical exaggeration as a Z
scale of every actor about the scene's reference elevation, picking that
maps a cell back to its feature id.  Touch it on the GUI thread only.
"""
from __future__ import annotations

import numpy as np
import vtkmodules.vtkRenderingOpenGL2  # noqa: F401 - registers the OpenGL windows and mappers

from viewers import styles
from viewers.scene.mesh import COLOUR
from viewers.scene.project_scene import LayerMesh, ProjectScene

PICK_TOLERANCE = 0.003   # fraction of the window diagonal


class Stage:
    """Actors of one scene on one renderer.

    ``shading`` is "map" (unlit, exact map colours; the 2D map and top /
    section renders) or "shaded" (3D lighting).
    """

    def __init__(self, renderer, shading: str = "shaded"):
        self.renderer = renderer
        self.shading = styles.SHADING[shading]
        renderer.SetBackground(*styles.to_unit(styles.BACKGROUND_RGB[shading]))
        self.scene: ProjectScene | None = None
        self.actors: dict[str, object] = {}
        self._meshes: dict[str, LayerMesh] = {}
        self._hidden: set[str] = set()
        self._ground_opacity = styles.GROUND.opacity
        self._exaggeration = 1.0
        self._overlay = None
        self._clip = None
        self._locators: dict[str, object] = {}
        self.selection: tuple[str, str] | None = None
        self.markers: dict[str, object] = {}     # name -> actor of set_marker's points

    # ----------------------------------------------------------------- scene
    def set_scene(self, scene: ProjectScene) -> None:
        """Show ``scene`` (replacing the current one); keeps visibility and ground opacity."""
        self.clear()
        self.scene = scene
        self._exaggeration = scene.exaggeration
        for mesh in scene.meshes():
            actor = self._actor(mesh.polydata, styles.style(mesh.layer))
            self.renderer.AddActor(actor)
            self.actors[mesh.layer] = actor
            self._meshes[mesh.layer] = mesh
        self._apply()

    def clear(self) -> None:
        """Remove every actor of the current scene."""
        for actor in self.actors.values():
            self.renderer.RemoveActor(actor)
        if self._overlay is not None:
            self.renderer.RemoveActor(self._overlay)
        for actor in self.markers.values():
            self.renderer.RemoveActor(actor)
        self.actors, self._meshes, self._locators, self.markers = {}, {}, {}, {}
        self._overlay, self.selection, self.scene = None, None, None

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
        if self.shading.lighting:
            prop.SetAmbient(self.shading.ambient)
            prop.SetDiffuse(self.shading.diffuse)
            prop.SetSpecular(self.shading.specular)
        else:
            prop.LightingOff()
        return actor

    def _apply(self) -> None:
        """Push visibility, ground opacity, exaggeration and clipping to the actors."""
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
        if self._overlay is not None:
            yield self._overlay

    # --------------------------------------------------------------- markers
    def set_marker(self, name: str, points, rgb: styles.RGB = styles.SELECTION_RGB, size: float = 12.0) -> bool:
        """Draw point markers named ``name`` at project (x, y, z): one tuple or an (n, 3) array.

        Replaces the markers of that name; None or no points removes them.
        Markers follow exaggeration, clipping and the visibility of a layer
        of the same name; they are not picked, not framed, and go with the
        scene (clear / set_scene remove them).  False when there is no scene.
        """
        old = self.markers.pop(name, None)
        if old is not None:
            self.renderer.RemoveActor(old)
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

    # -------------------------------------------------------------- settings
    def set_layer_visible(self, layer: str, visible: bool) -> None:
        """Show or hide one layer ("terrain" is the ground)."""
        (self._hidden.discard if visible else self._hidden.add)(layer)
        self._apply()

    def set_ground_opacity(self, value: float) -> None:
        """Ground opacity 0..1 (0 hides the ground)."""
        self._ground_opacity = float(min(max(value, 0.0), 1.0))
        self._apply()

    def set_exaggeration(self, k: float) -> None:
        """Vertical exaggeration of every layer and the ground at once (Z scale about the reference)."""
        if not k > 0:
            raise ValueError(f"exaggeration must be positive, not {k}")
        self._exaggeration = float(k)
        self._apply()

    @property
    def exaggeration(self) -> float:
        """The current vertical exaggeration."""
        return self._exaggeration

    def set_clip_box(self, bbox: tuple[float, float, float, float] | None) -> None:
        """Cut everything off outside a plan box (project coordinates); None removes the cut."""
        if bbox is None or self.scene is None:
            self._clip = None
        else:
            from vtkmodules.vtkCommonDataModel import vtkPlane, vtkPlaneCollection

            x0, y0, _ = self.scene.to_local(bbox[0], bbox[1])
            x1, y1, _ = self.scene.to_local(bbox[2], bbox[3])
            self._clip = vtkPlaneCollection()
            for origin, normal in (((x0, 0, 0), (1, 0, 0)), ((x1, 0, 0), (-1, 0, 0)),
                                   ((0, y0, 0), (0, 1, 0)), ((0, y1, 0), (0, -1, 0))):
                plane = vtkPlane()
                plane.SetOrigin(*origin)
                plane.SetNormal(*normal)
                self._clip.AddItem(plane)
        self._apply()

    def visible_bounds(self, with_ground: bool = True) -> tuple[float, ...] | None:
        """World bounds (local, exaggerated) of the visible actors; None when nothing shows."""
        boxes = [a.GetBounds() for layer, a in self.actors.items()
                 if a.GetVisibility() and a.GetMapper().GetInput().GetNumberOfPoints()
                 and (with_ground or layer != self._ground_layer())]
        if not boxes:
            return None
        b = np.array(boxes)
        return (b[:, 0].min(), b[:, 1].max(), b[:, 2].min(), b[:, 3].max(), b[:, 4].min(), b[:, 5].max())

    def _ground_layer(self) -> str | None:
        ground = self.scene.ground if self.scene is not None else None
        return ground.layer if ground is not None else None

    # ------------------------------------------------------------- selection
    def select(self, layer: str, feature_id: str | None) -> bool:
        """Highlight one feature (None clears); False when it is not in this scene."""
        from vtkmodules.vtkCommonCore import vtkIdList
        from vtkmodules.vtkCommonDataModel import vtkPolyData

        if self._overlay is not None:
            self.renderer.RemoveActor(self._overlay)
            self._overlay, self.selection = None, None
        mesh = self._meshes.get(layer)
        if feature_id is None or mesh is None or mesh is self.scene.ground:
            return False
        cells = mesh.cells_of(feature_id)
        if len(cells) == 0:
            return False
        ids = vtkIdList()
        ids.SetNumberOfIds(len(cells))
        for i, c in enumerate(cells.tolist()):
            ids.SetId(i, c)
        part = vtkPolyData()
        part.AllocateEstimate(len(cells), 4)
        part.CopyCells(mesh.polydata, ids)
        st = styles.style(layer)
        hl = styles.LayerStyle(styles.SELECTION_RGB, line_width=st.line_width + 2, point_size=st.point_size + 3)
        self._overlay = self._actor(part, hl)
        mapper = self._overlay.GetMapper()
        mapper.ScalarVisibilityOff()
        mapper.SetResolveCoincidentTopologyToPolygonOffset()
        mapper.SetRelativeCoincidentTopologyPolygonOffsetParameters(-2.0, -20.0)
        mapper.SetRelativeCoincidentTopologyLineOffsetParameters(-2.0, -20.0)
        mapper.SetRelativeCoincidentTopologyPointOffsetParameter(-20.0)
        self._overlay.GetProperty().SetColor(*styles.to_unit(styles.SELECTION_RGB))
        self._overlay.SetPickable(False)
        self.renderer.AddActor(self._overlay)
        self.selection = (layer, feature_id)
        self._apply()
        return True

    # --------------------------------------------------------------- picking
    def _locator(self, layer: str):
        if layer not in self._locators:
            from vtkmodules.vtkCommonDataModel import vtkStaticCellLocator

            loc = vtkStaticCellLocator()
            loc.SetDataSet(self._meshes[layer].polydata)
            loc.BuildLocator()
            self._locators[layer] = loc
        return self._locators[layer]

    def _pick(self, x: float, y: float, with_ground: bool):
        """(layer, cell id, world position) of the nearest visible cell at display (x, y), or None."""
        from vtkmodules.vtkRenderingCore import vtkCellPicker

        picker = vtkCellPicker()
        picker.SetTolerance(PICK_TOLERANCE)
        picker.PickFromListOn()
        ground = self._ground_layer()
        layer_of = {}
        for layer, actor in self.actors.items():
            if actor.GetVisibility() and (with_ground or layer != ground):
                picker.AddPickList(actor)
                picker.AddLocator(self._locator(layer))
                layer_of[id(actor)] = layer
        if not layer_of or not picker.Pick(x, y, 0.0, self.renderer):
            return None
        layer = layer_of.get(id(picker.GetActor()))
        return None if layer is None else (layer, picker.GetCellId(), picker.GetPickPosition())

    def pick(self, x: float, y: float) -> tuple[str, str] | None:
        """(layer, feature id) of the feature drawn at display (x, y) (pixels from bottom-left)."""
        hit = self._pick(x, y, with_ground=False)
        if hit is None:
            return None
        fid = self._meshes[hit[0]].feature_id(hit[1])
        return None if fid is None else (hit[0], fid)

    def world_point(self, x: float, y: float) -> tuple[float, float, float] | None:
        """Project coordinates under display (x, y): the drawn surface there, else the reference level."""
        if self.scene is None:
            return None
        hit = self._pick(x, y, with_ground=True)
        if hit is not None:
            return self.scene.to_project(*hit[2], exaggeration=self._exaggeration)
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
