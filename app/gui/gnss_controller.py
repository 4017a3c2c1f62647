"""The GNSS / 测量 menu and dock of the main window: status panel, capture, sourcetable, live marker.

:class:`GnssController` is created by the main window's one GNSS hook.  It
owns the GNSS dock (:class:`~app.gui.gnss_panel.GnssPanel`), runs captures
(:func:`importers.gnss.survey.survey_point`) and sourcetable fetches on
workers, and draws the receiver's position and the project's survey points
as markers in both views, converted to the project CRS by
:class:`gis.geodesy.calibration.ProjectGeodesy`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDockWidget, QMenu, QMessageBox, QScrollArea

from app.gui import dialogs
from app.gui.gnss_dialogs import CaptureDialog, CaptureRequest, SourcetableDialog
from app.gui.gnss_panel import GnssPanel
from app.gui.gnss_plots import FIX_RGB, fix_text
from app.gui.i18n import tr
from app.gui.menus import add_items
from app.gui.worker import TaskRunner
from gis.errors import Cancelled
from gis.progress import Progress

POSITION_MARKER = "gnss_position"
SURVEY_MARKER = "survey_points"          # the layer's name: the layer tree hides and shows it
SURVEY_RGB = (255, 0, 160)
POSITION_SIZE_PX, SURVEY_SIZE_PX = 14.0, 10.0
MARKER_MS = 500                          # the live marker moves at most twice a second


@dataclass
class CaptureOutcome:
    """A stored capture and the project's survey and pipe points read back after it."""

    surveyed: Any                        # importers.gnss.survey.SurveyedPoint
    frames: dict[str, Any]               # layer -> GeoDataFrame indexed by id


def capture_into_project(path: str, session, frame: str | None, request: CaptureRequest,
                         progress: Progress) -> CaptureOutcome:
    """Occupy, convert and store one point in the project at ``path`` (worker thread)."""
    from gis.geodesy.calibration import ProjectGeodesy
    from gis.store import Project
    from importers.gnss.survey import survey_point

    with Project.open(path) as proj:
        geodesy = ProjectGeodesy.from_project(proj, frame)
        surveyed = survey_point(proj, session, geodesy, request.rules, request.point_id, code=request.code,
                                surveyor=request.surveyor, pipe=request.pipe,
                                allow_ellipsoidal=request.allow_ellipsoidal, progress=progress)
        frames = {layer: proj.read(layer).set_index("point_id", drop=False)
                  for layer in ("survey_points", "pipe_points")}
    return CaptureOutcome(surveyed, frames)


def survey_frame(frames, progress: Progress):
    """The project's survey points (app.gui.project_loader.LayerFrames reads them once; worker thread)."""
    progress.check()
    return frames.get("survey_points")


def load_geodesy(path: str, frame: str | None, progress: Progress):
    """The project's conversion chain from the GNSS frame to its grid (worker thread)."""
    from gis.geodesy.calibration import ProjectGeodesy
    from gis.store import Project

    progress.check()
    with Project.open(path, readonly=True) as proj:
        return ProjectGeodesy.from_project(proj, frame)


def fetch_sourcetable(config, progress: Progress):
    """The caster's parsed sourcetable (worker thread)."""
    from importers.gnss.ntrip import fetch_sourcetable as fetch

    progress.check()
    return fetch(config)


