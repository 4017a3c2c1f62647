"""The Import wizard on a fresh project, driven with clicks on its real widgets and real files."""
from __future__ import annotations

import numpy as np
import shapely
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from gis.utilities import UTILITIES
from tests.gui.conftest import near_colour, open_and_wait, screen_pos, vtk_widget
from tests.gui.import_helpers import (JS_LINES, JS_POINTS, click, close_wizard, fresh_project, import_button,
                                      start_wizard, to_checks, to_preview)


def test_good_survey_pair_lands_in_both_views_and_the_panel(qtbot, window, tmp_path, monkeypatch):
    monkeypatch.setenv("SUBTERRA_LANG", "en")
    path = fresh_project(tmp_path)
    open_and_wait(qtbot, window, path)
    window.act_ground[-1].trigger()
    before = window.view3d.grab_image()
    assert near_colour(before, UTILITIES["JS"].rgb) == 0
    wizard = start_wizard(qtbot, window, [JS_POINTS, JS_LINES])
    assert wizard.kind() == "survey"
    assert wizard.files.roles() == {str(JS_POINTS): "points", str(JS_LINES): "lines"}
    page = to_preview(qtbot, wizard)
    assert page.tabs.count() == 2
    points_tab = page.tab_for(str(JS_POINTS))
    assert points_tab.mapping.combos["point_id"].currentText() == "物探点号"
    assert points_tab.preview.row_numbers[:2] == [2, 3]
    checks = to_checks(qtbot, wizard)
    assert not checks.model.problems
    assert "pipe points 6" in checks.summary.text() and "pipe segments 5" in checks.summary.text()
    with qtbot.waitSignal(window.import_ui.views_refreshed, timeout=60000):
        click(qtbot, import_button(wizard))
    assert "Import 1 landed" in wizard.done_page.summary.text()
    for view in window.views():
        ids = set(view.stage.scene.layers["pipe_segments"].ids)
        assert ids == {"JS1-JS2", "JS2-JS3", "JS3-JS4", "JS3-JS5", "JS5-JS6"}
    after = window.view3d.grab_image()
    assert near_colour(after, UTILITIES["JS"].rgb) > 100
    assert window.layer_tree.item("layer", "pipe_segments").text(0) == "pipe segments  (5)"
    # click the imported pipe JS1-JS2 in the 3D view: the panel shows its Chinese attributes
    geom = window.project.frames["pipe_segments"].loc["JS1-JS2"].geometry
    mid = shapely.line_interpolate_point(geom, 0.5, normalized=True)
    z = float(np.mean(shapely.get_coordinates(geom, include_z=True)[:, 2]))
    view = window.view3d
    # the pixels where the pipe is drawn changed from background to the water-supply colour
    at = screen_pos(view, mid.x, mid.y, z)
    patch = (slice(max(at.y() - 3, 0), at.y() + 4), slice(max(at.x() - 3, 0), at.x() + 4))
    assert near_colour(after[patch], UTILITIES["JS"].rgb) > 0
    assert near_colour(before[patch], UTILITIES["JS"].rgb) == 0 and (before[patch] != after[patch]).any()
    with qtbot.waitSignal(view.picked, timeout=5000) as sig:
        qtbot.mouseClick(vtk_widget(view), Qt.MouseButton.LeftButton, pos=screen_pos(view, mid.x, mid.y, z))
    assert sig.args == ["pipe_segments", "JS1-JS2"]
    assert window.attributes.value("material") == "球墨铸铁"
    assert window.attributes.value("owner") == "市自来水公司"
    assert window.attributes.value("road") == "人民路"
    close_wizard(qtbot, window, QWizard.WizardButton.FinishButton)
