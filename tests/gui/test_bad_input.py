"""Bad project files give a one-line dialog, never a traceback, and are left byte-identical."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from app.gui import settings as st
from tests.gui.conftest import open_and_wait


def message_box(qtbot, timeout: int = 30000) -> QMessageBox:
    """Wait for the window's message box to show; return it."""
    found: list[QMessageBox] = []

    def visible_box() -> bool:
        found[:] = [w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.isVisible()]
        return bool(found)

    qtbot.waitUntil(visible_box, timeout=timeout)
    return found[0]


def _text_file(tmp: Path) -> Path:
    path = tmp / "notes.gpkg"
    path.write_text("this is not a database\n" * 20, encoding="utf-8")
    return path


def _plain_sqlite(tmp: Path) -> Path:
    path = tmp / "plain.gpkg"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (a)")
    con.commit()
    con.close()
    return path


def _foreign_gpkg(tmp: Path) -> Path:
    import geopandas as gpd
    from shapely.geometry import Point

    path = tmp / "other.gpkg"
    gpd.GeoDataFrame({"a": [1]}, geometry=[Point(0, 0)], crs="EPSG:4326").to_file(path, driver="GPKG")
    return path


def _newer_schema(tmp: Path) -> Path:
    from gis.store import Project

    path = tmp / "future.gpkg"
    Project.create(path).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE project_meta SET value = '999' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    return path


CASES = {
    "text file": (_text_file, "not a GeoPackage"),
    "plain sqlite": (_plain_sqlite, "not a GeoPackage"),
    "foreign geopackage": (_foreign_gpkg, "not a Subterra project"),
    "newer schema": (_newer_schema, "newer Subterra (schema version 999"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_file_dialog_and_file_unchanged(qtbot, window, tmp_path, case):
    make, expected = CASES[case]
    path = make(tmp_path)
    before = path.read_bytes()
    with qtbot.waitSignal(window.project_failed, timeout=30000) as blocker:
        assert window.open_project(str(path))
    box = message_box(qtbot)
    assert box.windowTitle() == "Cannot open project"
    assert expected in box.text() and str(path) in box.text()
    assert "Traceback" not in box.text() and "\n" not in box.text()
    assert blocker.args == [box.text()]
    box.close()
    assert path.read_bytes() == before
    assert window.project is None
    assert st.recent_files(window.settings) == []
    assert not list(tmp_path.glob("*.bak*"))


@pytest.fixture
def read_only(small_project):
    """The small project made read-only (immutable for root, who ignores file modes)."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(small_project)], check=True)
    else:
        small_project.chmod(0o444)
        small_project.parent.chmod(0o555)
    yield small_project
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(small_project)], check=True)
    else:
        small_project.parent.chmod(0o755)


def test_read_only_project_dialog(qtbot, window, read_only):
    before = read_only.read_bytes()
    with qtbot.waitSignal(window.project_failed, timeout=30000):
        window.open_project(str(read_only))
    box = message_box(qtbot)
    assert "read-only" in box.text() and str(read_only) in box.text()
    box.close()
    assert read_only.read_bytes() == before and window.project is None


def test_locked_project_dialog(qtbot, window, small_project):
    before = small_project.read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None);"
         " c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); sys.stdin.read()", str(small_project)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with qtbot.waitSignal(window.project_failed, timeout=30000):
            window.open_project(str(small_project))
        box = message_box(qtbot)
        assert "locked" in box.text() and str(small_project) in box.text()
        box.close()
    finally:
        holder.stdin.close()
        holder.wait(10)
    assert small_project.read_bytes() == before and window.project is None


def test_missing_file_is_dropped_from_recent(qtbot, window, small_project, tmp_path):
    open_and_wait(qtbot, window, small_project)
    gone = tmp_path / "gone.gpkg"
    st.add_recent(window.settings, str(gone))
    with qtbot.waitSignal(window.project_failed, timeout=30000):
        window.open_project(str(gone))
    box = message_box(qtbot)
    assert "no such file" in box.text()
    box.close()
    assert st.recent_files(window.settings) == [str(small_project)]
    assert window.project is not None and window.project.path == str(small_project)


def test_project_without_terrain_opens_with_a_warning(qtbot, window, small_project, tmp_path):
    import geopandas as gpd
    from shapely.geometry import LineString

    from gis.store import Project

    path = tmp_path / "bare.gpkg"
    with Project.create(path) as proj, proj.transaction() as txn:
        txn.insert("pipe_segments", gpd.GeoDataFrame(
            {"line_id": ["A-B"], "utility": ["RQ"], "diameter_mm": [200.0]},
            geometry=[LineString([(500000, 3450000, 1), (500050, 3450000, 1)])], crs=proj.crs))
    before = path.read_bytes()
    open_and_wait(qtbot, window, path)
    box = message_box(qtbot)
    assert box.icon() == QMessageBox.Icon.Warning
    assert "has no terrain" in box.text() and "--kind dem" in box.text()
    box.close()
    assert window.project.name == "bare"
    assert path.read_bytes() == before
