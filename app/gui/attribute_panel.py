"""The attribute panel dock: the selected feature's fields, labelled from the registry.

Read-only for now.  Field labels and units come bilingual from
``gis.layers``; the field name is kept in each row's item data.
"""
from __future__ import annotations

import datetime as _dt
import html
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from app.gui.i18n import lang_key, tr
from gis import layers as registry
from gis.utilities import resolve

FIELD_ROLE = Qt.ItemDataRole.UserRole


def format_value(value: Any, field_type: str) -> str:
    """A value as the panel shows it ("" for missing)."""
    if value is None:
        return ""
    if field_type == "bool":
        return tr("yes") if bool(value) else tr("no")
    if field_type == "float":
        return f"{float(value):.3f}".rstrip("0").rstrip(".")
    if field_type == "int":
        return str(int(value))
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if field_type == "date" else value.isoformat(sep=" ")
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


def utility_text(code: str) -> str:
    """A utility or sub-type code with its name, e.g. "JS 给水"."""
    try:
        util, sub = resolve(code)
    except KeyError:
        return code
    return f"{code} {util.name(lang_key())}"


class AttributePanel(QWidget):
    """Shows one feature: a title line and a two-column (field, value) table."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, 2)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        self._shown: tuple[str, dict[str, Any]] | None = None
        self.retranslate()

    def show_feature(self, layer: str, values: dict[str, Any]) -> None:
        """Fill the panel with one feature of ``layer`` (field name -> value)."""
        self._shown = (layer, dict(values))
        self._fill()

    def clear_feature(self) -> None:
        """Show nothing selected."""
        self._shown = None
        self._fill()

    def value(self, field_name: str) -> str | None:
        """The text shown for ``field_name`` (None when the field is not shown)."""
        for row in range(self.table.rowCount()):
            if self.table.item(row, 0).data(FIELD_ROLE) == field_name:
                return self.table.item(row, 1).text()
        return None

    def retranslate(self) -> None:
        """Refresh labels in the current language."""
        self.table.setHorizontalHeaderLabels([tr("Attribute"), tr("Value")])
        self._fill()

    def _fill(self) -> None:
        self.table.setRowCount(0)
        if self._shown is None:
            self.title.setText(tr("No feature selected. Click a feature in a view."))
            return
        layer_name, values = self._shown
        layer = registry.get(layer_name)
        lang = lang_key()
        fid = html.escape(str(values.get(layer.id_field) or ""))
        self.title.setText(f"<b>{html.escape(layer.label(lang))}</b>  {fid}")
        self.table.setRowCount(len(layer.fields))
        for row, fld in enumerate(layer.fields):
            raw = values.get(fld.name)
            text = utility_text(raw) if fld.name == "utility" and raw else format_value(raw, fld.type)
            label = QTableWidgetItem(fld.label(lang))
            label.setData(FIELD_ROLE, fld.name)
            label.setToolTip(fld.name)
            self.table.setItem(row, 0, label)
            self.table.setItem(row, 1, QTableWidgetItem(text))
