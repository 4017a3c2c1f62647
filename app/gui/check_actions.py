"""The Analysis menu and the findings dock: risk checks, network traces and rule tables in the app.

Each action runs one worker function of :mod:`app.gui.check_jobs` (one gis
call) through the window's TaskRunner (progress dialog with Cancel) and
shows the result: findings in the dock's table and as severity markers in
both views (:mod:`app.gui.findings_views`); a picked finding highlights its
two features in both views and flies the 3D camera to it; traces and valve
isolations highlight what they reached.  The user's rule table is validated
by the core's loader and remembered in the settings.

The dock's panel (pandas, report styles) is built once the views exist, so
the window shows before those load; the past runs and the rule table are
read by a second, dialog-less runner that never makes the window busy.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QDockWidget, QFileDialog, QMenu, QMessageBox

from app.gui import check_jobs as jobs
from app.gui import dialogs
from app.gui import settings as st
from app.gui.check_dialogs import ExcavationDialog, ZoneDialog
from app.gui.findings_views import FindingsOverlay
from app.gui.i18n import tr, tr_runtime
from app.gui.menus import add_items
from app.gui.worker import TaskRunner
from gis.errors import Cancelled, InputRejected

KEY_RULES = "checks/rules_file"
RULE_FILTER = "CSV (*.csv)"
REPORT_FILTER = "PDF (*.pdf);;HTML (*.html)"
TRACE_LAYERS = ("pipe_segments", "pipe_points")


def _number(value) -> float:
    """A coordinate as a float (NaN when missing)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


