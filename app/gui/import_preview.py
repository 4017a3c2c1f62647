"""The Import wizard's view of one source table: its first rows and the column mapping.

:class:`PreviewTable` shows rows under their spreadsheet row numbers and
highlights one cell (a problem's); :class:`MappingTable` has a combo per
field the importer can fill, choosing the source column (bilingual field
labels from the layer registry).
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHeaderView, QTableWidget, QTableWidgetItem,
                               QWidget)

from app.gui.i18n import lang_key, tr

HIGHLIGHT = QColor(255, 214, 102)       # the problem cell
ROLE_LAYERS = {"points": "pipe_points", "lines": "pipe_segments"}


def _survey_labels() -> dict[str, str]:
    """Labels of the survey-table keys that are not registry fields."""
    return {
        "x": tr("X (northing unless X/Y order says otherwise)"), "y": tr("Y (easting)"),
        "northing": tr("northing"), "easting": tr("easting"), "size": tr("size (DN300, Φ300, 800x600)"),
        "pressure": tr("pressure"), "start_top_elev": tr("start pipe-top elevation (m)"),
        "end_top_elev": tr("end pipe-top elevation (m)"),
        "start_invert_elev": tr("start invert elevation (m)"), "end_invert_elev": tr("end invert elevation (m)"),
        "start_centre_elev": tr("start centre elevation (m)"), "end_centre_elev": tr("end centre elevation (m)"),
    }


def field_label(role: str, key: str) -> str:
    """The label of mapping key ``key`` of a table with ``role`` (a survey role or a layer name)."""
    from gis import layers as registry

    layer = registry.LAYERS.get(ROLE_LAYERS.get(role, role))
    if layer is not None and key in layer.field_names:
        return layer.field(key).label(lang_key())
    return _survey_labels().get(key, key)


def role_label(role: str) -> str:
    """A table role (points, lines, a layer or a model section) as the user reads it."""
    from gis import layers as registry

    if role == "points":
        return tr("Point table (管线点)")
    if role == "lines":
        return tr("Line table (管线段)")
    if role in registry.LAYERS:
        return registry.LAYERS[role].label(lang_key())
    return role.upper() if role else tr("Unknown")


class PreviewTable(QTableWidget):
    """Rows of a source table under their spreadsheet row numbers; mapped columns in bold."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("previewTable")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.row_numbers: list[int] = []
        self.columns: list[str] = []
        self.highlighted: tuple[int, str | None] | None = None

    def show_frame(self, frame, mapped: set[str] = frozenset()) -> None:
        """Show ``frame`` (indexed by row number); columns in ``mapped`` are bold."""
        self.clear()
        self.highlighted = None
        self.columns = [str(c) for c in frame.columns]
        self.row_numbers = [int(r) for r in frame.index]
        self.setColumnCount(len(self.columns))
        self.setRowCount(len(self.row_numbers))
        self.setHorizontalHeaderLabels(self.columns)
        self.setVerticalHeaderLabels([str(r) for r in self.row_numbers])
        bold = QFont(self.font())
        bold.setBold(True)
        for c, name in enumerate(self.columns):
            header = self.horizontalHeaderItem(c)
            if name in mapped:
                header.setFont(bold)
        for r, values in enumerate(frame.itertuples(index=False)):
            for c, value in enumerate(values):
                self.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
        self.resizeColumnsToContents()

    def has_row(self, number: int) -> bool:
        """Whether spreadsheet row ``number`` is shown."""
        return number in self.row_numbers

    def highlight(self, number: int, column: str | None) -> bool:
        """Select, colour and scroll to the cell of row ``number`` in ``column`` (the row's first cell
        when the column is not shown); False when the row is not shown."""
        if number not in self.row_numbers:
            return False
        if self.highlighted is not None:
            self._paint(self.highlighted, QBrush())
        r = self.row_numbers.index(number)
        c = self.columns.index(column) if column in self.columns else 0
        self.highlighted = (number, self.columns[c] if self.columns else None)
        self._paint(self.highlighted, QBrush(HIGHLIGHT))
        self.setCurrentCell(r, c)
        item = self.item(r, c)
        if item is not None:
            self.scrollToItem(item, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def _paint(self, cell: tuple[int, str | None], brush: QBrush) -> None:
        number, column = cell
        if number in self.row_numbers and column in self.columns:
            item = self.item(self.row_numbers.index(number), self.columns.index(column))
            if item is not None:
                item.setBackground(brush)

    def cell_text(self, number: int, column: str) -> str | None:
        """The text shown in row ``number``, ``column`` (None when not shown)."""
        if number not in self.row_numbers or column not in self.columns:
            return None
        item = self.item(self.row_numbers.index(number), self.columns.index(column))
        return item.text() if item is not None else None


class MappingTable(QTableWidget):
    """One row per field the importer can fill: its label and a combo choosing the source column."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(0, 2, parent)
        self.setObjectName("mappingTable")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.setHorizontalHeaderLabels([tr("Field"), tr("Source column")])
        self.detected: dict[str, str] = {}
        self.combos: dict[str, QComboBox] = {}

    def set_table(self, role: str, fields: tuple[str, ...], columns: list[str], detected: dict[str, str],
                  chosen: dict[str, str]) -> None:
        """Fields of a table with ``role``; ``detected`` is the importer's mapping, ``chosen`` the
        user's changes to it (field -> column, "" for none)."""
        self.detected = dict(detected)
        self.combos = {}
        self.setRowCount(len(fields))
        for row, key in enumerate(fields):
            label = QTableWidgetItem(field_label(role, key))
            label.setToolTip(key)
            label.setData(Qt.ItemDataRole.UserRole, key)
            self.setItem(row, 0, label)
            combo = QComboBox()
            combo.setObjectName(f"map:{key}")
            combo.addItem(tr("(none)"), "")
            for column in columns:
                combo.addItem(column, column)
            current = chosen.get(key, detected.get(key, ""))
            combo.setCurrentIndex(max(combo.findData(current), 0))
            combo.currentIndexChanged.connect(self.changed)
            self.setCellWidget(row, 1, combo)
            self.combos[key] = combo
        self.resizeColumnToContents(0)

    def changes(self) -> dict[str, str]:
        """Fields whose column differs from the detected one (field -> column, "" for none)."""
        out = {}
        for key, combo in self.combos.items():
            value = combo.currentData() or ""
            if value != self.detected.get(key, ""):
                out[key] = value
        return out

    def mapped_columns(self) -> set[str]:
        """Source columns mapped to some field now."""
        return {c.currentData() for c in self.combos.values() if c.currentData()}
