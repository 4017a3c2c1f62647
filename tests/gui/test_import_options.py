"""Import wizard options: Ctrl+I and Add files, remembered folder and options, the importer override,
the source-CRS chooser (refuses to guess), a GIS file and a model, problems in Chinese."""
from __future__ import annotations

import numpy as np
import pytest
from affine import Affine
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QWizard

from gis.store import Project
from tests.conftest import DATA
from tests.gui.conftest import make_window, open_and_wait, press
from tests.gui.import_helpers import (JS_LINES, JS_POINTS, choose, click, close_wizard, fresh_project, import_button,
                                      next_page, start_wizard, to_checks, to_preview)

GIS = DATA / "import" / "gis"
MODELS = DATA / "import" / "models"


def test_ctrl_i_add_files_and_remembered_folder_and_options(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTERRA_LANG", "en")
    open_and_wait(qtbot, window, fresh_project(tmp_path))
    offered = []

    def pick(parent, title, folder, filters):
        offered.append((folder, filters))
        return [str(JS_POINTS), str(JS_LINES)], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(pick))
    press(qtbot, window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.import_ui.wizard is not None and window.import_ui.wizard.isVisible(), timeout=5000)
    wizard = window.import_ui.wizard
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    click(qtbot, wizard.files.add_button)
    qtbot.waitUntil(lambda: len(wizard.files.sources()) == 2 and not wizard.busy, timeout=30000)
    assert "pipe survey tables (*.csv *.xlsx *.xls *.ods)" in offered[0][1]
    combo = wizard.files.kind_combos[str(JS_POINTS)]
    assert combo.currentText() == "pipe survey tables (detected)"
    assert combo.count() == 5                       # every importer of the registry
    page = to_preview(qtbot, wizard, utility="JS")
    choose(qtbot, page.form.depth_unit, "cm")
    choose(qtbot, page.form.depth_unit, "m")
    checks = to_checks(qtbot, wizard)
    assert not checks.model.problems
    close_wizard(qtbot, window)
    # the next wizard opens in the folder of the last files and with the options of the last survey import
    press(qtbot, window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.import_ui.wizard is not None and window.import_ui.wizard.isVisible(),
                    timeout=5000)
    again = window.import_ui.wizard
    click(qtbot, again.files.add_button)
    assert offered[1][0] == str(JS_POINTS.parent)
    qtbot.waitUntil(lambda: len(again.files.sources()) == 2 and not again.busy, timeout=30000)
    page = to_preview(qtbot, again, utility=None)
    assert page.form.utility.currentData() == "JS"
    close_wizard(qtbot, window)


