"""The cross-section (横断面) panel: the chart along a cut line, the features it cuts, clear distances.

Shows a ``gis.cuts.Section`` computed on a worker by the 3D tools
(:mod:`app.gui.view3d_controller`).  Clicking a feature in the chart or a
table row emits ``feature_selected``; PNG / PDF / CSV export through
``viewers.charts``.
"""
from __future__ import annotations

from app.gui.i18n import tr
from app.gui.view3d_chart import ChartPanel, TableRows, metres


class SectionPanel(ChartPanel):
    """Cross-section chart, item table and clearance table of one Section."""

    def __init__(self, parent=None):
        super().__init__("section", (7, 5), parent=parent)
        self.items, self.clearances = self.tables
        self.retranslate()

    def file_stem(self) -> str:
        """Default export file name."""
        return "cross-section"

    def set_section(self, section) -> None:
        """Show a gis.cuts.Section (None clears the panel)."""
        self.show_result(section)

    def item_rows(self) -> list[dict]:
        """The items table as dicts (layer, id, utility, size, cover, top, centre, invert)."""
        if self.result is None:
            return []
        return [{"layer": i.layer, "id": i.id, "utility": i.utility, "size": i.size_label, "cover_m": i.cover_m,
                 "top_elev": i.top_elev, "z": i.z, "invert_elev": i.invert_elev} for i in self.result.items]

    def empty_title(self) -> str:
        """The hint shown before any cut."""
        return tr("Draw a cut line in the 3D view (two clicks on the ground)")

    def describe(self, sec) -> tuple[str, tuple[TableRows, TableRows]]:
        """The cut's title, the features it cuts and the clear distances between them."""
        (x0, y0), (x1, y1) = sec.cut.xy[0], sec.cut.xy[-1]
        title = tr("Cut {length} m from ({x0}, {y0}) to ({x1}, {y1}): {count} features",
                   length=f"{sec.length:.1f}", x0=f"{x0:.1f}", y0=f"{y0:.1f}", x1=f"{x1:.1f}",
                   y1=f"{y1:.1f}", count=len(sec.items))
        items = [((i.layer, i.id), [i.id, i.utility or i.category or "", i.size_label, metres(i.cover_m),
                                    metres(i.top_elev, 3), metres(i.z, 3), metres(i.invert_elev, 3)])
                 for i in sec.items]
        direction = {"horizontal": tr("horizontal"), "vertical": tr("vertical")}
        clearances = [((c.a_layer, c.a_id), [f"{c.a_id} – {c.b_id}", direction.get(c.direction, c.direction),
                                             metres(c.clear_m, 3), metres(c.true_m, 3),
                                             tr("overlap") if c.clear_m < 0 else ""])
                      for c in sec.clearances]
        return title, (items, clearances)

    def headers(self) -> tuple[list[str], list[str]]:
        """Headers of the items and clearances tables."""
        return ([tr("Feature"), tr("Utility"), tr("Size"), tr("Cover (m)"), tr("Top elev. (m)"),
                 tr("Centre elev. (m)"), tr("Invert elev. (m)")],
                [tr("Between"), tr("Direction"), tr("Clear (m)"), tr("Square to pipes (m)"), ""])

    def tab_titles(self) -> tuple[str, str]:
        """Titles of the items and clearances tabs."""
        return tr("Features cut"), tr("Clear distances")
