"""The findings table model: a sortable, filterable Qt model over a findings DataFrame.

Columns are fields of the registry's ``findings`` layer with their
bilingual labels; severity, kind and confidence values show in the current
language (gis.report.text).  Findings whose rule is not verified are marked
(badge colours of the reports, a ⚠ before the confidence).  Sorting and the
severity filter work on the frame (pandas), so large runs stay quick.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from app.gui.i18n import lang_key, tr
from gis import layers as registry
from gis.analysis.severity import SEVERITY_ORDER
from gis.report.style import CONFIDENCE_BADGE, SEVERITY_COLOURS, SEVERITY_TEXT
from gis.report.text import CONFIDENCE, SEVERITY, kind_label

if TYPE_CHECKING:
    import pandas as pd

COLUMNS = ("severity", "kind", "a_id", "b_id", "required_m", "actual_m", "deficit_m", "uncertain", "rule_id",
           "source", "confidence", "owners")
NUMERIC = ("required_m", "actual_m", "deficit_m")
UNVERIFIED_MARK = "⚠ "
FINDING_ROLE = Qt.ItemDataRole.UserRole + 1     # the finding_id of a row
_Index = QModelIndex | QPersistentModelIndex


def is_unverified(confidence) -> bool:
    """Whether a finding's rule is anything but verified (findings that come from no rule are not marked)."""
    return isinstance(confidence, str) and confidence not in ("", "verified")


def _missing(value) -> bool:
    """NaN or pandas' NA (known by its type's name: pandas is imported only once findings come)."""
    return (isinstance(value, float) and np.isnan(value)) or type(value).__name__ == "NAType"


