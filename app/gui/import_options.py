"""The Import wizard's options: a source-CRS chooser and the per-importer options form.

Which options an importer takes is the `subterra import` contract (CLI.md):
survey tables take the utility, the X/Y order and the depth unit; GIS files
the target layer, the utility, the depth unit, a default cover and the
source CRS; models the source CRS and a default cover; a DEM its CRS when
the file has none.  The last options per importer kind are remembered
(QSettings); the source CRS is never filled in by itself: it is the file's
own, or one the user picks.
"""
from __future__ import annotations

import json
from functools import lru_cache

from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.gui.i18n import lang_key, tr
from app.gui.settings import read_list

OPTIONS_BY_KIND = {
    "survey": ("utility", "xy_order", "depth_unit"),
    "gis": ("layer", "utility", "depth_unit", "default_cover", "src_crs"),
    "epanet": ("src_crs", "default_cover"),
    "swmm": ("src_crs", "default_cover"),
    "dem": ("src_crs",),
}
COMMON_CRS = ("EPSG:4549", "EPSG:4490", "EPSG:4528", "EPSG:4326")
KEY_OPTIONS = "import/options/{kind}"
KEY_RECENT_CRS = "import/recent_crs"
MAX_RECENT_CRS = 5
FROM_FILE = "file"          # chooser data: use the CRS the file carries
OTHER = "other"             # chooser data: the text typed below


@lru_cache(maxsize=64)
def crs_name(text: str) -> str | None:
    """The name of the CRS ``text`` names, None when it names none (gis.crs.parse_crs)."""
    from gis.crs import parse_crs
    from gis.errors import UsageError

    try:
        return parse_crs(text).name
    except UsageError:
        return None


def describe_crs(crs) -> str:
    """A pyproj CRS as "name (EPSG:code)" (just the name when it has no code)."""
    code = crs.to_authority(min_confidence=70)
    return f"{crs.name} ({code[0]}:{code[1]})" if code else crs.name


class CrsChooser(QWidget):
    """The source CRS: the file's own (when it has one), the project's, CGCS2000 ones, recent ones,
    or typed (checked as it is typed).  Nothing is chosen for a file without a CRS until the user does."""

    changed = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.combo = QComboBox()
        self.combo.setObjectName("crsCombo")
        self.edit = QLineEdit()
        self.edit.setObjectName("crsEdit")
        self.edit.setPlaceholderText(tr("EPSG code, PROJ string or WKT"))
        self.status = QLabel()
        self.status.setObjectName("crsStatus")
        self.status.setWordWrap(True)
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.combo)
        box.addWidget(self.edit)
        box.addWidget(self.status)
        self.combo.currentIndexChanged.connect(self._update)
        self.edit.textChanged.connect(self._update)
        self._project_crs: str | None = None
        self.set_source(None, None)

    def set_source(self, file_crs: str | None, project_crs: str | None) -> None:
        """Offer ``file_crs`` (a description of the file's CRS, None when it has none) first."""
        self._project_crs = project_crs
        self.combo.blockSignals(True)
        self.combo.clear()
        if file_crs:
            self.combo.addItem(tr("From the file: {crs}", crs=file_crs), FROM_FILE)
        else:
            self.combo.addItem(tr("— choose the source CRS —"), None)
        seen = set()
        if project_crs:
            self.combo.addItem(tr("Project CRS: {crs}", crs=crs_name(project_crs) or project_crs), project_crs)
            seen.add(project_crs)
        for code in (*COMMON_CRS, *read_list(self.settings, KEY_RECENT_CRS)):
            if code not in seen and crs_name(code):
                seen.add(code)
                self.combo.addItem(f"{code}  {crs_name(code)}", code)
        self.combo.addItem(tr("Other (type it below)"), OTHER)
        self.combo.setCurrentIndex(0)
        self.combo.blockSignals(False)
        self._update()

    def choose(self, code: str) -> None:
        """Select ``code`` in the list, or type it as "Other"."""
        index = self.combo.findData(code)
        if index < 0:
            self.combo.setCurrentIndex(self.combo.findData(OTHER))
            self.edit.setText(code)
        else:
            self.combo.setCurrentIndex(index)

    def value(self) -> tuple[bool, str | None]:
        """(valid, --src-crs text or None for the file's own CRS)."""
        data = self.combo.currentData()
        if data == FROM_FILE:
            return True, None
        if data == OTHER:
            text = self.edit.text().strip()
            return (bool(text) and crs_name(text) is not None), text or None
        return data is not None, data

    def remember(self) -> None:
        """Put the chosen CRS first in the recent list."""
        ok, text = self.value()
        if ok and text and text != self._project_crs:
            items = [text] + [c for c in read_list(self.settings, KEY_RECENT_CRS) if c != text]
            self.settings.setValue(KEY_RECENT_CRS, items[:MAX_RECENT_CRS])

    def _update(self) -> None:
        data = self.combo.currentData()
        self.edit.setVisible(data == OTHER)
        ok, text = self.value()
        if data is None:
            self.status.setText(tr("The file has no CRS: choose the one its coordinates are in "
                                   "(Subterra does not guess)."))
        elif data == OTHER and text and not ok:
            self.status.setText(tr("Not a CRS: {crs}", crs=text))
        elif data == OTHER and ok:
            self.status.setText(crs_name(text))
        else:
            self.status.clear()
        self.status.setProperty("valid", ok)
        self.changed.emit()


