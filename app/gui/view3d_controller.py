"""The 3D tools of the main window: toolbar, cross-section and profile docks, hover tooltips, colouring.

:class:`View3DController` is created by the main window's one hook.  It
binds the 3D toolbar (:mod:`app.gui.view3d_toolbar`) to the views (ground
opacity, hole, exaggeration, clip box, section plane, camera presets,
labels, colour scheme), runs the two-click tools (cut line -> cross-section;
two picks -> longitudinal profile) and the reads behind labels and colours
on a worker, one job after another, and shows the results in the
:class:`~app.gui.section_panel.SectionPanel` and
:class:`~app.gui.profile_panel.ProfilePanel` docks.  Each worker function
below calls one ``gis`` / ``viewers`` function.
"""
from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QMessageBox, QToolTip

from app.gui import dialogs
from app.gui.i18n import lang_key, tr
from app.gui.profile_panel import ProfilePanel
from app.gui.section_panel import SectionPanel
from app.gui.view3d_toolbar import View3DToolBar
from app.gui.worker import TaskRunner
from gis.errors import Cancelled
from gis.progress import Progress

KEY_GROUND = "view3d/ground_percent"
KEY_EXAGGERATION = "view3d/exaggeration"
KEY_COLOUR = "view3d/colour_by"
HOLE_PAD_M = 5.0                     # the ground hole around a selected feature reaches this far beyond it
CUT_MARKER, CUT_PATH, PICK_MARKER = "cut_points", "cut_line", "profile_picks"
TOOL_RGB = (230, 30, 130)
PROFILE_LAYERS = ("pipe_segments", "pipe_points")


# ------------------------------------------------------------ worker functions
def section_along(path: str, coords: list[tuple[float, float]], progress: Progress):
    """The cross-section of the project at ``path`` along the plan polyline ``coords`` (worker thread)."""
    from shapely import LineString

    from gis.cuts import cross_section
    from gis.store import Project

    with Project.open(path, readonly=True) as proj:
        return cross_section(proj, LineString(coords), include_sensitive=True, progress=progress)


def run_profile(path: str, waypoints: list[str], progress: Progress):
    """The longitudinal profile of the run through ``waypoints`` (ids) in the project at ``path``."""
    from gis.cuts import find_run, longitudinal_profile
    from gis.store import Project

    with Project.open(path, readonly=True) as proj:
        progress.check()
        return longitudinal_profile(proj, find_run(proj, waypoints), include_sensitive=True, progress=progress)


def read_colouring(path: str, scheme: str, lang: str, progress: Progress):
    """The colours of ``scheme`` for the project at ``path`` (viewers.colouring; worker thread)."""
    from gis.store import Project
    from viewers.colouring import scheme_colours, scheme_columns

    wanted = scheme_columns(scheme) or {"pipe_segments": ["line_id", "utility"]}
    progress.start(len(wanted), "Reading layers")
    frames = {}
    with Project.open(path, readonly=True) as proj:
        for layer, columns in wanted.items():
            if proj.count(layer):
                frames[layer] = proj.read(layer, columns=columns)
            progress.step(1, layer)
    return scheme_colours(scheme, frames, lang)


def read_labels(path: str, progress: Progress):
    """(anchors, texts, ids) of the pipe segments of the project at ``path`` (viewers.labels.pipe_labels)."""
    from gis.store import Project
    from viewers.labels import pipe_labels

    columns = ["line_id", "utility", "subtype", "shape", "diameter_mm", "width_mm", "height_mm", "wall_mm",
               "material", "depth_ref"]
    progress.start(1, "pipe_segments")
    with Project.open(path, readonly=True) as proj:
        frame = proj.read("pipe_segments", columns=columns) if proj.count("pipe_segments") else None
    progress.step(1, "pipe_segments")
    if frame is None:
        return np.zeros((0, 3)), [], np.array([], dtype=object)
    return pipe_labels(frame)


