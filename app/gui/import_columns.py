"""Import wizard, page 2: the importer's options, and each source table's first rows with the
detected column mapping (a combo per field, editable)."""
from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QLabel, QPushButton, QSplitter, QTabWidget,
                               QVBoxLayout, QWidget, QWizardPage)

from app.gui.i18n import tr
from app.gui.import_options import OptionsForm, describe_crs
from app.gui.import_preview import MappingTable, PreviewTable, role_label


class TableTab(QWidget):
    """One source table: what it is, its mapping and its first rows."""

    def __init__(self, table, chosen: dict[str, str], editable: bool):
        super().__init__()
        self.table = table
        info = tr("{role} · {rows} rows", role=role_label(table.role), rows=f"{table.rows:,}")
        if table.encoding:
            info += " · " + tr("encoding {encoding}", encoding=table.encoding)
        self.info = QLabel(info)
        self.mapping = MappingTable()
        self.mapping.set_table(table.role, table.fields, [str(c) for c in table.preview.columns],
                               table.mapping, chosen)
        self.mapping.setEnabled(editable)
        self.preview = PreviewTable()
        self.preview.show_frame(table.preview, self.mapping.mapped_columns())
        self.mapping.changed.connect(
            lambda: self.preview.show_frame(self.table.preview, self.mapping.mapped_columns()))
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.mapping)
        split.addWidget(self.preview)
        split.setStretchFactor(1, 1)
        split.setSizes([320, 680])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.info)
        layout.addWidget(split, 1)
        self.mapping.setVisible(bool(table.fields))


class ColumnsPage(QWizardPage):
    """Options and the mapping; the preview is planned again on demand (worker thread)."""

    def __init__(self, wizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle(tr("Preview and options"))
        self.setSubTitle(tr("Check how the columns are read; change a field's source column where needed."))
        self.form = OptionsForm(wizard.settings)
        self.form.changed.connect(self.completeChanged)
        box = QGroupBox(tr("Options"))
        QVBoxLayout(box).addWidget(self.form)
        self.refresh_button = QPushButton(tr("Refresh preview"))
        self.refresh_button.setObjectName("refreshPreview")
        self.refresh_button.clicked.connect(self.refresh)
        self.message = QLabel()
        self.message.setObjectName("previewMessage")
        self.message.setWordWrap(True)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("tableTabs")
        row = QHBoxLayout()
        row.addWidget(self.message, 1)
        row.addWidget(self.refresh_button)
        layout = QVBoxLayout(self)
        layout.addWidget(box)
        layout.addLayout(row)
        layout.addWidget(self.tabs, 1)
        self._crs_for: tuple | None = None

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        kind = self.wiz.kind()
        if kind != self.form.kind:
            self.form.set_kind(kind)
            self._crs_for = None
        if kind == "dem":
            self.tabs.clear()
            self.form.crs.set_source(tr("the DEM's own (when it has one)"), self.wiz.project_crs)
            self.message.setText(tr("A DEM is stored as the project's terrain: there are no rows to preview."))
            return
        self.refresh()

    def refresh(self) -> None:
        """Plan again with the options and mapping as they are (worker thread) and show the preview."""
        from app.gui import import_work

        self._save_mapping()
        self.wiz.run(tr("Reading the files"),
                     partial(import_work.plan, self.wiz.project_path, self.wiz.sources(), self.wiz.options()),
                     self._planned)

    def _planned(self, planned) -> None:
        self.wiz.project_crs = planned.project_crs
        plan = self.wiz.preview_plan = planned.plan
        self._offer_crs(plan)
        current = self.tabs.currentIndex()
        self.tabs.clear()
        editable = plan.kind in ("survey", "gis")
        for table in plan.tables:
            tab = TableTab(table, self.wiz.table_mapping.get(table.file, {}), editable)
            tab.mapping.changed.connect(self._save_mapping)
            self.tabs.addTab(tab, self._tab_name(table.file))
            self.tabs.setTabToolTip(self.tabs.count() - 1, table.file)
        self.tabs.setCurrentIndex(max(current, 0))
        blocking = [p for p in plan.problems if p.row is None]
        self.message.setText("\n".join(f"{p.file}: {p.reason}" for p in blocking[:3]))
        self.completeChanged.emit()

    @staticmethod
    def _tab_name(file: str) -> str:
        import os

        return os.path.basename(file)

    def _offer_crs(self, plan) -> None:
        """Offer the CRS the files carry (once per set of files); files without one need a choice."""
        crss = [t.crs for t in plan.tables]
        key = (tuple(self.wiz.sources()), tuple(str(c) for c in crss))
        if key == self._crs_for:
            return
        self._crs_for = key
        keep = self.form.crs.value()
        found = describe_crs(crss[0]) if crss and all(c is not None for c in crss) else None
        self.form.crs.set_source(found, self.wiz.project_crs)
        if keep[0] and keep[1]:
            self.form.crs.choose(keep[1])

    def _save_mapping(self) -> None:
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            self.wiz.table_mapping[tab.table.file] = tab.mapping.changes()

    def tab_for(self, table: str) -> TableTab | None:
        """The tab showing ``table``."""
        for i in range(self.tabs.count()):
            if self.tabs.widget(i).table.file == table:
                return self.tabs.widget(i)
        return None

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        self._save_mapping()
        self.form.remember()
        return True

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        if self.wiz.busy or not self.form.valid():
            return False
        return self.wiz.kind() == "dem" or self.wiz.preview_plan is not None
