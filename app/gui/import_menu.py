"""File > Import… (Ctrl+I), File > Import history…, and files dropped onto the main window.

:class:`ImportUi` hooks the Import wizard and the history dialog into the
main window and refreshes the views after an import or a revert: the
affected layers are read again and the scene rebuilt on the window's worker.
"""
from __future__ import annotations

import os
from functools import partial

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox

from app.gui.i18n import tr


class ImportUi(QObject):
    """The main window's import actions; ``views_refreshed`` after the views show an import's result."""

    views_refreshed = Signal()

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.wizard = None
        self.history = None
        self.act_import = QAction(window)
        self.act_import.setShortcut(QKeySequence("Ctrl+I"))
        self.act_import.triggered.connect(lambda: self.import_files())
        self.act_history = QAction(window)
        self.act_history.triggered.connect(self.show_history)
        for act in (self.act_import, self.act_history):
            window.addAction(act)
            window.menu_file.insertAction(window.act_close, act)
        window.menu_file.insertSeparator(window.act_close)
        window.menu_file.aboutToShow.connect(self._update_actions)
        window.project_loaded.connect(self._update_actions)
        window.setAcceptDrops(True)
        window.installEventFilter(self)
        self._update_actions()

    def retranslate(self) -> None:
        """Action texts in the current language."""
        self.act_import.setText(tr("&Import…"))
        self.act_history.setText(tr("Import &history…"))

    def _update_actions(self, *_args) -> None:
        has_project = self.window.project is not None
        self.act_import.setEnabled(has_project)
        self.act_history.setEnabled(has_project)

    # ------------------------------------------------------------------ import
    def import_files(self, files: list[str] | None = None):
        """Open the Import wizard on the open project (with ``files`` listed); None when it cannot."""
        from app.gui.import_wizard import open_wizard

        if self.window.project is None:
            self.window._notify(QMessageBox.Icon.Information, tr("Import"),
                                tr("Open or create a project first, then import into it."))
            return None
        if self.wizard is not None:                # files dropped while it is open join it
            self.wizard.add_files(files or [])
            return self.wizard
        if self.window.runner.busy:
            self.window.statusBar().showMessage(tr("Busy: wait for the current task or cancel it"), 5000)
            return None
        self.wizard = open_wizard(self.window, self.window.project.path, self.window.settings, files)
        self.wizard.imported.connect(lambda result: self.refresh(list(result.accepted)))
        self.wizard.finished.connect(partial(self._closed, "wizard"))
        return self.wizard

    def show_history(self):
        """Open the Import history dialog on the open project."""
        from app.gui.import_history import ImportHistoryDialog

        if self.window.project is None:
            return None
        self.history = ImportHistoryDialog(self.window, self.window.project.path)
        self.history.reverted.connect(lambda _id, counts: self.refresh(list(counts)))
        self.history.finished.connect(partial(self._closed, "history"))
        self.history.open()
        self.history.load()
        return self.history

    def _closed(self, name: str, _result: int) -> None:
        """Forget (and delete) a closed wizard or history dialog."""
        getattr(self, name).deleteLater()
        setattr(self, name, None)

    def refresh(self, layers: list[str]) -> None:
        """Read ``layers`` again and rebuild the scene (window's worker), then show it in both views."""
        from app.gui.project_loader import reload_project
        from gis import layers as registry

        project = self.window.project
        if project is None:
            return
        layers = [name for name in layers if name in registry.LAYERS]
        started = self.window.runner.run(tr("Updating the views"), partial(reload_project, project, layers),
                                         self._refreshed, self._refresh_failed)
        if not started:
            self.window.statusBar().showMessage(tr("The views were not updated: reopen the project"), 8000)

    def _refreshed(self, loaded) -> None:
        window = self.window
        if window.project is None or window.project.path != loaded.path:
            return
        window.project = loaded
        window._show_scene(loaded)
        window.layer_tree.set_counts(loaded.counts, loaded.utility_counts)
        window.attributes.clear_feature()
        window.statusBar().showMessage(
            tr("{name}: {count} features", name=loaded.name, count=f"{loaded.feature_count:,}"), 8000)
        self.views_refreshed.emit()

    def _refresh_failed(self, exc: BaseException) -> None:
        from app.gui import dialogs

        self.window._notify(QMessageBox.Icon.Critical, tr("Updating the views"), dialogs.error_text(exc))

    # ----------------------------------------------------------- drag and drop
    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        """Files dragged onto the main window start the Import wizard with them."""
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and _local_files(event.mimeData()):
            event.acceptProposedAction()
            return True
        if kind == QEvent.Type.Drop:
            files = _local_files(event.mimeData())
            if files:
                event.acceptProposedAction()
                self.import_files(files)
                return True
        return super().eventFilter(obj, event)


def _local_files(mime) -> list[str]:
    """Local file paths among dropped URLs (folders left out)."""
    if mime is None or not mime.hasUrls():
        return []
    return [u.toLocalFile() for u in mime.urls() if u.isLocalFile() and os.path.isfile(u.toLocalFile())]
