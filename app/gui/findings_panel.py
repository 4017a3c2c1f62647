"""The findings dock: run selector, severity filter, summary, findings table, trace results, rule table.

Shows what the check and trace workers return; it computes nothing itself.
Signals tell the controller (app.gui.check_actions) what the user picked.
"""
from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.gui.findings_model import UNVERIFIED_MARK, FindingsModel, is_unverified
from app.gui.i18n import lang_key, tr, tr_runtime
from gis.analysis.severity import SEVERITY_ORDER
from gis.report.style import CONFIDENCE_BADGE, SEVERITY_COLOURS
from gis.report.text import CONFIDENCE, SEVERITY

if TYPE_CHECKING:
    import pandas as pd

ITEM_ROLE = Qt.ItemDataRole.UserRole + 2          # (layer, id) of a trace result item
RULE_COLUMNS = ("rule_id", "kind", "a", "b", "min_m", "confidence", "source")
TRACE_GROUPS = (   # key of the trace/isolation result, layer of its ids
    ("valves_to_close", "pipe_points"), ("segments", "pipe_segments"), ("service_points", "pipe_points"),
    ("closed_valves_used", "pipe_points"), ("broken_valves_passed", "pipe_points"), ("points", "pipe_points"))


def run_label(run_id: str, check: str, findings: int) -> str:
    """What the run selector shows for one run: time (UTC), check, number of findings."""
    from gis.report.build import run_time

    return tr("{time} · {check} · {count} findings", time=run_time(run_id) or run_id, check=tr_runtime(check),
              count=f"{findings:,}")


def _swatch(rgb) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(*rgb))
    return QIcon(pixmap)


