"""Measuring on a top view: path length and polygon area, and the drawing of a measurement.

Plan measures in the project's (projected, metre) grid: :func:`measure`
gives the length of a path (metres) or the area of the polygon it closes
(square metres, the shoelace formula).  :class:`MeasureOverlay` draws the
clicked vertices, the path (closed for an area, with the pending edge to
the cursor) and the running value on a renderer (headless VTK, no Qt).
"""
from __future__ import annotations

import numpy as np

DISTANCE, AREA = "distance", "area"
KINDS = (DISTANCE, AREA)
MEASURE_RGB = (0.86, 0.08, 0.24)       # crimson: apart from every CJJ 61 utility colour
LINE_PX = 2.0
VERTEX_PX = 7.0
FONT_PX = 14


def measure(kind: str, xy) -> float:
    """The length (m) of the path through plan points ``xy`` (n, 2), or the area (m²) of the
    polygon they close (0 with fewer than 3 points)."""
    xy = np.asarray(xy, dtype=float).reshape(-1, 2)
    if kind == DISTANCE:
        return float(np.hypot(*np.diff(xy, axis=0).T).sum()) if len(xy) > 1 else 0.0
    if kind == AREA:
        if len(xy) < 3:
            return 0.0
        x, y = xy[:, 0] - xy[:, 0].mean(), xy[:, 1] - xy[:, 1].mean()     # centred: no cancellation
        return float(abs(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))) / 2)
    raise ValueError(f"unknown measure {kind!r}: use one of {', '.join(KINDS)}")


def value_text(kind: str, value: float) -> str:
    """A measured value with its unit: "12.35 m", "1,204.6 m²"."""
    return f"{value:,.2f} m" if kind == DISTANCE else f"{value:,.1f} m²"


class MeasureOverlay:
    """The measurement on ``renderer``: vertices, path and label, over everything the view draws."""

    def __init__(self, renderer):
        from vtkmodules.vtkRenderingCore import vtkActor, vtkPolyDataMapper, vtkTextActor

        self.renderer = renderer
        self.actor = vtkActor()
        self.actor.SetMapper(vtkPolyDataMapper())
        prop = self.actor.GetProperty()
        prop.SetColor(*MEASURE_RGB)
        prop.LightingOff()
        prop.SetLineWidth(LINE_PX)
        prop.SetPointSize(VERTEX_PX)
        prop.RenderPointsAsSpheresOn()
        self.actor.PickableOff()
        self.label = vtkTextActor()
        self.label.GetPositionCoordinate().SetCoordinateSystemToWorld()
        tp = self.label.GetTextProperty()
        tp.SetFontSize(FONT_PX)
        tp.SetBold(True)
        tp.SetColor(*MEASURE_RGB)
        tp.SetBackgroundColor(1.0, 1.0, 1.0)
        tp.SetBackgroundOpacity(0.8)
        self.label.PickableOff()
        renderer.AddActor(self.actor)
        renderer.AddViewProp(self.label)
        self.clear()

    def clear(self) -> None:
        """Draw nothing."""
        self.actor.SetVisibility(False)
        self.label.SetVisibility(False)

    def show(self, kind: str, xy, cursor=None, text: str | None = None) -> None:
        """Draw the measurement through local plan points ``xy`` (n, 2), with the pending edge to
        ``cursor`` (local x, y) while drawing, and ``text`` by the last point."""
        from vtkmodules.util.numpy_support import numpy_to_vtk, numpy_to_vtkIdTypeArray
        from vtkmodules.vtkCommonCore import vtkPoints
        from vtkmodules.vtkCommonDataModel import vtkCellArray, vtkPolyData

        xy = np.asarray(xy, dtype=float).reshape(-1, 2)
        if not len(xy):
            self.clear()
            return
        path = xy if cursor is None else np.vstack([xy, np.asarray(cursor, dtype=float)[:2]])
        n, m = len(xy), len(path)
        ring = list(range(m)) + ([0] if kind == AREA and m > 2 else [])
        cam = self.renderer.GetActiveCamera()
        z = (cam.GetFocalPoint()[2] + cam.GetPosition()[2]) / 2          # over everything drawn
        pd = vtkPolyData()
        pts = vtkPoints()
        pts.SetData(numpy_to_vtk(np.column_stack([path, np.full(m, z)]), deep=True))
        pd.SetPoints(pts)
        verts, lines = vtkCellArray(), vtkCellArray()
        verts.SetData(numpy_to_vtkIdTypeArray(np.arange(n + 1, dtype=np.int64), deep=True),
                      numpy_to_vtkIdTypeArray(np.arange(n, dtype=np.int64), deep=True))
        if len(ring) > 1:
            lines.SetData(numpy_to_vtkIdTypeArray(np.array([0, len(ring)], dtype=np.int64), deep=True),
                          numpy_to_vtkIdTypeArray(np.array(ring, dtype=np.int64), deep=True))
        pd.SetVerts(verts)
        pd.SetLines(lines)
        self.actor.GetMapper().SetInputData(pd)
        self.actor.SetVisibility(True)
        if text:
            self.label.SetInput(text)
            self.label.GetPositionCoordinate().SetValue(path[-1][0], path[-1][1], z)
        self.label.SetVisibility(bool(text))
        self.renderer.ResetCameraClippingRange()
