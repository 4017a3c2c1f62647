"""GUI test fixtures: isolated settings, a main window, small projects on disk."""
from __future__ import annotations

import numpy as np
import pytest

from app.gui import i18n
from app.gui import settings as st


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every test gets its own settings INI and starts (and leaves Qt) in English."""
    from PySide6.QtWidgets import QApplication

    from app.gui.main import apply_language

    monkeypatch.setenv(st.SETTINGS_ENV, str(tmp_path / "settings.ini"))
    i18n.set_language("en")
    yield tmp_path / "settings.ini"
    if QApplication.instance() is not None:
        apply_language(QApplication.instance(), "en")
    i18n.set_language("en")


def make_window(qtbot, qapp, language: str | None = "en"):
    """A shown main window with isolated settings, its views created (language None: as saved)."""
    from app.gui.main import configure_application
    from app.gui.main_window import MainWindow

    settings = st.open_settings()
    if language is not None:
        settings.setValue(st.KEY_LANGUAGE, language)
    configure_application(qapp, settings)
    win = MainWindow(settings)
    qtbot.addWidget(win)
    with qtbot.waitExposed(win):
        win.show()
    activate(qtbot, win)
    qtbot.waitUntil(lambda: win.map2d is not None, timeout=30000)
    return win


@pytest.fixture
def window(qtbot, qapp):
    """The main window in English."""
    return make_window(qtbot, qapp)


def open_and_wait(qtbot, win, path: str, timeout: int = 60000) -> None:
    """Open ``path`` in ``win`` and wait until it is shown."""
    with qtbot.waitSignal(win.project_loaded, timeout=timeout):
        assert win.open_project(str(path))


def pipes_project(path, segments: dict, points: dict, cells: int, corner: tuple[float, float]):
    """Write a project at ``path`` and return the path.

    ``segments`` / ``points``: pipe_segments / pipe_points columns with a
    "geometry" list; the ground is flat at 4 m, ``cells`` x ``cells`` cells
    of 10 m from the top-left ``corner``.
    """
    import geopandas as gpd
    from affine import Affine

    from gis.store import Project

    proj = Project.create(path)
    with proj.transaction() as txn:
        txn.insert("pipe_segments", gpd.GeoDataFrame(segments, crs=proj.crs))
        txn.insert("pipe_points", gpd.GeoDataFrame(points, crs=proj.crs))
    proj.set_terrain(np.full((cells, cells), 4.0), Affine(10.0, 0, corner[0], 0, -10.0, corner[1]), "test")
    proj.close()
    return path


@pytest.fixture
def small_project(tmp_path):
    """A project with three pipes of three utilities, one pipe point and a flat terrain."""
    from shapely.geometry import LineString, Point

    x0, y0 = 500000.0, 3450000.0
    segs = {
        "line_id": ["JS1-JS2", "WS1-WS2", "DL1-DL2"],
        "utility": ["JS", "PS", "DL"], "subtype": [None, "WS", None],
        "diameter_mm": [300.0, 600.0, None], "width_mm": [None, None, 800.0],
        "height_mm": [None, None, 500.0], "material": ["球墨铸铁", "钢筋混凝土", "PVC"],
        "geometry": [LineString([(x0, y0 + 10 * i, 2.0 - i), (x0 + 100, y0 + 10 * i, 2.0 - i)]) for i in range(3)]}
    points = {"point_id": ["JS1"], "utility": ["JS"], "ground_elev": [4.0], "appurtenance": ["阀门"],
              "geometry": [Point(x0, y0, 4.0)]}
    return pipes_project(tmp_path / "small.gpkg", segs, points, 20, (x0 - 50, y0 + 150))


def when_modal(cls, act, first_ms: int = 0, every_ms: int = 50) -> None:
    """Call ``act(widget)`` once the active modal widget is a ``cls`` (Qt timers poll for it: exec() blocks)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, cls):
            act(widget)
        else:
            QTimer.singleShot(every_ms, poll)

    QTimer.singleShot(first_ms, poll)


