"""The worker pattern: work off the GUI thread, progress dialog with Cancel, results on the GUI thread."""
from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton, QWidget

from app.gui.worker import TaskRunner
from gis.errors import Cancelled


def _runner(qtbot) -> tuple[QWidget, TaskRunner]:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    return parent, TaskRunner(parent)


def test_result_comes_back_on_the_gui_thread(qtbot):
    _parent, runner = _runner(qtbot)
    seen = {}

    def work(progress):
        seen["work_thread"] = threading.current_thread()
        progress.start(3, "three steps")
        for _ in range(3):
            progress.step()
        return 42

    def done(result):
        seen["result"] = result
        seen["done_on_gui"] = QThread.currentThread() is QApplication.instance().thread()

    assert runner.run("t", work, done, lambda exc: seen.setdefault("error", exc))
    assert runner.busy
    qtbot.waitUntil(lambda: "result" in seen, timeout=10000)
    assert seen["result"] == 42 and seen["done_on_gui"]
    assert seen["work_thread"] is not threading.main_thread()
    assert not runner.busy and "error" not in seen


def test_errors_come_back_and_a_second_task_waits(qtbot):
    _parent, runner = _runner(qtbot)
    gate = threading.Event()
    errors = []

    def work(progress):
        gate.wait(10)
        raise ValueError("bad value in row 3")

    assert runner.run("t", work, lambda r: None, errors.append, dialog=False)
    assert not runner.run("t2", lambda p: 1, lambda r: None, errors.append)
    gate.set()
    qtbot.waitUntil(lambda: bool(errors), timeout=10000)
    assert isinstance(errors[0], ValueError) and str(errors[0]) == "bad value in row 3"
    results = []
    assert runner.run("t3", lambda p: "again", results.append, errors.append, dialog=False)
    qtbot.waitUntil(lambda: bool(results), timeout=10000)
    assert results == ["again"]


def test_cancel_button_stops_the_work(qtbot):
    _parent, runner = _runner(qtbot)
    outcome = {}
    steps = []

    def work(progress):
        progress.start(100_000, "counting")
        for _ in range(100_000):
            time.sleep(0.001)
            progress.step()
            steps.append(1)
        return "finished"

    assert runner.run("Counting", work, lambda r: outcome.setdefault("result", r),
                      lambda exc: outcome.setdefault("error", exc))

    def dialog() -> QProgressDialog | None:
        return next((w for w in QApplication.topLevelWidgets()
                     if isinstance(w, QProgressDialog) and w.isVisible()), None)

    qtbot.waitUntil(lambda: dialog() is not None and dialog().value() > 0, timeout=10000)
    assert dialog().labelText() == "counting" and dialog().maximum() == 100_000
    dialog().findChild(QPushButton).click()
    qtbot.waitUntil(lambda: bool(outcome), timeout=10000)
    assert isinstance(outcome["error"], Cancelled)
    assert len(steps) < 100_000
    qtbot.waitUntil(lambda: dialog() is None, timeout=5000)


def test_dialog_never_pops_up_after_the_work_finished(qtbot):
    from app.gui.worker import DIALOG_DELAY_MS

    _parent, runner = _runner(qtbot)
    done = []
    assert runner.run("quick", lambda p: time.sleep(DIALOG_DELAY_MS / 2000), done.append, done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=10000)
    qtbot.wait(DIALOG_DELAY_MS + 300)      # past the moment a pending dialog would show itself
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]
