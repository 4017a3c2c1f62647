"""Pieces the section and profile panels share: the chart widget, read-only tables, export buttons, the panel body.

The chart is drawn by ``viewers.charts.export.draw_chart`` (the same routine
as PNG/PDF export); a click on a drawn feature emits ``feature_clicked``.
"""
from __future__ import annotations

import os
from typing import Any

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (QAbstractItemView, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLayout, QMessageBox,
                               QPushButton, QSplitter, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout,
                               QWidget)

from app.gui import dialogs
from app.gui.i18n import lang_key, tr

ID_ROLE = Qt.ItemDataRole.UserRole        # (layer, feature id) of a table row
TableRows = list[tuple[tuple[str, str] | None, list[str]]]   # ((layer, feature id) or None, cell texts) per row
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


def fill_table(table: QTableWidget, headers: list[str], rows: TableRows) -> None:
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


class ChartPanel(QWidget):
    """Title, chart, two tables in tabs and export buttons showing one gis.cuts result.

    Subclasses say what the title and tables hold (:meth:`empty_title`,
    :meth:`describe`, :meth:`headers`, :meth:`tab_titles`) and the export
    :meth:`file_stem`.  A click on a drawn feature or a table row emits
    ``feature_selected(layer, id)``.
    """

    feature_selected = Signal(str, str)

    def __init__(self, kind: str, columns: tuple[int, int], controls: QLayout | None = None, parent=None):
        super().__init__(parent)
        self.kind = kind
        self.result: Any = None
        self.title = QLabel()
        self.chart = ChartView()
        self.tables = (make_table(columns[0]), make_table(columns[1]))
        self.tabs = QTabWidget()
        for table in self.tables:
            self.tabs.addTab(table, "")
            table.cellClicked.connect(lambda row, _col, t=table: self._row_clicked(t, row))
        self.export = ExportButtons(self)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        if controls is not None:
            layout.addLayout(controls)
        layout.addWidget(self.title)
        layout.addWidget(split, 1)
        layout.addWidget(self.export)
        self.chart.feature_clicked.connect(self.feature_selected)

    def file_stem(self) -> str:
        """Default export file name."""
        raise NotImplementedError

    def empty_title(self) -> str:
        """The title shown while there is no result."""
        raise NotImplementedError

    def describe(self, result) -> tuple[str, tuple[TableRows, TableRows]]:
        """The title and the rows of both tables for ``result``."""
        raise NotImplementedError

    def headers(self) -> tuple[list[str], list[str]]:
        """The column headers of both tables."""
        raise NotImplementedError

    def tab_titles(self) -> tuple[str, str]:
        """The titles of the two table tabs."""
        raise NotImplementedError

    def show_result(self, result) -> None:
        """Show a gis.cuts result of this panel's kind (None clears)."""
        self.result = result
        self.chart.set_result(result, self.kind)
        self.export.set_enabled(result is not None)
        self._fill()

    def _fill(self) -> None:
        if self.result is None:
            title, rows = self.empty_title(), ([], [])
        else:
            title, rows = self.describe(self.result)
        self.title.setText(title)
        for table, headers, table_rows in zip(self.tables, self.headers(), rows):
            fill_table(table, headers, table_rows)

    def _row_clicked(self, table: QTableWidget, row: int) -> None:
        item = table.item(row, 0)
        key = item.data(ID_ROLE) if item is not None else None
        if key:
            self.feature_selected.emit(*key)

    def retranslate(self) -> None:
        """Every string in the current language (the chart follows the UI language)."""
        for index, text in enumerate(self.tab_titles()):
            self.tabs.setTabText(index, text)
        self.export.retranslate()
        self._fill()
        self.chart.update()