def vtk_widget(view):
    """The VTK render-window widget inside a view (where mouse events go)."""
    from vtkmodules.qt.QVTKRenderWindowInteractor import QVTKRenderWindowInteractor

    return view.findChild(QVTKRenderWindowInteractor)


def screen_pos(view, x: float, y: float, z: float):
    """Widget position (top-left origin) of project point (x, y, z) as the view draws it now."""
    from PySide6.QtCore import QPoint
    from vtkmodules.vtkRenderingCore import vtkCoordinate

    coord = vtkCoordinate()
    coord.SetCoordinateSystemToWorld()
    coord.SetValue(*view.stage.scene.to_local(x, y, z, exaggeration=view.stage.exaggeration))
    dx, dy = coord.GetComputedDoubleDisplayValue(view.renderer)
    height = view.render_window.GetSize()[1]
    return QPoint(int(round(dx)), int(round(height - 1 - dy)))


def near_colour(pixels, rgb, min_value: int = 60) -> int:
    """How many pixels have the hue of ``rgb`` (shading changes brightness, not direction)."""
    px = pixels.reshape(-1, 3).astype(float)
    ref = np.asarray(rgb, dtype=float)
    norm = np.linalg.norm(px, axis=1)
    cos = px @ ref / np.maximum(norm * np.linalg.norm(ref), 1e-9)
    return int(((cos > 0.995) & (px.max(axis=1) >= min_value)).sum())


@pytest.fixture(scope="session")
def demo_data_dir(tmp_path_factory):
    """A data folder holding the cached small demo (built once per test session)."""
    import os

    from gis import demo

    folder = tmp_path_factory.mktemp("subterra-data")
    old = os.environ.get("SUBTERRA_DATA_DIR")
    os.environ["SUBTERRA_DATA_DIR"] = str(folder)
    try:
        demo.default_demo_path()
    finally:
        if old is None:
            del os.environ["SUBTERRA_DATA_DIR"]
        else:
            os.environ["SUBTERRA_DATA_DIR"] = old
    return folder


@pytest.fixture
def demo_window(qtbot, qapp, demo_data_dir, monkeypatch):
    """The main window opened on the small demo the way `subterra` opens it."""
    monkeypatch.setenv("SUBTERRA_DATA_DIR", str(demo_data_dir))
    win = make_window(qtbot, qapp)
    with qtbot.waitSignal(win.project_loaded, timeout=120000):
        assert win.open_demo()
    return win


def activate(qtbot, win) -> None:
    """Make ``win`` the active window (a progress dialog that came and went leaves none active
    under a bare X server) and wait until it is."""
    win.activateWindow()
    qtbot.waitUntil(win.isActiveWindow, timeout=5000)


def press(qtbot, win, key, modifier=None) -> None:
    """Type a shortcut into ``win`` once it is the active window (shortcuts need that)."""
    from PySide6.QtCore import Qt

    activate(qtbot, win)
    qtbot.keyClick(win, key, modifier or Qt.KeyboardModifier.NoModifier)


@pytest.fixture
def demo_copy(tmp_path, demo_data_dir, monkeypatch):
    """A private copy of the cached small demo (checks write findings into it)."""
    import shutil

    from gis import demo

    monkeypatch.setenv("SUBTERRA_DATA_DIR", str(demo_data_dir))
    path = tmp_path / "demo.gpkg"
    shutil.copyfile(demo.default_demo_path(), path)
    return path


@pytest.fixture
def checks_window(qtbot, qapp, demo_copy):
    """The main window with the demo copy open and the findings dock's start-up reads done."""
    win = make_window(qtbot, qapp)
    open_and_wait(qtbot, win, demo_copy)
    qtbot.waitUntil(lambda: not (win.runner.busy or win.checks.background.busy)
                    and win.checks.panel.rules_label.text() != "", timeout=30000)
    return win
