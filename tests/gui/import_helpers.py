"""Driving the Import wizard in GUI tests: real clicks on its buttons and combos."""
from __future__ import annotations

import hashlib
import warnings
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QMessageBox, QWizard

from tests.conftest import DATA
from tests.gui.conftest import when_modal

SURVEY = DATA / "import" / "survey"
JS_POINTS = SURVEY / "js_points.csv"
JS_LINES = SURVEY / "js_lines.csv"


def fresh_project(tmp_path: Path) -> Path:
    """A new empty project made with the store API."""
    from gis.store import Project

    path = tmp_path / "city.gpkg"
    Project.create(path).close()
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def drop_files(window, paths) -> None:
    """Drop ``paths`` onto the main window as a file manager would."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    pos = QPointF(window.width() / 2, window.height() / 2)
    with warnings.catch_warnings():       # PySide marks the only QDragEnterEvent constructor deprecated
        warnings.simplefilter("ignore", DeprecationWarning)
        enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier)
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    for event in (enter, drop):
        QApplication.sendEvent(window, event)
        assert event.isAccepted()


def click(qtbot, widget) -> None:
    """A left click in the middle of ``widget``."""
    qtbot.waitUntil(widget.isEnabled, timeout=30000)
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def choose(qtbot, combo, data) -> None:
    """Open ``combo``'s list and click the entry whose data is ``data``."""
    index = combo.findData(data)
    assert index >= 0, f"{combo.objectName()}: no entry {data!r}"
    combo.showPopup()
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=5000)
    model_index = view.model().index(index, 0)
    view.scrollTo(model_index)
    rect = view.visualRect(model_index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: combo.currentIndex() == index, timeout=5000)


def choose_text(qtbot, combo, text: str) -> None:
    """Open ``combo``'s list and click the entry showing ``text``."""
    choose(qtbot, combo, combo.itemData(combo.findText(text)))


def next_page(qtbot, wizard) -> None:
    """Click Next once the page allows it."""
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))


def answer_next_box(qtbot, button=QMessageBox.StandardButton.Yes, seen: list | None = None) -> None:
    """Answer the next modal message box with ``button`` (it is shown with exec(), so from a timer)."""
    def answer(box) -> None:
        if seen is not None:
            seen.append(box.text())
        box.button(button).click()

    when_modal(QMessageBox, answer, first_ms=50)


def start_wizard(qtbot, window, files):
    """Open the wizard by dropping ``files`` on the window; wait until it lists them."""
    drop_files(window, files)
    wizard = window.import_ui.wizard
    assert wizard is not None and wizard.isVisible()
    qtbot.waitUntil(lambda: len(wizard.files.sources()) == len(files) and not wizard.busy, timeout=30000)
    return wizard


def to_preview(qtbot, wizard, utility: str | None = "JS"):
    """Files page -> preview page (utility chosen); waits for the preview."""
    next_page(qtbot, wizard)
    page = wizard.columns
    qtbot.waitUntil(lambda: wizard.preview_plan is not None and not wizard.busy, timeout=60000)
    if utility is not None:
        choose(qtbot, page.form.utility, utility)
    return page


def to_checks(qtbot, wizard):
    """Preview page -> validation page; waits for the check."""
    next_page(qtbot, wizard)
    page = wizard.checks
    qtbot.waitUntil(lambda: page.plan is not None and not wizard.busy, timeout=60000)
    return page


def import_button(wizard):
    return wizard.button(QWizard.WizardButton.CommitButton)


def row_of(model, **wanted) -> int:
    """The model row of the problem with these attributes."""
    for i, p in enumerate(model.problems):
        if all(getattr(p, k) == v for k, v in wanted.items()):
            return i
    raise AssertionError(f"no problem {wanted} among {[str(p) for p in model.problems]}")


def double_click_row(qtbot, view, row: int) -> None:
    index = view.model().index(row, 2)
    view.scrollTo(index)
    pos = view.visualRect(index).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)



def close_wizard(qtbot, window, button=QWizard.WizardButton.CancelButton) -> None:
    """Click the wizard's Cancel (or Finish) and wait until the window has let go of it."""
    wizard = window.import_ui.wizard
    click(qtbot, wizard.button(button))
    qtbot.waitUntil(lambda: window.import_ui.wizard is None, timeout=5000)