class CheckActions(QObject):
    """Builds the Analysis menu and the findings dock into ``window`` and runs what they ask for."""

    def __init__(self, window):
        super().__init__(window)
        self.win = window
        self.rules_file: str | None = str(window.settings.value(KEY_RULES, "") or "") or None
        self.panel = None                 # app.gui.findings_panel.FindingsPanel, built with the views
        self.dock = QDockWidget(window)
        self.dock.setObjectName("findingsDock")
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.overlay = FindingsOverlay(window)
        self.background = TaskRunner(window)
        self._current: str | None = None
        act = self._action
        self.act_clearance = act(self.clearance, "Ctrl+Shift+A")
        self.act_clearance_selection = act(partial(self.clearance, True))
        self.act_excavation = act(self.excavation_dialog, "Ctrl+Shift+E")
        self.act_cover = act(partial(self.simple_check, "cover"))
        self.act_topology = act(partial(self.simple_check, "topology"))
        self.act_zones = act(self.zones_dialog)
        self.act_special_zone = act(partial(self.zones, None))     # existing pipes in metro special zones
        self.act_trace = {mode: act(partial(self.trace, mode)) for mode in ("connected", "upstream", "downstream")}
        self.act_trace["connected"].setShortcut(QKeySequence("Ctrl+Shift+T"))
        self.act_isolate = act(partial(self.trace, "isolate"), "Ctrl+Shift+I")
        self.act_load_rules = act(self.load_rules_dialog)
        self.act_builtin_rules = act(self.use_builtin_rules)
        self.act_export = act(self.export_report_dialog)
        self.menu = QMenu(window)
        self.menu.setObjectName("analysisMenu")
        add_items(self.menu, (self.act_clearance, self.act_clearance_selection, self.act_excavation, self.act_cover,
                              self.act_topology, self.act_zones, self.act_special_zone, None,
                              *self.act_trace.values(), self.act_isolate, None,
                              self.act_load_rules, self.act_builtin_rules, None, self.act_export))
        window.menuBar().insertMenu(window.menu_lang.menuAction(), self.menu)
        window.menu_view.addAction(self.dock.toggleViewAction())
        window.views_ready.connect(self._views_ready)
        window.project_loaded.connect(self._project_loaded)
        self._enable(False)

    def _views_ready(self) -> None:
        self.overlay.attach()
        self.ensure_panel()

    def ensure_panel(self):
        """The dock's panel, built with the views (light: pandas comes with the first findings)."""
        if self.panel is None:
            from app.gui.findings_panel import FindingsPanel

            self.panel = panel = FindingsPanel()
            self.dock.setWidget(panel)
            self.overlay.finding_clicked.connect(panel.select_finding)
            panel.finding_chosen.connect(self.show_finding)
            panel.run_chosen.connect(self.load_run)
            panel.filter_changed.connect(self._draw_findings)
            panel.export_requested.connect(self.export_report_dialog)
            panel.clear_requested.connect(lambda: self.overlay.highlight(()))
            panel.item_chosen.connect(self._trace_item)
            self._enable(self.win.project is not None)
        return self.panel

    def _action(self, slot, shortcut: str | None = None) -> QAction:
        action = QAction(self.win)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        self.win.addAction(action)
        return action

    def _enable(self, loaded: bool) -> None:
        for action in self.menu.actions():
            if not action.isSeparator():
                action.setEnabled(loaded)
        shown = self.panel is not None and self.panel.result is not None
        self.act_export.setEnabled(loaded and shown)
        if self.panel is not None:
            self.panel.export_button.setEnabled(self.act_export.isEnabled())

    # ------------------------------------------------------------- workers
    def _start(self, title: str, work, on_done, failure: str | Callable[[BaseException], None],
               background: bool = False) -> bool:
        """Run ``work`` on the window's runner (progress dialog), or quietly on the background runner.

        ``failure``: the title of the error box, or a function taking the error.
        """
        runner = self.background if background else self.win.runner
        if runner.busy:
            self.win.statusBar().showMessage(tr("Busy: wait for the current task or cancel it"), 5000)
            return False
        on_error = failure if callable(failure) else partial(self._failed, failure)
        return runner.run(title, work, on_done, on_error, dialog=not background)

    def _failed(self, title: str, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            self.win.statusBar().showMessage(tr("Cancelled"), 5000)
            return
        box = QMessageBox(QMessageBox.Icon.Critical, title, dialogs.error_text(exc), QMessageBox.StandardButton.Ok,
                          self.win)
        box.setObjectName("checkErrorBox")
        if isinstance(exc, InputRejected) and len(exc.problems) > 1:
            box.setDetailedText("\n".join(str(p) for p in exc.problems))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _path(self) -> str | None:
        project = self.win.project
        if project is None:
            self.win.statusBar().showMessage(tr("Open a project first"), 5000)
            return None
        return project.path

    # ------------------------------------------------------------- project
    def _project_loaded(self, path: str) -> None:
        self.overlay.attach()
        self.ensure_panel().clear()
        self._enable(True)
        self._start(tr("Reading past runs"), partial(jobs.list_runs, path), partial(self._runs_listed, path),
                    tr("Cannot read past runs"), background=True)

    def _runs_listed(self, path: str, runs) -> None:
        if self.win.project is None or self.win.project.path != path:
            return
        self.panel.set_runs(runs)
        self._start(tr("Loading rule table"), partial(jobs.rule_table, path, self.rules_file),
                    partial(self._rules_loaded, self.rules_file), self._remembered_rules_failed, background=True)

    def _remembered_rules_failed(self, exc: BaseException) -> None:
        """The remembered rule table no longer loads: say so and fall back to the built-in rules."""
        self._failed(tr("Cannot use the remembered rule table; the built-in rules apply"), exc)
        if self.rules_file is not None:
            self.use_builtin_rules()

    def project_closed(self) -> None:
        """The window closed its project: forget findings, highlight and traces."""
        self.overlay.clear()
        if self.panel is not None:
            self.panel.clear()
        self._current = None
        self._enable(False)

    # --------------------------------------------------------------- rules
    def load_rules_dialog(self) -> None:
        """Analysis > Load rule table…: pick a CSV, validate it with the core's loader."""
        start = os.path.dirname(self.rules_file) if self.rules_file else str(
            self.win.settings.value(st.KEY_LAST_DIR, os.path.expanduser("~")))
        path, _ = QFileDialog.getOpenFileName(self.win, tr("Load rule table"), start, RULE_FILTER)
        if path:
            self.load_rules(path)

    def load_rules(self, path: str | None) -> bool:
        """Use the rule CSV ``path`` (None: built-in rules) once it validates; remembered in the settings."""
        project = self.win.project.path if self.win.project is not None else None
        return self._start(tr("Loading rule table"), partial(jobs.rule_table, project, path),
                           partial(self._rules_loaded, path), tr("Cannot use this rule table"), background=True)

    def use_builtin_rules(self) -> bool:
        """Analysis > Use built-in rules."""
        self.rules_file = None
        self.win.settings.setValue(KEY_RULES, "")
        return self.load_rules(None)

    def _rules_loaded(self, path: str | None, table) -> None:
        self.rules_file = path
        self.win.settings.setValue(KEY_RULES, path or "")
        self.ensure_panel().show_rules(path, table.rules)
        if path:
            self.win.statusBar().showMessage(tr("Rule table {name} in use", name=os.path.basename(path)), 8000)

    # -------------------------------------------------------------- checks
    def run_check(self, check: str, options, title: str) -> bool:
        """Run one check on the worker; its findings show in the dock and the views."""
        path = self._path()
        if path is None:
            return False
        return self._start(title, partial(jobs.run_check, path, check, options), self._check_done,
                           tr("Check failed"))

    def clearance(self, selection: bool = False) -> bool:
        """Clearance audit of the whole project, or (``selection``) of pairs touching the selected segments."""
        focus = None
        if selection:
            focus = tuple(fid for layer, fid in self._selection() if layer == "pipe_segments")
            if not focus:
                self._notify(tr("Clearance audit"), tr("Select one or more pipe segments first: click one in a "
                                                      "view, or trace a network."))
                return False
        return self.run_check("clearance", jobs.clearance_options(self.rules_file, focus), tr("Clearance audit"))

    def simple_check(self, check: str) -> bool:
        """Cover check or topology QA of the whole project."""
        title = {"cover": tr("Cover check"), "topology": tr("Topology QA")}[check]
        return self.run_check(check, jobs.simple_options(check, self.rules_file), title)

    def excavation_dialog(self) -> None:
        """Analysis > Excavation check…"""
        if self._path() is None:
            return
        frame = self.win.project.frames.get("excavations")
        stored = [str(i) for i in frame.index] if frame is not None else []
        dlg = ExcavationDialog(self.win, self._map_centre(), stored)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.excavation(dlg.request())

    def excavation(self, request: jobs.ExcavationRequest) -> bool:
        """Run the excavation check for an area, a stored excavation or a proposed pipe."""
        return self.run_check("excavation", jobs.excavation_options(request, self.rules_file),
                              tr("Excavation check"))

    def zones_dialog(self) -> None:
        """Analysis > Protection zones…"""
        if self._path() is None:
            return
        dlg = ZoneDialog(self.win, self._map_centre())
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.zones(dlg.area.wkt())

    def zones(self, wkt: str | None) -> bool:
        """Run the protection-zone check for an area given as WKT (None: existing pipes inside a
        metro special zone)."""
        return self.run_check("zones", jobs.zone_options(wkt, self.rules_file), tr("Protection zones"))

    def _check_done(self, result) -> None:
        project = self.win.project
        if project is not None and project.counts.get("findings") is not None:
            project.counts["findings"] += len(result.findings)
            self.win.layer_tree.set_counts(project.counts, project.utility_counts)
        self._show_result(result)
        self.win.statusBar().showMessage(
            tr("{check}: {count} findings, {violations} short of the rule", check=tr_runtime(result.check),
               count=f"{len(result.findings):,}", violations=f"{result.violations:,}"), 8000)

    def _show_result(self, result) -> None:
        self._current = None
        self.overlay.highlight(())
        self.ensure_panel().show_result(result)
        self._draw_findings()
        self._enable(self.win.project is not None)

    def _draw_findings(self) -> None:
        self.overlay.show_findings(self.panel.shown_findings())

    def load_run(self, run_id: str) -> bool:
        """Show a past run from the findings layer."""
        path = self._path()
        if path is None:
            return False
        return self._start(tr("Reading run {run}", run=run_id), partial(jobs.load_run, path, run_id),
                           self._show_result, tr("Cannot read the run"))

    def show_finding(self, finding) -> None:
        """Highlight a finding's two features in both views, fly the 3D camera to it, show feature a."""
        fid = str(finding["finding_id"])
        if fid == self._current and self.overlay.flying:
            return
        self._current = fid
        items = [(finding.get(f"{side}_layer"), finding.get(f"{side}_id")) for side in ("a", "b")]
        self.overlay.highlight([(layer, fid_) for layer, fid_ in items if isinstance(layer, str)
                                and isinstance(fid_, str)])
        self.overlay.fly_to(*(_number(finding.get(c)) for c in ("x", "y", "z")))
        values = self.win.project.feature(*items[0]) if self.win.project and isinstance(items[0][0], str) else None
        if values:
            self.win.attributes.show_feature(items[0][0], values)

    # --------------------------------------------------------------- traces
    def _selection(self) -> list[tuple[str, str]]:
        """The picked feature, then the highlighted ones (a finding's pair, a trace)."""
        view = self.win.view3d
        if view is None:
            return []
        picked = [view.stage.selection] if view.stage.selection is not None else []
        return list(dict.fromkeys(picked + list(view.stage.highlighted)))

    def trace(self, mode: str) -> bool:
        """Trace connected/upstream/downstream from the selected feature, or isolate the selected burst segment."""
        layers = ("pipe_segments",) if mode == "isolate" else TRACE_LAYERS
        picked = next(((layer, fid) for layer, fid in self._selection() if layer in layers), None)
        title = self._trace_title(mode)
        if picked is None:
            self._notify(title, tr("Select a pipe segment first (click it in a view).") if mode == "isolate"
                         else tr("Select a pipe segment or pipe point first (click it in a view)."))
            return False
        path = self._path()
        if path is None:
            return False
        return self._start(title, partial(jobs.run_trace, path, picked[1], mode), self._trace_done,
                           tr("Trace failed"))

    def _trace_done(self, doc: dict) -> None:
        items = [("pipe_segments", s) for s in doc.get("segments", [])]
        if doc.get("mode") == "isolate":
            items += [("pipe_points", p) for p in doc.get("valves_to_close", []) + doc.get("service_points", [])]
        self.overlay.highlight(items)
        self.ensure_panel().show_trace(doc)
        self.dock.show()
        if doc.get("mode") == "isolate":
            message = tr("Burst on {segment}: close {valves} valves; {segments} segments isolated",
                         segment=doc["from"], valves=len(doc.get("valves_to_close", [])),
                         segments=len(doc.get("segments", [])))
        else:
            message = tr("{segments} segments reached from {start}", segments=len(doc.get("segments", [])),
                         start=doc["from"])
        self.win.statusBar().showMessage(message, 10000)

    def _trace_item(self, layer: str, fid: str) -> None:
        values = self.win.project.feature(layer, fid) if self.win.project else None
        if values:
            for view in self.win.views():
                view.select(layer, fid)
            self.win.attributes.show_feature(layer, values)

    @staticmethod
    def _trace_title(mode: str) -> str:
        return {"connected": tr("Trace connected"), "upstream": tr("Trace upstream"),
                "downstream": tr("Trace downstream"), "isolate": tr("Valve isolation")}[mode]

    # -------------------------------------------------------------- reports
    def export_report_dialog(self) -> None:
        """Analysis > Export report…: the shown run as PDF or HTML."""
        result = self.panel.result
        if result is None or self._path() is None:
            return
        start = os.path.join(str(self.win.settings.value(st.KEY_LAST_DIR, os.path.expanduser("~"))),
                             f"{result.run_id}.pdf")
        path, _ = QFileDialog.getSaveFileName(self.win, tr("Export report"), start, REPORT_FILTER)
        if path:
            self.export_report(path)

    def export_report(self, out: str) -> bool:
        """Write the shown run's report to ``out`` (.pdf or .html) on the worker."""
        path, result = self._path(), self.panel.result
        if path is None or result is None:
            return False
        return self._start(tr("Writing the report"), partial(jobs.export_report, path, result, out, self.rules_file),
                           self._report_written, tr("Cannot write the report"))

    def _report_written(self, written: dict) -> None:
        self.win.statusBar().showMessage(tr("Report written: {path}", path=written.get("path", "")), 10000)

    # ---------------------------------------------------------------- misc
    def _map_centre(self) -> tuple[float, float] | None:
        view = self.win.map2d
        if view is None or view.stage.scene is None:
            return None
        fx, fy, _ = view.renderer.GetActiveCamera().GetFocalPoint()
        x, y, _ = view.stage.scene.to_project(fx, fy, 0.0)
        return x, y

    def _notify(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, self.win)
        box.setObjectName("checkNoticeBox")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def retranslate(self) -> None:
        """Set every visible string in the current language."""
        texts = {
            self.act_clearance: tr("&Clearance audit (whole project)"),
            self.act_clearance_selection: tr("Clearance audit of the &selection"),
            self.act_excavation: tr("&Excavation check…"), self.act_cover: tr("C&over check"),
            self.act_topology: tr("&Topology QA"), self.act_zones: tr("&Protection zones…"),
            self.act_special_zone: tr("Pipes in &metro special zones"),
            self.act_trace["connected"]: tr("Trace co&nnected"), self.act_trace["upstream"]: tr("Trace &upstream"),
            self.act_trace["downstream"]: tr("Trace &downstream"),
            self.act_isolate: tr("&Valve isolation (burst segment)"),
            self.act_load_rules: tr("&Load rule table…"), self.act_builtin_rules: tr("Use &built-in rules"),
            self.act_export: tr("E&xport report…"),
        }
        for action, text in texts.items():
            action.setText(text)
        self.menu.setTitle(tr("&Analysis"))
        self.dock.setWindowTitle(tr("Findings"))
        if self.panel is not None:
            self.panel.retranslate()
