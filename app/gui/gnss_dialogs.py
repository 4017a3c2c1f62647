"""GNSS dialogs: survey a point / a pipe point (capture rules), and the caster's sourcetable.

The capture dialog only collects what the crew enters and checks it with
the core's own validation (:class:`importers.gnss.capture.CaptureRules`,
:class:`importers.gnss.survey.PipePointSpec`); its last values are
remembered in QSettings.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QMessageBox, QPushButton, QSpinBox,
                               QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from app.gui.i18n import lang_key, tr
from gis import layers as registry
from gis.errors import UsageError

KEY = "gnss/capture/"
REQUIRE = ("fixed", "float", "any")


def next_point_id(last: str) -> str:
    """The id after ``last``: its trailing number plus one, zero padding kept (P9 -> P10, WS09 -> WS10)."""
    m = re.search(r"(\d+)$", last or "")
    if not m:
        return f"{last}1" if last else "P1"
    digits = m.group(1)
    return last[:m.start()] + str(int(digits) + 1).zfill(len(digits))


def _label(layer: str, field: str) -> str:
    return registry.get(layer).field(field).label(lang_key())


@dataclass(frozen=True)
class CaptureRequest:
    """What to capture and how (from the dialog)."""

    point_id: str
    code: str | None
    surveyor: str | None
    rules: object                # importers.gnss.capture.CaptureRules
    pipe: object | None          # importers.gnss.survey.PipePointSpec
    allow_ellipsoidal: bool


class CaptureDialog(QDialog):
    """Survey point / 采集点 (``pipe=True``: survey a pipe point / 采集管线点)."""

    def __init__(self, parent: QWidget, settings: QSettings, pipe: bool = False):
        super().__init__(parent)
        self.setObjectName("gnssCaptureDialog")
        self.settings = settings
        self.pipe = pipe
        self.setWindowTitle(tr("Survey a pipe point") if pipe else tr("Survey point"))
        s = settings
        form = QFormLayout()
        self.point_edit = QLineEdit(next_point_id(str(s.value(KEY + "last_point", ""))))
        self.code_edit = QLineEdit(str(s.value(KEY + "code", "")))
        self.antenna_spin = self._spin(0.0, 10.0, 3, float(s.value(KEY + "antenna_height", 1.8)), " m")
        self.mode_combo = QComboBox()
        self.mode_combo.addItem(tr("epochs"), "epochs")
        self.mode_combo.addItem(tr("seconds"), "seconds")
        self.mode_combo.setCurrentIndex(max(self.mode_combo.findData(s.value(KEY + "mode", "epochs")), 0))
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, 100000)
        self.count_spin.setValue(int(s.value(KEY + "count", 10)))
        occupy_row = QHBoxLayout()
        occupy_row.addWidget(self.count_spin, 1)
        occupy_row.addWidget(self.mode_combo)
        self.require_combo = QComboBox()
        for code, text in zip(REQUIRE, (tr("RTK fixed"), tr("RTK float or fixed"), tr("any position"))):
            self.require_combo.addItem(text, code)
        self.require_combo.setCurrentIndex(max(self.require_combo.findData(s.value(KEY + "require", "fixed")), 0))
        self.sigma_spin = self._limit_spin(float(s.value(KEY + "max_sigma", 0.0)))
        self.spread_spin = self._limit_spin(float(s.value(KEY + "max_spread", 0.0)))
        self.timeout_spin = QSpinBox()
        self.timeout_spin.setRange(1, 3600)
        self.timeout_spin.setSuffix(" s")
        self.timeout_spin.setValue(int(s.value(KEY + "timeout", 120)))
        self.surveyor_edit = QLineEdit(str(s.value(KEY + "surveyor", "")))
        self.ellipsoidal_check = QCheckBox(tr("Store ellipsoidal heights when the project has no geoid grid "
                                              "or height fit"))
        self.ellipsoidal_check.setChecked(str(s.value(KEY + "ellipsoidal", "false")).lower() == "true")
        form.addRow(_label("survey_points", "point_id"), self.point_edit)
        form.addRow(_label("survey_points", "code"), self.code_edit)
        form.addRow(_label("survey_points", "antenna_height"), self.antenna_spin)
        form.addRow(tr("Occupy for"), occupy_row)
        form.addRow(tr("Required fix"), self.require_combo)
        form.addRow(tr("Max. horizontal sigma"), self.sigma_spin)
        form.addRow(tr("Max. spread"), self.spread_spin)
        form.addRow(tr("Give up after"), self.timeout_spin)
        form.addRow(_label("survey_points", "surveyor"), self.surveyor_edit)
        form.addRow(self.ellipsoidal_check)
        if pipe:
            self._pipe_rows(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("Start"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box = QVBoxLayout(self)
        box.addLayout(form)
        box.addWidget(buttons)
        self.request: CaptureRequest | None = None

    def _pipe_rows(self, form: QFormLayout) -> None:
        from gis.layers import APPURTENANCES, POINT_FEATURES
        from gis.utilities import UTILITIES

        s = self.settings
        lang = lang_key()
        self.utility_combo = QComboBox()
        for util in UTILITIES.values():
            self.utility_combo.addItem(f"{util.code} {util.name(lang)}", util.code)
            for sub in util.subtypes:
                name = sub.zh if lang == "zh" else sub.en
                self.utility_combo.addItem(f"    {sub.code} {name}", sub.code)
        self.utility_combo.setCurrentIndex(max(self.utility_combo.findData(s.value(KEY + "utility", "JS")), 0))
        self.feature_combo = self._choice(POINT_FEATURES)
        self.appurtenance_combo = self._choice(APPURTENANCES)
        self.depth_check = QCheckBox(tr("measured"))
        self.depth_spin = self._spin(0.0, 60.0, 3, 1.0, " m")
        self.depth_spin.setEnabled(False)
        self.depth_check.toggled.connect(self.depth_spin.setEnabled)
        depth_row = QHBoxLayout()
        depth_row.addWidget(self.depth_spin, 1)
        depth_row.addWidget(self.depth_check)
        form.addRow(_label("pipe_points", "utility"), self.utility_combo)
        form.addRow(_label("pipe_points", "feature"), self.feature_combo)
        form.addRow(_label("pipe_points", "appurtenance"), self.appurtenance_combo)
        form.addRow(_label("pipe_points", "depth"), depth_row)

    @staticmethod
    def _choice(values) -> QComboBox:
        combo = QComboBox()
        combo.setEditable(True)
        combo.addItem("")
        combo.addItems(list(values))
        return combo

    @staticmethod
    def _spin(low: float, high: float, decimals: int, value: float, suffix: str) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setRange(low, high)
        spin.setDecimals(decimals)
        spin.setSingleStep(0.01 if decimals >= 3 else 0.1)
        spin.setSuffix(suffix)
        spin.setValue(value)
        return spin

    def _limit_spin(self, value: float) -> QDoubleSpinBox:
        spin = self._spin(0.0, 100.0, 3, value, " m")
        spin.setSpecialValueText(tr("no limit"))
        return spin

    # ---------------------------------------------------------------- result
    def build_request(self) -> CaptureRequest:
        """The capture request from the fields; UsageError saying what is wrong."""
        from importers.gnss.capture import CaptureRules
        from importers.gnss.survey import PipePointSpec

        point_id = self.point_edit.text().strip()
        if not point_id:
            raise UsageError(tr("Enter a point id"))
        count = self.count_spin.value()
        by_epochs = self.mode_combo.currentData() == "epochs"
        rules = CaptureRules(epochs=count if by_epochs else None, seconds=None if by_epochs else float(count),
                             require=self.require_combo.currentData(),
                             max_sigma=self.sigma_spin.value() or None, max_spread=self.spread_spin.value() or None,
                             antenna_height=self.antenna_spin.value(), timeout=float(self.timeout_spin.value()))
        pipe = None
        if self.pipe:
            pipe = PipePointSpec(self.utility_combo.currentData(), self.feature_combo.currentText().strip() or None,
                                 self.depth_spin.value() if self.depth_check.isChecked() else None,
                                 self.appurtenance_combo.currentText().strip() or None)
            pipe.resolved()
        return CaptureRequest(point_id, self.code_edit.text().strip() or None,
                              self.surveyor_edit.text().strip() or None, rules, pipe,
                              self.ellipsoidal_check.isChecked())

    def accept(self) -> None:  # noqa: D102 - Qt API
        try:
            self.request = self.build_request()
        except UsageError as exc:
            box = QMessageBox(QMessageBox.Icon.Warning, self.windowTitle(), str(exc),
                              QMessageBox.StandardButton.Ok, self)
            box.setObjectName("gnssCaptureInvalid")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()
            return
        self._remember()
        super().accept()

    def _remember(self) -> None:
        s = self.settings
        values = {"last_point": self.point_edit.text().strip(), "code": self.code_edit.text().strip(),
                  "antenna_height": self.antenna_spin.value(), "mode": self.mode_combo.currentData(),
                  "count": self.count_spin.value(), "require": self.require_combo.currentData(),
                  "max_sigma": self.sigma_spin.value(), "max_spread": self.spread_spin.value(),
                  "timeout": self.timeout_spin.value(), "surveyor": self.surveyor_edit.text().strip(),
                  "ellipsoidal": self.ellipsoidal_check.isChecked()}
        if self.pipe:
            values["utility"] = self.utility_combo.currentData()
        for key, value in values.items():
            s.setValue(KEY + key, value)
        s.sync()


class SourcetableDialog(QDialog):
    """A caster's mountpoints, nearest first; ``chosen(mountpoint)`` on double-click or Use."""

    chosen = Signal(str)
    refresh_requested = Signal()

    COLUMNS = 8

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setObjectName("gnssSourcetable")
        self.setWindowTitle(tr("NTRIP sourcetable"))
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, self.COLUMNS)
        self.table.setHorizontalHeaderLabels([tr("Mountpoint"), tr("Distance (km)"), tr("Format"), tr("Systems"),
                                              tr("Sends GGA"), tr("Identifier"), tr("Network"), tr("Country")])
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.cellDoubleClicked.connect(lambda row, _col: self._use(row))
        self.refresh_button = QPushButton(tr("Fetch again"))
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.use_button = QPushButton(tr("Use this mountpoint"))
        self.use_button.clicked.connect(lambda: self._use(self.table.currentRow()))
        close = QPushButton(tr("Close"))
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        buttons.addWidget(self.use_button)
        buttons.addWidget(close)
        box = QVBoxLayout(self)
        box.addWidget(self.status)
        box.addWidget(self.table, 1)
        box.addLayout(buttons)
        self.resize(820, 420)
        self.set_fetching()

    def set_fetching(self) -> None:
        """Say the table is being fetched."""
        self.status.setText(tr("Fetching the sourcetable…"))
        self.refresh_button.setEnabled(False)

    def show_error(self, message: str) -> None:
        """Say why the table could not be fetched."""
        self.status.setText(message)
        self.refresh_button.setEnabled(True)

    def show_table(self, table, position: tuple[float, float] | None) -> None:
        """List ``table`` (a parsed Sourcetable), by distance from ``position`` (lat, lon) when known."""
        rows = table.by_distance(*position) if position else [(s, None) for s in table.streams]
        self.table.setRowCount(len(rows))
        for r, (s, dist) in enumerate(rows):
            cells = (s.mountpoint, "" if dist is None else f"{dist:,.1f}", s.format, s.nav_system,
                     tr("yes") if s.nmea else tr("no"), s.identifier, s.network, s.country)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c == 1:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        if rows:
            self.table.selectRow(0)
        where = (tr("distances from the receiver's position") if position
                 else tr("no receiver position yet: distances unknown"))
        self.status.setText(tr("{count} mountpoints; {where}", count=len(rows), where=where)
                            + ("\n" + "; ".join(table.problems[:3]) if table.problems else ""))
        self.refresh_button.setEnabled(True)

    def _use(self, row: int) -> None:
        item = self.table.item(row, 0) if row >= 0 else None
        if item is not None:
            self.chosen.emit(item.text())
            self.accept()
