"""Import wizard, page 1: the files, the importer detected for each (changeable), and for survey
tables the point-table / line-table role of each table (detected from its headers, changeable)."""
from __future__ import annotations

import os
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton,
                               QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWizardPage)

from app.gui.i18n import lang_key, tr
from app.gui.import_preview import role_label

PATH_ROLE = Qt.ItemDataRole.UserRole
KEY_LAST_DIR = "import/last_dir"
ROLES = ("points", "lines")


def _filter() -> str:
    """The file dialog's filters: every importer's patterns, then each importer's."""
    from importers.registry import IMPORTERS

    lang = lang_key()
    patterns = sorted({p for imp in IMPORTERS.values() for p in imp.reads})
    parts = [tr("Importable files ({patterns})", patterns=" ".join(patterns))]
    parts += [f"{imp.label(lang)} ({' '.join(imp.reads)})" for imp in IMPORTERS.values()]
    return ";;".join(parts + [tr("All files (*)")])


class FilesPage(QWizardPage):
    """Files to import with their importer; the page is complete when they share one importer."""

    def __init__(self, wizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle(tr("Files"))
        self.setSubTitle(tr("Choose the files to import. Survey tables: the point table and the line table "
                            "(two CSV files or one workbook)."))
        self.tree = QTreeWidget()
        self.tree.setObjectName("filesTree")
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([tr("File"), tr("Importer"), tr("Table role")])
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton(tr("Add files…"))
        self.add_button.setObjectName("addFiles")
        self.add_button.clicked.connect(self.browse)
        self.remove_button = QPushButton(tr("Remove"))
        self.remove_button.setObjectName("removeFiles")
        self.remove_button.clicked.connect(self.remove_selected)
        self.message = QLabel()
        self.message.setObjectName("filesMessage")
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.kind_combos: dict[str, QComboBox] = {}          # path -> importer combo
        self.role_combos: dict[str, QComboBox] = {}          # table -> role combo
        self._items: dict[str, QTreeWidgetItem] = {}

    # ------------------------------------------------------------------ files
    def browse(self) -> None:
        """Add files chosen in a file dialog (opens in the last import folder)."""
        start = str(self.wiz.settings.value(KEY_LAST_DIR, os.path.expanduser("~")))
        paths, _ = QFileDialog.getOpenFileNames(self, tr("Import files"), start, _filter())
        if paths:
            self.add_files(paths)

    def add_files(self, paths: list[str]) -> None:
        """Ask the importer registry about ``paths`` (worker thread), then list them."""
        from app.gui import import_work

        paths = [os.path.abspath(p) for p in paths if os.path.abspath(p) not in self._items]
        if not paths:
            return
        self.wiz.settings.setValue(KEY_LAST_DIR, os.path.dirname(paths[0]))
        self.wiz.run(tr("Detecting file kinds"), partial(import_work.probe_files, paths), self._probed)

    def _probed(self, probes) -> None:
        from importers.registry import IMPORTERS

        lang = lang_key()
        for probe in probes:
            item = QTreeWidgetItem([os.path.basename(probe.path)])
            item.setToolTip(0, probe.path)
            item.setData(0, PATH_ROLE, probe.path)
            self.tree.addTopLevelItem(item)
            self._items[probe.path] = item
            combo = QComboBox()
            combo.setObjectName(f"kind:{os.path.basename(probe.path)}")
            if probe.detected is None:
                combo.addItem(tr("Not recognised: choose an importer"), None)
            for name, imp in IMPORTERS.items():
                text = imp.label(lang)
                if name == probe.detected:
                    text = tr("{importer} (detected)", importer=text)
                combo.addItem(text, name)
            combo.setCurrentIndex(max(combo.findData(probe.detected), 0))
            combo.currentIndexChanged.connect(self._changed)
            self.tree.setItemWidget(item, 1, combo)
            self.kind_combos[probe.path] = combo
            for table, role in probe.tables:
                child = QTreeWidgetItem([self._table_name(probe.path, table)])
                child.setData(0, PATH_ROLE, table)
                child.setToolTip(0, table)
                item.addChild(child)
                roles = QComboBox()
                roles.setObjectName(f"role:{child.text(0)}")
                if role is None:
                    roles.addItem(tr("Choose: point or line table"), None)
                for name in ROLES:
                    roles.addItem(role_label(name), name)
                roles.setCurrentIndex(max(roles.findData(role), 0))
                roles.currentIndexChanged.connect(self._changed)
                self.tree.setItemWidget(child, 2, roles)
                self.role_combos[table] = roles
            item.setExpanded(True)
        self._changed()

    @staticmethod
    def _table_name(path: str, table: str) -> str:
        """A table's name under its file: the sheet of a workbook, else the file name."""
        return table[len(path) + 1:-1] if table.startswith(path + "[") else os.path.basename(path)

    def remove_selected(self) -> None:
        """Drop the selected files from the list."""
        for item in self.tree.selectedItems():
            top = item.parent() or item
            path = top.data(0, PATH_ROLE)
            for i in range(top.childCount()):
                self.role_combos.pop(top.child(i).data(0, PATH_ROLE), None)
            self.kind_combos.pop(path, None)
            self._items.pop(path, None)
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(top))
        self._changed()

    # ------------------------------------------------------------------ state
    def sources(self) -> list[str]:
        """The listed files, in order."""
        return list(self._items)

    def kind(self) -> str | None:
        """The importer of every file, None while they differ or one is not chosen."""
        kinds = {c.currentData() for c in self.kind_combos.values()}
        return kinds.pop() if len(kinds) == 1 and None not in kinds else None

    def roles(self) -> dict[str, str]:
        """Survey table -> "points" | "lines" as shown (detected or changed by the user)."""
        return {table: c.currentData() for table, c in self.role_combos.items() if c.currentData()}

    def _changed(self) -> None:
        survey = self.kind() == "survey"
        for path, item in self._items.items():
            for i in range(item.childCount()):
                item.child(i).setHidden(self.kind_combos[path].currentData() != "survey")
        self.message.setText(self._problem() or "")
        self.wiz.sources_changed()
        if survey:
            self.tree.expandAll()
        self.completeChanged.emit()

    def _problem(self) -> str | None:
        """Why the wizard cannot go on yet (None when it can)."""
        if not self._items:
            return tr("Add the files to import (or drop them onto the main window).")
        for path, combo in self.kind_combos.items():
            if combo.currentData() is None:
                return tr("No importer reads {file}: choose one, or remove the file.",
                          file=os.path.basename(path))
        kind = self.kind()
        if kind is None:
            return tr("The files need different importers: import them one kind at a time.")
        if kind == "survey":
            tables = [t for path in self._items for t in self._tables_of(path)]
            if not tables:
                return tr("No survey table found in these files.")
            unknown = [t for t in tables if not self.role_combos[t].currentData()]
            if unknown:
                return tr("Choose whether {table} is a point table or a line table.", table=unknown[0])
        if kind == "dem" and len(self._items) != 1:
            return tr("A DEM is imported one file at a time.")
        return None

    def _tables_of(self, path: str) -> list[str]:
        item = self._items[path]
        return [item.child(i).data(0, PATH_ROLE) for i in range(item.childCount())]

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return not self.wiz.busy and self._problem() is None
