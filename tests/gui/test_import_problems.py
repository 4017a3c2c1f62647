"""The wizard's validation page: problems with their rows, the jump to a row, all-or-nothing,
skip-invalid with a rejects file, a cancelled commit, and a mapping change that fixes a problem."""
from __future__ import annotations

import threading

import pandas as pd
import pytest
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWizard

from gis.store import Project
from tests.gui.conftest import open_and_wait
from tests.gui.import_helpers import (JS_LINES, JS_POINTS, choose_text, click, double_click_row, fresh_project,
                                      import_button, row_of, sha256, start_wizard, to_checks, to_preview)

N_POINTS = 60
BAD_GROUND_ROW = 45          # beyond the 20 preview rows: the wizard reads the rows around it
DUPLICATE_ROW = 50
MISSING_END_ROW = 6


@pytest.fixture
def bad_pair(tmp_path):
    """A water point table of 60 points and its line table, with three faults."""
    points = ["物探点号,X,Y,地面高程,埋深"]
    for i in range(1, N_POINTS + 1):
        points.append(f"P{i},3464000.000,{557000 + 10 * i:.3f},4.200,1.10")
    points[BAD_GROUND_ROW - 1] = f"P{BAD_GROUND_ROW - 1},3464000.000,557440.000,abc,1.10"
    points[DUPLICATE_ROW - 1] = "P10,3464000.000,557490.000,4.200,1.10"
    lines = ["起点点号,终点点号,起点埋深,终点埋深,管径,材质"]
    for i in range(1, 9):
        lines.append(f"P{i},P{i + 1},1.10,1.10,DN300,球墨铸铁")
    lines[MISSING_END_ROW - 1] = "P5,P99,1.10,1.10,DN300,球墨铸铁"
    pts, lns = tmp_path / "points.csv", tmp_path / "lines.csv"
    pts.write_text("\n".join(points) + "\n", encoding="utf-8")
    lns.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return pts, lns


def shown_progress(wizard):
    """The wizard's progress dialog once it shows."""
    return next((d for d in wizard.findChildren(QProgressDialog) if d.isVisible()), None)


def opened(qtbot, window, tmp_path, files, monkeypatch):
    monkeypatch.setenv("SUBTERRA_LANG", "en")
    path = fresh_project(tmp_path)
    open_and_wait(qtbot, window, path)
    return path, start_wizard(qtbot, window, files)


def test_bad_file_lists_problems_with_rows_and_jumps_to_them(qtbot, window, tmp_path, bad_pair, monkeypatch):
    pts, lns = bad_pair
    _, wizard = opened(qtbot, window, tmp_path, bad_pair, monkeypatch)
    to_preview(qtbot, wizard)
    checks = to_checks(qtbot, wizard)
    model = checks.model
    bad = row_of(model, row=BAD_GROUND_ROW, column="地面高程")
    assert model.problems[bad].reason == "not a number" and model.problems[bad].value == "abc"
    dup = row_of(model, row=DUPLICATE_ROW, column="物探点号")
    assert "duplicate" in model.problems[dup].reason
    assert row_of(model, row=MISSING_END_ROW, column="终点点号") is not None
    assert model.index(bad, 2).data() == BAD_GROUND_ROW
    assert model.index(bad, 5).data() == "not a number"
    assert not import_button(wizard).isEnabled()              # all or nothing: problems block the import
    assert "Rejected rows: pipe points 3, pipe segments 1." in checks.summary.text()   # both P10 rows
    # sorting by row really sorts (numbers, not text)
    checks.table.sortByColumn(2, checks.table.horizontalHeader().sortIndicatorOrder().AscendingOrder)
    rows = [p.row for p in model.problems if p.file == str(pts)]
    assert rows == sorted(rows)
    # a double-click on the row-45 problem reads the rows around it and highlights the cell
    double_click_row(qtbot, checks.table, row_of(model, row=BAD_GROUND_ROW, column="地面高程"))
    preview = checks.preview
    qtbot.waitUntil(lambda: preview.highlighted == (BAD_GROUND_ROW, "地面高程"), timeout=30000)
    assert BAD_GROUND_ROW - 10 in preview.row_numbers and BAD_GROUND_ROW + 10 in preview.row_numbers
    assert preview.verticalHeaderItem(preview.currentRow()).text() == str(BAD_GROUND_ROW)
    assert preview.horizontalHeaderItem(preview.currentColumn()).text() == "地面高程"
    assert preview.currentItem().text() == "abc"
    assert preview.currentItem().background().color().name() == "#ffd666"
    # one in the line table's first rows shows that table
    double_click_row(qtbot, checks.table, row_of(model, row=MISSING_END_ROW, column="终点点号"))
    qtbot.waitUntil(lambda: preview.highlighted == (MISSING_END_ROW, "终点点号"), timeout=10000)
    assert preview.currentItem().text() == "P99"
    assert checks.preview_title.property("table") == str(lns)


