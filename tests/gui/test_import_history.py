"""Import history: the log of a project, Revert from the dialog, and re-importing a file asks first."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from PySide6.QtWidgets import QMessageBox

from gis.store import Project
from tests.gui.conftest import open_and_wait
from tests.gui.import_helpers import (JS_LINES, JS_POINTS, answer_next_box, click, close_wizard, fresh_project,
                                      import_button, start_wizard, to_checks, to_preview)


def import_pair(qtbot, window):
    wizard = start_wizard(qtbot, window, [JS_POINTS, JS_LINES])
    to_preview(qtbot, wizard)
    to_checks(qtbot, wizard)
    with qtbot.waitSignal(window.import_ui.views_refreshed, timeout=60000):
        click(qtbot, import_button(wizard))
    close_wizard(qtbot, window, QWizard.WizardButton.FinishButton)
    return wizard


def test_revert_from_the_history_dialog_removes_the_features(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTERRA_LANG", "en")
    path = fresh_project(tmp_path)
    open_and_wait(qtbot, window, path)
    import_pair(qtbot, window)
    assert "pipe_segments" in window.view3d.stage.scene.layers
    window.menu_file.aboutToShow.emit()
    assert window.import_ui.act_history.isEnabled()
    window.import_ui.act_history.trigger()
    dialog = window.import_ui.history
    table = dialog.table
    qtbot.waitUntil(lambda: table.rowCount() == 1, timeout=30000)
    assert table.item(0, 0).text() == "1"
    assert table.item(0, 3).text() == "js_points.csv, js_lines.csv"
    assert table.item(0, 4).text() == "pipe points 6, pipe segments 5"
    assert table.item(0, 6).text() == ""
    assert not dialog.revert_button.isEnabled()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=table.visualItemRect(table.item(0, 1)).center())
    assert dialog.revert_button.isEnabled()
    asked = []
    answer_next_box(qtbot, seen=asked)
    with qtbot.waitSignal(window.import_ui.views_refreshed, timeout=60000):
        click(qtbot, dialog.revert_button)
    assert "import 1" in asked[0]
    for view in window.views():
        assert "pipe_segments" not in view.stage.scene.layers and "pipe_points" not in view.stage.scene.layers
    assert window.layer_tree.item("layer", "pipe_segments").text(0) == "pipe segments"
    with Project.open(path, readonly=True) as proj:
        assert proj.count("pipe_segments") == 0 and proj.count("pipe_points") == 0
        assert proj.import_log()[0]["reverted"]
    qtbot.waitUntil(lambda: table.item(0, 6) is not None and table.item(0, 6).text() != "", timeout=30000)
    table.selectRow(0)
    assert not dialog.revert_button.isEnabled()          # already reverted


def test_reimporting_a_file_shows_the_core_warning_and_asks_before_forcing(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTERRA_LANG", "en")
    path = fresh_project(tmp_path)
    open_and_wait(qtbot, window, path)
    import_pair(qtbot, window)
    with Project.open(path) as proj, proj.transaction() as txn:     # the features were edited away since
        txn.delete_where("pipe_segments", "import_id", 1)
        txn.delete_where("pipe_points", "import_id", 1)
    wizard = start_wizard(qtbot, window, [JS_POINTS, JS_LINES])
    to_preview(qtbot, wizard)
    checks = to_checks(qtbot, wizard)
    warnings = [checks.warnings.item(i).text() for i in range(checks.warnings.count())]
    assert any("was already imported (import 1)" in w for w in warnings)
    asked = []
    answer_next_box(qtbot, button=QMessageBox.StandardButton.No, seen=asked)
    click(qtbot, import_button(wizard))
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=10000)
    assert "already imported" in asked[0]
    assert wizard.currentPage() is checks
    answer_next_box(qtbot, seen=asked)
    with qtbot.waitSignal(window.import_ui.views_refreshed, timeout=60000):
        click(qtbot, import_button(wizard))
    assert "Import 2 landed" in wizard.done_page.summary.text()
    with Project.open(path, readonly=True) as proj:
        log = proj.import_log()
        assert [r["fid"] for r in log] == [1, 2] and "importing it again" in log[1]["warnings"]
        assert proj.count("pipe_segments") == 5
