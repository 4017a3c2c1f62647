"""The main window: layer tree, linked 2D/3D views, attribute panel, menus, status bar.

No business logic here: each action calls one function (``gis``,
``viewers`` or a loader in :mod:`app.gui.project_loader`) on the worker
thread and shows its result.
"""
from __future__ import annotations

import os
from contextlib import ExitStack
from functools import partial

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (QApplication, QDialog, QDockWidget, QFileDialog, QLabel, QMainWindow,
                               QMessageBox, QSplitter, QTabBar, QVBoxLayout, QWidget)

from app.gui import dialogs, i18n, settings as st
from app.gui.attribute_panel import AttributePanel
from app.gui.i18n import tr
from app.gui.import_menu import ImportUi
from app.gui.menus import add_items
from app.gui.view_export import ViewExport
from app.gui.layer_tree import LayerTree
from app.gui.project_loader import LoadedProject, create_project, load_demo, load_project
from app.gui.views import create_views
from app.gui.worker import TaskRunner
from gis.errors import Cancelled, SubterraError

GROUND_OPACITIES = (1.0, 0.5, 0.0)
EXAGGERATIONS = (1.0, 2.0, 5.0)


class MainWindow(QMainWindow):
    """Subterra's main window.  ``project_loaded``/``project_failed`` report each open."""

    project_loaded = Signal(str)       # path
    project_failed = Signal(str)       # the one-line message shown
    views_ready = Signal()
    scene_shown = Signal()             # the views show a project's (new or refreshed) scene

    def __init__(self, settings: QSettings):
        super().__init__()
        self.setObjectName("mainWindow")
        self.settings = settings
        self.runner = TaskRunner(self)
        self.project: LoadedProject | None = None
        self.map2d: QWidget | None = None
        self.view3d: QWidget | None = None
        self._linking = False
        self._shown_once = False
        self._build_actions()
        self._build_menus()
        self._build_docks()
        self._build_analysis()
        self._build_gnss()
        self._build_view3d_tools()
        self._build_map_tools()
        self._build_central()
        self._build_status_bar()
        self.import_ui = ImportUi(self)          # File > Import…, Import history…, dropped files
        self.view_export = ViewExport(self)      # File > Save 3D view / 2D map as image…
        self.retranslate()
        self._restore_settings()

    # ------------------------------------------------------------------ building
    def _action(self, slot, shortcut: str | None = None, checkable: bool = False) -> QAction:
        act = QAction(self)
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.setCheckable(checkable)
        act.triggered.connect(slot)
        self.addAction(act)
        return act

    def _build_actions(self) -> None:
        self.act_new = self._action(self.new_project_dialog, "Ctrl+N")
        self.act_open = self._action(self.open_project_dialog, "Ctrl+O")
        self.act_demo = self._action(self.open_demo)
        self.act_close = self._action(self.close_project, "Ctrl+W")
        self.act_quit = self._action(self.close, "Ctrl+Q")
        self.act_clear_recent = self._action(self.clear_recent)
        self.act_reset = self._action(self.reset_views, "F5")
        self.mode_group = QActionGroup(self)
        self.act_split = self._action(lambda: self.set_view_mode("split"), checkable=True)
        self.act_tabs = self._action(lambda: self.set_view_mode("tabs"), checkable=True)
        self.act_toggle_mode = self._action(self.toggle_view_mode, "Ctrl+T")
        for act in (self.act_split, self.act_tabs):
            self.mode_group.addAction(act)
        self.ground_group = QActionGroup(self)
        self.act_ground = [self._action(partial(self._set_ground, v), checkable=True)
                           for v in GROUND_OPACITIES]
        self.exag_group = QActionGroup(self)
        self.act_exag = [self._action(partial(self._set_exaggeration, v), checkable=True)
                         for v in EXAGGERATIONS]
        for group, acts in ((self.ground_group, self.act_ground), (self.exag_group, self.act_exag)):
            for act in acts:
                group.addAction(act)
            acts[0].setChecked(True)
        self.lang_group = QActionGroup(self)
        self.act_lang = {}
        for code, name in i18n.LANGUAGES.items():
            act = self._action(partial(self.set_language, code), checkable=True)
            act.setText(name)          # each language is named in itself
            self.lang_group.addAction(act)
            self.act_lang[code] = act
        self.act_about = self._action(lambda: dialogs.about(self), "F1")
        self.act_about_qt = self._action(QApplication.aboutQt)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menu_file = bar.addMenu("")
        self.menu_recent = self.menu_file.addMenu("")
        self.menu_view = bar.addMenu("")
        self.menu_ground = self.menu_view.addMenu("")
        self.menu_exag = self.menu_view.addMenu("")
        self.menu_lang = bar.addMenu("")
        self.menu_help = bar.addMenu("")
        add_items(self.menu_file, (self.act_new, self.act_open, self.menu_recent, self.act_demo, None,
                                   self.act_close, None, self.act_quit))
        self.menu_ground.addActions(self.act_ground)
        self.menu_exag.addActions(self.act_exag)
        self.menu_lang.addActions(list(self.act_lang.values()))
        self.menu_help.addActions([self.act_about, self.act_about_qt])

    def _build_docks(self) -> None:
        self.layer_tree = LayerTree()
        self.layer_tree.layer_toggled.connect(self._layer_toggled)
        self.dock_layers = QDockWidget(self)
        self.dock_layers.setObjectName("layersDock")
        self.dock_layers.setWidget(self.layer_tree)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.dock_layers)
        self.attributes = AttributePanel()
        self.dock_attributes = QDockWidget(self)
        self.dock_attributes.setObjectName("attributesDock")
        self.dock_attributes.setWidget(self.attributes)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock_attributes)
        add_items(self.menu_view, (self.act_reset, None, self.act_split, self.act_tabs, self.act_toggle_mode,
                                   None, self.menu_ground, self.menu_exag, None,
                                   self.dock_layers.toggleViewAction(), self.dock_attributes.toggleViewAction()))

    def _build_analysis(self) -> None:
        """The Analysis menu and the findings dock (app.gui.check_actions)."""
        from app.gui.check_actions import CheckActions

        self.checks = CheckActions(self)

    def _build_gnss(self) -> None:
        """The GNSS / 测量 menu and dock (app.gui.gnss_controller)."""
        from app.gui.gnss_controller import GnssController

        self.gnss = GnssController(self)

    def _build_view3d_tools(self) -> None:
        """The 3D toolbar, menu and the cross-section / profile docks (app.gui.view3d_controller)."""
        from app.gui.view3d_controller import View3DController

        self.view3d_tools = View3DController(self)
    def _build_map_tools(self) -> None:
        """The Map menu and toolbar: map tools, zoom to selection, show in 3D (app.gui.map2d_tools)."""
        from app.gui.map2d_tools import MapTools

        self.map_tools = MapTools(self)

    def _build_central(self) -> None:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.view_tabs = QTabBar()
        self.view_tabs.addTab("")
        self.view_tabs.addTab("")
        self.view_tabs.currentChanged.connect(lambda _i: self._apply_view_mode())
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self._slots: list[QWidget] = []
        self._placeholders: list[QLabel] = []
        for _ in range(2):
            slot = QWidget()
            box = QVBoxLayout(slot)
            box.setContentsMargins(0, 0, 0, 0)
            label = QLabel()
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            box.addWidget(label)
            self._slots.append(slot)
            self._placeholders.append(label)
            self.splitter.addWidget(slot)
        layout.addWidget(self.view_tabs)
        layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._view_mode = "split"

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.coord_label = QLabel()
        self.crs_label = QLabel()
        self.datum_label = QLabel()
        for label in (self.coord_label, self.crs_label, self.datum_label):
            label.setContentsMargins(6, 0, 6, 0)
            bar.addPermanentWidget(label)

    # ------------------------------------------------------------------- views
    def showEvent(self, event: QShowEvent) -> None:  # noqa: D102 - Qt API
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            QTimer.singleShot(0, self.ensure_views)

    def views(self) -> list[QWidget]:
        """The views created so far (2D map, 3D view)."""
        return [v for v in (self.map2d, self.view3d) if v is not None]

    def ensure_views(self) -> None:
        """Create the 2D and 3D views (imports VTK) unless they exist."""
        if self.map2d is not None:
            return
        self.map2d, self.view3d = create_views(self)
        for slot, label, view in zip(self._slots, self._placeholders, (self.map2d, self.view3d)):
            label.hide()
            slot.layout().addWidget(view)
            view.picked.connect(self._picked)
            view.cursor_moved.connect(self._cursor_moved)
        self._apply_view_mode()
        self.views_ready.emit()

    def _show_scene(self, loaded: LoadedProject) -> None:
        self.ensure_views()
        exaggeration = next(v for a, v in zip(self.act_exag, EXAGGERATIONS) if a.isChecked())
        for view in self.views():
            view.set_scene(loaded.scene)
            for layer in self.layer_tree.hidden_layers():
                view.set_layer_visible(layer, False)
            if exaggeration != loaded.scene.exaggeration:
                view.set_exaggeration(exaggeration)
        self.scene_shown.emit()

    def _layer_toggled(self, layer: str, visible: bool) -> None:
        for view in self.views():
            view.set_layer_visible(layer, visible)

    def _picked(self, layer: str, feature_id: str) -> None:
        """A click in either view: select in both and show the attributes."""
        if self._linking:
            return
        self._linking = True
        try:
            values = self._feature(layer, feature_id)
            for view in self.views():
                view.select(layer, feature_id if values else None)
            if values:
                self.attributes.show_feature(layer, values)
            else:
                self.attributes.clear_feature()
        finally:
            self._linking = False

    def _feature(self, layer: str, feature_id: str) -> dict | None:
        """A picked feature's attributes from the store (an index lookup: well under 20 ms at 1M)."""
        if self.project is None or not feature_id:
            return None
        try:
            return self.project.feature(layer, feature_id)
        except SubterraError as exc:        # e.g. the file was moved away or is locked by a writer
            self.statusBar().showMessage(dialogs.error_text(exc), 8000)
            return None

    def _cursor_moved(self, x: float, y: float) -> None:
        self.coord_label.setText(f"X {x:,.3f}  Y {y:,.3f}")

    def reset_views(self) -> None:
        """Fit both views to the data (F5)."""
        for view in self.views():
            view.reset_camera()

    def _set_ground(self, opacity: float) -> None:
        for view in self.views():
            view.set_ground_opacity(opacity)

    def _set_exaggeration(self, factor: float) -> None:
        for view in self.views():
            view.set_exaggeration(factor)

    def set_view_mode(self, mode: str) -> None:
        """"split" shows the views side by side, "tabs" one at a time (remembered)."""
        self._view_mode = mode if mode in st.VIEW_MODES else "split"
        self.settings.setValue(st.KEY_VIEW_MODE, self._view_mode)
        self._apply_view_mode()

    def view_mode(self) -> str:
        """The current view mode."""
        return self._view_mode

    def toggle_view_mode(self) -> None:
        """Switch between side by side and tabs (Ctrl+T)."""
        self.set_view_mode("tabs" if self._view_mode == "split" else "split")

    def _apply_view_mode(self) -> None:
        tabs = self._view_mode == "tabs"
        self.act_tabs.setChecked(tabs)
        self.act_split.setChecked(not tabs)
        self.view_tabs.setVisible(tabs)
        for i, slot in enumerate(self._slots):
            slot.setVisible(not tabs or i == self.view_tabs.currentIndex())

    # ---------------------------------------------------------------- projects
    def _start(self, title: str, work, on_done, failure_title: str, path: str) -> bool:
        if self.runner.busy:
            self.statusBar().showMessage(tr("Busy: wait for the current task or cancel it"), 5000)
            return False
        return self.runner.run(title, work, on_done, partial(self._failed, failure_title, path))

    def open_project(self, path: str) -> bool:
        """Open a project on the worker thread; False if another task is running."""
        name = os.path.basename(path)
        return self._start(tr("Opening {name}", name=name), partial(load_project, path),
                           self._loaded, tr("Cannot open project"), path)

    def open_demo(self) -> bool:
        """Open the bundled demo district (generated and cached on first use)."""
        return self._start(tr("Opening the demo district"), load_demo, self._loaded,
                           tr("Cannot open the demo district"), "")

    def create_project(self, path: str, crs: str, vertical_datum: str) -> bool:
        """Create an empty project and open it (worker thread)."""
        return self._start(tr("Creating {name}", name=os.path.basename(path)),
                           partial(create_project, path, crs, vertical_datum), self._loaded,
                           tr("Cannot create project"), "")

    def open_project_dialog(self) -> None:
        """File > Open (Ctrl+O)."""
        path, _ = QFileDialog.getOpenFileName(self, tr("Open project"), self._last_dir(),
                                              dialogs.PROJECT_FILTER)
        if path:
            self.open_project(path)

    def new_project_dialog(self) -> None:
        """File > New (Ctrl+N): file, CRS (EPSG:4549 by default), vertical datum."""
        dlg = dialogs.NewProjectDialog(self, self._last_dir())
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.create_project(*dlg.values())

    def close_project(self) -> None:
        """Close the project (Ctrl+W): empty views, tree counts and panel."""
        self.project = None
        for view in self.views():
            view.clear()
        self.layer_tree.set_counts({}, {})
        self.attributes.clear_feature()
        self.checks.project_closed()
        self._update_project_labels()

    def _loaded(self, loaded: LoadedProject) -> None:
        """Show a loaded project; the views render once, after every tool has applied its settings
        (ground, exaggeration, colours, markers: each would otherwise render the whole scene)."""
        self.ensure_views()
        self.close_project()        # renders the emptied views: their windows take the widgets' size
        with ExitStack() as held:
            for view in self.views():
                held.enter_context(view.redraws_held())
            self._show_loaded(loaded)

    def _show_loaded(self, loaded: LoadedProject) -> None:
        self.project = loaded
        self._show_scene(loaded)
        self.layer_tree.set_counts(loaded.counts, loaded.utility_counts)
        self._update_project_labels()
        st.add_recent(self.settings, loaded.path)
        self.settings.setValue(st.KEY_LAST_DIR, os.path.dirname(loaded.path))
        self._rebuild_recent_menu()
        self.statusBar().showMessage(
            tr("Opened {name}: {count} features", name=loaded.name, count=f"{loaded.feature_count:,}"),
            8000)
        if not loaded.has_terrain and loaded.feature_count:
            self._notify(QMessageBox.Icon.Warning, tr("No terrain"),
                         tr("{name} has no terrain (DEM): the ground surface is not shown and cover "
                            "depths use surveyed ground only. Import one with: subterra import "
                            "PROJECT.gpkg DEM.tif --kind dem", name=loaded.name))
        self.project_loaded.emit(loaded.path)

    def _failed(self, title: str, path: str, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            self.statusBar().showMessage(tr("Cancelled"), 5000)
            self.project_failed.emit(tr("Cancelled"))
            return
        message = dialogs.error_text(exc)
        if path and not os.path.exists(path):
            st.remove_recent(self.settings, path)
            self._rebuild_recent_menu()
        self._notify(QMessageBox.Icon.Critical, title, message)
        self.project_failed.emit(message)

    def _notify(self, icon: QMessageBox.Icon, title: str, text: str) -> None:
        """A window-modal message box that does not block the event loop."""
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _update_project_labels(self) -> None:
        proj = self.project
        if proj is None:
            self.setWindowTitle("Subterra")
            self.crs_label.setText(tr("No project"))
            self.datum_label.clear()
            self.coord_label.clear()
            return
        self.setWindowTitle(f"{proj.name} — {proj.crs_name} — Subterra")
        self.crs_label.setText(proj.crs_name)
        self.datum_label.setText(tr("Heights: {datum}", datum=proj.vertical_datum))

    # ----------------------------------------------------------- recent files
    def _last_dir(self) -> str:
        return str(self.settings.value(st.KEY_LAST_DIR, os.path.expanduser("~")))

    def _rebuild_recent_menu(self) -> None:
        menu = self.menu_recent
        menu.clear()
        recent = st.recent_files(self.settings)
        for i, path in enumerate(recent, 1):
            act = menu.addAction(f"&{i % 10}  {path}")
            act.setData(path)
            act.triggered.connect(partial(self.open_project, path))
        if recent:
            menu.addSeparator()
        menu.addAction(self.act_clear_recent)
        self.act_clear_recent.setEnabled(bool(recent))

    def clear_recent(self) -> None:
        """Forget the recent files."""
        self.settings.setValue(st.KEY_RECENT, [])
        self._rebuild_recent_menu()

    # --------------------------------------------------------------- language
    def set_language(self, code: str) -> None:
        """Switch the UI language now and remember it."""
        from app.gui.main import apply_language

        apply_language(QApplication.instance(), code)
        self.settings.setValue(st.KEY_LANGUAGE, i18n.language())
        self.retranslate()

    def retranslate(self) -> None:
        """Set every visible string in the current language."""
        texts = {
            self.act_new: tr("&New project…"), self.act_open: tr("&Open project…"),
            self.act_demo: tr("Open &demo district"), self.act_close: tr("&Close project"),
            self.act_quit: tr("&Quit"), self.act_clear_recent: tr("Clear list"),
            self.act_reset: tr("&Reset view"), self.act_split: tr("Side by side"),
            self.act_tabs: tr("Tabs"), self.act_toggle_mode: tr("Toggle side by side / tabs"),
            self.act_about: tr("&About Subterra"), self.act_about_qt: tr("About &Qt"),
        }
        for act, text in texts.items():
            act.setText(text)
        for act, value in zip(self.act_ground, GROUND_OPACITIES):
            act.setText(tr("{percent}% opaque", percent=int(value * 100)))
        for act, value in zip(self.act_exag, EXAGGERATIONS):
            act.setText(f"{value:g}×")
        self.menu_file.setTitle(tr("&File"))
        self.menu_recent.setTitle(tr("Open &recent"))
        self.menu_view.setTitle(tr("&View"))
        self.menu_ground.setTitle(tr("&Ground surface"))
        self.menu_exag.setTitle(tr("Vertical &exaggeration"))
        self.menu_lang.setTitle(tr("&Language"))
        self.menu_help.setTitle(tr("&Help"))
        self.dock_layers.setWindowTitle(tr("Layers"))
        self.dock_attributes.setWindowTitle(tr("Attributes"))
        self.view_tabs.setTabText(0, tr("2D map"))
        self.view_tabs.setTabText(1, tr("3D view"))
        for label in self._placeholders:
            label.setText(tr("Loading view…"))
        self.act_lang[i18n.language()].setChecked(True)
        self.layer_tree.retranslate()
        self.attributes.retranslate()
        self.checks.retranslate()
        self.import_ui.retranslate()
        self.view_export.retranslate()
        self.gnss.retranslate()
        self.view3d_tools.retranslate()
        self.map_tools.retranslate()
        self._update_project_labels()

    # --------------------------------------------------------------- settings
    def _restore_settings(self) -> None:
        geometry = self.settings.value(st.KEY_GEOMETRY)
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 880)
        state = self.settings.value(st.KEY_STATE)
        if state is not None:
            self.restoreState(state)
        splitter = self.settings.value(st.KEY_SPLITTER)
        if splitter is not None:
            self.splitter.restoreState(splitter)
        self._view_mode = st.view_mode(self.settings)
        self._apply_view_mode()
        self._rebuild_recent_menu()

    def save_settings(self) -> None:
        """Write window geometry, dock layout and splitter state."""
        self.settings.setValue(st.KEY_GEOMETRY, self.saveGeometry())
        self.settings.setValue(st.KEY_STATE, self.saveState())
        self.settings.setValue(st.KEY_SPLITTER, self.splitter.saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: D102 - Qt API
        self.save_settings()
        self.gnss.shutdown()
        self.view3d_tools.shutdown()
        self.runner.shutdown()
        for view in self.views():
            view.close()        # releases its OpenGL window (child widgets get no close event)
        super().closeEvent(event)
