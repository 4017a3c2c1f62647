"""Dialogs of the Analysis menu: the excavation check (area, stored excavation or proposed pipe),
the protection-zone area.  They collect values; the core parses and validates them."""
from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.gui.check_jobs import ExcavationRequest
from app.gui.i18n import lang_key, tr
from gis.layers import BURIALS
from gis.utilities import UTILITIES

DEFAULT_BUFFER_M = 0.5
DEFAULT_SQUARE_M = 20.0


def _spin(value: float, low: float, high: float, decimals: int = 2, suffix: str = " m") -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(decimals)
    box.setValue(value)
    box.setSuffix(suffix)
    return box


def square_wkt(x: float, y: float, size: float) -> str:
    """WKT of a square of side ``size`` centred on (x, y)."""
    h = size / 2
    return (f"POLYGON (({x - h:.3f} {y - h:.3f}, {x + h:.3f} {y - h:.3f}, {x + h:.3f} {y + h:.3f}, "
            f"{x - h:.3f} {y + h:.3f}, {x - h:.3f} {y - h:.3f}))")


class AreaEdit(QWidget):
    """A polygon as WKT (project CRS), with a button that fills in a square around the map centre."""

    def __init__(self, centre: tuple[float, float] | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.centre = centre
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("POLYGON ((x1 y1, x2 y2, x3 y3, x1 y1))")
        self.text.setMinimumHeight(70)
        self.size = _spin(DEFAULT_SQUARE_M, 0.5, 5000.0, 1)
        self.square = QPushButton(tr("Square around the map centre"))
        self.square.setEnabled(centre is not None)
        self.square.clicked.connect(self.fill_square)
        row = QHBoxLayout()
        row.addWidget(self.square)
        row.addWidget(QLabel(tr("side")))
        row.addWidget(self.size)
        row.addStretch(1)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.text)
        box.addLayout(row)

    def fill_square(self) -> None:
        """Put a square of the chosen side around the map centre into the WKT box."""
        if self.centre is not None:
            self.text.setPlainText(square_wkt(*self.centre, self.size.value()))

    def wkt(self) -> str:
        """The WKT as typed (stripped)."""
        return self.text.toPlainText().strip()


def _buttons(dialog: QDialog) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def _missing(dialog: QDialog, what: str) -> None:
    QMessageBox.warning(dialog, dialog.windowTitle(), tr("Please enter {what}.", what=what))