class GnssController(QObject):
    """GNSS menu, dock and the glue between the receiver status and the project's views."""

    def __init__(self, win):
        super().__init__(win)
        self.win = win
        self.panel = GnssPanel(win.settings)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.panel)
        self.dock = QDockWidget(win)
        self.dock.setObjectName("gnssDock")
        self.dock.setWidget(scroll)
        win.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        win.tabifyDockWidget(win.dock_attributes, self.dock)
        win.dock_attributes.raise_()
        self.capture_runner = TaskRunner(win)
        self.background = TaskRunner(win)
        self._queue: list[tuple] = []
        self.geodesy = None
        self._geodesy_for: tuple[str, str | None] | None = None
        self._marker_at: tuple | None = None
        self.sourcetable_dialog: SourcetableDialog | None = None
        self.result_box: QMessageBox | None = None
        self.last_outcome: CaptureOutcome | None = None
        self._build_menu()
        self._marker_timer = QTimer(self)
        self._marker_timer.setInterval(MARKER_MS)
        self._marker_timer.timeout.connect(self.update_position_marker)
        self.panel.connection_changed.connect(self._connection_changed)
        self.panel.browse_button.clicked.connect(self.show_sourcetable)
        self.panel.frame_combo.currentIndexChanged.connect(lambda _i: self._project_changed())
        self.capture_runner.busy_changed.connect(self._update_actions)
        win.project_loaded.connect(lambda _path: self._project_changed())
        self._update_actions()

    # -------------------------------------------------------------- menu
    def _action(self, slot, shortcut: str | None = None) -> QAction:
        act = QAction(self.win)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(slot)
        self.win.addAction(act)
        return act

    def _build_menu(self) -> None:
        self.act_panel = self.dock.toggleViewAction()
        self.act_panel.setShortcut(QKeySequence("Ctrl+Shift+G"))
        self.act_connect = self._action(self.panel.toggle_connection, "Ctrl+Shift+C")
        self.act_sourcetable = self._action(self.show_sourcetable)
        self.act_survey = self._action(partial(self.survey, False), "F9")
        self.act_survey_pipe = self._action(partial(self.survey, True), "Shift+F9")
        self.act_centre = self._action(self.centre_on_position, "Ctrl+Shift+L")
        self.act_scatter = self._action(self.panel.reset_scatter)
        self.menu = QMenu(self.win)
        self.win.menuBar().insertMenu(self.win.menu_lang.menuAction(), self.menu)
        add_items(self.menu, (self.act_panel, self.act_connect, self.act_sourcetable, None, self.act_survey,
                              self.act_survey_pipe, None, self.act_centre, self.act_scatter))

    def retranslate(self) -> None:
        """Every GNSS string in the current language."""
        self.menu.setTitle(tr("&GNSS / Survey"))
        self.dock.setWindowTitle(tr("GNSS status"))
        self.act_panel.setText(tr("GNSS &panel"))
        self.act_sourcetable.setText(tr("NTRIP &sourcetable…"))
        self.act_survey.setText(tr("&Survey point…"))
        self.act_survey_pipe.setText(tr("Survey a &pipe point…"))
        self.act_centre.setText(tr("&Centre views on the receiver"))
        self.act_scatter.setText(tr("&Restart the position scatter"))
        self.panel.retranslate()
        self._update_actions()

    def _update_actions(self, *_args) -> None:
        connected = self.panel.session is not None
        busy = self.capture_runner.busy
        self.act_connect.setText(tr("&Disconnect receiver") if connected else tr("&Connect receiver"))
        self.act_connect.setEnabled(not busy)
        self.panel.connect_button.setEnabled(not busy)
        for act in (self.act_survey, self.act_survey_pipe):
            act.setEnabled(connected and not busy)
        self.act_centre.setEnabled(connected)
        self.act_scatter.setEnabled(connected and not busy)

    def _connection_changed(self, connected: bool) -> None:
        self._update_actions()
        if connected:
            self._marker_timer.start()
        else:
            self._marker_timer.stop()
            self._marker_at = None
            self._set_markers(POSITION_MARKER, None)

    def _notify(self, icon: QMessageBox.Icon, title: str, text: str, name: str) -> QMessageBox:
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self.win)
        box.setObjectName(name)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    # -------------------------------------------------------- background work
    def _run_background(self, title: str, work, on_done, on_error) -> None:
        """Run on the background worker now, or after the work already there (no dialog)."""
        self._queue.append((title, work, on_done, on_error))
        self._next_background()

    def _next_background(self) -> None:
        if self.background.busy or not self._queue:
            return
        title, work, on_done, on_error = self._queue.pop(0)

        def finish(callback, value):
            callback(value)
            self._next_background()

        self.background.run(title, work, partial(finish, on_done), partial(finish, on_error), dialog=False)

    # ------------------------------------------------------ project, markers
    def _project_changed(self) -> None:
        """A project was opened or the frame changed: survey markers now, the conversion on a worker."""
        project = self.win.project
        self.geodesy = None
        self._marker_at = None
        if project is None:
            return
        self._show_survey_points(None)
        if project.counts.get("survey_points"):        # read on the worker: the GUI never waits on I/O
            self._run_background(tr("Reading the survey points"), partial(survey_frame, project.frames),
                                 partial(self._survey_points_read, project.path),
                                 lambda exc: self.win.statusBar().showMessage(dialogs.error_text(exc), 8000))
        key = (project.path, self.panel.frame())
        self._geodesy_for = key
        self._run_background(tr("Reading the project's coordinate conversion"), partial(load_geodesy, *key),
                             partial(self._geodesy_loaded, key), partial(self._geodesy_failed, key))

    def _survey_points_read(self, path: str, frame) -> None:
        if self.win.project is not None and self.win.project.path == path:
            self._show_survey_points(frame)

    def _geodesy_loaded(self, key, geodesy) -> None:
        if key == self._geodesy_for:
            self.geodesy = geodesy
            self.update_position_marker()

    def _geodesy_failed(self, key, exc: BaseException) -> None:
        if key == self._geodesy_for:
            self.geodesy = None
            self.panel.values["grid"].setText(dialogs.error_text(exc))

    def _set_markers(self, name: str, points, rgb=SURVEY_RGB, size: float = SURVEY_SIZE_PX) -> None:
        for view in self.win.views():
            view.stage.set_marker(name, points, rgb, size)
            view.redraw()

    def _show_survey_points(self, frame) -> None:
        points = None
        if frame is not None and len(frame):
            points = [(g.x, g.y, g.z if g.has_z else 0.0) for g in frame.geometry if g is not None]
        self._set_markers(SURVEY_MARKER, points)

    def project_position(self) -> tuple[float, float, float, str] | None:
        """The receiver's position in the project grid (x, y, H, height method), None if unknown."""
        pos, geodesy = self.panel.position, self.geodesy
        if pos is None or geodesy is None:
            return None
        conv = geodesy.convert(pos.lat, pos.lon, pos.h_ell, allow_ellipsoidal=True)
        x, y, h = float(conv.x[0]), float(conv.y[0]), float(conv.h[0])
        if not all(math.isfinite(v) for v in (x, y, h)):
            return None
        return x, y, h, conv.height_method

    def update_position_marker(self) -> None:
        """Move the live marker to the receiver's position (fix colour), and show the grid coordinates."""
        pos = self.panel.position
        if pos is None or self.geodesy is None:
            return
        key = (pos.lat, pos.lon, pos.h_ell, pos.fix)
        if key == self._marker_at:
            return
        self._marker_at = key
        try:
            where = self.project_position()
        except Exception as exc:  # noqa: BLE001 - a conversion failure shows, it must not stop the panel
            self.panel.values["grid"].setText(dialogs.error_text(exc))
            return
        if where is None:
            return
        x, y, h, method = where
        self.panel.values["grid"].setText(f"X {x:,.3f}  Y {y:,.3f}  H {h:.3f} m\n{method}")
        self._set_markers(POSITION_MARKER, (x, y, h), FIX_RGB.get(pos.fix, (0, 0, 0)), POSITION_SIZE_PX)

    def centre_on_position(self) -> None:
        """Pan both views so the receiver's position is in the middle (keeps zoom and angle)."""
        where = self.project_position() if self.geodesy is not None else None
        if where is None:
            self.win.statusBar().showMessage(tr("No receiver position in the project grid yet"), 5000)
            return
        for view in self.win.views():
            stage = view.stage
            if stage.scene is None:
                continue
            target = stage.scene.to_local(where[0], where[1], where[2], exaggeration=stage.exaggeration)
            cam = view.renderer.GetActiveCamera()
            shift = [t - f for t, f in zip(target, cam.GetFocalPoint())]
            cam.SetFocalPoint(*target)
            cam.SetPosition(*[p + d for p, d in zip(cam.GetPosition(), shift)])
            view.renderer.ResetCameraClippingRange()
            view.redraw()

    # ---------------------------------------------------------------- capture
    def survey(self, pipe: bool = False) -> bool:
        """Survey point (F9) / survey a pipe point (Shift+F9): dialog, then the capture on a worker."""
        if self.win.project is None:
            self._notify(QMessageBox.Icon.Information, tr("Survey point"), tr("Open a project first."),
                         "gnssNeedProject")
            return False
        if self.panel.session is None:
            self._notify(QMessageBox.Icon.Information, tr("Survey point"), tr("Connect the receiver first."),
                         "gnssNeedReceiver")
            return False
        dlg = CaptureDialog(self.win, self.win.settings, pipe)
        if dlg.exec() != QDialog.DialogCode.Accepted or dlg.request is None:
            return False
        return self.start_capture(dlg.request)

    def start_capture(self, request: CaptureRequest) -> bool:
        """Run the capture of ``request`` with a progress dialog (Cancel stops the occupation)."""
        project, session = self.win.project, self.panel.session
        if project is None or session is None:
            return False
        work = partial(capture_into_project, project.path, session, self.panel.frame(), request)
        return self.capture_runner.run(tr("Surveying {point}", point=request.point_id), work,
                                       partial(self._captured, project.path),
                                       partial(self._capture_failed, request.point_id))

    def _captured(self, path: str, outcome: CaptureOutcome) -> None:
        self.last_outcome = outcome
        project = self.win.project
        if project is not None and project.path == path:
            for layer, frame in outcome.frames.items():
                project.frames[layer] = frame
                project.counts[layer] = len(frame)
            self.win.layer_tree.set_counts(project.counts, project.utility_counts)
            self._show_survey_points(outcome.frames["survey_points"])
        rec, res = outcome.surveyed.record, outcome.surveyed.result
        lines = [tr("Stored {point}: X {x} Y {y} H {h} m", point=rec["point_id"], x=f"{rec['x']:,.3f}",
                    y=f"{rec['y']:,.3f}", h=f"{rec['h']:.3f}"),
                 tr("{fix}, {epochs} epochs averaged, spread {spread} m", fix=fix_text(rec["fix"]),
                    epochs=rec["epochs"], spread=f"{rec['spread_h']:.3f}"),
                 tr("σ h {sh} m, σ v {sv} m; heights: {method}",
                    sh="—" if rec["sigma_h"] is None else f"{rec['sigma_h']:.3f}",
                    sv="—" if rec["sigma_v"] is None else f"{rec['sigma_v']:.3f}", method=rec["height_method"])]
        if outcome.surveyed.pipe_row is not None:
            lines.append(tr("Pipe point stored too."))
        if res.refused:
            lines.append(tr("Epochs refused before: {counts}",
                            counts=", ".join(f"{n} {fix_text(k)}" for k, n in sorted(res.refused.items()))))
        self.win.statusBar().showMessage(lines[0], 10000)
        self.result_box = self._notify(QMessageBox.Icon.Information, tr("Point stored"), "\n".join(lines),
                                       "gnssCaptureResult")

    def _capture_failed(self, point_id: str, exc: BaseException) -> None:
        from importers.gnss.capture import CaptureRefused

        if isinstance(exc, Cancelled):
            self.win.statusBar().showMessage(tr("Survey of {point} cancelled; nothing stored", point=point_id), 8000)
            return
        title = (tr("Capture refused: nothing stored") if isinstance(exc, CaptureRefused)
                 else tr("Cannot store the point"))
        self.result_box = self._notify(QMessageBox.Icon.Warning, title, dialogs.error_text(exc),
                                       "gnssCaptureRefused")

    # ------------------------------------------------------------ sourcetable
    def show_sourcetable(self) -> None:
        """Fetch the caster's sourcetable and list its mountpoints, nearest first."""
        if self.sourcetable_dialog is None:
            self.sourcetable_dialog = SourcetableDialog(self.win)
            self.sourcetable_dialog.chosen.connect(self.panel.mount_edit.setText)
            self.sourcetable_dialog.refresh_requested.connect(self._fetch_sourcetable)
        self.sourcetable_dialog.open()
        self._fetch_sourcetable()

    def _fetch_sourcetable(self) -> None:
        dlg = self.sourcetable_dialog
        try:
            config = self.panel.ntrip_config(mountpoint="")
        except Exception as exc:  # noqa: BLE001 - a form error shows in the dialog
            dlg.show_error(dialogs.error_text(exc))
            return
        dlg.set_fetching()
        self._run_background(tr("Fetching the sourcetable…"), partial(fetch_sourcetable, config),
                             self._sourcetable_fetched, lambda exc: dlg.show_error(dialogs.error_text(exc)))

    def _sourcetable_fetched(self, table) -> None:
        pos = self.panel.position
        self.sourcetable_dialog.show_table(table, (pos.lat, pos.lon) if pos is not None else None)

    # --------------------------------------------------------------- closing
    def shutdown(self) -> None:
        """Stop the capture and the receiver (window closing); remember the connection settings."""
        self.capture_runner.shutdown()
        self.panel.save_settings()
        self.panel.disconnect_receiver(wait=True)
        self.background.shutdown()