def test_skip_invalid_writes_the_rejects_file_and_lands_the_rest(qtbot, window, tmp_path, bad_pair, monkeypatch):
    path, wizard = opened(qtbot, window, tmp_path, bad_pair, monkeypatch)
    to_preview(qtbot, wizard)
    checks = to_checks(qtbot, wizard)
    assert not import_button(wizard).isEnabled()
    click(qtbot, checks.skip)
    rejects = tmp_path / "out" / "rejected rows.csv"
    rejects.parent.mkdir()
    checks.rejects.clear()
    qtbot.keyClicks(checks.rejects, str(rejects))
    with qtbot.waitSignal(window.import_ui.views_refreshed, timeout=60000):
        click(qtbot, import_button(wizard))
    raw = rejects.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(rejects, encoding="utf-8-sig", dtype=str)
    assert list(frame.columns[:5]) == ["source_file", "row", "column", "value", "reason"]
    by_row = {(f.rsplit("/", 1)[-1], int(r)) for f, r in zip(frame["source_file"], frame["row"])}
    assert {("points.csv", BAD_GROUND_ROW), ("points.csv", DUPLICATE_ROW), ("lines.csv", MISSING_END_ROW)} <= by_row
    with Project.open(path, readonly=True) as proj:
        points, lines = proj.count("pipe_points"), proj.count("pipe_segments")
        log = proj.import_log()
    rejected_points = sum(1 for f, _ in by_row if f == "points.csv")
    assert points == N_POINTS - rejected_points > 0
    assert 0 < lines < 8
    assert log[-1]["rejected"] == len(frame)
    assert "rejected rows were written to" in wizard.done_page.summary.text()
    assert window.project.counts["pipe_points"] == points


def test_cancel_during_the_commit_writes_nothing(qtbot, window, tmp_path, monkeypatch):
    from gis.store.transaction import Transaction

    path, wizard = opened(qtbot, window, tmp_path, [JS_POINTS, JS_LINES], monkeypatch)
    to_preview(qtbot, wizard)
    to_checks(qtbot, wizard)
    before = sha256(path)
    inside, release = threading.Event(), threading.Event()
    real_insert = Transaction.insert

    def held_insert(self, layer, gdf, progress=None):
        inside.set()                     # the commit is inside its transaction now
        release.wait(30)
        return real_insert(self, layer, gdf, progress)

    monkeypatch.setattr(Transaction, "insert", held_insert)
    click(qtbot, import_button(wizard))
    qtbot.waitUntil(inside.is_set, timeout=30000)
    qtbot.waitUntil(lambda: shown_progress(wizard) is not None, timeout=10000)
    click(qtbot, shown_progress(wizard).findChild(QPushButton))
    release.set()
    qtbot.waitUntil(lambda: not wizard.busy, timeout=30000)
    assert wizard.checks.message.text() == "Import cancelled: nothing was written."
    assert wizard.currentPage() is wizard.checks
    assert sha256(path) == before
    with Project.open(path, readonly=True) as proj:
        assert proj.import_log() == [] and proj.count("pipe_points") == 0


def test_mapping_the_depth_columns_fixes_the_missing_depth_problems(qtbot, window, tmp_path, monkeypatch):
    pts, lns = tmp_path / "pts.csv", tmp_path / "lns.csv"
    frame = pd.read_csv(JS_POINTS, dtype=str, keep_default_na=False).drop(columns=["埋深"])
    frame.to_csv(pts, index=False)
    lns.write_text(JS_LINES.read_text(encoding="utf-8").replace("起点埋深", "起深").replace("终点埋深", "终深"),
                   encoding="utf-8")
    _, wizard = opened(qtbot, window, tmp_path, [pts, lns], monkeypatch)
    to_preview(qtbot, wizard)
    checks = to_checks(qtbot, wizard)
    assert checks.model.problems and {p.file for p in checks.model.problems} == {str(lns)}
    assert all("no depth" in p.reason for p in checks.model.problems)
    assert not import_button(wizard).isEnabled()
    click(qtbot, wizard.button(QWizard.WizardButton.BackButton))
    lines_tab = wizard.columns.tab_for(str(lns))
    assert lines_tab.mapping.combos["start_depth"].currentData() == ""
    choose_text(qtbot, lines_tab.mapping.combos["start_depth"], "起深")
    choose_text(qtbot, lines_tab.mapping.combos["end_depth"], "终深")
    checks = to_checks(qtbot, wizard)
    assert checks.model.problems == []
    assert import_button(wizard).isEnabled()
    assert wizard.options().table_mapping == {str(lns): {"start_depth": "起深", "end_depth": "终深"}}
