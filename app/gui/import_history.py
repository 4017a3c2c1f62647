"""The Import history dialog: the project's import_log, and Revert for a landed import.

Reading the log and reverting (``importers.revert``) run on the dialog's
worker; ``reverted(import_id, counts)`` tells the main window which layers
to refresh.
"""
from __future__ import annotations

import json
import os
from functools import partial

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QMessageBox, QPushButton,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app.gui import dialogs
from app.gui.i18n import lang_key, tr
from app.gui.worker import TaskRunner
from gis.errors import Cancelled

ID_ROLE = Qt.ItemDataRole.UserRole


def _json(text, default):
    try:
        return json.loads(text) if text else default
    except ValueError:
        return default


def counts_text(counts: dict) -> str:
    """{layer: n} as "pipe points 6, pipe segments 5" in the UI language."""
    from gis import layers as registry

    lang = lang_key()
    return ", ".join(f"{registry.LAYERS[k].label(lang) if k in registry.LAYERS else k} {n:,}"
                     for k, n in counts.items())


class ImportHistoryDialog(QDialog):
    """Every import of the project, newest first; Revert takes the selected one back out."""

    reverted = Signal(int, dict)

    def __init__(self, parent: QWidget, project_path: str):
        super().__init__(parent)
        self.setObjectName("importHistory")
        self.setWindowTitle(tr("Import history"))
        self.project_path = project_path
        self.runner = TaskRunner(self)
        self.table = QTableWidget(0, 7)
        self.table.setObjectName("historyTable")
        self.table.setHorizontalHeaderLabels([tr("Import"), tr("Time (UTC)"), tr("User"), tr("Files"),
                                              tr("Written"), tr("Rejected rows"), tr("Reverted")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.revert_button = QPushButton(tr("&Revert selected…"))
        self.revert_button.setObjectName("revertImport")
        self.revert_button.clicked.connect(self.revert_selected)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.revert_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.rows: list[dict] = []
        self.resize(980, 420)
        self._selection_changed()

    def load(self) -> None:
        """Read the import log (worker thread) and list it."""
        from app.gui import import_work

        self.runner.run(tr("Reading the import history"), partial(import_work.history, self.project_path),
                        self._show, self._failed)

    def _show(self, rows: list[dict]) -> None:
        self.rows = list(reversed(rows))
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            files = ", ".join(os.path.basename(s) for s in _json(row.get("sources"), []))
            cells = (str(row["fid"]), (row.get("time") or "")[:19].replace("T", " "), row.get("user") or "",
                     files, counts_text(_json(row.get("accepted"), {})), str(row.get("rejected") or 0),
                     (row.get("reverted") or "")[:19].replace("T", " "))
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, row["fid"])
                if c == 3:
                    item.setToolTip("\n".join(_json(row.get("sources"), [])))
                self.table.setItem(r, c, item)
        self._selection_changed()

    def selected(self) -> dict | None:
        """The selected import_log row."""
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.rows[rows.pop()] if len(rows) == 1 else None

    def _selection_changed(self) -> None:
        row = self.selected()
        self.revert_button.setEnabled(row is not None and not row.get("reverted") and not self.runner.busy)

    def revert_selected(self) -> None:
        """Confirm, then take the selected import back out (worker thread)."""
        from app.gui import import_work

        row = self.selected()
        if row is None or row.get("reverted"):
            return
        import_id = int(row["fid"])
        answer = QMessageBox.question(
            self, tr("Revert import"),
            tr("Delete every feature written by import {import_id} ({counts})? The import log keeps a record.",
               import_id=import_id, counts=counts_text(_json(row.get("accepted"), {})) or "0"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        self.runner.run(tr("Reverting import {import_id}", import_id=import_id),
                        partial(import_work.revert, self.project_path, import_id),
                        partial(self._reverted, import_id), self._failed)

    def _reverted(self, import_id: int, counts: dict) -> None:
        self.reverted.emit(import_id, counts)
        self.load()

    def _failed(self, exc: BaseException) -> None:
        if not isinstance(exc, Cancelled):
            dialogs.show_error(self, tr("Import history"), exc)
