"""The 2D map's tools in the main window: Map menu and toolbar, measurement result, box selection.

:class:`MapTools` is created by the main window's one map hook.  It owns
the tool actions (navigate, select by box, measure distance / area), zoom
to selection, "show in 3D" (the 3D camera centred on the map's extent),
the measurement read-out with its Copy button, and the glue to the layer
tree (per-utility check boxes, "Zoom to layer").  Box selections are
answered by :func:`gis.selection.features_in_box` on a worker and
highlighted in both views; pipe-point symbols are prepared on a worker
(:func:`viewers.map_symbols.symbol_points`) when a project opens.
"""
from __future__ import annotations

from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QMenu, QToolBar, QToolButton

from app.gui import dialogs
from app.gui.i18n import tr
from app.gui.menus import add_items
from app.gui.worker import TaskRunner
from gis.errors import Cancelled
from gis.progress import Progress

TOOL_SHORTCUTS = {"navigate": "Ctrl+Shift+N", "select": "Ctrl+Shift+B", "distance": "Ctrl+Shift+M",
                  "area": "Ctrl+Alt+M"}
POINTS_LAYER = "pipe_points"


def features_in_box(frames: dict[str, Any], bbox, layers, hidden, progress: Progress) -> dict[str, list[str]]:
    """The features a selection box touches (worker thread; gis.selection.features_in_box)."""
    from gis.selection import features_in_box as query

    progress.check()
    return query(frames, bbox, layers, hidden)


def prepare_symbols(path: str, origin, progress: Progress):
    """The map symbols of the project's pipe points, read lean (no geometry objects) from the
    project at ``path`` (worker thread)."""
    from gis.store import Project
    from viewers.map_symbols import symbol_columns, symbol_points
    from viewers.scene.frames import read_lean

    with Project.open(path, readonly=True) as project:
        frame = read_lean(project, POINTS_LAYER, symbol_columns())
    progress.check()
    return symbol_points(frame, origin)