class FindingsPanel(QWidget):
    """The findings dock's widget."""

    run_chosen = Signal(str)                # run_id picked in the selector
    finding_chosen = Signal(object)         # the finding (pandas Series) picked in the table
    filter_changed = Signal()
    export_requested = Signal()
    clear_requested = Signal()
    item_chosen = Signal(str, str)          # (layer, id) picked in the trace results

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("findingsPanel")
        self.result = None
        self.run_combo = QComboBox()
        self.run_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.run_combo.activated.connect(self._run_activated)
        self.run_label = QLabel()
        self.severity_buttons: dict[str, QToolButton] = {}
        top = QHBoxLayout()
        top.addWidget(self.run_label)
        top.addWidget(self.run_combo, 1)
        for sev in SEVERITY_ORDER:
            button = QToolButton()
            button.setCheckable(True)
            button.setChecked(True)
            button.setIcon(_swatch(SEVERITY_COLOURS[sev]))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.toggled.connect(self._filter)
            self.severity_buttons[sev] = button
            top.addWidget(button)
        self.export_button = QPushButton()
        self.export_button.clicked.connect(self.export_requested)
        self.clear_button = QPushButton()
        self.clear_button.clicked.connect(self.clear_requested)
        top.addWidget(self.export_button)
        top.addWidget(self.clear_button)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = FindingsModel(self)
        self.table = QTableView()
        self.table.setObjectName("findingsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setDefaultSectionSize(22)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.clicked.connect(lambda index: self._emit_row(index.row()))
        self.trace_tree = QTreeWidget()
        self.trace_tree.setObjectName("traceTree")
        self.trace_tree.setHeaderHidden(True)
        self.trace_tree.itemClicked.connect(self._trace_clicked)
        self.rules_label = QLabel()
        self.rules_label.setWordWrap(True)
        self.rules_table = QTableWidget(0, len(RULE_COLUMNS))
        self.rules_table.setObjectName("rulesTable")
        self.rules_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rules_table.horizontalHeader().setStretchLastSection(True)
        rules_page = QWidget()
        box = QVBoxLayout(rules_page)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.rules_label)
        box.addWidget(self.rules_table, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, "")
        self.tabs.addTab(self.trace_tree, "")
        self.tabs.addTab(rules_page, "")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.tabs, 1)
        self._rules: tuple[str | None, list] = (None, [])
        self._trace: dict | None = None
        self.retranslate()

    # ------------------------------------------------------------------ runs
    def set_runs(self, runs: pd.DataFrame) -> None:
        """Fill the run selector with past runs (gis.analysis.runs.list_runs), keeping the current one."""
        current = self.current_run()
        self.run_combo.clear()
        for r in runs.itertuples():
            self.run_combo.addItem(run_label(r.run_id, r.check, int(r.findings)), r.run_id)
        if current is not None:
            self._select_run(current)

    def current_run(self) -> str | None:
        """The run_id the selector shows (None when empty)."""
        return self.run_combo.currentData()

    def _select_run(self, run_id: str) -> None:
        i = self.run_combo.findData(run_id)
        if i >= 0:
            self.run_combo.setCurrentIndex(i)

    def _run_activated(self, index: int) -> None:
        run_id = self.run_combo.itemData(index)
        if run_id and (self.result is None or run_id != self.result.run_id):
            self.run_chosen.emit(run_id)

    # -------------------------------------------------------------- findings
    def show_result(self, result) -> None:
        """Show a check run (a CheckResult): table, summary, and the run in the selector."""
        self.result = result
        if self.run_combo.findData(result.run_id) < 0:
            self.run_combo.insertItem(0, run_label(result.run_id, result.check, len(result.findings)), result.run_id)
        self._select_run(result.run_id)
        self.model.set_findings(result.findings)
        self.table.resizeColumnsToContents()
        self._update_summary()
        self.tabs.setCurrentIndex(0)

    def shown_findings(self) -> pd.DataFrame | None:
        """The findings the filter lets through (None when no run is shown)."""
        return None if self.result is None else self.model.frame()

    def shown_severities(self) -> list[str]:
        """Severities the filter shows."""
        return [sev for sev, b in self.severity_buttons.items() if b.isChecked()]

    def _filter(self) -> None:
        self.model.set_severities(self.shown_severities())
        self.filter_changed.emit()

    def select_finding(self, finding_id: str) -> bool:
        """Select (and scroll to) the row of ``finding_id``; False when it is not shown."""
        row = self.model.row_of(finding_id)
        if row is None:
            return False
        self.tabs.setCurrentIndex(0)
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._emit_row(current.row())

    def _emit_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.finding_chosen.emit(self.model.finding(row))

    def _update_summary(self) -> None:
        r = self.result
        if r is None:
            self.summary.setText(tr("No check run shown. Run one from the Analysis menu."))
            return
        s, lang = r.summary, lang_key()
        counts = s.get("by_severity", {})
        by_sev = ", ".join(f"{getattr(SEVERITY[k], lang)} {counts.get(k, 0):,}" for k in SEVERITY_ORDER)
        no_rule = s.get("no_rule_pairs")
        unverified = sum(v for k, v in s.get("by_confidence", {}).items() if is_unverified(k))
        parts = [tr("{check}: {count} findings ({severities})", check=tr_runtime(r.check), count=f"{s.get('findings', 0):,}",
                    severities=by_sev),
                 tr("{n} short of the rule", n=f"{s.get('violations', 0):,}"),
                 tr("{n} uncertain", n=f"{s.get('uncertain', 0):,}"),
                 tr("{n} pairs with no rule", n=f"{no_rule:,}") if no_rule is not None
                 else tr("pairs with no rule: not stored with past runs")]
        if unverified:
            parts.append(UNVERIFIED_MARK + tr("{n} from unverified rules", n=f"{unverified:,}"))
        if "selection" in s:
            parts.append(tr("selection of {n} features", n=f"{s['selection']:,}"))
        self.summary.setText(" · ".join(parts))
        for sev, button in self.severity_buttons.items():
            button.setText(f"{getattr(SEVERITY[sev], lang)} ({counts.get(sev, 0):,})")

    # ----------------------------------------------------------------- trace
    def show_trace(self, doc: dict) -> None:
        """List a trace or isolation result (gis.analysis.network) by group."""
        self._trace = doc
        self.trace_tree.clear()
        for key, layer in TRACE_GROUPS:
            ids = doc.get(key)
            if ids is None:
                continue
            group = QTreeWidgetItem([f"{_trace_group(key)} ({len(ids):,})"])
            for fid in ids:
                item = QTreeWidgetItem([str(fid)])
                item.setData(0, ITEM_ROLE, (layer, str(fid)))
                group.addChild(item)
            self.trace_tree.addTopLevelItem(group)
            group.setExpanded(key in ("valves_to_close", "segments") and len(ids) <= 200)
        self.tabs.setCurrentIndex(1)

    def trace_items(self, key: str) -> list[str]:
        """The ids listed under one group of the trace result shown."""
        return list((self._trace or {}).get(key, []))

    def _trace_clicked(self, item: QTreeWidgetItem, _column: int) -> None:
        data = item.data(0, ITEM_ROLE)
        if data:
            self.item_chosen.emit(*data)

    # ----------------------------------------------------------------- rules
    def show_rules(self, file: str | None, rules: list) -> None:
        """Show the rule table in use: its file (None: built-in), confidence summary, every row."""
        self._rules = (file, rules)
        lang = lang_key()
        counts = Counter(r.confidence for r in rules)
        summary = ", ".join(f"{getattr(CONFIDENCE[c], lang)} {n}" for c, n in counts.items())
        unverified = sum(n for c, n in counts.items() if is_unverified(c))
        name = file if file else tr("built-in")
        text = tr("Rule table: {name} — {rows} rows ({summary})", name=name, rows=len(rules), summary=summary)
        if unverified:
            text += " · " + UNVERIFIED_MARK + tr("{n} rows not verified: check them before relying on them",
                                                 n=unverified)
        self.rules_label.setText(text)
        self.rules_table.setRowCount(len(rules))
        for i, rule in enumerate(rules):
            marked = is_unverified(rule.confidence)
            values = (rule.rule_id, rule.kind, str(rule.a), "" if rule.b is None else str(rule.b),
                      f"{rule.min_m:g}", (UNVERIFIED_MARK if marked else "") + getattr(CONFIDENCE[rule.confidence], lang),
                      rule.source)
            for j, value in enumerate(values):
                item = QTableWidgetItem(value)
                if marked:
                    bg, fg = CONFIDENCE_BADGE[rule.confidence]
                    item.setBackground(QBrush(QColor(bg)))
                    item.setForeground(QBrush(QColor(fg)))
                self.rules_table.setItem(i, j, item)
        self.rules_table.resizeColumnsToContents()

    # ----------------------------------------------------------------- other
    def clear(self) -> None:
        """Forget the shown run, trace and past runs (project closed)."""
        self.result = None
        self._trace = None
        self.run_combo.clear()
        self.model.set_findings(None)
        self.trace_tree.clear()
        self._update_summary()

    def retranslate(self) -> None:
        """Set every visible string in the current language."""
        tab = self.tabs.currentIndex()
        self.run_label.setText(tr("Run"))
        self.export_button.setText(tr("Export report…"))
        self.clear_button.setText(tr("Clear highlight"))
        self.tabs.setTabText(0, tr("Findings"))
        self.tabs.setTabText(1, tr("Trace"))
        self.tabs.setTabText(2, tr("Rules"))
        self.rules_table.setHorizontalHeaderLabels([_rule_header(c) for c in RULE_COLUMNS])
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.model.columnCount() - 1)
        self.model.layoutChanged.emit()
        self._update_summary()
        if self._rules[1] or self._rules[0]:
            self.show_rules(*self._rules)
        if self._trace is not None:
            self.show_trace(self._trace)
        self.tabs.setCurrentIndex(tab)


def _trace_group(key: str) -> str:
    return {"valves_to_close": tr("Valves to close"), "segments": tr("Segments"),
            "service_points": tr("Service points affected"), "closed_valves_used": tr("Closed valves used"),
            "broken_valves_passed": tr("Broken valves passed"), "points": tr("Points")}[key]


def _rule_header(column: str) -> str:
    return {"rule_id": tr("Rule"), "kind": tr("Kind"), "a": tr("Class A"), "b": tr("Class B"),
            "min_m": tr("Minimum (m)"), "confidence": tr("Confidence"), "source": tr("Source")}[column]