class FindingsModel(QAbstractTableModel):
    """Rows of one run's findings, filtered by severity and sorted by any column."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._all: pd.DataFrame | None = None          # no findings yet (pandas comes with the first)
        self._index = np.zeros(0, dtype=np.int64)      # rows of _all shown, in display order
        self._columns: dict[str, np.ndarray] = {}      # object arrays of _all, made on first use
        self._keys: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}   # sort keys of _all by (column, order)
        self._frame: pd.DataFrame | None = None
        self._shown: set[str] = set(SEVERITY_ORDER)
        self._sort: tuple[int, Qt.SortOrder] | None = None

    # ------------------------------------------------------------------ data
    def set_findings(self, findings: pd.DataFrame | None) -> None:
        """Show ``findings`` (a CheckResult frame), keeping the filter and sort order."""
        self.beginResetModel()
        self._all = findings.reset_index(drop=True) if findings is not None else None
        self._columns, self._keys = {}, {}
        self._update()
        self.endResetModel()

    def set_severities(self, shown) -> None:
        """Show only findings of these severities."""
        self.beginResetModel()
        self._shown = set(shown)
        self._update()
        self.endResetModel()

    def frame(self) -> pd.DataFrame:
        """The findings as shown (filtered and sorted)."""
        if self._frame is None:
            if self._all is None:
                import pandas as pd

                self._frame = pd.DataFrame(columns=list(COLUMNS))
            else:
                self._frame = self._all.iloc[self._index].reset_index(drop=True)
        return self._frame

    def finding(self, row: int) -> pd.Series:
        """The finding shown on ``row``."""
        return self._all.iloc[int(self._index[row])]

    def row_of(self, finding_id: str) -> int | None:
        """The row showing ``finding_id`` (None when filtered out or unknown)."""
        ids = self._column("finding_id")
        hits = np.flatnonzero(ids[self._index] == finding_id) if ids is not None else ()
        return int(hits[0]) if len(hits) else None

    def _update(self) -> None:
        """The rows shown: those of the severities let through, in the sort order (numpy only)."""
        df = self._all
        self._frame = None
        if df is None:
            self._index = np.zeros(0, dtype=np.int64)
            return
        index = np.arange(len(df))
        if len(df) and "severity" in df:
            index = np.flatnonzero(df["severity"].isin(list(self._shown)).to_numpy())
        if self._sort is not None and len(index):
            if self._sort not in self._keys:
                self._keys[self._sort] = self._sort_key(*self._sort)
            key, missing = self._keys[self._sort]
            index = index[np.lexsort((key[index], missing[index]))]
        self._index = index

    def _column(self, name: str) -> np.ndarray | None:
        if name not in self._columns and self._all is not None and name in self._all:
            self._columns[name] = self._all[name].astype(object).to_numpy()
        return self._columns.get(name)

    def _value(self, name: str, row: int):
        values = self._column(name)
        value = None if values is None else values[self._index[row]]
        return None if _missing(value) else value

    def _sort_key(self, column: int, order: Qt.SortOrder) -> tuple[np.ndarray, np.ndarray]:
        """(key, missing) per finding for a stable sort by one column; missing values go last either way."""
        values = self._all[COLUMNS[column]]
        name = COLUMNS[column]
        if name == "severity":
            key = values.astype(object).map(SEVERITY_ORDER).to_numpy(float)
        elif name in NUMERIC:
            import pandas as pd

            key = pd.to_numeric(values, errors="coerce").to_numpy(float)
        elif name == "uncertain":
            key = values.astype(float).to_numpy()
        else:
            text = values.astype(object)
            absent = text.isna().to_numpy()
            rank = np.unique(text.where(~absent, "").to_numpy(dtype=str), return_inverse=True)[1]
            key = np.where(absent, np.nan, rank.ravel()).astype(float)
        missing = np.isnan(key)
        key = np.where(missing, 0.0, key)
        return (-key if order == Qt.SortOrder.DescendingOrder else key), missing

    # -------------------------------------------------------------- Qt model
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802,B008 - Qt API
        return 0 if parent.isValid() else len(self._index)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802,B008 - Qt API
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return registry.get("findings").field(COLUMNS[section]).label(lang_key())
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:  # noqa: D102
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._update()
        self.layoutChanged.emit()

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: D102 - Qt API
        if not index.isValid():
            return None
        name, r = COLUMNS[index.column()], index.row()
        value = self._value(name, r)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(name, value)
        if role == FINDING_ROLE:
            return self._value("finding_id", r)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(name, r)
        confidence = self._value("confidence", r)
        marked = name in ("confidence", "rule_id") and is_unverified(confidence)
        if role == Qt.ItemDataRole.BackgroundRole:
            if name == "severity" and value in SEVERITY_COLOURS:
                return QBrush(QColor(*SEVERITY_COLOURS[value]))
            if marked:
                return QBrush(QColor((CONFIDENCE_BADGE.get(confidence) or CONFIDENCE_BADGE[None])[0]))
        if role == Qt.ItemDataRole.ForegroundRole:
            if name == "severity" and value in SEVERITY_TEXT:
                return QBrush(QColor(SEVERITY_TEXT[value]))
            if marked:
                return QBrush(QColor((CONFIDENCE_BADGE.get(confidence) or CONFIDENCE_BADGE[None])[1]))
        if role == Qt.ItemDataRole.TextAlignmentRole and name in NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    @staticmethod
    def _text(name: str, value) -> str:
        if value is None:
            return ""
        lang = lang_key()
        if name in NUMERIC:
            return f"{float(value):.2f}"
        if name == "uncertain":
            return tr("yes") if bool(value) else ""
        if name == "severity":
            return getattr(SEVERITY.get(value), lang, str(value))
        if name == "kind":
            return getattr(kind_label(str(value)), lang)
        if name == "confidence":
            label = getattr(CONFIDENCE.get(value), lang, str(value))
            return UNVERIFIED_MARK + label if is_unverified(value) else label
        return str(value)

    def _tooltip(self, name: str, r: int) -> str | None:
        if name in ("a_id", "b_id"):
            layer = self._value(name[0] + "_layer", r)
            return registry.get(layer).label(lang_key()) if layer in registry.LAYERS else None
        if name in ("source", "rule_id", "owners"):
            texts = (self._value(name, r), self._value("note", r))
            return "\n".join(str(t) for t in texts if isinstance(t, str) and t) or None
        if name == "confidence" and is_unverified(self._value("confidence", r)):
            return tr("The rule behind this finding is not verified: check it against the standard.")
        return None