class MapTools(QObject):
    """Map menu, map toolbar and the glue between the 2D map, the 3D view and the layer tree."""

    def __init__(self, win):
        super().__init__(win)
        self.win = win
        self.runner = TaskRunner(win)            # box selections (a dialog only when slow)
        self.symbol_runner = TaskRunner(win)     # symbols of a newly opened project (no dialog)
        self.tool_group = QActionGroup(self)
        self.act_tools: dict[str, QAction] = {}
        for tool, keys in TOOL_SHORTCUTS.items():
            act = self._action(partial(self.set_tool, tool), keys, checkable=True)
            self.tool_group.addAction(act)
            self.act_tools[tool] = act
        self.act_tools["navigate"].setChecked(True)
        self.act_zoom_selection = self._action(self.zoom_to_selection, "Ctrl+J")
        self.act_show_3d = self._action(self.show_in_3d, "Ctrl+Shift+3")
        self.act_clear_selection = self._action(self.clear_selection)
        self.menu = QMenu(win)
        win.menuBar().insertMenu(win.menu_lang.menuAction(), self.menu)
        self.toolbar = QToolBar(win)
        self.toolbar.setObjectName("mapToolBar")
        win.addToolBar(self.toolbar)
        items = (*self.act_tools.values(), None, self.act_zoom_selection, self.act_clear_selection, self.act_show_3d)
        add_items(self.menu, items)
        add_items(self.toolbar, items)
        self.toolbar.addSeparator()
        self.result_label = QLabel()
        self.result = QLineEdit()
        self.result.setObjectName("measureResult")
        self.result.setReadOnly(True)
        self.result.setMaximumWidth(160)
        self.copy_button = QToolButton()
        self.copy_button.setObjectName("copyMeasure")
        self.copy_button.clicked.connect(self.copy_result)
        for widget in (self.result_label, self.result, self.copy_button):
            self.toolbar.addWidget(widget)
        self._kind: str | None = None            # the measurement shown: "distance", "area" or None
        self._value = 0.0
        win.views_ready.connect(self._connect_views)
        win.project_loaded.connect(self._project_loaded)
        win.scene_shown.connect(self._scene_shown)
        win.layer_tree.utility_toggled.connect(self._utility_toggled)
        win.layer_tree.zoom_requested.connect(self.zoom_to_layer)
        self._update_actions()

    def _action(self, slot, shortcut: str | None = None, checkable: bool = False) -> QAction:
        act = QAction(self.win)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.setCheckable(checkable)
        act.triggered.connect(slot)
        self.win.addAction(act)
        return act

    def retranslate(self) -> None:
        """Every map-tool string in the current language."""
        self.menu.setTitle(tr("&Map"))
        self.toolbar.setWindowTitle(tr("Map tools"))
        texts = {"navigate": tr("&Navigate"), "select": tr("&Select by box"),
                 "distance": tr("Measure &distance"), "area": tr("Measure &area")}
        for tool, act in self.act_tools.items():
            act.setText(texts[tool])
        self.act_tools["select"].setToolTip(tr("Drag a box to select every feature it touches "
                                               "(Shift+drag does it with any tool)"))
        self.act_tools["distance"].setToolTip(tr("Click points, double-click (or Enter) to end; "
                                                 "Backspace undoes a point, Esc clears"))
        self.act_tools["area"].setToolTip(self.act_tools["distance"].toolTip())
        self.act_zoom_selection.setText(tr("&Zoom to selection"))
        self.act_clear_selection.setText(tr("&Clear selection"))
        self.act_show_3d.setText(tr("Show in &3D"))
        self.act_show_3d.setToolTip(tr("Centre the 3D view on the map's extent"))
        self.copy_button.setText(tr("Copy"))
        self.copy_button.setToolTip(tr("Copy the measurement"))
        self._show_result()

    # ------------------------------------------------------------- views
    @property
    def map2d(self):
        """The 2D map (None until the views exist)."""
        return self.win.map2d

    def _connect_views(self) -> None:
        m = self.map2d
        m.box_selected.connect(self._box_selected)
        m.measuring.connect(self._measuring)
        m.measured.connect(self._measuring)
        m.tool_changed.connect(self._tool_changed)
        for layer, codes in self.win.layer_tree.hidden_utilities().items():
            for code in codes:
                for view in self.win.views():
                    view.set_utility_visible(code, False, layer)
        self._update_actions()

    def _project_loaded(self, _path: str) -> None:
        self._kind = None
        self._show_result()

    def _scene_shown(self) -> None:
        """Symbols for the scene just shown (a project opened or refreshed after an import), started
        once the event loop runs again: after the views' first frame of it, not beside it."""
        QTimer.singleShot(0, self, self._prepare_symbols)

    def _prepare_symbols(self) -> None:
        project = self.win.project
        if self.map2d is None or project is None or not project.counts.get(POINTS_LAYER):
            return
        scene = project.scene
        self.symbol_runner.run(tr("Preparing map symbols"), partial(prepare_symbols, project.path, scene.origin),
                               partial(self._symbols_ready, scene), self._symbols_failed, dialog=False)

    def _symbols_ready(self, scene, points) -> None:
        project = self.win.project
        if project is not None and project.scene is scene and self.map2d is not None:
            self.map2d.set_point_symbols(points)

    def _symbols_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, Cancelled):
            self.win.statusBar().showMessage(tr("Map symbols not shown: {reason}",
                                                reason=dialogs.error_text(exc)), 8000)

    def _utility_toggled(self, layer: str, code: str, visible: bool) -> None:
        for view in self.win.views():
            view.set_utility_visible(code, visible, layer)

    def _update_actions(self) -> None:
        ready = self.map2d is not None
        for act in (*self.act_tools.values(), self.act_zoom_selection, self.act_show_3d, self.act_clear_selection):
            act.setEnabled(ready)

    # ------------------------------------------------------------- tools
    def set_tool(self, tool: str) -> None:
        """Switch the map's tool (and check its action)."""
        if self.map2d is not None:
            self.map2d.set_tool(tool)
        self.act_tools[tool].setChecked(True)

    def _tool_changed(self, tool: str) -> None:
        self.act_tools[tool].setChecked(True)
        self._kind = None
        self._show_result()

    def _measuring(self, kind: str, value: float) -> None:
        self._kind, self._value = kind, value
        self._show_result()

    def _show_result(self) -> None:
        from viewers.map_measure import value_text

        kind = self._kind
        self.result_label.setText(tr("Area:") if kind == "area" else tr("Distance:"))
        self.result.setText(value_text(kind, self._value) if kind else "")
        self.copy_button.setEnabled(bool(kind))

    def copy_result(self) -> None:
        """Put the measurement shown on the clipboard."""
        if self.result.text():
            QApplication.clipboard().setText(self.result.text())
            self.win.statusBar().showMessage(tr("Copied {value}", value=self.result.text()), 4000)

    # ----------------------------------------------------------- zooming
    def zoom_to_layer(self, layer: str) -> None:
        """Frame a layer in the map (layer tree: Zoom to layer)."""
        if self.map2d is not None and not self.map2d.zoom_to_layer(layer):
            self.win.statusBar().showMessage(tr("Nothing of this layer is drawn"), 5000)

    def zoom_to_selection(self) -> None:
        """Frame the selected features in the map (Ctrl+J)."""
        if self.map2d is not None and not self.map2d.zoom_to_selection():
            self.win.statusBar().showMessage(tr("Nothing is selected"), 5000)

    def show_in_3d(self) -> None:
        """Centre the 3D camera on the map's extent, looking as it did (Ctrl+Shift+3)."""
        from viewers import camera

        extent = self.map2d.extent() if self.map2d is not None else None
        view = self.win.view3d
        if extent is None or view is None or view.stage.scene is None:
            return
        x0, y0, x1, y1 = extent
        cx, cy, _ = view.stage.scene.to_local((x0 + x1) / 2, (y0 + y1) / 2)
        camera.fit_box(view.renderer, (cx, cy), x1 - x0, y1 - y0)
        if self.win.view_mode() == "tabs":
            self.win.view_tabs.setCurrentIndex(1)
        view.redraw()

    # ----------------------------------------------------------- selection
    def _box_selected(self, xmin: float, ymin: float, xmax: float, ymax: float) -> None:
        project = self.win.project
        if project is None:
            return
        scene = self.map2d.stage.scene
        hidden_layers = set(self.win.layer_tree.hidden_layers())
        layers = [n for n in [*scene.layer_names(), POINTS_LAYER] if n not in hidden_layers]
        hidden = self.win.layer_tree.hidden_utilities()
        work = partial(features_in_box, project.frames, (xmin, ymin, xmax, ymax), list(dict.fromkeys(layers)),
                       hidden)
        if not self.runner.run(tr("Selecting features"), work, self.select, self._selection_failed):
            self.win.statusBar().showMessage(tr("Busy: wait for the current task or cancel it"), 5000)

    def _selection_failed(self, exc: BaseException) -> None:
        if not isinstance(exc, Cancelled):
            self.win.statusBar().showMessage(dialogs.error_text(exc), 8000)

    def select(self, features: dict[str, list[str]]) -> None:
        """Highlight ``features`` ({layer: ids}) in both views; one feature fills the attribute panel."""
        for view in self.win.views():
            view.select_many(features)
        count = sum(len(ids) for ids in features.values())
        project = self.win.project
        if count == 1 and project is not None:
            layer, ids = next(iter(features.items()))
            values = project.feature(layer, ids[0])
            if values:
                self.win.attributes.show_feature(layer, values)
        else:
            self.win.attributes.clear_feature()
        self.win.statusBar().showMessage(tr("{count} features selected", count=f"{count:,}"), 8000)

    def clear_selection(self) -> None:
        """Select nothing."""
        self.select({})
