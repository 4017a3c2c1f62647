"""3D interaction widgets that cut the scene: a movable clip box and a section plane.

Both live in world coordinates (local, exaggerated) on a VTK interactor
and report in local, *unexaggerated* coordinates (what
``Stage.set_clip_planes`` takes), so a cut stays put when the exaggeration
changes (:meth:`rescale`).  ``on_change`` is called while they are dragged.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

Plane = tuple[tuple[float, float, float], tuple[float, float, float]]


def _scaled(bounds, k: float) -> list[float]:
    b = list(map(float, bounds))
    return b[:4] + [b[4] * k, b[5] * k]


class ClipBox:
    """An axis-aligned box (vtkBoxWidget2, no rotation): everything outside its sides and below its
    bottom is cut away.  Its top stays open (five planes: with the section plane that is OpenGL's
    limit of six; the ground over the box is cut away by Stage.set_ground_hole)."""

    def __init__(self, interactor, on_change: Callable[[], None]):
        from vtkmodules.vtkInteractionWidgets import vtkBoxRepresentation, vtkBoxWidget2

        self.rep = vtkBoxRepresentation()
        self.rep.SetPlaceFactor(1.0)
        self.rep.GetOutlineProperty().SetColor(0.1, 0.3, 0.9)
        self.widget = vtkBoxWidget2()
        self.widget.SetInteractor(interactor)
        self.widget.SetRepresentation(self.rep)
        self.widget.RotationEnabledOff()
        self.widget.AddObserver("InteractionEvent", lambda *_: on_change())
        self._k = 1.0

    @property
    def enabled(self) -> bool:
        """Whether the box is shown (and cuts)."""
        return bool(self.widget.GetEnabled())

    def show(self, bounds, exaggeration: float) -> None:
        """Show the box over local unexaggerated ``bounds`` (xmin, xmax, ymin, ymax, zmin, zmax)."""
        self._k = exaggeration
        self.rep.PlaceWidget(_scaled(bounds, exaggeration))
        self.widget.On()

    def hide(self) -> None:
        """Remove the box."""
        self.widget.Off()

    def bounds(self) -> tuple[float, ...]:
        """The box (xmin, xmax, ymin, ymax, zmin, zmax), local unexaggerated."""
        b = self.rep.GetBounds()
        return (b[0], b[1], b[2], b[3], b[4] / self._k, b[5] / self._k)

    def planes(self) -> list[Plane]:
        """The five planes keeping the inside of the box (sides and bottom)."""
        x0, x1, y0, y1, z0, _ = self.bounds()
        return [((x0, 0, 0), (1, 0, 0)), ((x1, 0, 0), (-1, 0, 0)), ((0, y0, 0), (0, 1, 0)),
                ((0, y1, 0), (0, -1, 0)), ((0, 0, z0), (0, 0, 1))]

    def rescale(self, exaggeration: float) -> None:
        """Keep the box on the same ground after the exaggeration changed."""
        if self.enabled:
            bounds = self.bounds()
            self._k = exaggeration
            self.rep.PlaceWidget(_scaled(bounds, exaggeration))
        self._k = exaggeration


class SectionPlane:
    """A plane (vtkImplicitPlaneWidget2) that can be moved and turned: the side its normal points
    to is kept, the camera looks along the normal from the cut side."""

    def __init__(self, interactor, on_change: Callable[[], None]):
        from vtkmodules.vtkInteractionWidgets import vtkImplicitPlaneRepresentation, vtkImplicitPlaneWidget2

        self.rep = vtkImplicitPlaneRepresentation()
        self.rep.SetPlaceFactor(1.0)
        self.rep.DrawPlaneOff()
        self.rep.OutlineTranslationOff()
        self.rep.ScaleEnabledOff()
        self.widget = vtkImplicitPlaneWidget2()
        self.widget.SetInteractor(interactor)
        self.widget.SetRepresentation(self.rep)
        self.widget.AddObserver("InteractionEvent", lambda *_: on_change())
        self._k = 1.0

    @property
    def enabled(self) -> bool:
        """Whether the plane is shown (and cuts)."""
        return bool(self.widget.GetEnabled())

    def show(self, bounds, origin, normal, exaggeration: float) -> None:
        """Show the plane through local unexaggerated ``origin`` with ``normal`` in ``bounds``."""
        self._k = exaggeration
        self.rep.PlaceWidget(_scaled(bounds, exaggeration))
        self.set_plane(origin, normal)
        self.widget.On()

    def hide(self) -> None:
        """Remove the plane."""
        self.widget.Off()

    def set_plane(self, origin, normal) -> None:
        """Move the plane (local unexaggerated origin and normal)."""
        k = self._k
        n = np.array([normal[0], normal[1], normal[2] / k], dtype=float)
        self.rep.SetOrigin(origin[0], origin[1], origin[2] * k)
        self.rep.SetNormal(*(n / (np.linalg.norm(n) or 1.0)))

    def plane(self) -> Plane:
        """(origin, unit normal) in local unexaggerated coordinates."""
        k = self._k
        o, n = self.rep.GetOrigin(), self.rep.GetNormal()
        normal = np.array([n[0], n[1], n[2] * k])
        normal /= np.linalg.norm(normal) or 1.0
        return (o[0], o[1], o[2] / k), tuple(float(v) for v in normal)

    def rescale(self, exaggeration: float) -> None:
        """Keep the plane through the same point after the exaggeration changed."""
        if self.enabled:
            origin, normal = self.plane()
            bounds = [float(v) for v in self.rep.GetWidgetBounds()]
            self._k, old = exaggeration, self._k
            self.rep.PlaceWidget(bounds[:4] + [bounds[4] / old * exaggeration, bounds[5] / old * exaggeration])
            self.set_plane(origin, normal)
        self._k = exaggeration
