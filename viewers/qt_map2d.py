"""The 2D map widget: the same scene seen from above, unlit, orthographic, with map furniture.

Tools (:meth:`Map2D.set_tool`):

- ``navigate``: left-drag draws a rubber band and zooms to it (with Shift:
  selects what it touches), a left click picks;
- ``select``: left-drag selects every feature the band touches
  (``box_selected``), a click picks;
- ``distance`` / ``area``: left clicks add vertices, a double click (or
  Enter) ends the measurement (``measured``), Backspace takes the last
  vertex back, Esc drops it.

Middle button pans, right button and wheel zoom (vtkInteractorStyleRubberBand2D)
in every tool.  Over the scene: a scale bar and a north arrow
(viewers.map_overlays), pipe-point symbols (viewers.map_symbols) and the
measurement (viewers.map_measure).
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal

from viewers import camera
from viewers.map_measure import AREA, DISTANCE, MeasureOverlay, measure, value_text
from viewers.map_overlays import MapDecorations
from viewers.map_symbols import LAYER as SYMBOL_LAYER
from viewers.map_symbols import SymbolLayer, SymbolPoints
from viewers.qt_vtkview import CLICK_SLOP_PX, VtkView
from viewers.stage import union_bounds

FIT_MARGIN = 1.05
MIN_ZOOM_WIDTH_M = 20.0       # zooming to a point or a short feature shows at least this much
NAVIGATE, SELECT = "navigate", "select"
TOOLS = (NAVIGATE, SELECT, DISTANCE, AREA)


class Map2D(VtkView):
    """Top-down map of a ProjectScene.  Interface: see VtkView, plus tools, zooms and symbols.

    Signals: ``box_selected(xmin, ymin, xmax, ymax)`` (project coordinates of
    a selection band), ``measuring(kind, value)`` while a measurement is
    drawn, ``measured(kind, value)`` when it ends (metres or square metres),
    ``tool_changed(tool)``.
    """

    shading = "map"
    box_selected = Signal(float, float, float, float)
    measuring = Signal(str, float)
    measured = Signal(str, float)
    tool_changed = Signal(str)

    def __init__(self, parent=None):
        self._tool = NAVIGATE
        self._banding = False
        self._vertices: list[tuple[float, float]] = []     # the measurement, project plan coordinates
        self._vertex_px: list[tuple[int, int]] = []          # where they were clicked (display pixels)
        self._measure_done = False
        super().__init__(parent)
        self.decorations = MapDecorations(self.renderer)
        self.symbols = SymbolLayer(self.renderer)
        self.measure_overlay = MeasureOverlay(self.renderer)
        self._vtk.installEventFilter(self)

    # ------------------------------------------------------------ camera
    def _make_style(self):
        from vtkmodules.vtkInteractionStyle import vtkInteractorStyleRubberBand2D

        style = vtkInteractorStyleRubberBand2D()
        style.AddObserver("SelectionChangedEvent", self._band_done)
        # observing the left button replaces the style's own handling: measuring takes the clicks
        style.AddObserver("LeftButtonPressEvent", self._left_down)
        style.AddObserver("LeftButtonReleaseEvent", self._left_up)
        return style

    def _size(self) -> tuple[int, int]:
        w, h = self.render_window.GetSize()
        return max(w, 1), max(h, 1)

    def _frame(self) -> None:
        self._zoom_local(self.stage.visible_bounds(with_ground=False) or self.stage.visible_bounds())

    def _zoom_local(self, bounds) -> bool:
        """Frame local world ``bounds`` (xmin, xmax, ymin, ymax, ...); False when None."""
        if bounds is None:
            return False
        w, h = self._size()
        width = max(bounds[1] - bounds[0], (bounds[3] - bounds[2]) * w / h) * FIT_MARGIN
        camera.top(self.renderer, ((bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2),
                   max(width, MIN_ZOOM_WIDTH_M), (w, h), self.stage.visible_bounds())
        return True

    def zoom_to(self, xmin: float, ymin: float, xmax: float, ymax: float) -> bool:
        """Frame a plan box in project coordinates; False without a scene."""
        scene = self.stage.scene
        if scene is None:
            return False
        x0, y0, _ = scene.to_local(xmin, ymin)
        x1, y1, _ = scene.to_local(xmax, ymax)
        self._zoom_local((x0, x1, y0, y1))
        self.redraw()
        return True

    def zoom_to_layer(self, layer: str) -> bool:
        """Frame everything ``layer`` draws (its symbols too); False when it draws nothing."""
        boxes = [b for b in (self.stage.layer_bounds(layer),
                             self.symbols.bounds() if layer == SYMBOL_LAYER else None) if b is not None]
        return self._zoom_boxes(boxes)

    def zoom_to_selection(self) -> bool:
        """Frame the selected features; False when nothing is selected."""
        boxes = [b for b in (self.stage.selection_bounds(), self.symbols.selected_bounds()) if b is not None]
        return self._zoom_boxes(boxes)

    def _zoom_boxes(self, boxes) -> bool:
        box = union_bounds([tuple(b[:4]) + (0.0, 0.0) for b in boxes])
        if box is None or not self._zoom_local(box):
            return False
        self.redraw()
        return True

    def extent(self) -> tuple[float, float, float, float] | None:
        """The plan box on screen now, in project coordinates (xmin, ymin, xmax, ymax); None without a scene."""
        scene = self.stage.scene
        if scene is None:
            return None
        cam = self.renderer.GetActiveCamera()
        w, h = self._size()
        half_h = cam.GetParallelScale()
        half_w = half_h * w / h
        fx, fy, _ = cam.GetFocalPoint()
        x0, y0, _ = scene.to_project(fx - half_w, fy - half_h, 0.0)
        x1, y1, _ = scene.to_project(fx + half_w, fy + half_h, 0.0)
        return x0, y0, x1, y1

    def metres_per_pixel(self) -> float:
        """Metres one pixel spans now."""
        return 2.0 * self.renderer.GetActiveCamera().GetParallelScale() / self._size()[1]

    # ------------------------------------------------------------- scene
    def set_scene(self, scene) -> None:
        """Show a scene (its symbols come with :meth:`set_point_symbols`)."""
        self.symbols.set_points(None)
        self._reset_measure()
        super().set_scene(scene)

    def clear(self) -> None:
        """Show nothing."""
        self.symbols.set_points(None)
        self._reset_measure()
        super().clear()

    def set_point_symbols(self, points: SymbolPoints | None) -> None:
        """Draw pipe-point symbols (viewers.map_symbols.symbol_points of the scene's origin)."""
        self.symbols.set_points(points)
        self.redraw()

    def set_layer_visible(self, layer: str, visible: bool) -> None:
        """Show or hide a layer (pipe_points: its symbols too)."""
        if layer == SYMBOL_LAYER:
            self.symbols.set_visible(visible)
        super().set_layer_visible(layer, visible)

    def set_utility_visible(self, code: str, visible: bool, layer: str | None = None) -> None:
        """Show or hide one utility (and its pipe-point symbols when ``layer`` is None or pipe_points)."""
        if layer in (None, SYMBOL_LAYER):
            self.symbols.set_utility_visible(code, visible)
        super().set_utility_visible(code, visible, layer)

    def select(self, layer: str, feature_id: str | None) -> None:
        """Highlight one feature (a pipe point's symbol too)."""
        self.symbols.select([feature_id] if layer == SYMBOL_LAYER and feature_id else [])
        super().select(layer, feature_id)

    def select_many(self, features) -> dict[str, list[str]]:
        """Highlight every feature of ``features`` ({layer: ids}), pipe-point symbols included."""
        self.symbols.select(features.get(SYMBOL_LAYER, ()))
        return super().select_many(features)

    def selected_features(self) -> dict[str, list[str]]:
        """The highlighted features, by layer (pipe points drawn as wells or as symbols)."""
        out = super().selected_features()
        pts = self.symbols.selected_ids()
        if pts:
            out[SYMBOL_LAYER] = list(dict.fromkeys([*out.get(SYMBOL_LAYER, []), *pts]))
        return out

    def _hit_at(self, x: int, y: int) -> tuple[str, str] | None:
        fid = self.symbols.pick(x, y)
        return (SYMBOL_LAYER, fid) if fid is not None else self.stage.pick(x, y)

    # ------------------------------------------------------------- tools
    @property
    def tool(self) -> str:
        """The current tool (one of TOOLS)."""
        return self._tool

    def set_tool(self, tool: str) -> None:
        """Switch tools (a measurement under way is dropped)."""
        if tool not in TOOLS:
            raise ValueError(f"unknown map tool {tool!r}: use one of {', '.join(TOOLS)}")
        if tool != self._tool:
            self._tool = tool
            self._reset_measure()
            self._vtk.setCursor(Qt.CursorShape.ArrowCursor if tool == NAVIGATE else Qt.CursorShape.CrossCursor)
            self.redraw()
            self.tool_changed.emit(tool)

    def _measuring(self) -> bool:
        return self._tool in (DISTANCE, AREA)

    def _left_down(self, style, _event) -> None:
        self._banding = not self._measuring()
        if self._banding:
            style.OnLeftButtonDown()

    def _left_up(self, style, _event) -> None:
        if self._banding:
            self._banding = False
            style.OnLeftButtonUp()

    def _band_done(self, style, _event) -> None:
        (x0, y0), (x1, y1) = style.GetStartPosition(), style.GetEndPosition()
        if abs(x1 - x0) <= CLICK_SLOP_PX or abs(y1 - y0) <= CLICK_SLOP_PX or self.stage.scene is None:
            return
        if self._tool == SELECT or self.interactor.GetShiftKey():
            self._select_band(x0, y0, x1, y1)
        else:
            self._zoom_to_band(x0, y0, x1, y1)

    def _zoom_to_band(self, x0: int, y0: int, x1: int, y1: int) -> None:
        a = self.stage.display_to_world((x0 + x1) / 2, (y0 + y1) / 2, 0.5)
        w, h = self._size()
        scale = max(abs(x1 - x0) / w, abs(y1 - y0) / h)
        cam = self.renderer.GetActiveCamera()
        cam.SetFocalPoint(a[0], a[1], cam.GetFocalPoint()[2])
        cam.SetPosition(a[0], a[1], cam.GetPosition()[2])
        cam.SetParallelScale(cam.GetParallelScale() * scale)
        self.renderer.ResetCameraClippingRange()
        self.redraw()

    def _select_band(self, x0: int, y0: int, x1: int, y1: int) -> None:
        ax, ay = self._project_xy(min(x0, x1), min(y0, y1))
        bx, by = self._project_xy(max(x0, x1), max(y0, y1))
        self.redraw()                                # wipes the band the style drew
        self.box_selected.emit(ax, ay, bx, by)

    def _project_xy(self, x: float, y: float) -> tuple[float, float]:
        """Project plan coordinates under display (x, y)."""
        p = self.stage.display_to_world(x, y, 0.5)
        px, py, _ = self.stage.scene.to_project(p[0], p[1], 0.0)
        return px, py

    # ----------------------------------------------------------- measuring
    def _on_press(self, pos: tuple[int, int]) -> None:
        if self._measuring() and self.interactor.GetRepeatCount():      # a double click ends it
            self._press = None
            last = self._vertex_px[-1] if self._vertex_px and not self._measure_done else None
            if last is None or max(abs(pos[0] - last[0]), abs(pos[1] - last[1])) > CLICK_SLOP_PX:
                self.add_vertex(*pos)          # its first click was not seen as one
            self.finish_measure()
            return
        super()._on_press(pos)

    def _clicked(self, pos: tuple[int, int]) -> None:
        if self._measuring():
            self.add_vertex(*pos)
        else:
            super()._clicked(pos)

    def _on_move(self, pos: tuple[int, int], dragging: bool) -> None:
        super()._on_move(pos, dragging)
        if self._measuring() and self._vertices and not self._measure_done and self.stage.scene is not None:
            self._draw_measure(self._project_xy(*pos))

    def add_vertex(self, x: int, y: int) -> None:
        """Add the point under display (x, y) to the measurement (a finished one starts anew)."""
        if self.stage.scene is None:
            return
        if self._measure_done:
            self._reset_measure()
        self._vertices.append(self._project_xy(x, y))
        self._vertex_px.append((x, y))
        self._draw_measure()

    def finish_measure(self) -> float | None:
        """End the measurement: draw it closed and emit ``measured``; its value (None: too few points)."""
        if not self._measuring() or self._measure_done:
            return None
        needed = 2 if self._tool == DISTANCE else 3
        if len(self._vertices) < needed:
            return None
        self._measure_done = True
        value = self._draw_measure()
        self.measured.emit(self._tool, value)
        return value

    def undo_vertex(self) -> None:
        """Take the last vertex back."""
        if self._vertices and not self._measure_done:
            self._vertices.pop()
            self._vertex_px.pop()
            self._draw_measure()

    def measurement(self) -> tuple[str, list[tuple[float, float]], float] | None:
        """(kind, project plan vertices, value) of the measurement drawn; None when there is none."""
        if not self._measuring() or not self._vertices:
            return None
        return self._tool, list(self._vertices), measure(self._tool, self._vertices)

    def _draw_measure(self, cursor: tuple[float, float] | None = None) -> float:
        scene = self.stage.scene
        pts = list(self._vertices) + ([cursor] if cursor is not None else [])
        value = measure(self._tool, pts)
        local = [scene.to_local(x, y)[:2] for x, y in self._vertices]
        hover = scene.to_local(*cursor)[:2] if cursor is not None else None
        self.measure_overlay.show(self._tool, local, hover, value_text(self._tool, value))
        self.redraw()
        self.measuring.emit(self._tool, value)
        return value

    def _reset_measure(self) -> None:
        self._vertices, self._vertex_px, self._measure_done = [], [], False
        if hasattr(self, "measure_overlay"):
            self.measure_overlay.clear()

    def cancel_measure(self) -> None:
        """Drop the measurement."""
        self._reset_measure()
        self.redraw()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Enter ends, Backspace undoes, Esc drops a measurement (keys reach VTK otherwise)."""
        if event.type() == QEvent.Type.KeyPress and self._measuring():
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.finish_measure()
                return True
            if key == Qt.Key.Key_Backspace:
                self.undo_vertex()
                return True
            if key == Qt.Key.Key_Escape:
                self.cancel_measure()
                return True
        return super().eventFilter(obj, event)
