"""The 3D view widget: trackball camera (rotate, pan, zoom) over the shaded scene."""
from __future__ import annotations

from viewers import camera
from viewers.qt_vtkview import VtkView

DEFAULT_AZIMUTH, DEFAULT_ELEVATION = 210.0, 35.0


class View3D(VtkView):
    """Perspective 3D view of a ProjectScene.  Interface: see VtkView."""

    shading = "shaded"

    def _make_style(self):
        from vtkmodules.vtkInteractionStyle import vtkInteractorStyleTrackballCamera

        return vtkInteractorStyleTrackballCamera()

    def _frame(self) -> None:
        bounds = self.stage.visible_bounds()
        if bounds is not None:
            camera.orbit(self.renderer, bounds, DEFAULT_AZIMUTH, DEFAULT_ELEVATION)
