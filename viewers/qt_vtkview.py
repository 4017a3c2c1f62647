"""The Qt widget shared by the 3D view and the 2D map: a VTK render window around a Stage.

Thin by design: scenes, styles, picking and cameras live in the headless
parts (viewers.scene, viewers.stage, viewers.camera); this class wires Qt
events and signals to them.  Render only on the GUI thread; hidden widgets
skip renders.
"""
from __future__ import annotations

import PySide6.QtCore  # noqa: F401 - selects PySide6 for VTK's Qt binding below
import vtkmodules.qt

vtkmodules.qt.PyQtImpl = "PySide6"

from collections.abc import Iterator  # noqa: E402
from contextlib import contextmanager  # noqa: E402

import numpy as np  # noqa: E402
from PySide6.QtCore import Qt, Signal  # noqa: E402
from PySide6.QtWidgets import QVBoxLayout, QWidget  # noqa: E402
from vtkmodules.qt.QVTKRenderWindowInteractor import QVTKRenderWindowInteractor  # noqa: E402
from vtkmodules.vtkRenderingCore import vtkRenderer  # noqa: E402

from viewers.scene import ProjectScene  # noqa: E402
from viewers.stage import Stage  # noqa: E402 - also loads VTK's OpenGL back-end before any window

CLICK_SLOP_PX = 3   # a press and release closer than this is a click, not a drag


class _Interactor(QVTKRenderWindowInteractor):
    """VTK's Qt interactor reporting mouse events to its view after VTK has seen them.

    Clicks are recognised here at the Qt level: the interactor styles
    consume VTK's button-release events before other observers see them.
    """

    def __init__(self, view: "VtkView"):
        super().__init__()      # no parent here: VTK would tie close() to the parent's destruction
        self._view = view

    def mousePressEvent(self, ev) -> None:  # noqa: N802 - Qt API
        super().mousePressEvent(ev)
        if ev.button() == Qt.MouseButton.LeftButton:
            self._view._on_press(self.GetEventPosition())

    def mouseReleaseEvent(self, ev) -> None:  # noqa: N802 - Qt API
        super().mouseReleaseEvent(ev)
        if ev.button() == Qt.MouseButton.LeftButton:
            self._view._on_release(self.GetEventPosition())

    def mouseMoveEvent(self, ev) -> None:  # noqa: N802 - Qt API
        super().mouseMoveEvent(ev)
        self._view._on_move(self.GetEventPosition(), ev.buttons() != Qt.MouseButton.NoButton)


