"""The 3D view widget: trackball camera (rotate, pan, zoom) over the shaded scene.

On top of the shared VtkView interface: camera presets (top, from below,
along the section), the vertical exaggeration drawn on screen ("Z×5"), a
legend, decluttered labels, a clip box and a section plane, hover picking
(throttled: one pick after the mouse rests ``HOVER_MS``) and a click tool
hook for two-click tools.  The tools themselves live in the app.
"""
from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import QPoint, QTimer, Signal

from viewers import camera
from viewers.styles import exaggeration_text
from viewers.qt_vtkview import VtkView

DEFAULT_AZIMUTH, DEFAULT_ELEVATION = 210.0, 35.0
BELOW_ELEVATION = -30.0          # "look from below" (仰视): degrees under the horizon
TOP_ELEVATION = 90.0
HOVER_MS = 150                   # hover picking waits until the mouse rests this long
BADGE_PX = 15
CLIP_BOX_SHARE = 0.5             # a new clip box covers this share of the data's plan extent


class View3D(VtkView):
    """Perspective 3D view of a ProjectScene.  Interface: see VtkView, plus the 3D tools.

    Signals: ``hovered(layer, feature_id, global_pos)`` after the mouse rests
    over a feature (("", "") over nothing); ``clip_changed()`` when the clip
    box or the section plane moved or was toggled.
    """

    shading = "shaded"
    hovered = Signal(str, str, QPoint)
    clip_changed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        from viewers.clip_widgets import ClipBox, SectionPlane
        from viewers.labels import LabelOverlay
        from viewers.legend import Legend
        from viewers.vtk_text import HALO_RGB, text_actor

        self.badge = text_actor(exaggeration_text(self.stage.exaggeration), BADGE_PX, bold=True, background=HALO_RGB)
        self.badge.SetDisplayPosition(10, 10)
        self.renderer.AddViewProp(self.badge)
        self.legend = Legend(self.renderer)
        self.labels = LabelOverlay(self.stage)
        self.clip_box = ClipBox(self.interactor, self._clip_moved)
        self.section_plane = SectionPlane(self.interactor, self._clip_moved)
        #: horizontal normal of the last cut line (local), the "section" preset looks along it
        self.section_normal: tuple[float, float, float] | None = None
        self._click_tool: Callable[[int, int], None] | None = None
        self._hover_at: tuple[int, int] | None = None
        self._hover_timer = QTimer(self)
        self._hover_timer.setSingleShot(True)
        self._hover_timer.setInterval(HOVER_MS)
        self._hover_timer.timeout.connect(self._hover)

    def _make_style(self):
        from vtkmodules.vtkInteractionStyle import vtkInteractorStyleTrackballCamera

        return vtkInteractorStyleTrackballCamera()

    def _frame(self) -> None:
        self._orbit(DEFAULT_AZIMUTH, DEFAULT_ELEVATION)

    def _orbit(self, azimuth: float, elevation: float) -> None:
        bounds = self.stage.visible_bounds()
        if bounds is not None:
            camera.orbit(self.renderer, bounds, azimuth, elevation)

    # ---------------------------------------------------------------- scene
    def set_scene(self, scene) -> None:
        """Show a scene (cuts, tools and labels of the previous one are dropped)."""
        self.clip_box.hide()
        self.section_plane.hide()
        self.section_normal = None
        self.stage.set_clip_planes(None)
        self.labels.clear()
        super().set_scene(scene)
        self._show_exaggeration(self.stage.exaggeration)

    def clear(self) -> None:
        """Show nothing."""
        self.labels.clear()
        self.legend.set(None)
        super().clear()

    def set_exaggeration(self, k: float) -> None:
        """Vertical exaggeration of every layer and the ground; the badge shows it."""
        self.stage.set_exaggeration(k)
        self._show_exaggeration(k)
        self.redraw()

    def _show_exaggeration(self, k: float) -> None:
        """The badge and the clip widgets follow exaggeration ``k`` (the stage has it already)."""
        self.badge.SetInput(exaggeration_text(k))
        self.clip_box.rescale(k)
        self.section_plane.rescale(k)

    # -------------------------------------------------------------- cameras
    def view_top(self) -> None:
        """Look straight down on the data (俯视), north up."""
        if self.stage.scene is not None:
            self._orbit(180.0, TOP_ELEVATION)
        self.redraw()

    def view_from_below(self) -> None:
        """Look up at the data from under it (仰视): pipes seen against the underside of the ground."""
        if self.stage.scene is not None:
            self._orbit(DEFAULT_AZIMUTH, BELOW_ELEVATION)
        self.redraw()

    def section_direction(self) -> tuple[float, float, float]:
        """Where the "section" preset looks: the section plane's normal, else the last cut line's, else north."""
        if self.section_plane.enabled:
            return self.section_plane.plane()[1]
        return self.section_normal or (0.0, 1.0, 0.0)

    def view_section(self) -> None:
        """Look along the section (剖面): horizontally, square to the section plane or cut line."""
        if self.stage.scene is not None:
            n = self.section_direction()
            # orbit's azimuth names where the camera stands: on the cut side, looking along the normal
            self._orbit(math.degrees(math.atan2(-n[0], -n[1])), 0.0)
        self.redraw()

    # ------------------------------------------------------------ clipping
    def show_clip_box(self, on: bool) -> None:
        """Show the movable clip box over the middle of the data (everything outside is cut) or remove it."""
        if on and self.stage.scene is not None:
            b = self._data_bounds()
            if b is None:
                return
            cx, cy = (b[0] + b[1]) / 2, (b[2] + b[3]) / 2
            hx, hy = (b[1] - b[0]) * CLIP_BOX_SHARE / 2, (b[3] - b[2]) * CLIP_BOX_SHARE / 2
            pad = max(1.0, 0.1 * (b[5] - b[4]))
            self.clip_box.show((cx - hx, cx + hx, cy - hy, cy + hy, b[4] - pad, b[5] + pad), self.stage.exaggeration)
        else:
            self.clip_box.hide()
        self._clip_moved()

    def show_section_plane(self, on: bool) -> None:
        """Show the section plane (through the data's centre, square to the last cut line or facing
        north); the side behind it (seen along its normal) stays.  Or remove it."""
        if on and self.stage.scene is not None:
            b = self._data_bounds()
            if b is None:
                return
            origin = ((b[0] + b[1]) / 2, (b[2] + b[3]) / 2, (b[4] + b[5]) / 2)
            self.section_plane.show(b, origin, self.section_normal or (0.0, 1.0, 0.0), self.stage.exaggeration)
        else:
            self.section_plane.hide()
        self._clip_moved()

    def _data_bounds(self) -> tuple[float, ...] | None:
        """Visible data bounds (ground left out unless nothing else shows), local and unexaggerated."""
        b = self.stage.visible_bounds(with_ground=False) or self.stage.visible_bounds()
        if b is None:
            return None
        k = self.stage.exaggeration
        return (b[0], b[1], b[2], b[3], b[4] / k, b[5] / k)

    def _clip_moved(self) -> None:
        planes = []
        if self.clip_box.enabled:
            planes += self.clip_box.planes()
        if self.section_plane.enabled:
            planes.append(self.section_plane.plane())
        self.stage.set_clip_planes(planes)
        self.clip_changed.emit()
        self.redraw()

    # ------------------------------------------------------- tools, hover
    def set_click_tool(self, tool: Callable[[int, int], None] | None) -> None:
        """Send left clicks to ``tool(x, y)`` (display pixels from the bottom-left) instead of picking;
        None restores picking."""
        self._click_tool = tool

    def pick_at(self, x: int, y: int) -> tuple[str, str]:
        """A click at display (x, y): to the click tool when one is set (then ("", "")), else pick."""
        if self._click_tool is not None:
            self._click_tool(x, y)
            return "", ""
        return super().pick_at(x, y)

    def _on_move(self, pos: tuple[int, int], dragging: bool) -> None:
        super()._on_move(pos, dragging)
        if dragging or self.stage.scene is None:
            self._hover_timer.stop()
            return
        self._hover_at = pos
        self._hover_timer.start()

    def _hover(self) -> None:
        if self._hover_at is None or self.stage.scene is None:
            return
        x, y = self._hover_at
        hit = self.stage.pick(x, y) or ("", "")
        height = self.render_window.GetSize()[1]
        self.hovered.emit(hit[0], hit[1], self._vtk.mapToGlobal(QPoint(x, height - 1 - y)))
