"""The longitudinal profile (纵断面) panel: start / end of a run, its chart, stations and crossings.

The user gives the run's start and end (typed ids, the current selection, or
two picks in the 3D view); ``compute_requested(ids)`` asks the 3D tools to
run ``gis.cuts.find_run`` + ``longitudinal_profile`` on a worker, and
:meth:`ProfilePanel.set_profile` shows the result.  Clicking a station,
crossing or chart feature emits ``feature_selected``; PNG / PDF / CSV export.
"""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QPushButton

from app.gui.i18n import tr
from app.gui.view3d_chart import ChartPanel, TableRows, metres


class ProfilePanel(ChartPanel):
    """Run ends, profile chart, stations and crossings tables of one Profile."""

    compute_requested = Signal(list)          # waypoint ids (start, end)
    selection_wanted = Signal(int)            # 0: start, 1: end: fill from the current selection

    def __init__(self, parent=None):
        grid = QGridLayout()
        super().__init__("profile", (7, 5), controls=grid, parent=parent)
        self.stations, self.crossings = self.tables
        self.start = QLineEdit()
        self.end = QLineEdit()
        self.start_label, self.end_label = QLabel(), QLabel()
        self.use_start, self.use_end = QPushButton(), QPushButton()
        self.compute = QPushButton()
        grid.addWidget(self.start_label, 0, 0)
        grid.addWidget(self.start, 0, 1)
        grid.addWidget(self.use_start, 0, 2)
        grid.addWidget(self.end_label, 1, 0)
        grid.addWidget(self.end, 1, 1)
        grid.addWidget(self.use_end, 1, 2)
        grid.addWidget(self.compute, 0, 3, 2, 1)
        self.compute.clicked.connect(self.request)
        for edit in (self.start, self.end):
            edit.returnPressed.connect(self.request)
        self.use_start.clicked.connect(lambda: self.selection_wanted.emit(0))
        self.use_end.clicked.connect(lambda: self.selection_wanted.emit(1))
        self.retranslate()

    def file_stem(self) -> str:
        """Default export file name."""
        return "profile"

    def waypoints(self) -> list[str]:
        """The run's start and end ids as typed (blank ones left out)."""
        return [t for t in (self.start.text().strip(), self.end.text().strip()) if t]

    def set_ends(self, start: str | None = None, end: str | None = None) -> None:
        """Fill the start and / or end id."""
        if start is not None:
            self.start.setText(start)
        if end is not None:
            self.end.setText(end)

    def request(self) -> None:
        """Ask for the profile of the run between the ids given."""
        ids = self.waypoints()
        if ids:
            self.compute_requested.emit(ids)

    def set_profile(self, profile) -> None:
        """Show a gis.cuts.Profile (None clears)."""
        self.show_result(profile)

    def station_rows(self) -> list[dict]:
        """The stations table as dicts, in run order."""
        if self.result is None:
            return []
        return [{"point_id": s.point_id, "s": s.s, "ground_elev": s.ground_elev, "invert_in": s.invert_in,
                 "invert_out": s.invert_out, "is_well": s.is_well, "well_depth_m": s.well_depth_m}
                for s in self.result.stations]

    def empty_title(self) -> str:
        """The hint shown before any profile."""
        return tr("Give the first and last pipe segment or point of a run")

    def describe(self, prof) -> tuple[str, tuple[TableRows, TableRows]]:
        """The run's title, its stations and the features crossing it."""
        title = tr("Run of {utility}: {count} segments, {length} m",
                   utility=prof.run.utility, count=len(prof.segments), length=f"{prof.length:.1f}")
        stations = [(("pipe_points", s.point_id), [s.point_id, metres(s.s), metres(s.ground_elev, 3),
                                                   metres(s.invert_in, 3), metres(s.invert_out, 3),
                                                   s.appurtenance or s.feature or "", metres(s.well_depth_m)])
                    for s in prof.stations]
        relation = {"above": tr("above"), "below": tr("below"), "conflict": tr("conflict")}
        crossings = [((c.item.layer, c.item.id), [c.item.id, c.item.utility or c.item.category or "",
                                                  metres(c.item.s), metres(c.clear_m, 3),
                                                  relation.get(c.relation, c.relation)])
                     for c in prof.crossings]
        return title, (stations, crossings)

    def headers(self) -> tuple[list[str], list[str]]:
        """Headers of the stations and crossings tables."""
        return ([tr("Point"), tr("Chainage (m)"), tr("Ground (m)"), tr("Invert in (m)"), tr("Invert out (m)"),
                 tr("Kind"), tr("Well depth (m)")],
                [tr("Feature"), tr("Utility"), tr("Chainage (m)"), tr("Clear (m)"), tr("Relation")])

    def tab_titles(self) -> tuple[str, str]:
        """Titles of the stations and crossings tabs."""
        return tr("Stations"), tr("Crossings")

    def retranslate(self) -> None:
        """Every string in the current language."""
        self.start_label.setText(tr("Start"))
        self.end_label.setText(tr("End"))
        self.start.setPlaceholderText(tr("line id or point id"))
        self.end.setPlaceholderText(tr("line id or point id"))
        self.use_start.setText(tr("Use selection"))
        self.use_end.setText(tr("Use selection"))
        self.compute.setText(tr("Profile"))
        super().retranslate()
