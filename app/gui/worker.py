"""Long work off the GUI thread: a plain function with a Progress, a dialog with Cancel.

``TaskRunner.run(title, fn, on_done, on_error)`` calls ``fn(progress)`` on a
worker thread.  Progress reaches a QProgressDialog through queued signals,
its Cancel button calls ``progress.cancel()`` and the result (or the error)
comes back to ``on_done`` / ``on_error`` on the GUI thread.  ``fn`` must not
touch Qt widgets or VTK actors.
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.gui.i18n import tr, tr_runtime
from gis.progress import Progress

PROGRESS_INTERVAL_S = 0.05      # at most ~20 progress updates a second reach the GUI
DIALOG_DELAY_MS = 400           # quick work finishes before the dialog appears


class _Signals(QObject):
    """Signals a worker emits; they are delivered on the GUI thread (queued)."""

    progressed = Signal(int, int, str)
    finished = Signal(object, object)      # result, error (one of them is None)


class _Job(QRunnable):
    """Runs ``fn(progress)`` on a pool thread and reports through ``signals``."""

    def __init__(self, fn: Callable[[Progress], Any], signals: _Signals):
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.signals = signals
        self._last_emit = 0.0
        self.progress = Progress(self._report)

    def _report(self, done: int, total: int, message: str) -> None:
        now = time.monotonic()
        if now - self._last_emit >= PROGRESS_INTERVAL_S or (total and done >= total):
            self._last_emit = now
            self.signals.progressed.emit(done, total, message)

    def run(self) -> None:  # noqa: D102 - QRunnable API
        try:
            result = self.fn(self.progress)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the GUI thread
            self.signals.finished.emit(None, exc)
        else:
            self.signals.finished.emit(result, None)


class TaskRunner(QObject):
    """Runs one long task at a time on a worker thread, with a progress dialog."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self._widget = parent
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._job: _Job | None = None
        self._finished_job: _Job | None = None   # kept until the pool thread has let go of it
        self._signals: _Signals | None = None
        self._dialog: QProgressDialog | None = None
        self._on_done: Callable[[Any], None] | None = None
        self._on_error: Callable[[BaseException], None] | None = None

    @property
    def busy(self) -> bool:
        """Whether a task is running."""
        return self._job is not None

    @property
    def progress(self) -> Progress | None:
        """The running task's Progress (None when idle)."""
        return self._job.progress if self._job else None

    def run(self, title: str, fn: Callable[[Progress], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None], dialog: bool = True) -> bool:
        """Start ``fn(progress)``; False (and nothing started) when a task is already running."""
        if self.busy:
            return False
        self._pool.waitForDone()
        self._finished_job = None
        self._signals = _Signals()
        self._signals.progressed.connect(self._progressed, Qt.ConnectionType.QueuedConnection)
        self._signals.finished.connect(self._finished, Qt.ConnectionType.QueuedConnection)
        self._job = _Job(fn, self._signals)
        self._on_done, self._on_error = on_done, on_error
        if dialog:
            self._dialog = self._make_dialog(title)
        self.busy_changed.emit(True)
        self._pool.start(self._job)
        return True

    def cancel(self) -> None:
        """Ask the running task to stop at its next progress step."""
        if self._job is not None:
            self._job.progress.cancel()
            if self._dialog is not None:
                self._dialog.setLabelText(tr("Cancelling…"))

    def shutdown(self, timeout_ms: int = 10000) -> None:
        """Cancel the running task and wait for the worker thread (window closing)."""
        self.cancel()
        self._pool.waitForDone(timeout_ms)

    def _make_dialog(self, title: str) -> QProgressDialog:
        dlg = QProgressDialog(title, tr("Cancel"), 0, 0, self._widget)
        dlg.setWindowTitle(title)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(DIALOG_DELAY_MS)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.canceled.connect(self.cancel)
        dlg.setValue(0)
        return dlg

    @Slot(int, int, str)
    def _progressed(self, done: int, total: int, message: str) -> None:
        dlg = self._dialog
        if dlg is None or self._job is None or self._job.progress.cancelled:
            return
        if message:
            dlg.setLabelText(tr_runtime(message))
        dlg.setMaximum(max(total, 0))
        dlg.setValue(min(done, total) if total else 0)   # may run queued events (modal dialog)

    @Slot(object, object)
    def _finished(self, result: Any, error: BaseException | None) -> None:
        on_done, on_error = self._on_done, self._on_error
        if self._dialog is not None:
            self._dialog.canceled.disconnect(self.cancel)
            self._dialog.reset()        # stops its show-after-delay timer, which could pop it up again
            self._dialog.hide()
            self._dialog.deleteLater()
        self._finished_job = self._job
        self._job = self._signals = self._dialog = None
        self._on_done = self._on_error = None
        self.busy_changed.emit(False)
        if error is None:
            on_done(result)
        else:
            on_error(error)