class View3DController(QObject):
    """3D toolbar, section / profile docks and tools of one main window (see the module docstring)."""

    def __init__(self, win):
        super().__init__(win)
        from app.gui.main_window import EXAGGERATIONS, GROUND_OPACITIES
        from viewers.styles import GROUND

        self.win = win
        self.toolbar = View3DToolBar(win)
        win.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        win.menu_view.addSeparator()
        win.menu_view.addMenu(self.toolbar.menu)
        self.section_panel = SectionPanel()
        self.profile_panel = ProfilePanel()
        self.section_dock = self._dock(self.section_panel, "sectionDock")
        self.profile_dock = self._dock(self.profile_panel, "profileDock")
        win.tabifyDockWidget(self.section_dock, self.profile_dock)
        for dock in (self.section_dock, self.profile_dock):
            dock.hide()
            self.toolbar.menu.addAction(dock.toggleViewAction())
        self.exag_status = QLabel()
        self.exag_status.setContentsMargins(6, 0, 6, 0)
        win.statusBar().addPermanentWidget(self.exag_status)
        self.runner = TaskRunner(win)
        self._queue: list[tuple[str, Any, Any]] = []
        self._cut_points: list[tuple[float, float, float]] = []
        self._picks: list[tuple[str, str]] = []
        self._pick_points: list[tuple[float, float, float]] = []
        self._labels_for: str | None = None           # project path the labels were read for
        self.tooltip_text = ""
        self.colouring = None

        tb = self.toolbar
        settings = win.settings
        tb.set_ground_percent(int(settings.value(KEY_GROUND, round(GROUND.opacity * 100))))
        tb.exag_spin.setValue(int(settings.value(KEY_EXAGGERATION, 1)))
        scheme = str(settings.value(KEY_COLOUR, "utility"))
        tb.colour_combo.setCurrentIndex(max(0, tb.colour_combo.findData(scheme)))
        tb.ground_slider.valueChanged.connect(self._ground_changed)
        tb.act_ground_hide.toggled.connect(lambda _on: self.apply_ground())
        tb.act_ground_hole.toggled.connect(self._hole_toggled)
        tb.exag_spin.valueChanged.connect(self._exaggeration_changed)
        tb.act_clip_box.toggled.connect(lambda on: self._clip_tool(on, "box"))
        tb.act_section_plane.toggled.connect(lambda on: self._clip_tool(on, "plane"))
        tb.act_top.triggered.connect(lambda: self._camera("view_top"))
        tb.act_below.triggered.connect(lambda: self._camera("view_from_below"))
        tb.act_section_view.triggered.connect(lambda: self._camera("view_section"))
        tb.act_cut_line.toggled.connect(self._cut_tool)
        tb.act_plane_section.triggered.connect(self.section_at_plane)
        tb.act_profile_pick.toggled.connect(self._profile_tool)
        tb.act_profile_selection.triggered.connect(self.profile_from_selection)
        tb.act_labels.toggled.connect(self._labels_toggled)
        tb.colour_combo.currentIndexChanged.connect(lambda _i: self.apply_colouring())
        for act, value in zip(win.act_ground, GROUND_OPACITIES):
            act.triggered.connect(partial(self._menu_ground, value))
        for act, value in zip(win.act_exag, EXAGGERATIONS):
            act.triggered.connect(partial(self._menu_exaggeration, value))
        self.section_panel.feature_selected.connect(self.select_feature)
        self.profile_panel.feature_selected.connect(self.select_feature)
        self.profile_panel.compute_requested.connect(self.compute_profile)
        self.profile_panel.selection_wanted.connect(self._panel_selection)
        win.views_ready.connect(self._views_ready)
        win.project_loaded.connect(lambda _path: self._project_loaded())
        self._update_exaggeration_label()

    def _dock(self, panel, name: str) -> QDockWidget:
        dock = QDockWidget(self.win)
        dock.setObjectName(name)
        dock.setWidget(panel)
        self.win.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        return dock

    @property
    def view(self):
        """The 3D view (None until the views exist)."""
        return self.win.view3d

    def retranslate(self) -> None:
        """Every 3D-tool string in the current language."""
        self.toolbar.retranslate()
        self.section_panel.retranslate()
        self.profile_panel.retranslate()
        self.section_dock.setWindowTitle(tr("Cross-section"))
        self.profile_dock.setWindowTitle(tr("Longitudinal profile"))
        self._update_exaggeration_label()

    def shutdown(self) -> None:
        """Stop the worker (window closing)."""
        self._queue.clear()
        self.runner.shutdown()

    def _status(self, text: str) -> None:
        self.win.statusBar().showMessage(text, 6000)

    # ------------------------------------------------------------ views, project
    def _views_ready(self) -> None:
        view = self.view
        view.hovered.connect(self._hovered)
        view.clip_changed.connect(self._clip_changed)
        self.apply_ground()
        self._exaggeration_changed(self.toolbar.exag_spin.value())

    def _project_loaded(self) -> None:
        """A new scene: the tools start afresh, the settings of the toolbar apply to it."""
        tb = self.toolbar
        for act in (tb.act_clip_box, tb.act_section_plane, tb.act_ground_hole, tb.act_cut_line, tb.act_profile_pick):
            act.setChecked(False)
        self.section_panel.set_section(None)
        self.profile_panel.set_profile(None)
        self._labels_for = None
        self.apply_ground()
        self._exaggeration_changed(tb.exag_spin.value())
        self.apply_colouring()
        if tb.act_labels.isChecked():
            self._labels_toggled(True)

    # ------------------------------------------------------------------ ground
    def _ground_changed(self, percent: int) -> None:
        self.toolbar.ground_value.setText(f"{percent}%")
        self.win.settings.setValue(KEY_GROUND, percent)
        self.apply_ground()

    def _menu_ground(self, opacity: float) -> None:
        self.toolbar.act_ground_hide.setChecked(False)
        self.toolbar.set_ground_percent(round(opacity * 100))

    def apply_ground(self) -> None:
        """Ground opacity of both views: the slider's, or 0 while "Hide ground" is on."""
        tb = self.toolbar
        opacity = 0.0 if tb.act_ground_hide.isChecked() else tb.ground_slider.value() / 100.0
        for view in self.win.views():
            view.set_ground_opacity(opacity)

    def _hole_toggled(self, on: bool) -> None:
        view = self.view
        if view is None or view.stage.scene is None:
            if on:
                self.toolbar.act_ground_hole.setChecked(False)
            return
        box = self.hole_box() if on else None
        if on and box is None:
            self._status(tr("Show the clip box or select a feature first"))
            self.toolbar.act_ground_hole.setChecked(False)
            return
        view.stage.set_ground_hole(box)
        view.redraw()

    def hole_box(self) -> tuple[float, float, float, float] | None:
        """Where the ground is cut away: the clip box's plan extent, else around the selection."""
        view = self.view
        stage = view.stage
        b = view.clip_box.bounds() if view.clip_box.enabled else stage.selection_bounds()
        if b is None:
            return None
        pad = 0.0 if view.clip_box.enabled else HOLE_PAD_M
        x0, y0, _ = stage.scene.to_project(b[0], b[2], 0.0)
        x1, y1, _ = stage.scene.to_project(b[1], b[3], 0.0)
        return (x0 - pad, y0 - pad, x1 + pad, y1 + pad)

    # ------------------------------------------------------------ exaggeration
    def _exaggeration_changed(self, k: int) -> None:
        self.win.settings.setValue(KEY_EXAGGERATION, int(k))
        for view in self.win.views():
            if view.stage.exaggeration != k:
                view.set_exaggeration(float(k))
        self._update_exaggeration_label()

    def _menu_exaggeration(self, k: float) -> None:
        self.toolbar.exag_spin.setValue(int(round(k)))

    def _update_exaggeration_label(self) -> None:
        from viewers.styles import exaggeration_text

        self.exag_status.setText(tr("Vertical exaggeration {value}",
                                    value=exaggeration_text(self.toolbar.exag_spin.value())))

    # ------------------------------------------------------------ clipping
    def _clip_tool(self, on: bool, which: str) -> None:
        view = self.view
        act = self.toolbar.act_clip_box if which == "box" else self.toolbar.act_section_plane
        if view is None:
            act.setChecked(False)
            return
        (view.show_clip_box if which == "box" else view.show_section_plane)(on)
        widget = view.clip_box if which == "box" else view.section_plane
        if on and not widget.enabled:
            act.setChecked(False)

    def _clip_changed(self) -> None:
        if self.toolbar.act_ground_hole.isChecked() and self.view.clip_box.enabled:
            self.view.stage.set_ground_hole(self.hole_box())

    def _camera(self, preset: str) -> None:
        if self.view is not None:
            getattr(self.view, preset)()

    # ----------------------------------------------------------- selection, hover
    def select_feature(self, layer: str, feature_id: str) -> None:
        """Select a feature in both views and show its attributes (as a click in a view would)."""
        if self.view is not None:
            self.view.picked.emit(layer, feature_id)

    def _hovered(self, layer: str, feature_id: str, pos: QPoint) -> None:
        project = self.win.project
        values = project.feature(layer, feature_id) if (project is not None and feature_id) else None
        if not values:
            self.tooltip_text = ""
            QToolTip.hideText()
            return
        from viewers.labels import feature_summary

        self.tooltip_text = "\n".join(feature_summary(layer, values, lang_key()))
        QToolTip.showText(pos, self.tooltip_text, self.view)

    # ------------------------------------------------------------- click tools
    def _set_tool(self, tool) -> None:
        if self.view is not None:
            self.view.set_click_tool(tool)

    def _switch_click_tool(self, on: bool, act, other, click, hint: str) -> bool:
        """Turn one of the two exclusive click tools (``act``; ``other`` the other one) on or off.

        False when it cannot go on (no scene in the view): ``act`` is unchecked again.
        """
        if on:
            if self.view is None or self.view.stage.scene is None:
                act.setChecked(False)
                return False
            other.setChecked(False)
            self._set_tool(click)
            self._status(hint)
        elif not other.isChecked():
            self._set_tool(None)
        return True

    def _cut_tool(self, on: bool) -> None:
        self._cut_points = []
        self._switch_click_tool(on, self.toolbar.act_cut_line, self.toolbar.act_profile_pick, self._cut_click,
                                tr("Click the start of the cut line on the ground"))

    def _cut_click(self, x: int, y: int) -> None:
        stage = self.view.stage
        point = stage.world_point(x, y)
        if point is None:
            return
        self._cut_points.append(tuple(point))
        stage.set_marker(CUT_MARKER, self._cut_points, TOOL_RGB, 10.0)
        if len(self._cut_points) < 2:
            stage.set_path(CUT_PATH, None)
            self._status(tr("Click the end of the cut line"))
            self.view.redraw()
            return
        points = self._cut_points
        self.toolbar.act_cut_line.setChecked(False)
        self.cross_section([(p[0], p[1]) for p in points], points)

    def cross_section(self, coords: list[tuple[float, float]], points=None) -> bool:
        """Draw the cut line and compute the cross-section along plan ``coords`` on the worker."""
        view = self.view
        project = self.win.project
        if view is None or project is None:
            return False
        (x0, y0), (x1, y1) = coords[0], coords[-1]
        if np.hypot(x1 - x0, y1 - y0) > 0:
            d = np.array([x1 - x0, y1 - y0]) / np.hypot(x1 - x0, y1 - y0)
            view.section_normal = (float(-d[1]), float(d[0]), 0.0)
        if points is None:
            z = view.stage.scene.origin[2]
            points = [(x, y, z) for x, y in coords]
        view.stage.set_path(CUT_PATH, points, TOOL_RGB, 3.0)
        view.redraw()
        return self._submit(tr("Computing the cross-section"), partial(section_along, project.path, coords),
                            self._section_done, tr("Cannot compute the cross-section"))

    def _section_done(self, section) -> None:
        self.section_panel.set_section(section)
        self.section_dock.show()
        self.section_dock.raise_()

    def section_at_plane(self) -> bool:
        """Cross-section along the section plane, across the data's plan extent."""
        view = self.view
        if view is None or not view.section_plane.enabled:
            self._status(tr("Show the section plane first"))
            return False
        (ox, oy, _), n = view.section_plane.plane()
        if np.hypot(n[0], n[1]) < 1e-3:
            self._status(tr("The section plane must stand upright for a cross-section"))
            return False
        d = np.array([n[1], -n[0]]) / np.hypot(n[0], n[1])    # chainage runs left to right seen along n
        b = view._data_bounds()
        reach = float(np.hypot(b[1] - b[0], b[3] - b[2]))
        ts = []      # where the line through the plane's origin leaves the data's plan box
        for axis, lo, hi in ((0, b[0], b[1]), (1, b[2], b[3])):
            if abs(d[axis]) > 1e-9:
                o = (ox, oy)[axis]
                ts += sorted([(lo - o) / d[axis], (hi - o) / d[axis]])
        t0 = max([-reach] + ts[0::2])
        t1 = min([reach] + ts[1::2])
        if t1 - t0 <= 0:
            self._status(tr("The section plane does not cross the data"))
            return False
        scene = view.stage.scene
        coords = [scene.to_project(ox + t * d[0], oy + t * d[1], 0.0)[:2] for t in (t0, t1)]
        return self.cross_section(coords)

    def _profile_tool(self, on: bool) -> None:
        self._picks, self._pick_points = [], []
        if self.view is not None:
            self.view.stage.set_marker(PICK_MARKER, None)
        if not self._switch_click_tool(on, self.toolbar.act_profile_pick, self.toolbar.act_cut_line,
                                       self._profile_click, tr("Click the first pipe or manhole of the run")):
            return
        if self.view is not None:
            self.view.redraw()

    def _profile_click(self, x: int, y: int) -> None:
        view = self.view
        hit = view.stage.pick(x, y)
        if hit is None or hit[0] not in PROFILE_LAYERS:
            self._status(tr("Click a pipe segment or a pipe point"))
            return
        self._picks.append(hit)
        view.stage.select(*hit)
        point = view.stage.world_point(x, y)
        if point is not None:
            self._pick_points.append(tuple(point))
            view.stage.set_marker(PICK_MARKER, self._pick_points, TOOL_RGB, 10.0)
        view.redraw()
        if len(self._picks) < 2:
            self._status(tr("Click the last pipe or manhole of the run"))
            return
        (_, start), (_, end) = self._picks
        self.toolbar.act_profile_pick.setChecked(False)
        self.profile_panel.set_ends(start, end)
        self.compute_profile([start, end])

    def profile_from_selection(self) -> bool:
        """The selected pipe segment or point becomes the run's start (or its end when a start is
        given); then the profile is computed."""
        sel = self.view.stage.selection if self.view is not None else None
        if sel is None or sel[0] not in PROFILE_LAYERS:
            self._status(tr("Select a pipe segment or a pipe point first"))
            return False
        panel = self.profile_panel
        start = panel.start.text().strip()
        if start and start != sel[1]:
            panel.set_ends(end=sel[1])
        else:
            panel.set_ends(sel[1], "")
        return self.compute_profile(panel.waypoints())

    def _panel_selection(self, which: int) -> None:
        sel = self.view.stage.selection if self.view is not None else None
        if sel is None or sel[0] not in PROFILE_LAYERS:
            self._status(tr("Select a pipe segment or a pipe point first"))
            return
        self.profile_panel.set_ends(*((sel[1], None) if which == 0 else (None, sel[1])))

    def compute_profile(self, waypoints: list[str]) -> bool:
        """Find the run through ``waypoints`` and compute its profile on the worker."""
        project = self.win.project
        if project is None or not waypoints:
            return False
        self.profile_dock.show()
        self.profile_dock.raise_()
        return self._submit(tr("Computing the profile"), partial(run_profile, project.path, list(waypoints)),
                            self.profile_panel.set_profile, tr("Cannot compute the profile"))

    # ------------------------------------------------------------ labels, colours
    def _labels_toggled(self, on: bool) -> None:
        view = self.view
        if view is None:
            return
        view.labels.set_visible(on)
        project = self.win.project
        if on and project is not None and self._labels_for != project.path:
            self._labels_for = project.path
            self._submit(tr("Reading labels"), partial(read_labels, project.path), self._labels_read,
                         tr("Cannot read the labels"))
        view.redraw()

    def _labels_read(self, result) -> None:
        anchors, texts, ids = result
        self.view.labels.set_labels("pipe_segments", anchors, texts, ids)
        self.view.redraw()

    def scheme(self) -> str:
        """The colour scheme chosen in the toolbar."""
        return str(self.toolbar.colour_combo.currentData())

    def apply_colouring(self) -> None:
        """Colour both views by the chosen scheme (the attribute reads run on the worker)."""
        scheme = self.scheme()
        self.win.settings.setValue(KEY_COLOUR, scheme)
        project = self.win.project
        if project is None or self.view is None:
            return
        if scheme == "utility":
            self._colouring_read(None)
            return
        self._submit(tr("Reading attributes for the colours"),
                     partial(read_colouring, project.path, scheme, lang_key()), self._colouring_read,
                     tr("Cannot colour the features"))

    def _colouring_read(self, colouring) -> None:
        """Apply a viewers.colouring.Colouring (None: the scene's own utility colours) to both views."""
        from viewers.colouring import row_colours

        if colouring is not None and colouring.scheme != self.scheme():
            return                                   # the user chose another scheme meanwhile
        self.colouring = colouring
        for view in self.win.views():
            scene = view.stage.scene
            if scene is None:
                continue
            for layer in scene.layer_names():
                part = scene.layers.get(layer) or scene.tiled.get(layer)
                colours = row_colours(colouring, layer, part.ids) if colouring is not None else None
                view.stage.set_colours(layer, colours)
            view.redraw()
        if colouring is None:
            self.view.legend.set(None)
        else:
            self.view.legend.set(colouring.title, colouring.legend)
        self.view.redraw()

    # ------------------------------------------------------------------ worker
    def _submit(self, title: str, work, on_done, failure: str) -> bool:
        """Run ``work(progress)`` on the worker after the jobs already queued; ``on_done(result)``."""
        self._queue.append((title, work, on_done, failure))
        self._next()
        return True

    def _next(self) -> None:
        if self.runner.busy or not self._queue:
            return
        title, work, on_done, failure = self._queue.pop(0)

        def done(result):
            on_done(result)
            self._next()

        def failed(exc):
            if isinstance(exc, Cancelled):
                self._status(tr("Cancelled"))
            else:
                box = QMessageBox(QMessageBox.Icon.Critical, failure, dialogs.error_text(exc),
                                  QMessageBox.StandardButton.Ok, self.win)
                box.setObjectName("view3dError")
                box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
                box.open()
            self._next()

        self.runner.run(title, work, done, failed)