class VtkView(QWidget):
    """Base of View3D and Map2D: same interface, different shading, camera and interaction.

    Signals: ``picked(layer, feature_id)`` on a left click (("", "") on empty
    space); ``cursor_moved(x, y)`` in project coordinates under the cursor;
    ``clicked(x, y)`` the display position of a left click, after ``picked``
    (overlays pick their own marks with it).
    """

    clicked = Signal(int, int)
    picked = Signal(str, str)
    cursor_moved = Signal(float, float)
    _tiles_ready = Signal()      # emitted from the stage's tile worker; delivered on the GUI thread

    shading = "shaded"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._vtk = _Interactor(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._vtk)
        self.render_window = self._vtk.GetRenderWindow()
        self.render_window.SetMultiSamples(0)
        self.renderer = vtkRenderer()
        self.render_window.AddRenderer(self.renderer)
        self.stage = Stage(self.renderer, self.shading)
        self.stage.on_lod_ready = self._tiles_ready.emit
        self._tiles_ready.connect(self._tiles_built, Qt.ConnectionType.QueuedConnection)
        self._redraw_queued = False
        self._held = 0                  # redraws_held depth
        self._held_dirty = False        # a render was asked for while held
        self.interactor = self.render_window.GetInteractor()
        self.style = self._make_style()
        self.style.AddObserver("StartInteractionEvent", lambda *_: self.stage.set_interacting(True))
        self.style.AddObserver("EndInteractionEvent", self._interaction_ended)
        self.interactor.SetInteractorStyle(self.style)
        self._press: tuple[int, int] | None = None
        self._vtk.Initialize()

    # ------------------------------------------------------------ subclass API
    def _make_style(self):
        raise NotImplementedError

    def _frame(self) -> None:
        """Point the camera at the whole scene."""
        raise NotImplementedError

    # --------------------------------------------------------------- interface
    def set_scene(self, scene: ProjectScene) -> None:
        """Show a scene built off the GUI thread (viewers.scene.build_project_scene)."""
        self.stage.set_scene(scene)
        self.reset_camera()

    def clear(self) -> None:
        """Show nothing."""
        self.stage.clear()
        self.redraw()

    def select(self, layer: str, feature_id: str | None) -> None:
        """Highlight one feature (None or an unknown id clears the highlight)."""
        self.stage.select(layer, feature_id)
        self.redraw()

    def select_many(self, features) -> dict[str, list[str]]:
        """Highlight every feature of ``features`` ({layer: ids}; {} clears); the ones drawn here."""
        self.stage.select_many(features)
        self.redraw()
        return self.selected_features()

    def selected_features(self) -> dict[str, list[str]]:
        """The highlighted features drawn here, by layer."""
        return {layer: list(ids) for layer, ids in self.stage.selected.items()}

    def set_layer_visible(self, layer: str, visible: bool) -> None:
        """Show or hide a layer ("terrain" is the ground)."""
        self.stage.set_layer_visible(layer, visible)
        self.redraw()

    def set_utility_visible(self, code: str, visible: bool, layer: str | None = None) -> None:
        """Show or hide one utility (CJJ 61 code) in ``layer`` or every layer with utilities (None)."""
        self.stage.set_utility_visible(code, visible, layer)
        self.redraw()

    def set_ground_opacity(self, value: float) -> None:
        """Ground opacity 0..1."""
        self.stage.set_ground_opacity(value)
        self.redraw()

    def set_exaggeration(self, k: float) -> None:
        """Vertical exaggeration of every layer and the ground."""
        self.stage.set_exaggeration(k)
        self.redraw()

    def reset_camera(self) -> None:
        """Frame the whole scene."""
        if self.stage.scene is not None:
            self._frame()
        self.redraw()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Release the OpenGL window (and the stage's tile worker) with the widget."""
        self.stage.on_lod_ready = None
        self.stage.close()
        self._vtk.Finalize()
        super().closeEvent(event)

    def redraw(self) -> None:
        """Render now, unless the widget is hidden or renders are held (:meth:`redraws_held`)."""
        if self._held:
            self._held_dirty = True
        elif self.isVisible():
            self.render_window.Render()

    @contextmanager
    def redraws_held(self) -> Iterator[None]:
        """Renders asked for inside come to one, at the end (several changes, one frame)."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held and self._held_dirty:
                self._held_dirty = False
                self.redraw()

    def _interaction_ended(self, *_) -> None:
        """Camera released: full level of detail again."""
        self.stage.set_interacting(False)
        self._tiles_built()

    def _tiles_built(self) -> None:
        """Tiles finished on the stage's worker: one render for however many finished meanwhile."""
        if not self._redraw_queued:
            from PySide6.QtCore import QTimer

            self._redraw_queued = True
            QTimer.singleShot(0, self._redraw_now)

    def _redraw_now(self) -> None:
        self._redraw_queued = False
        self.redraw()

    def grab_image(self) -> np.ndarray:
        """The view's pixels as an (h, w, 3) uint8 array (QWidget.grab() is black for VTK)."""
        from viewers.images import grab

        self.render_window.Render()
        return grab(self.render_window)

    def save_image(self, path) -> None:
        """Write the view as a PNG (atomically)."""
        from viewers.images import write_png

        write_png(self.grab_image(), path)

    # ------------------------------------------------------------------ events
    def _on_press(self, pos: tuple[int, int]) -> None:
        self._press = pos

    def _on_release(self, pos: tuple[int, int]) -> None:
        if self._press is None:
            return
        click = abs(pos[0] - self._press[0]) <= CLICK_SLOP_PX and abs(pos[1] - self._press[1]) <= CLICK_SLOP_PX
        self._press = None
        if click:
            self._clicked(pos)

    def _clicked(self, pos: tuple[int, int]) -> None:
        """A left click (not a drag) at display ``pos``: pick there, then emit ``clicked``."""
        self.pick_at(*pos)
        self.clicked.emit(*pos)

    def pick_at(self, x: int, y: int) -> tuple[str, str]:
        """Pick at display (x, y) (pixels from the bottom-left), highlight and emit ``picked``."""
        hit = self._hit_at(x, y) or ("", "")
        self.select(hit[0], hit[1] or None)
        self.picked.emit(*hit)
        return hit

    def _hit_at(self, x: int, y: int) -> tuple[str, str] | None:
        """(layer, feature id) drawn at display (x, y), or None."""
        return self.stage.pick(x, y)

    def _on_move(self, pos: tuple[int, int], dragging: bool) -> None:
        if dragging or self.stage.scene is None:
            return
        point = self.stage.world_point(*pos)
        if point is not None:
            self.cursor_moved.emit(float(point[0]), float(point[1]))
