"""The cross-section (横断面) panel: the chart along a cut line, the features it cuts, clear distances.

Shows a ``gis.cuts.Section`` computed on a worker by the 3D tools
(:mod:`app.gui.view3d_controller`).  Clicking a feature in the chart or a
table row emits ``feature_selected``; PNG / PDF / CSV export through
``viewers.charts``.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QSplitter, QTabWidget, QVBoxLayout, QWidget

from app.gui.i18n import tr
from app.gui.view3d_chart import ID_ROLE, ChartView, ExportButtons, fill_table, make_table, metres


class SectionPanel(QWidget):
    """Cross-section chart, item table and clearance table of one Section."""

    feature_selected = Signal(str, str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.result = None
        self.title = QLabel()
        self.chart = ChartView()
        self.items = make_table(7)
        self.clearances = make_table(5)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.items, "")
        self.tabs.addTab(self.clearances, "")
        self.export = ExportButtons(self)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart)
        split.addWidget(self.tabs)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(split, 1)
        layout.addWidget(self.export)
        self.chart.feature_clicked.connect(self.feature_selected)
        for table in (self.items, self.clearances):
            table.cellClicked.connect(lambda row, _col, t=table: self._row_clicked(t, row))
        self.retranslate()

    def file_stem(self) -> str:
        """Default export file name."""
        return "cross-section"

    def set_section(self, section) -> None:
        """Show a gis.cuts.Section (None clears the panel)."""
        self.result = section
        self.chart.set_result(section, "section")
        self.export.set_enabled(section is not None)
        self._fill()

    def item_rows(self) -> list[dict]:
        """The items table as dicts (layer, id, utility, size, cover, top, centre, invert)."""
        if self.result is None:
            return []
        return [{"layer": i.layer, "id": i.id, "utility": i.utility, "size": i.size_label, "cover_m": i.cover_m,
                 "top_elev": i.top_elev, "z": i.z, "invert_elev": i.invert_elev} for i in self.result.items]

    def _fill(self) -> None:
        sec = self.result
        if sec is None:
            self.title.setText(tr("Draw a cut line in the 3D view (two clicks on the ground)"))
            fill_table(self.items, self._item_headers(), [])
            fill_table(self.clearances, self._clear_headers(), [])
            return
        (x0, y0), (x1, y1) = sec.cut.xy[0], sec.cut.xy[-1]
        self.title.setText(tr("Cut {length} m from ({x0}, {y0}) to ({x1}, {y1}): {count} features",
                              length=f"{sec.length:.1f}", x0=f"{x0:.1f}", y0=f"{y0:.1f}", x1=f"{x1:.1f}",
                              y1=f"{y1:.1f}", count=len(sec.items)))
        rows = [((i.layer, i.id), [i.id, i.utility or i.category or "", i.size_label, metres(i.cover_m),
                                   metres(i.top_elev, 3), metres(i.z, 3), metres(i.invert_elev, 3)])
                for i in sec.items]
        fill_table(self.items, self._item_headers(), rows)
        direction = {"horizontal": tr("horizontal"), "vertical": tr("vertical")}
        rows = [((c.a_layer, c.a_id), [f"{c.a_id} – {c.b_id}", direction.get(c.direction, c.direction),
                                       metres(c.clear_m, 3), metres(c.true_m, 3),
                                       tr("overlap") if c.clear_m < 0 else ""])
                for c in sec.clearances]
        fill_table(self.clearances, self._clear_headers(), rows)

    def _item_headers(self) -> list[str]:
        return [tr("Feature"), tr("Utility"), tr("Size"), tr("Cover (m)"), tr("Top elev. (m)"),
                tr("Centre elev. (m)"), tr("Invert elev. (m)")]

    def _clear_headers(self) -> list[str]:
        return [tr("Between"), tr("Direction"), tr("Clear (m)"), tr("Square to pipes (m)"), ""]

    def _row_clicked(self, table, row: int) -> None:
        item = table.item(row, 0)
        key = item.data(ID_ROLE) if item is not None else None
        if key:
            self.feature_selected.emit(*key)

    def retranslate(self) -> None:
        """Every string in the current language (the chart follows the UI language)."""
        self.tabs.setTabText(0, tr("Features cut"))
        self.tabs.setTabText(1, tr("Clear distances"))
        self.export.retranslate()
        self._fill()
        self.chart.update()
