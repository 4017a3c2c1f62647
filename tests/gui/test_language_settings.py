"""Language switching, remembered settings, recent files, new-project dialog, shortcuts."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QPushButton

from app.gui import i18n, settings as st
from app.gui.dialogs import NewProjectDialog
from tests.gui.conftest import make_window, open_and_wait, press, when_modal


def menu_titles(win) -> list[str]:
    return [a.text() for a in win.menuBar().actions()]


def test_language_switch_changes_texts_live_and_is_remembered(qtbot, qapp, window, small_project):
    open_and_wait(qtbot, window, small_project)
    window.view3d.picked.emit("pipe_segments", "JS1-JS2")
    assert menu_titles(window) == ["&File", "&View", "&Analysis", "&GNSS / Survey", "&Map", "&Language", "&Help"]
    assert window.act_open.text() == "&Open project…"
    window.act_lang["zh_CN"].trigger()
    assert menu_titles(window) == ["文件(&F)", "视图(&V)", "分析(&A)", "GNSS / 测量(&G)", "地图(&M)", "语言(&L)", "帮助(&H)"]
    assert window.act_open.text() == "打开工程(&O)…"
    assert window.dock_layers.windowTitle() == "图层"
    assert window.layer_tree.item("family", "pipelines").text(0) == "管线"
    assert window.layer_tree.item("utility", "JS").text(0).startswith("JS 给水")
    assert window.layer_tree.item("layer", "pipe_segments").text(0).startswith("管线段")
    labels = [window.attributes.table.item(r, 0).text() for r in range(window.attributes.table.rowCount())]
    assert "管线编号" in labels and "管径 (mm)" in labels
    assert window.datum_label.text() == "高程：1985 National Height Datum"
    assert window.settings.value(st.KEY_LANGUAGE) == "zh_CN"
    # Qt's own strings follow (standard buttons of message boxes).
    box = QMessageBox(QMessageBox.Icon.Information, "t", "t", QMessageBox.StandardButton.Cancel)
    assert box.button(QMessageBox.StandardButton.Cancel).text() == "取消"
    window.close()
    i18n.set_language("en")
    again = make_window(qtbot, qapp, language=None)
    assert i18n.language() == "zh_CN"
    assert menu_titles(again) == ["文件(&F)", "视图(&V)", "分析(&A)", "GNSS / 测量(&G)", "地图(&M)", "语言(&L)", "帮助(&H)"]
    assert again.act_lang["zh_CN"].isChecked()
    again.act_lang["en"].trigger()
    assert menu_titles(again) == ["&File", "&View", "&Analysis", "&GNSS / Survey", "&Map", "&Language", "&Help"]


def test_system_locale_decides_the_default_language():
    assert i18n.system_language("zh_CN") == "zh_CN"
    assert i18n.system_language("zh_TW") == "zh_CN"
    assert i18n.system_language("en_US") == "en"
    assert i18n.system_language("C") == "en"


def test_recent_files_persist_and_reopen(qtbot, qapp, window, small_project, tmp_path):
    open_and_wait(qtbot, window, small_project)
    assert st.recent_files(window.settings) == [str(small_project)]
    window.close()
    # A second process would read the same INI file.
    reread = st.open_settings()
    assert st.recent_files(reread) == [str(small_project)]
    assert reread.value(st.KEY_LAST_DIR) == str(tmp_path)
    again = make_window(qtbot, qapp)
    entries = [a for a in again.menu_recent.actions() if a.data()]
    assert [a.data() for a in entries] == [str(small_project)]
    with qtbot.waitSignal(again.project_loaded, timeout=60000):
        entries[0].trigger()
    assert again.project.path == str(small_project)
    again.act_clear_recent.trigger()
    assert st.recent_files(again.settings) == []
    assert not [a for a in again.menu_recent.actions() if a.data()]


def test_recent_list_is_deduplicated_and_capped(isolated_settings):
    s = st.open_settings()
    for i in range(st.MAX_RECENT + 3):
        st.add_recent(s, f"/p/{i}.gpkg")
    st.add_recent(s, "/p/5.gpkg")
    items = st.recent_files(s)
    assert items[0] == "/p/5.gpkg" and len(items) == st.MAX_RECENT
    assert items.count("/p/5.gpkg") == 1
    assert isolated_settings.exists()


def test_window_geometry_is_restored(qtbot, qapp, window):
    window.resize(1111, 777)
    window.dock_attributes.hide()
    window.close()
    again = make_window(qtbot, qapp)
    assert (again.width(), again.height()) == (1111, 777)
    assert not again.dock_attributes.isVisible()


def test_new_project_dialog_defaults_to_epsg_4549(qtbot, window, tmp_path):
    target = tmp_path / "新工程.gpkg"
    window.settings.setValue(st.KEY_LAST_DIR, str(tmp_path))
    seen = {}

    def fill(dlg) -> None:
        """Fill the dialog in and press OK."""
        seen["crs"] = dlg.crs_edit.text()
        seen["datum"] = dlg.datum_edit.text()
        dlg.path_edit.setText(str(target))        # QTest cannot type CJK characters
        dlg.datum_edit.selectAll()
        qtbot.keyClicks(dlg.datum_edit, "Wusong")
        dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()

    when_modal(NewProjectDialog, fill)
    with qtbot.waitSignal(window.project_loaded, timeout=60000):
        window.act_new.trigger()
    assert seen == {"crs": "EPSG:4549", "datum": "1985 National Height Datum"}
    assert target.exists()
    assert window.project.name == "新工程"
    assert window.datum_label.text() == "Heights: Wusong"
    assert "CGCS2000 / 3-degree Gauss-Kruger CM 120E" in window.windowTitle()
    from gis.store import Project

    with Project.open(target, readonly=True) as proj:
        assert proj.crs.to_epsg() == 4549


def test_open_dialog_action_uses_the_chosen_file(qtbot, window, small_project, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    asked = {}

    def choose(parent, caption, folder, filt):
        asked.update(caption=caption, filter=filt)
        return str(small_project), filt

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(choose))
    with qtbot.waitSignal(window.project_loaded, timeout=60000):
        window.act_open.trigger()
    assert asked == {"caption": "Open project", "filter": "GeoPackage (*.gpkg)"}
    assert window.project.path == str(small_project)


def test_shortcuts():
    from app.gui.main_window import MainWindow

    wanted = {"act_new": "Ctrl+N", "act_open": "Ctrl+O", "act_quit": "Ctrl+Q", "act_reset": "F5",
              "act_toggle_mode": "Ctrl+T", "act_about": "F1", "act_close": "Ctrl+W"}
    win = MainWindow(st.open_settings())
    try:
        for attr, key in wanted.items():
            assert getattr(win, attr).shortcut().toString() == key
    finally:
        win.deleteLater()


def test_f5_resets_both_views(qtbot, window, small_project):
    open_and_wait(qtbot, window, small_project)
    cams = [v.renderer.GetActiveCamera() for v in window.views()]
    fitted = [(c.GetPosition(), c.GetParallelScale()) for c in cams]
    for cam in cams:
        cam.Zoom(4.0)
        cam.Azimuth(30.0)
    assert [(c.GetPosition(), c.GetParallelScale()) for c in cams] != fitted
    press(qtbot, window, Qt.Key.Key_F5)
    for cam, (pos, scale) in zip(cams, fitted):
        assert cam.GetPosition() == pytest.approx(pos) and cam.GetParallelScale() == pytest.approx(scale)


def test_about_box_names_the_app(qtbot, window):
    seen = {}

    def close_box(box) -> None:
        """Note the About box's texts, close it."""
        seen.update(title=box.windowTitle(), text=box.text())
        box.findChild(QPushButton).click()

    when_modal(QMessageBox, close_box)
    press(qtbot, window, Qt.Key.Key_F1)
    assert seen["title"] == "About Subterra" and "<h3>Subterra" in seen["text"]
