"""Pieces the section and profile panels share: the chart widget, read-only tables, export buttons.

The chart is drawn by ``viewers.charts.export.draw_chart`` (the same routine
as PNG/PDF export); a click on a drawn feature emits ``feature_clicked``.
"""
from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QHeaderView, QMessageBox, QPushButton,
                               QTableWidget, QTableWidgetItem, QWidget)

from app.gui import dialogs
from app.gui.i18n import lang_key, tr

ID_ROLE = Qt.ItemDataRole.UserRole        # (layer, feature id) of a table row
EXPORT_FILTERS = {".png": "PNG (*.png)", ".pdf": "PDF (*.pdf)", ".csv": "CSV (*.csv)"}


class ChartView(QWidget):
    """A section or profile chart painted on the widget; clicks pick the features drawn."""

    feature_clicked = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.result: Any = None
        self.kind = "section"
        self.drawn = None
        self.setMinimumHeight(220)

    def set_result(self, result, kind: str) -> None:
        """Show a gis.cuts Section (kind "section") or Profile (kind "profile"); None clears."""
        self.result, self.kind, self.drawn = result, kind, None
        self.update()

    def style(self):
        """The chart style of the panel (UI language)."""
        from viewers.charts.draw import ChartStyle

        return ChartStyle(lang=lang_key())

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.fillRect(self.rect(), Qt.GlobalColor.white)
            if self.result is not None:
                from viewers.charts.export import draw_chart

                self.drawn = draw_chart(painter, QRectF(self.rect()), self.result, self.style(), self.kind)
        finally:
            painter.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton and self.drawn is not None:
            hit = self.drawn.pick(event.position().x(), event.position().y())
            if hit is not None:
                self.feature_clicked.emit(*hit)
        super().mousePressEvent(event)


def make_table(columns: int) -> QTableWidget:
    """A read-only, row-selecting table."""
    table = QTableWidget(0, columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def fill_table(table: QTableWidget, headers: list[str], rows: list[tuple[tuple[str, str] | None, list[str]]]) -> None:
    """Put ``rows`` ((layer, id) or None, cell texts) in ``table`` under ``headers``."""
    table.setRowCount(0)
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.setRowCount(len(rows))
    for r, (key, cells) in enumerate(rows):
        for c, text in enumerate(cells):
            item = QTableWidgetItem(text)
            if key is not None:
                item.setData(ID_ROLE, key)
            if c > 0:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)


def metres(v: float | None, digits: int = 2) -> str:
    """A length or elevation for a table cell ("" when unknown)."""
    return "" if v is None else f"{v:.{digits}f}"


class ExportButtons(QWidget):
    """PNG / PDF / CSV buttons writing a panel's result with viewers.charts.export.export_chart."""

    exported = Signal(str)

    def __init__(self, panel, parent=None):
        super().__init__(parent)
        self.panel = panel
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.buttons = {}
        for suffix in EXPORT_FILTERS:
            button = QPushButton(suffix[1:].upper())
            button.clicked.connect(lambda _checked=False, s=suffix: self.ask(s))
            layout.addWidget(button)
            self.buttons[suffix] = button
        layout.addStretch(1)
        self.set_enabled(False)

    def set_enabled(self, on: bool) -> None:
        """Enable the buttons when there is something to export."""
        for button in self.buttons.values():
            button.setEnabled(on)

    def retranslate(self) -> None:
        """Tooltips in the current language."""
        for suffix, button in self.buttons.items():
            button.setToolTip(tr("Export as {format}…", format=suffix[1:].upper()))

    def ask(self, suffix: str) -> None:
        """Ask for a file name, then export."""
        start = os.path.join(os.path.expanduser("~"), self.panel.file_stem() + suffix)
        path, _ = QFileDialog.getSaveFileName(self, tr("Export"), start, EXPORT_FILTERS[suffix])
        if path:
            if not path.lower().endswith(suffix):
                path += suffix
            self.export_to(path)

    def export_to(self, path: str) -> bool:
        """Write the panel's chart or table to ``path`` (format by suffix); an error is shown, not raised."""
        from viewers.charts.export import export_chart

        result = self.panel.result
        if result is None:
            return False
        try:
            export_chart(result, path, self.panel.chart.style(), self.panel.chart.kind)
        except Exception as exc:  # noqa: BLE001 - any failure becomes one line in a dialog
            box = QMessageBox(QMessageBox.Icon.Critical, tr("Export failed"), dialogs.error_text(exc),
                              QMessageBox.StandardButton.Ok, self)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            return False
        self.exported.emit(path)
        return True