def test_importer_override_and_table_roles(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTERRA_LANG", "en")
    open_and_wait(qtbot, window, fresh_project(tmp_path))
    wizard = start_wizard(qtbot, window, [JS_POINTS, GIS / "pipes_wkt.csv"])
    files = wizard.files
    assert files.kind_combos[str(GIS / "pipes_wkt.csv")].currentData() == "gis"
    assert files.message.text() == "The files need different importers: import them one kind at a time."
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    # read the WKT file as a survey table: it has no point/line headers, so its role must be chosen
    choose(qtbot, files.kind_combos[str(GIS / "pipes_wkt.csv")], "survey")
    assert files.kind() == "survey"
    assert files.message.text() == f"Choose whether {GIS / 'pipes_wkt.csv'} is a point table or a line table."
    role = files.role_combos[str(GIS / "pipes_wkt.csv")]
    choose(qtbot, role, "lines")
    assert files.roles() == {str(JS_POINTS): "points", str(GIS / "pipes_wkt.csv"): "lines"}
    assert wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    # swapping the roles is passed on to the importer
    choose(qtbot, files.role_combos[str(JS_POINTS)], "lines")
    page = to_preview(qtbot, wizard)
    assert {t.role for t in wizard.preview_plan.tables} == {"lines"}
    assert page.tab_for(str(JS_POINTS)).info.text().startswith("Line table")
    close_wizard(qtbot, window)


def test_gis_file_without_crs_needs_a_chosen_crs_and_lands(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTERRA_LANG", "en")
    path = fresh_project(tmp_path)
    with Project.open(path) as proj:          # a flat DEM gives the 2D lines' depths their ground
        proj.set_terrain(np.full((10, 10), 4.0), Affine(20.0, 0, 556950.0, 0, -20.0, 3464300.0), "test")
    open_and_wait(qtbot, window, path)
    wizard = start_wizard(qtbot, window, [GIS / "pipes_wkt.csv"])
    page = to_preview(qtbot, wizard, utility=None)
    crs = page.form.crs
    assert crs.combo.currentText() == "— choose the source CRS —"
    assert "does not guess" in crs.status.text()
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    assert page.tab_for(str(GIS / "pipes_wkt.csv")).preview.cell_text(2, "line_id") == "R1"
    assert [crs.combo.itemData(i) for i in range(1, 4)] == ["EPSG:4549", "EPSG:4490", "EPSG:4528"]
    choose(qtbot, crs.combo, "other")
    qtbot.keyClicks(crs.edit, "EPSG:99999")
    assert crs.status.text() == "Not a CRS: EPSG:99999"
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    crs.edit.clear()
    qtbot.keyClicks(crs.edit, "EPSG:4549")
    assert crs.status.text() == "CGCS2000 / 3-degree Gauss-Kruger CM 120E"
    choose(qtbot, page.form.layer, "pipe_segments")
    click(qtbot, page.refresh_button)
    qtbot.waitUntil(lambda: not wizard.busy, timeout=30000)
    checks = to_checks(qtbot, wizard)
    assert wizard.options().src_crs == "EPSG:4549"
    assert not checks.model.problems
    with qtbot.waitSignal(window.import_ui.views_refreshed, timeout=60000):
        click(qtbot, import_button(wizard))
    assert set(window.view3d.stage.scene.layers["pipe_segments"].ids) == {"R1", "R2"}
    with Project.open(path, readonly=True) as proj:
        assert "EPSG:4549" not in proj.import_log()[0]["warnings"]       # same CRS: nothing reprojected
        assert proj.count("pipe_segments") == 2
    close_wizard(qtbot, window, QWizard.WizardButton.FinishButton)


def test_geojson_offers_its_own_crs_and_a_model_needs_one(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTERRA_LANG", "en")
    path = fresh_project(tmp_path)
    open_and_wait(qtbot, window, path)
    wizard = start_wizard(qtbot, window, [GIS / "hydrants.geojson"])
    page = to_preview(qtbot, wizard, utility=None)
    assert page.form.crs.combo.currentText().startswith("From the file: WGS 84")
    assert page.form.crs.value() == (True, None)
    choose(qtbot, page.form.layer, "pipe_points")
    checks = to_checks(qtbot, wizard)
    assert not checks.model.problems
    assert any("reprojected" in checks.warnings.item(i).text() for i in range(checks.warnings.count()))
    with qtbot.waitSignal(window.import_ui.views_refreshed, timeout=60000):
        click(qtbot, import_button(wizard))
    # hydrants are no wells: the 3D view has no cylinders for them, the map symbolises them (read on a worker)
    symbols = window.map2d.symbols
    qtbot.waitUntil(lambda: symbols.points is not None and set(symbols.points.ids) == {"XF1", "XF2"}, timeout=30000)
    close_wizard(qtbot, window, QWizard.WizardButton.FinishButton)
    model = start_wizard(qtbot, window, [MODELS / "district_si.inp"])
    assert model.kind() == "epanet"
    next_page(qtbot, model)
    qtbot.waitUntil(lambda: model.preview_plan is not None and not model.busy, timeout=60000)
    form = model.columns.form
    assert form.crs.value() == (False, None)
    assert not model.button(QWizard.WizardButton.NextButton).isEnabled()
    assert model.columns.message.text().endswith("a hydraulic model has no CRS; give --src-crs")
    choose(qtbot, form.crs.combo, "EPSG:4549")
    click(qtbot, model.columns.refresh_button)
    qtbot.waitUntil(lambda: not model.busy and bool(model.preview_plan.tables), timeout=60000)
    assert not model.columns.tab_for(model.preview_plan.tables[0].file).mapping.isEnabled()
    close_wizard(qtbot, window)


@pytest.mark.parametrize("lang", ["zh_CN"])
def test_problems_are_worded_in_the_ui_language(qtbot, qapp, tmp_path, monkeypatch, lang):
    monkeypatch.setenv("SUBTERRA_LANG", "en")
    win = make_window(qtbot, qapp, lang)
    open_and_wait(qtbot, win, fresh_project(tmp_path))
    bad = tmp_path / "pts.csv"
    bad.write_text(JS_POINTS.read_text(encoding="utf-8").replace("4.180", "abc"), encoding="utf-8")
    assert win.import_ui.act_import.text() == "导入(&I)……"
    wizard = start_wizard(qtbot, win, [bad, JS_LINES])
    to_preview(qtbot, wizard)
    checks = to_checks(qtbot, wizard)
    reasons = {p.reason for p in checks.model.problems}
    assert "不是数字" in reasons
    assert checks.model.headerData(5, Qt.Orientation.Horizontal) == "原因"
    assert checks.model.index(0, 0).data() == "被拒绝的行"
    close_wizard(qtbot, win)
    with Project.open(win.project.path, readonly=True) as proj:
        assert proj.import_log() == []


def test_a_dem_is_stored_as_the_terrain_and_shown(qtbot, window, tmp_path, monkeypatch):
    from tests.test_render_import_dem import write_dem

    monkeypatch.setenv("SUBTERRA_LANG", "en")
    path = fresh_project(tmp_path)
    open_and_wait(qtbot, window, path)
    assert window.view3d.stage.scene.ground is None
    dem = write_dem(tmp_path / "ground.tif", "EPSG:4549", (557000.0, 3464300.0), 10.0, np.full((20, 20), 4.5))
    wizard = start_wizard(qtbot, window, [dem])
    assert wizard.kind() == "dem"
    next_page(qtbot, wizard)
    assert wizard.columns.message.text().startswith("A DEM is stored as the project's terrain")
    assert wizard.columns.form.crs.value() == (True, None)
    next_page(qtbot, wizard)
    assert wizard.checks.summary.text() == "ground.tif will be stored as the project's terrain."
    with qtbot.waitSignal(window.import_ui.views_refreshed, timeout=60000):
        click(qtbot, import_button(wizard))
    assert "terrain 400" in wizard.done_page.summary.text()
    assert window.project.has_terrain
    for view in window.views():
        assert view.stage.scene.ground is not None
    close_wizard(qtbot, window, QWizard.WizardButton.FinishButton)
