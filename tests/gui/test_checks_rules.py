"""Analysis > Load rule table…: validated by the core's loader, errors in a dialog, the choice remembered."""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox

from tests.gui.checks_support import run_clearance
from tests.gui.conftest import make_window, open_and_wait

HEADER = "rule_id,kind,a,b,min_m,source,confidence,note\n"


def choose_file(monkeypatch, path) -> None:
    """The file dialog answers ``path`` (a real dialog cannot be driven under Xvfb)."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def error_box(win) -> QMessageBox | None:
    box = win.findChild(QMessageBox, "checkErrorBox")
    return box if box is not None and box.isVisible() else None


def test_a_bad_rule_file_shows_a_clear_error_and_changes_nothing(qtbot, monkeypatch, checks_window, tmp_path):
    win = checks_window
    before = win.checks.panel.rules_label.text()
    bad = tmp_path / "城市规则.csv"
    bad.write_text(HEADER + "X1,horizontal,PS,PIPEX,1.0,my notes,verified,\n"
                            "X2,vertical,PS,JS,-0.4,my notes,verified,\n", encoding="utf-8")
    choose_file(monkeypatch, bad)
    win.checks.act_load_rules.trigger()
    qtbot.waitUntil(lambda: error_box(win) is not None, timeout=30000)
    box = error_box(win)
    assert box.windowTitle() == "Cannot use this rule table"
    assert box.text().startswith(f"{bad}, row 2, column b: unknown class 'PIPEX'")
    assert "and 1 more problems" in box.text()
    assert f"{bad}, row 3, column min_m: negative distance (value '-0.4')" in box.detailedText()
    assert "Traceback" not in box.text() + box.detailedText()
    box.accept()
    assert win.checks.rules_file is None and not win.settings.value("checks/rules_file")
    assert win.checks.panel.rules_label.text() == before


def test_a_user_rule_table_is_shown_marked_and_remembered(qtbot, qapp, monkeypatch, checks_window, tmp_path,
                                                          demo_copy):
    win = checks_window
    good = tmp_path / "city.csv"
    good.write_text(HEADER + "C1,horizontal,PS,JS,2.0,city rule 12,verified,\n"
                             "C2,vertical,PS,JS,0.5,from memory,unverified,\n", encoding="utf-8")
    choose_file(monkeypatch, good)
    win.checks.act_load_rules.trigger()
    qtbot.waitUntil(lambda: win.checks.rules_file == str(good) and not win.runner.busy, timeout=30000)
    panel = win.checks.panel
    assert f"Rule table: {good}" in panel.rules_label.text()
    rows = {panel.rules_table.item(r, 0).text(): r for r in range(panel.rules_table.rowCount())}
    assert "C1" in rows and "C2" in rows and "H-PS-JS2" not in rows      # horizontal/vertical rows replaced
    assert panel.rules_table.item(rows["C2"], 5).text() == "⚠ unverified"
    assert panel.rules_table.item(rows["C1"], 5).text() == "verified"
    assert panel.rules_table.item(rows["C2"], 5).background().color().name() == "#fde0dd"
    unverified = sum(panel.rules_table.item(r, 5).text().startswith("⚠") for r in range(panel.rules_table.rowCount()))
    assert f"⚠ {unverified} rows not verified" in panel.rules_label.text()
    # checks use it: the user's rows replace the built-in horizontal and vertical rows
    result = run_clearance(qtbot, win)
    rule_ids = result.findings["rule_id"].dropna().astype(str)
    assert (rule_ids == "C1").any() and not rule_ids.str.match(r"^[HV]-").any()
    assert (result.findings.loc[rule_ids.index[rule_ids == "C1"], "required_m"] == 2.0).all()
    assert result.summary["rules"][-1] == str(good)
    # remembered: a new window shows it once a project is open
    win.save_settings()
    again = make_window(qtbot, qapp, language=None)
    open_and_wait(qtbot, again, demo_copy)
    qtbot.waitUntil(lambda: f"Rule table: {good}" in again.checks.panel.rules_label.text(), timeout=30000)
    assert again.checks.rules_file == str(good)
