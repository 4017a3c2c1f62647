"""Map furniture drawn over a top view: a scale bar and a north arrow (headless VTK, no Qt).

:class:`MapDecorations` adds 2D actors to a renderer and redraws them
before every render from the camera: the scale bar is a round length
(1, 2 or 5 x 10^k metres) about :data:`BAR_TARGET_PX` long at the current
metres per pixel; the north arrow points where +y (grid north) lies on
screen.  They are part of the rendered pixels (screenshots and saved
images carry them).
"""
from __future__ import annotations

import math

import numpy as np

from viewers.planar import planar_polydata

BAR_TARGET_PX = 120          # the scale bar is at most this long
BAR_HEIGHT_PX = 6
MARGIN_PX = 14               # from the window edges
ARROW_PX = 26                # north arrow length
INK_RGB = (0.0, 0.0, 0.0)
PAPER_RGB = (1.0, 1.0, 1.0)
FONT_PX = 13


def metres_per_pixel(renderer) -> float | None:
    """Metres one pixel spans in an orthographic view (None: perspective or no size)."""
    cam = renderer.GetActiveCamera()
    height = renderer.GetSize()[1]
    if not cam.GetParallelProjection() or height <= 0:
        return None
    return 2.0 * cam.GetParallelScale() / height


def nice_length(max_m: float) -> float:
    """The longest 1, 2 or 5 x 10^k metres not longer than ``max_m`` (> 0)."""
    if not max_m > 0:
        raise ValueError(f"length must be positive, not {max_m}")
    power = 10.0 ** math.floor(math.log10(max_m))
    for step in (5.0, 2.0, 1.0):
        if step * power <= max_m * (1 + 1e-9):
            return step * power
    return power


def length_text(metres: float) -> str:
    """A scale-bar label: "500 m", "2 km", "0.5 m"."""
    if metres >= 1000:
        return f"{metres / 1000:g} km"
    return f"{metres:g} m"


class MapDecorations:
    """Scale bar (bottom left) and north arrow (top right) of a top view on ``renderer``."""

    def __init__(self, renderer):
        from vtkmodules.vtkRenderingCore import vtkActor2D, vtkPolyDataMapper2D, vtkTextActor

        self.renderer = renderer
        self.enabled = True
        self.bar_m: float | None = None          # the length the bar shows now
        self.bar_px: tuple[int, int] | None = None   # its first and last pixel column
        self._actors = {}
        for name, rgb in (("paper", PAPER_RGB), ("bar_ink", INK_RGB), ("bar_paper", PAPER_RGB),
                          ("arrow", INK_RGB)):
            mapper = vtkPolyDataMapper2D()
            actor = vtkActor2D()
            actor.SetMapper(mapper)
            actor.GetProperty().SetColor(*rgb)
            actor.GetProperty().SetLineWidth(1.0)
            actor.PickableOff()
            self._actors[name] = actor
        self._actors["paper"].GetProperty().SetOpacity(0.8)
        for name in ("bar_label", "north"):
            text = vtkTextActor()
            prop = text.GetTextProperty()
            prop.SetFontSize(FONT_PX)
            prop.SetColor(*INK_RGB)
            prop.SetBold(name == "north")
            prop.SetJustificationToCentered()
            text.PickableOff()
            self._actors[name] = text
        for actor in self._actors.values():
            renderer.AddViewProp(actor)
        self._observer = renderer.AddObserver("StartEvent", lambda *_: self.update())

    def set_visible(self, visible: bool) -> None:
        """Show or hide the scale bar and the north arrow."""
        self.enabled = bool(visible)
        self.update()

    def update(self) -> None:
        """Fit the scale bar and turn the arrow to the camera now (before every render)."""
        mpp = metres_per_pixel(self.renderer)
        w, h = self.renderer.GetSize()
        if not self.enabled or mpp is None or mpp <= 0 or w <= 0 or h <= 0:
            for actor in self._actors.values():
                actor.SetVisibility(False)
            self.bar_m = self.bar_px = None
            return
        self._scale_bar(mpp)
        self._north_arrow(w, h)

    def _scale_bar(self, mpp: float) -> None:
        metres = nice_length(mpp * BAR_TARGET_PX)
        px = metres / mpp
        x0, y0 = float(MARGIN_PX), float(MARGIN_PX)
        x1 = x0 + px
        half = x0 + px / 2
        bh = BAR_HEIGHT_PX
        # a black bar, its right half white inside a black rim, on a translucent white card with its label
        self._set("paper", np.array([[x0 - 6, y0 - 6], [x1 + 6, y0 - 6], [x1 + 6, y0 + bh + FONT_PX + 10],
                                     [x0 - 6, y0 + bh + FONT_PX + 10]]), [[0, 1, 2, 3]])
        self._set("bar_ink", np.array([[x0, y0], [x1, y0], [x1, y0 + bh], [x0, y0 + bh]]), [[0, 1, 2, 3]])
        self._set("bar_paper", np.array([[half, y0 + 1], [x1 - 1, y0 + 1], [x1 - 1, y0 + bh - 1],
                                         [half, y0 + bh - 1]]), [[0, 1, 2, 3]])
        label = self._actors["bar_label"]
        label.SetInput(length_text(metres))
        label.SetDisplayPosition(int(round((x0 + x1) / 2)), int(y0 + bh + 3))
        self.bar_m = metres
        self.bar_px = (int(x0), int(round(x1)) - 1)
        for name in ("paper", "bar_ink", "bar_paper", "bar_label"):
            self._actors[name].SetVisibility(True)

    def _north_arrow(self, w: int, h: int) -> None:
        cam = self.renderer.GetActiveCamera()
        up = np.array(cam.GetViewUp())
        forward = np.array(cam.GetDirectionOfProjection())
        right = np.cross(forward, up)
        north = np.array([0.0, 1.0, 0.0])
        d = np.array([north @ right, north @ up])
        if np.linalg.norm(d) < 1e-6:          # looking along north: no arrow
            d = np.array([0.0, 1.0])
        d /= np.linalg.norm(d)
        n = np.array([-d[1], d[0]])
        cx, cy = w - MARGIN_PX - ARROW_PX / 2, h - MARGIN_PX - FONT_PX - ARROW_PX / 2 - 4
        centre = np.array([cx, cy])
        tip, tail = centre + d * ARROW_PX / 2, centre - d * ARROW_PX / 2
        notch = centre - d * ARROW_PX / 4
        half = ARROW_PX / 3
        pts = np.array([tip, tail + n * half, notch, tail - n * half])
        # the left half filled, the right half outlined: the classic north arrow
        self._set("arrow", pts, [[0, 2, 3]], [[0, 1, 2, 3, 0]])
        label = self._actors["north"]
        label.SetInput("N")
        pos = centre + d * (ARROW_PX / 2 + FONT_PX / 2 + 2) - np.array([0.0, FONT_PX / 2])
        label.SetDisplayPosition(int(round(pos[0])), int(round(pos[1])))
        self._actors["arrow"].SetVisibility(True)
        label.SetVisibility(True)

    def _set(self, name: str, points: np.ndarray, polys, lines=()) -> None:
        self._actors[name].GetMapper().SetInputData(planar_polydata(points, polys, lines))

    def remove(self) -> None:
        """Take the actors off the renderer."""
        self.renderer.RemoveObserver(self._observer)
        for actor in self._actors.values():
            self.renderer.RemoveViewProp(actor)
