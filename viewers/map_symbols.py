"""Map symbols of pipe points (manholes, valves, hydrants ...): one glyph actor on a top view.

:func:`symbol_points` (headless numpy, safe on a worker) turns the
``pipe_points`` rows into :class:`SymbolPoints`: local position, symbol
shape (from the appurtenance, :data:`SYMBOL_OF`), CJJ 61 colour and
utility per point.  :class:`SymbolLayer` draws them on a renderer with a
vtkGlyph3DMapper (one actor, shapes instanced on the GPU): a constant size
on screen (:data:`SYMBOL_PX`), only the points in view, only once zoomed
in to :data:`MAX_MPP` metres per pixel or closer.  Selected points are
drawn in the selection colour; :meth:`SymbolLayer.pick` finds the symbol
under a pixel.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from viewers import styles
from viewers.planar import planar_polydata
from viewers.scene.tiled import rows_with_ids

LAYER = "pipe_points"
SYMBOL_PX = 14.0            # symbol size on screen
MAX_MPP = 0.5               # symbols show from this zoom in (metres per pixel)
MAX_SYMBOLS = 50_000        # more in view than this: none drawn (zoom in)
MARGIN = 1.0                # the points kept around the view: this many view sizes each side
SHAPES = ("point", "well", "valve", "valve_well", "hydrant", "grate", "box")
#: appurtenance (gis.layers.APPURTENANCES) -> shape; points without one (feature points) are "point"
SYMBOL_OF = {
    "检查井": "well", "检修井": "well", "窨井": "well", "人孔": "well", "手孔": "well",
    "阀门": "valve", "排气阀": "valve", "排污阀": "valve", "阀门井": "valve_well",
    "消防栓": "hydrant", "雨水篦": "grate",
    "水表": "box", "接线箱": "box", "调压箱": "box", "变压器": "box", "凝水缸": "box", "用户接入点": "box",
}


@dataclass
class SymbolPoints:
    """Pipe points to symbolise: local ``xyz``, ``shape`` index into SHAPES, ``rgb`` (uint8),
    ``utility`` (CJJ 61 code or None per point) and ``ids``."""

    xyz: np.ndarray
    shape: np.ndarray
    rgb: np.ndarray
    utility: np.ndarray | None
    ids: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def symbol_columns() -> list[str]:
    """The ``pipe_points`` columns symbol_points uses, the id first."""
    from gis import layers as registry

    lay = registry.get(LAYER)
    return [lay.id_field] + [c for c in ("appurtenance", "utility", "subtype") if c in lay.field_names]


def symbol_points(frame, origin) -> SymbolPoints:
    """The symbols of ``pipe_points`` rows (a GeoDataFrame, or a lean CoordFrame of
    viewers.scene.frames) in a scene with ``origin`` (local coordinates)."""
    from gis import layers as registry
    from viewers.scene.project_scene import feature_utilities

    if hasattr(frame, "coords"):
        xyz = frame.coords.copy()
    else:
        import shapely

        xyz = shapely.get_coordinates(frame.geometry.values, include_z=True)
    if len(xyz) != len(frame):
        raise ValueError("pipe points must be single points")
    xyz = np.nan_to_num(xyz, nan=float(origin[2])) - np.asarray(origin, dtype=float)
    shape = np.zeros(len(frame), dtype=np.int32)
    if "appurtenance" in frame.columns:
        import pandas as pd

        codes, kinds = pd.factorize(frame["appurtenance"], use_na_sentinel=False)
        table = np.array([SHAPES.index(SYMBOL_OF.get(k, "point")) for k in kinds] or [0], dtype=np.int32)
        shape = table[codes]
    ids = frame[registry.get(LAYER).id_field].to_numpy(dtype=object)
    return SymbolPoints(xyz, shape, styles.feature_colours(LAYER, frame), feature_utilities(frame), ids)


def _shape_source(name: str):
    """The glyph of one shape, one unit across, centred on the origin, in the z = 0 plane."""
    pts: list[tuple[float, float]] = []
    polys: list[list[int]] = []
    lines: list[list[int]] = []

    def add(xy, poly: bool, closed: bool = True) -> None:
        base = len(pts)
        pts.extend(xy)
        ids = list(range(base, base + len(xy)))
        (polys if poly else lines).append(ids if poly or not closed else ids + [base])

    def circle(r: float, n: int = 24):
        return [(r * math.cos(2 * math.pi * k / n), r * math.sin(2 * math.pi * k / n)) for k in range(n)]

    if name == "point":
        add(circle(0.2, 12), poly=True)
    elif name in ("well", "valve_well", "hydrant"):
        add(circle(0.5), poly=False)
    if name in ("valve", "valve_well"):
        s = 0.5 if name == "valve" else 0.32
        add([(-s, -0.7 * s), (0.0, 0.0), (-s, 0.7 * s)], poly=True)
        add([(s, -0.7 * s), (s, 0.7 * s), (0.0, 0.0)], poly=True)
    if name == "hydrant":
        add(circle(0.28, 16), poly=True)
    if name == "grate":
        add([(-0.5, -0.3), (0.5, -0.3), (0.5, 0.3), (-0.5, 0.3)], poly=True)
    if name == "box":
        add([(-0.45, -0.45), (0.45, -0.45), (0.45, 0.45), (-0.45, 0.45)], poly=False)
    return planar_polydata(pts, polys, lines)


class SymbolLayer:
    """The pipe-point symbols of a top view on ``renderer``: one actor, refreshed before each render."""

    def __init__(self, renderer):
        from vtkmodules.vtkRenderingCore import vtkActor, vtkGlyph3DMapper

        self.renderer = renderer
        self.points: SymbolPoints | None = None
        self._visible = True
        self._hidden_codes: set[str] = set()
        self._selected = np.zeros(0, dtype=bool)
        self._mask, self._mask_for = np.zeros(0, dtype=bool), None
        self._region: tuple[float, float, float, float] | None = None   # local box the drawn points cover
        self._mpp: float | None = None
        self.drawn = np.zeros(0, dtype=np.int64)          # indices of the points given to the mapper
        mapper = vtkGlyph3DMapper()
        for i, name in enumerate(SHAPES):
            mapper.SetSourceData(i, _shape_source(name))
        mapper.SourceIndexingOn()
        mapper.SetSourceIndexArray("shape")
        mapper.OrientOff()
        mapper.SetScaleModeToNoDataScaling()
        mapper.SetScalarModeToUsePointFieldData()
        mapper.SelectColorArray("rgb")
        mapper.SetColorModeToDirectScalars()
        mapper.ScalarVisibilityOn()
        self.actor = vtkActor()
        self.actor.SetMapper(mapper)
        prop = self.actor.GetProperty()
        prop.LightingOff()
        prop.SetLineWidth(2.0)
        self.actor.PickableOff()
        self.actor.SetVisibility(False)
        renderer.AddActor(self.actor)
        self._observer = renderer.AddObserver("StartEvent", lambda *_: self.update())

    # ------------------------------------------------------------ settings
    def set_points(self, points: SymbolPoints | None) -> None:
        """Symbolise ``points`` (None: none)."""
        self.points = points
        self._selected = np.zeros(len(points) if points is not None else 0, dtype=bool)
        self._mask_for = None
        self._invalidate()

    def set_visible(self, visible: bool) -> None:
        """Show or hide every symbol (the pipe_points layer)."""
        self._visible = bool(visible)
        self._invalidate()

    def set_utility_visible(self, code: str, visible: bool) -> None:
        """Show or hide the symbols of one utility (CJJ 61 code)."""
        (self._hidden_codes.discard if visible else self._hidden_codes.add)(code)
        self._invalidate()

    def select(self, ids: Iterable[str]) -> list[str]:
        """Draw the points ``ids`` in the selection colour (others as usual); the ids found."""
        if self.points is None:
            return []
        self._selected = np.zeros(len(self.points), dtype=bool)
        self._selected[rows_with_ids(self.points.ids, ids)] = True
        self._invalidate()
        return self.selected_ids()

    def selected_ids(self) -> list[str]:
        """The ids of the selected points."""
        return [] if self.points is None else [str(i) for i in self.points.ids[self._selected]]

    def selected_bounds(self) -> tuple[float, float, float, float] | None:
        """Local plan box (xmin, xmax, ymin, ymax) of the selected points; None: none."""
        if self.points is None or not self._selected.any():
            return None
        xy = self.points.xyz[self._selected, :2]
        return xy[:, 0].min(), xy[:, 0].max(), xy[:, 1].min(), xy[:, 1].max()

    def bounds(self) -> tuple[float, float, float, float] | None:
        """Local plan box of every point; None: none."""
        if self.points is None or not len(self.points):
            return None
        xy = self.points.xyz[:, :2]
        return xy[:, 0].min(), xy[:, 0].max(), xy[:, 1].min(), xy[:, 1].max()

    def remove(self) -> None:
        """Take the actor off the renderer."""
        self.renderer.RemoveObserver(self._observer)
        self.renderer.RemoveActor(self.actor)

    # ------------------------------------------------------------- drawing
    def _invalidate(self) -> None:
        self._region = None

    def _shown_mask(self) -> np.ndarray:
        """Points of shown utilities (cached per set of hidden utilities)."""
        hidden = frozenset(self._hidden_codes)
        if self._mask_for != hidden:
            p = self.points
            self._mask = np.ones(len(p), dtype=bool)
            if hidden and p.utility is not None:
                self._mask = ~np.isin(p.utility, list(hidden))
            self._mask_for = hidden
        return self._mask

    def _view_box(self) -> tuple[float, float, float, float, float] | None:
        """(xmin, xmax, ymin, ymax, metres per pixel) of an unrotated top view; None otherwise."""
        cam = self.renderer.GetActiveCamera()
        w, h = self.renderer.GetSize()
        if not cam.GetParallelProjection() or w <= 0 or h <= 0:
            return None
        mpp = 2.0 * cam.GetParallelScale() / h
        fx, fy, _ = cam.GetFocalPoint()
        hw, hh = w * mpp / 2, h * mpp / 2
        return fx - hw, fx + hw, fy - hh, fy + hh, mpp

    def update(self) -> None:
        """Pick the points to draw for the camera now and size the symbols (before each render)."""
        view = self._view_box() if self.points is not None and self._visible else None
        if view is None or view[4] > MAX_MPP:
            self.actor.SetVisibility(False)
            return
        x0, x1, y0, y1, mpp = view
        mapper = self.actor.GetMapper()
        r = self._region
        if r is None or x0 < r[0] or x1 > r[1] or y0 < r[2] or y1 > r[3] or mpp != self._mpp:
            mx, my = (x1 - x0) * MARGIN, (y1 - y0) * MARGIN
            self._region = (x0 - mx, x1 + mx, y0 - my, y1 + my)
            self._mpp = mpp
            self._fill(*self._region)
        mapper.SetScaleFactor(SYMBOL_PX * mpp)
        cam = self.renderer.GetActiveCamera()
        self.actor.SetPosition(0.0, 0.0, (cam.GetFocalPoint()[2] + cam.GetPosition()[2]) / 2)  # over the scene
        self.actor.SetVisibility(len(self.drawn) > 0)
        self.renderer.ResetCameraClippingRange()

    def _fill(self, x0: float, x1: float, y0: float, y1: float) -> None:
        from vtkmodules.util.numpy_support import numpy_to_vtk
        from vtkmodules.vtkCommonCore import vtkPoints
        from vtkmodules.vtkCommonDataModel import vtkPolyData

        p = self.points
        x, y = p.xyz[:, 0], p.xyz[:, 1]
        idx = np.flatnonzero((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1) & self._shown_mask())
        self.drawn = idx if len(idx) <= MAX_SYMBOLS else np.zeros(0, dtype=np.int64)
        idx = self.drawn
        xyz = p.xyz[idx].copy()
        xyz[:, 2] = 0.0                     # the actor is lifted over the scene (update)
        order = np.argsort(self._selected[idx], kind="stable")    # selected symbols last: on top
        idx, xyz = idx[order], xyz[order]
        self.drawn = idx
        rgb = p.rgb[idx].copy()
        rgb[self._selected[idx]] = styles.SELECTION_RGB
        pd = vtkPolyData()
        pts = vtkPoints()
        pts.SetData(numpy_to_vtk(xyz.astype(np.float64), deep=True))
        pd.SetPoints(pts)
        shape = numpy_to_vtk(p.shape[idx].astype(np.int32), deep=True)
        shape.SetName("shape")
        colours = numpy_to_vtk(np.ascontiguousarray(rgb, dtype=np.uint8), deep=True)
        colours.SetName("rgb")
        pd.GetPointData().AddArray(shape)
        pd.GetPointData().AddArray(colours)
        self.actor.GetMapper().SetInputData(pd)

    # ------------------------------------------------------------- picking
    def pick(self, x: float, y: float) -> str | None:
        """The id of the drawn symbol nearest display (x, y) within half a symbol; None: none."""
        if not self.actor.GetVisibility() or not len(self.drawn):
            return None
        view = self._view_box()
        if view is None:
            return None
        x0, x1, y0, y1, mpp = view
        xy = self.points.xyz[self.drawn, :2]
        px = (xy[:, 0] - x0) / mpp
        py = (xy[:, 1] - y0) / mpp
        d = np.hypot(px - x, py - y)
        best = int(np.argmin(d))
        return str(self.points.ids[self.drawn[best]]) if d[best] <= SYMBOL_PX / 2 else None
