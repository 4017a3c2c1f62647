"""Dialogs of the app shell: new project, error messages, about box."""
from __future__ import annotations

import logging
import os

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLineEdit, QMessageBox, QPushButton, QWidget)

from app.gui.i18n import tr
from gis.crs import DEFAULT_CRS, DEFAULT_VERTICAL_DATUM
from gis.errors import SubterraError

log = logging.getLogger(__name__)

PROJECT_FILTER = "GeoPackage (*.gpkg)"


def error_text(exc: BaseException) -> str:
    """The one-line message a dialog shows for ``exc`` (no traceback)."""
    if isinstance(exc, SubterraError):
        return str(exc)
    log.error("unexpected error", exc_info=exc)
    return tr("Unexpected error: {error}", error=f"{type(exc).__name__}: {exc}")


def show_error(parent: QWidget, title: str, exc: BaseException) -> None:
    """A modal error box with the error's one-line message."""
    box = QMessageBox(QMessageBox.Icon.Critical, title, error_text(exc),
                      QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.exec()


class NewProjectDialog(QDialog):
    """Asks for the new project's file, CRS (EPSG:4549 by default) and vertical datum."""

    def __init__(self, parent: QWidget, start_dir: str):
        super().__init__(parent)
        self.setWindowTitle(tr("New project"))
        self.path_edit = QLineEdit(os.path.join(start_dir, tr("project") + ".gpkg"))
        browse = QPushButton(tr("Browse…"))
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(browse)
        self.crs_edit = QLineEdit(DEFAULT_CRS)
        self.crs_edit.setToolTip(tr("EPSG code, PROJ string or WKT of a projected CRS in metres"))
        self.datum_edit = QLineEdit(DEFAULT_VERTICAL_DATUM)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(tr("File"), path_row)
        form.addRow(tr("Coordinate system"), self.crs_edit)
        form.addRow(tr("Vertical datum"), self.datum_edit)
        form.addRow(buttons)
        self.resize(560, self.sizeHint().height())

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, tr("New project"), self.path_edit.text(),
                                              PROJECT_FILTER)
        if path:
            self.path_edit.setText(path if path.lower().endswith(".gpkg") else path + ".gpkg")

    def values(self) -> tuple[str, str, str]:
        """(path, CRS, vertical datum) as entered."""
        return (self.path_edit.text().strip(), self.crs_edit.text().strip() or DEFAULT_CRS,
                self.datum_edit.text().strip() or DEFAULT_VERTICAL_DATUM)


def about(parent: QWidget) -> None:
    """The About box: version, purpose, library versions."""
    from importlib.metadata import PackageNotFoundError, version

    from PySide6 import __version__ as pyside_version

    try:
        ours = version("subterra")
    except PackageNotFoundError:
        ours = "dev"
    blurb = tr("Desktop GIS for a city’s underground space: pipelines, metro, civil-defense works.")
    text = f"<h3>Subterra {ours}</h3><p>{blurb}</p><p>PySide6 {pyside_version}</p>"
    QMessageBox.about(parent, tr("About Subterra"), text)
