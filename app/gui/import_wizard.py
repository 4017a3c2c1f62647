"""The Import wizard: files -> preview and options -> validation -> import -> summary.

Every step that reads or writes runs on the wizard's own worker (progress
with Cancel): detecting the importers, planning (``importers.plan_import``),
committing (``importers.commit``; a cancelled commit writes nothing).
``imported`` reports a landed import so the main window can refresh its
views.
"""
from __future__ import annotations

import os
from functools import partial

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QMessageBox, QVBoxLayout, QWidget, QWizard, QWizardPage

from app.gui import dialogs
from app.gui.i18n import lang_key, tr
from app.gui.import_checks import ChecksPage
from app.gui.import_columns import ColumnsPage
from app.gui.import_files import FilesPage
from app.gui.worker import TaskRunner
from gis.errors import Cancelled

PREVIEW_ROWS = 20


class DonePage(QWizardPage):
    """What landed: the import id, counts per layer, the rejects file and the warnings."""

    def __init__(self, wizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle(tr("Imported"))
        self.summary = QLabel()
        self.summary.setObjectName("doneSummary")
        self.summary.setWordWrap(True)
        self.warnings = QListWidget()
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.warnings, 1)

    def initializePage(self) -> None:  # noqa: N802 - Qt API
        from gis import layers as registry

        landed = self.wiz.checks.landed
        result = landed.result
        lang = lang_key()
        counts = ", ".join(f"{registry.LAYERS[k].label(lang) if k in registry.LAYERS else k} {n:,}"
                           for k, n in result.accepted.items()) or "0"
        text = tr("Import {import_id} landed: {counts}.", import_id=result.import_id, counts=counts)
        if landed.rejects:
            text += "\n" + tr("{count} rejected rows were written to {path}.", count=f"{result.rejected:,}",
                              path=landed.rejects)
        text += "\n" + tr("The views are being updated. Import history (File menu) can revert this import.")
        self.summary.setText(text)
        self.warnings.clear()
        self.warnings.addItems(result.warnings)


class ImportWizard(QWizard):
    """Import files into the open project; emits ``imported(ImportResult)`` when an import lands."""

    imported = Signal(object)

    def __init__(self, parent: QWidget, project_path: str, settings: QSettings):
        super().__init__(parent)
        self.setObjectName("importWizard")
        self.setWindowTitle(tr("Import"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.project_path = project_path
        self.project_crs: str | None = None
        self.settings = settings
        self.runner = TaskRunner(self)
        self.runner.busy_changed.connect(self._busy_changed)
        self.preview_plan = None
        self.table_mapping: dict[str, dict[str, str]] = {}
        self.files = FilesPage(self)
        self.columns = ColumnsPage(self)
        self.checks = ChecksPage(self)
        self.done_page = DonePage(self)
        for page in (self.files, self.columns, self.checks, self.done_page):
            self.addPage(page)
        self.resize(1100, 760)

    # ------------------------------------------------------------------ state
    @property
    def busy(self) -> bool:
        """Whether the wizard's worker is running."""
        return self.runner.busy

    def sources(self) -> list[str]:
        """The files to import."""
        return self.files.sources()

    def kind(self) -> str | None:
        """The importer of the files."""
        return self.files.kind()

    def sources_changed(self) -> None:
        """Files, importers or roles changed: forget the preview planned for the old ones."""
        self.preview_plan = None

    def options(self):
        """ImportOptions from the pages as they are now."""
        from importers import ImportOptions

        tables = {t.file for t in self.preview_plan.tables} if self.preview_plan else set(self.table_mapping)
        mapping = {t: m for t, m in self.table_mapping.items() if m and t in tables}
        roles = self.files.roles() if self.kind() == "survey" else {}
        return ImportOptions(kind=self.kind() or "auto", roles=roles, table_mapping=mapping,
                             preview_rows=PREVIEW_ROWS, **self.columns.form.values())

    def add_files(self, paths: list[str]) -> None:
        """Add files to the first page (drag and drop, or the caller's list)."""
        self.files.add_files(paths)

    # ----------------------------------------------------------------- workers
    def run(self, title: str, fn, on_done, on_error=None) -> bool:
        """Run ``fn(progress)`` on the wizard's worker (progress dialog with Cancel)."""
        from app.gui.import_work import use_language

        use_language(lang_key())
        return self.runner.run(title, fn, on_done, on_error or self._failed)

    def _busy_changed(self, _busy: bool) -> None:
        page = self.currentPage()
        if page is not None:
            page.completeChanged.emit()

    def error_text(self, exc: BaseException) -> str:
        """The one line shown for a failure."""
        return tr("Cancelled") if isinstance(exc, Cancelled) else dialogs.error_text(exc)

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            return
        box = QMessageBox(QMessageBox.Icon.Critical, tr("Import"), self.error_text(exc),
                          QMessageBox.StandardButton.Ok, self)
        box.setObjectName("importError")
        box.open()

    def start_commit(self, plan, skip_invalid: bool, rejects: str | None, force: bool, on_landed,
                     on_not_landed) -> None:
        """Write the plan on the worker; ``on_landed(Landed)`` or ``on_not_landed(message)``."""
        from app.gui import import_work

        self.run(tr("Importing"),
                 partial(import_work.commit, self.project_path, plan, skip_invalid, rejects, force),
                 partial(self._committed, on_landed, on_not_landed),
                 partial(self._commit_failed, on_not_landed))

    def start_dem(self, on_landed) -> None:
        """Store the DEM on the worker."""
        from app.gui import import_work

        src_crs = self.columns.form.values().get("src_crs")
        self.run(tr("Importing"), partial(import_work.import_dem, self.project_path, self.sources()[0], src_crs),
                 partial(self._committed, on_landed, self.checks.message.setText),
                 partial(self._commit_failed, self.checks.message.setText))

    def _committed(self, on_landed, on_not_landed, landed) -> None:
        if not landed.result.written:
            on_not_landed(tr("Nothing was written.") + " " + " ".join(landed.result.warnings))
            return
        self.imported.emit(landed.result)
        on_landed(landed)

    def _commit_failed(self, on_not_landed, exc: BaseException) -> None:
        if isinstance(exc, Cancelled):
            on_not_landed(tr("Import cancelled: nothing was written."))
            return
        on_not_landed(tr("Not imported: {error}", error=self.error_text(exc)))
        self._failed(exc)

    def done(self, result: int) -> None:  # noqa: D102 - Qt API
        if self.busy:
            self.runner.cancel()
            return
        self.runner.shutdown()
        super().done(result)


def open_wizard(parent: QWidget, project_path: str, settings: QSettings, files: list[str] | None = None
                ) -> ImportWizard:
    """Show a new Import wizard for ``project_path`` (window-modal), with ``files`` listed."""
    wizard = ImportWizard(parent, project_path, settings)
    wizard.setWindowModality(wizard.windowModality().WindowModal)
    wizard.open()
    if files:
        wizard.add_files([os.fspath(f) for f in files])
    return wizard