class ExcavationDialog(QDialog):
    """Excavation check: an area (WKT), a stored excavation, or a proposed pipe; bottom and buffer."""

    MODES = ("area", "stored", "line")

    def __init__(self, parent: QWidget, centre: tuple[float, float] | None, stored_ids: list[str]):
        super().__init__(parent)
        self.setObjectName("excavationDialog")
        self.setWindowTitle(tr("Excavation check"))
        self.mode_group = QButtonGroup(self)
        self.mode_buttons = {}
        modes = QHBoxLayout()
        for i, (mode, label) in enumerate(zip(self.MODES, (tr("Area (WKT)"), tr("Stored excavation"),
                                                           tr("Proposed pipe")))):
            button = QRadioButton(label)
            self.mode_group.addButton(button, i)
            self.mode_buttons[mode] = button
            modes.addWidget(button)
        self.mode_buttons["stored"].setEnabled(bool(stored_ids))
        self.area = AreaEdit(centre)
        self.stored = QComboBox()
        self.stored.addItems(stored_ids)
        self.line = QPlainTextEdit()
        self.line.setPlaceholderText("LINESTRING (x1 y1, x2 y2)  /  LINESTRING Z (x1 y1 z1, x2 y2 z2)")
        self.line.setMinimumHeight(60)
        self.utility = QComboBox()
        for code, util in UTILITIES.items():
            self.utility.addItem(f"{code} {util.name(lang_key())}", code)
        self.round = QRadioButton(tr("Round"))
        self.rect = QRadioButton(tr("Rectangular"))
        self.round.setChecked(True)
        self.diameter = _spin(300.0, 10.0, 10000.0, 0, " mm")
        self.width_mm = _spin(1000.0, 10.0, 20000.0, 0, " mm")
        self.height_mm = _spin(500.0, 10.0, 20000.0, 0, " mm")
        self.pressure = _spin(0.0, 0.0, 10.0, 3, " MPa")
        self.pressure.setSpecialValueText(tr("not given"))
        self.burial = QComboBox()
        self.burial.addItem(tr("not given"), None)
        for b in BURIALS:
            self.burial.addItem(b, b)
        size_row = QHBoxLayout()
        for w in (self.round, self.diameter, self.rect, self.width_mm, QLabel("×"), self.height_mm):
            size_row.addWidget(w)
        pipe_page = QWidget()
        pipe = QFormLayout(pipe_page)
        pipe.addRow(tr("Centre line (WKT)"), self.line)
        pipe.addRow(tr("Utility"), self.utility)
        pipe.addRow(tr("Size"), size_row)
        pipe.addRow(tr("Gas pressure"), self.pressure)
        pipe.addRow(tr("Burial"), self.burial)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.area)
        self.pages.addWidget(self.stored)
        self.pages.addWidget(pipe_page)
        self.bottom_elev = QRadioButton(tr("Bottom elevation"))
        self.depth = QRadioButton(tr("Depth below ground"))
        self.z_from_wkt = QRadioButton(tr("Z from the WKT"))
        self.depth.setChecked(True)
        self.bottom_group = QButtonGroup(self)
        for b in (self.bottom_elev, self.depth, self.z_from_wkt):
            self.bottom_group.addButton(b)
        self.level = _spin(3.0, -500.0, 5000.0, 3)
        bottom_row = QHBoxLayout()
        for w in (self.bottom_elev, self.depth, self.z_from_wkt, self.level):
            bottom_row.addWidget(w)
        self.buffer = _spin(DEFAULT_BUFFER_M, 0.0, 1000.0, 2)
        form = QFormLayout()
        form.addRow(tr("Bottom"), bottom_row)
        form.addRow(tr("Safety buffer"), self.buffer)
        layout = QVBoxLayout(self)
        layout.addLayout(modes)
        layout.addWidget(self.pages)
        layout.addLayout(form)
        layout.addWidget(_buttons(self))
        self.mode_group.idClicked.connect(self._mode_changed)
        self.mode_buttons["area"].setChecked(True)
        self._mode_changed(0)
        self.resize(640, self.sizeHint().height())

    def mode(self) -> str:
        """"area", "stored" or "line" (a proposed pipe)."""
        return self.MODES[max(self.mode_group.checkedId(), 0)]

    def set_mode(self, mode: str) -> None:
        """Switch to one of MODES."""
        self.mode_buttons[mode].setChecked(True)
        self._mode_changed(self.MODES.index(mode))

    def _mode_changed(self, index: int) -> None:
        self.pages.setCurrentIndex(index)
        line = self.MODES[index] == "line"
        self.bottom_elev.setVisible(not line)
        self.z_from_wkt.setVisible(line)
        self.depth.setText(tr("Cover to the pipe top") if line else tr("Depth below ground"))
        if line and self.bottom_elev.isChecked():
            self.depth.setChecked(True)
        if not line and self.z_from_wkt.isChecked():
            self.depth.setChecked(True)

    def request(self) -> ExcavationRequest:
        """The values as the core's excavation arguments."""
        mode = self.mode()
        req = ExcavationRequest(buffer=self.buffer.value())
        level = self.level.value()
        if self.bottom_elev.isChecked():
            req.bottom_elev = level
        elif self.depth.isChecked():
            req.depth = level
        if mode == "area":
            req.wkt = self.area.wkt()
        elif mode == "stored":
            req.id = self.stored.currentText()
        else:
            req.line = self.line.toPlainText().strip()
            req.utility = self.utility.currentData()
            if self.round.isChecked():
                req.diameter_mm = self.diameter.value()
            else:
                req.width_mm, req.height_mm = self.width_mm.value(), self.height_mm.value()
            req.pressure_mpa = self.pressure.value() or None
            req.burial = self.burial.currentData()
        return req

    def accept(self) -> None:  # noqa: D102 - Qt API: refuse an empty area or line
        mode = self.mode()
        if mode == "area" and not self.area.wkt():
            return _missing(self, tr("the excavation area as WKT"))
        if mode == "line" and not self.line.toPlainText().strip():
            return _missing(self, tr("the proposed pipe's centre line as WKT"))
        super().accept()


class ZoneDialog(QDialog):
    """Protection zones: the area of a planned work (WKT, project CRS)."""

    def __init__(self, parent: QWidget, centre: tuple[float, float] | None):
        super().__init__(parent)
        self.setObjectName("zoneDialog")
        self.setWindowTitle(tr("Protection zones"))
        self.area = AreaEdit(centre)
        form = QFormLayout(self)
        form.addRow(tr("Planned work area (WKT)"), self.area)
        form.addRow(_buttons(self))
        self.resize(600, self.sizeHint().height())

    def accept(self) -> None:  # noqa: D102 - Qt API: refuse an empty area
        if not self.area.wkt():
            return _missing(self, tr("the planned work area as WKT"))
        super().accept()
