"""Import wizard, page 3: validation (``importers.plan_import`` on a worker) and the Import button.

Problems are listed in a sortable table (severity, file, row, column, value,
reason, worded by the importers in the UI language); a double-click shows
the problem's row in the preview below, read again around it when the
first rows do not hold it.  Default is all or nothing (Import disabled while
there are problems); "skip invalid rows" lands the rest and writes every
rejected row to a rejects file.
"""
from __future__ import annotations

import os
from functools import partial

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QListWidget, QMessageBox, QPushButton, QRadioButton, QSplitter,
                               QTableView, QVBoxLayout, QWidget, QWizard, QWizardPage)

from app.gui.i18n import lang_key, tr
from app.gui.import_preview import ROLE_LAYERS, PreviewTable

CONTEXT_ROWS = 50          # rows read around a problem outside the preview


def _headers() -> list[str]:
    return [tr("Severity"), tr("File"), tr("Row"), tr("Column"), tr("Value"), tr("Reason")]


class ProblemModel(QAbstractTableModel):
    """The plan's problems as a sortable table (a model: plans can hold very many)."""

    def __init__(self, problems=()):
        super().__init__()
        self.problems = list(problems)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.problems)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else 6

    @staticmethod
    def severity(problem) -> str:
        """"Error" for a problem with the whole file (nothing can be imported), else "Rejected row"."""
        return tr("Error") if problem.row is None else tr("Rejected row")

    def _cells(self, p) -> tuple:
        return (self.severity(p), os.path.basename(p.file or ""), p.row, p.column or "",
                "" if p.value is None else str(p.value), p.reason)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):  # noqa: D102 - Qt API
        if not index.isValid():
            return None
        p = self.problems[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = self._cells(p)[index.column()]
            return "" if value is None else value
        if role == Qt.ItemDataRole.ToolTipRole:
            return p.file if index.column() == 1 else str(p)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802,D102
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _headers()[section]
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:  # noqa: D102 - Qt API
        def key(p):
            value = self._cells(p)[column]
            return (value is None, value if column == 2 else str(value), p.row or 0)

        self.layoutAboutToBeChanged.emit()
        self.problems.sort(key=key, reverse=order == Qt.SortOrder.DescendingOrder)
        self.layoutChanged.emit()


class ChecksPage(QWizardPage):
    """Validation results and how to import; Import commits on a worker."""

    def __init__(self, wizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle(tr("Validation"))
        self.setSubTitle(tr("Every row is checked before anything is written."))
        self.setButtonText(QWizard.WizardButton.CommitButton, tr("&Import"))
        self.setCommitPage(True)
        self.summary = QLabel()
        self.summary.setObjectName("checkSummary")
        self.summary.setWordWrap(True)
        self.warnings = QListWidget()
        self.warnings.setObjectName("warningsList")
        self.warnings.setMaximumHeight(90)
        self.model = ProblemModel()
        self.table = QTableView()
        self.table.setObjectName("problemsTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.doubleClicked.connect(self.jump)
        self.preview_title = QLabel()
        self.preview_title.setObjectName("problemPreviewTitle")
        self.preview = PreviewTable()
        self.preview.setObjectName("problemPreview")
        below = QWidget()
        box = QVBoxLayout(below)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(self.preview_title)
        box.addWidget(self.preview, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(below)
        self.all_or_nothing = QRadioButton(tr("All or nothing: import only when every row is valid"))
        self.all_or_nothing.setObjectName("allOrNothing")
        self.skip = QRadioButton(tr("Skip invalid rows and write them to a rejects file:"))
        self.skip.setObjectName("skipInvalid")
        self.all_or_nothing.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.all_or_nothing)
        group.addButton(self.skip)
        group.buttonToggled.connect(lambda *_: self._mode_changed())
        self.rejects = QLineEdit()
        self.rejects.setObjectName("rejectsPath")
        self.rejects.textChanged.connect(self.completeChanged)
        self.browse_button = QPushButton(tr("Browse…"))
        self.browse_button.clicked.connect(self.browse_rejects)
        rejects_row = QHBoxLayout()
        rejects_row.addWidget(self.skip)
        rejects_row.addWidget(self.rejects, 1)
        rejects_row.addWidget(self.browse_button)
        self.message = QLabel()
        self.message.setObjectName("importMessage")
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.warnings)
        layout.addWidget(split, 1)
        layout.addWidget(self.all_or_nothing)
        layout.addLayout(rejects_row)
        layout.addWidget(self.message)
        self.plan = None
        self.landed = None
        self._pending_jump = None
        self._mode_changed()

    # --------------------------------------------------------------- checking
    def initializePage(self) -> None:  # noqa: N802 - Qt API
        from app.gui import import_work

        self.plan, self.landed = None, None
        self.model.beginResetModel()
        self.model.problems = []
        self.model.endResetModel()
        self.warnings.clear()
        self.preview.show_frame(_empty_frame())
        self.preview_title.clear()
        self.message.clear()
        if not self.rejects.text() and self.wiz.sources():
            first = self.wiz.sources()[0]
            stem = os.path.splitext(os.path.basename(first))[0]
            self.rejects.setText(os.path.join(os.path.dirname(first), f"{stem}_rejects.csv"))
        if self.wiz.kind() == "dem":
            self.summary.setText(tr("{file} will be stored as the project's terrain.",
                                    file=os.path.basename(self.wiz.sources()[0])))
            self.completeChanged.emit()
            return
        self.summary.setText(tr("Checking…"))
        self.wiz.run(tr("Checking the files"),
                     partial(import_work.plan, self.wiz.project_path, self.wiz.sources(), self.wiz.options()),
                     self._checked, self._check_failed)

    def _check_failed(self, exc: BaseException) -> None:
        self.summary.setText(tr("Not checked: {error}", error=self.wiz.error_text(exc)))

    def _checked(self, planned) -> None:
        from gis import layers as registry

        plan = self.plan = planned.plan
        self.model.beginResetModel()
        self.model.problems = list(plan.problems)
        self.model.endResetModel()
        self.table.resizeColumnsToContents()
        self.warnings.clear()
        self.warnings.addItems(plan.warnings)
        lang = lang_key()
        valid = ", ".join(f"{registry.get(k).label(lang)} {n:,}" for k, n in plan.accepted.items()) or "0"
        roles = {t.file: t.role for t in plan.tables}
        rejected: dict[str, int] = {}
        for frame in plan.rejected_rows:          # one frame per source table
            if len(frame):
                file = str(frame["source_file"].iloc[0])
                layer = ROLE_LAYERS.get(roles.get(file, ""), roles.get(file, ""))
                name = registry.LAYERS[layer].label(lang) if layer in registry.LAYERS else os.path.basename(file)
                rejected[name] = rejected.get(name, 0) + len(frame)
        text = tr("Valid rows: {valid}.", valid=valid)
        if rejected:
            text += " " + tr("Rejected rows: {rejected}.",
                             rejected=", ".join(f"{k} {n:,}" for k, n in rejected.items()))
        if plan.fatal:
            text += " " + tr("Nothing can be imported until the problems with whole files are fixed.")
        elif plan.problems:
            text += " " + tr("{count} problems.", count=f"{len(plan.problems):,}")
        else:
            text += " " + tr("No problems.")
        self.summary.setText(text)
        if plan.tables:
            self._show_table(plan.tables[0].file, plan.tables[0].preview)
        self.completeChanged.emit()

    # ------------------------------------------------------------- jumping
    def jump(self, index) -> None:
        """Show the double-clicked problem's row in the preview (reading more rows when needed)."""
        from app.gui import import_work

        p = self.model.problems[index.row()]
        table = next((t for t in self.plan.tables if t.file == p.file), None) if self.plan else None
        if table is None:
            self.preview_title.setText(tr("{file}: no rows to show", file=os.path.basename(p.file or "")))
            return
        if p.row is None or p.row in table.preview.index:
            self._show_table(table.file, table.preview)
            self._highlight(p)
            return
        if self.preview.columns and self.preview_title.property("table") == table.file \
                and self.preview.has_row(p.row):
            self._highlight(p)
            return
        self._pending_jump = p
        self.wiz.run(tr("Reading rows around row {row}", row=p.row),
                     partial(import_work.rows_around, self.plan, table.file, p.row, CONTEXT_ROWS),
                     partial(self._rows_read, table.file))

    def _rows_read(self, table: str, frame) -> None:
        self._show_table(table, frame)
        if self._pending_jump is not None:
            self._highlight(self._pending_jump)
            self._pending_jump = None

    def _show_table(self, table: str, frame) -> None:
        mapped = next((set(t.mapping.values()) for t in self.plan.tables if t.file == table), set())
        self.preview.show_frame(frame, mapped)
        self.preview_title.setProperty("table", table)
        rows = list(frame.index)
        span = tr("rows {first}–{last}", first=rows[0], last=rows[-1]) if rows else tr("no rows")
        self.preview_title.setText(f"{os.path.basename(table)} · {span}")

    def _highlight(self, p) -> None:
        if p.row is not None:
            self.preview.highlight(p.row, p.column)

    # --------------------------------------------------------------- importing
    def _mode_changed(self) -> None:
        skip = self.skip.isChecked()
        self.rejects.setEnabled(skip)
        self.browse_button.setEnabled(skip)
        self.completeChanged.emit()

    def browse_rejects(self) -> None:
        """Choose where the rejected rows go."""
        path, _ = QFileDialog.getSaveFileName(self, tr("Rejects file"), self.rejects.text(), "CSV (*.csv)")
        if path:
            self.rejects.setText(path if path.lower().endswith(".csv") else path + ".csv")

    def can_import(self) -> bool:
        """Whether Import may start: a clean plan, or problems skipped into a rejects file."""
        if self.wiz.kind() == "dem":
            return True
        plan = self.plan
        if plan is None or plan.fatal or not any(plan.accepted.values()):
            return False
        if plan.problems:
            return self.skip.isChecked() and bool(self.rejects.text().strip())
        return True

    def isComplete(self) -> bool:  # noqa: N802 - Qt API
        return not self.wiz.busy and (self.landed is not None or self.can_import())

    def validatePage(self) -> bool:  # noqa: N802 - Qt API
        """Import clicked: commit on a worker, then move on (False until it has landed)."""
        if self.landed is not None:
            return True
        if self.wiz.kind() == "dem":
            self.wiz.start_dem(self._landed)
            return False
        force = False
        if self.plan.previous_imports:
            answer = QMessageBox.question(
                self, tr("Already imported"),
                "\n".join(self.plan.warnings[:5]) + "\n\n" + tr("Import these files again anyway?"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return False
            force = True
        skip = self.skip.isChecked() and bool(self.plan.problems)
        self.wiz.start_commit(self.plan, skip, self.rejects.text().strip() if skip else None, force,
                              self._landed, self._not_landed)
        return False

    def _landed(self, landed) -> None:
        self.landed = landed
        self.completeChanged.emit()
        self.wiz.next()

    def _not_landed(self, text: str) -> None:
        self.message.setText(text)


def _empty_frame():
    import pandas as pd

    return pd.DataFrame()

