"""The 2D map widget: the same scene seen from above, unlit, orthographic.

Left-drag draws a rubber band and zooms to it, a left click picks; middle
button pans, right button and wheel zoom (vtkInteractorStyleRubberBand2D).
"""
from __future__ import annotations

from viewers import camera
from viewers.qt_vtkview import CLICK_SLOP_PX, VtkView

FIT_MARGIN = 1.05


class Map2D(VtkView):
    """Top-down map of a ProjectScene.  Interface: see VtkView."""

    shading = "map"

    def _make_style(self):
        from vtkmodules.vtkInteractionStyle import vtkInteractorStyleRubberBand2D

        style = vtkInteractorStyleRubberBand2D()
        style.AddObserver("SelectionChangedEvent", self._zoom_to_band)
        return style

    def _size(self) -> tuple[int, int]:
        w, h = self.render_window.GetSize()
        return max(w, 1), max(h, 1)

    def _frame(self) -> None:
        bounds = self.stage.visible_bounds(with_ground=False) or self.stage.visible_bounds()
        if bounds is None:
            return
        w, h = self._size()
        width = max(bounds[1] - bounds[0], (bounds[3] - bounds[2]) * w / h, 1.0) * FIT_MARGIN
        camera.top(self.renderer, ((bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2), width,
                   (w, h), self.stage.visible_bounds())

    def _zoom_to_band(self, style, _event) -> None:
        (x0, y0), (x1, y1) = style.GetStartPosition(), style.GetEndPosition()
        if abs(x1 - x0) <= CLICK_SLOP_PX or abs(y1 - y0) <= CLICK_SLOP_PX or self.stage.scene is None:
            return
        a = self.stage.display_to_world((x0 + x1) / 2, (y0 + y1) / 2, 0.5)
        w, h = self._size()
        scale = max(abs(x1 - x0) / w, abs(y1 - y0) / h)
        cam = self.renderer.GetActiveCamera()
        cam.SetFocalPoint(a[0], a[1], cam.GetFocalPoint()[2])
        cam.SetPosition(a[0], a[1], cam.GetPosition()[2])
        cam.SetParallelScale(cam.GetParallelScale() * scale)
        self.renderer.ResetCameraClippingRange()
        self.redraw()