class OptionsForm(QWidget):
    """The options of one importer kind (rows of other kinds are hidden)."""

    changed = Signal()

    def __init__(self, settings: QSettings, parent: QWidget | None = None):
        from gis import layers as registry
        from gis.utilities import UTILITIES

        super().__init__(parent)
        self.settings = settings
        lang = lang_key()
        self.utility = QComboBox()
        self.utility.setObjectName("utilityCombo")
        self.utility.addItem(tr("From the table's 管线类型 column"), None)
        for code, util in UTILITIES.items():
            self.utility.addItem(f"{code} {util.name(lang)}", code)
        self.xy_order = QComboBox()
        self.xy_order.setObjectName("xyOrderCombo")
        self.xy_order.addItem(tr("X is northing, Y easting (Chinese surveys)"), "ne")
        self.xy_order.addItem(tr("X is easting, Y northing"), "en")
        self.depth_unit = QComboBox()
        self.depth_unit.setObjectName("depthUnitCombo")
        self.depth_unit.addItem(tr("metres"), "m")
        self.depth_unit.addItem(tr("centimetres"), "cm")
        self.default_cover = QLineEdit()
        self.default_cover.setObjectName("defaultCoverEdit")
        self.default_cover.setPlaceholderText(tr("none"))
        validator = QDoubleValidator(0.0, 100.0, 3, self.default_cover)
        validator.setNotation(QDoubleValidator.Notation.StandardNotation)
        self.default_cover.setValidator(validator)
        self.layer = QComboBox()
        self.layer.setObjectName("layerCombo")
        self.layer.addItem(tr("From the file's layer name"), None)
        for name, lay in registry.LAYERS.items():
            if lay.geometry:
                self.layer.addItem(f"{lay.label(lang)} ({name})", name)
        self.crs = CrsChooser(settings)
        self.form = QFormLayout(self)
        self.form.setContentsMargins(0, 0, 0, 0)
        self._rows = {
            "layer": (tr("Target layer"), self.layer),
            "utility": (tr("Utility"), self.utility),
            "xy_order": (tr("X/Y order"), self.xy_order),
            "depth_unit": (tr("Depths in"), self.depth_unit),
            "default_cover": (tr("Default cover (m)"), self.default_cover),
            "src_crs": (tr("Source CRS"), self.crs),
        }
        for label, widget in self._rows.values():
            self.form.addRow(label, widget)
        for combo in (self.utility, self.xy_order, self.depth_unit, self.layer):
            combo.currentIndexChanged.connect(self.changed)
        self.default_cover.textChanged.connect(self.changed)
        self.crs.changed.connect(self.changed)
        self.kind = ""

    def set_kind(self, kind: str) -> None:
        """Show the rows of ``kind`` and fill them with the options remembered for it."""
        self.kind = kind
        wanted = OPTIONS_BY_KIND.get(kind, ())
        for name, (_, widget) in self._rows.items():
            self.form.setRowVisible(widget, name in wanted)
        self.restore()

    def valid(self) -> bool:
        """Whether every shown option has a usable value."""
        wanted = OPTIONS_BY_KIND.get(self.kind, ())
        if "src_crs" in wanted and not self.crs.value()[0]:
            return False
        return "default_cover" not in wanted or not self.default_cover.text() or \
            self.default_cover.hasAcceptableInput()

    def values(self) -> dict:
        """The shown options as ImportOptions fields."""
        wanted = OPTIONS_BY_KIND.get(self.kind, ())
        out = {"utility": self.utility.currentData(), "xy_order": self.xy_order.currentData(),
               "depth_unit": self.depth_unit.currentData(), "layer": self.layer.currentData(),
               "default_cover": float(self.default_cover.text()) if self.default_cover.hasAcceptableInput()
               else None, "src_crs": self.crs.value()[1]}
        return {k: v for k, v in out.items() if k in wanted}

    def remember(self) -> None:
        """Keep these options (but the source CRS) for the next import of this kind."""
        remembered = {k: v for k, v in self.values().items() if k != "src_crs"}
        self.settings.setValue(KEY_OPTIONS.format(kind=self.kind), json.dumps(remembered))
        self.crs.remember()

    def restore(self) -> None:
        """Fill in the options remembered for this kind (defaults where none)."""
        try:
            saved = json.loads(str(self.settings.value(KEY_OPTIONS.format(kind=self.kind), "{}")))
        except ValueError:
            saved = {}
        for name, combo in (("utility", self.utility), ("xy_order", self.xy_order),
                            ("depth_unit", self.depth_unit), ("layer", self.layer)):
            combo.setCurrentIndex(max(combo.findData(saved.get(name)), 0))
        cover = saved.get("default_cover")
        self.default_cover.setText("" if cover is None else f"{cover:g}")
